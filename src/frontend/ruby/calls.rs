//! Call facts of Ruby code, for endpoint inference: which Gitaly RPCs a
//! toggle's Gitaly branch reaches.
//!
//! - request messages named in the code (`Gitaly::FindCommitRequest.new`, a
//!   `'GetBlobRequest' =>` hash key);
//! - `GitalyClient.call(storage, :ref_service, :find_default_branch_name, req)`;
//! - calls on the Gitaly wrapper clients (`gitaly_ref_client.default_branch_name`,
//!   `Gitlab::GitalyClient::RefService.new(repo).branches`), resolved later
//!   through the wrapper methods' own facts;
//! - receiverless calls (`gitaly_ref_exists?(name)`), resolved through the
//!   methods of the same class.
//!
//! The resolver ([`crate::resolve`]) follows these facts across files.

use tree_sitter::Node;

/// One fact about a piece of Ruby code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CallFact {
    /// A request message: `FindCommitRequest` → the method `FindCommit`.
    Request(String),
    /// `GitalyClient.call(_, :service, :rpc, ...)` (snake case).
    Rpc(String, String),
    /// `client.method` where the client is a Gitaly wrapper class (last segment).
    Client(String, String),
    /// A receiverless call or `self.x`, within a class (full path).
    Local(String, String),
    /// A call on a receiver that is itself a method call, `gitaly_x_client.y`,
    /// whose class is known only once the `gitaly_x_client` method is found.
    Via(String, String),
}

/// A method definition and what its body does.
#[derive(Debug, Clone)]
pub struct Method {
    /// The enclosing class or module path (`Gitlab::GitalyClient::RefService`).
    pub class: String,
    pub name: String,
    pub facts: Vec<CallFact>,
    /// The wrapper class this method returns (`@c ||= Gitlab::GitalyClient::RefService.new(self)`).
    pub returns_client: Option<String>,
}

fn text<'s>(n: Node, src: &'s [u8]) -> &'s str {
    std::str::from_utf8(&src[n.byte_range()]).unwrap_or("")
}

fn last_segment(s: &str) -> &str {
    s.rsplit("::").next().unwrap_or(s)
}

/// A wrapper client class named by a constant path ending in `Service`, or
/// (2017's clients, `Gitlab::GitalyClient::Ref`, `GitalyClient::Commit`) any
/// class path under `GitalyClient::`.
fn client_class(n: Node, src: &[u8]) -> Option<String> {
    let t = text(n, src);
    let last = last_segment(t);
    let service = last.ends_with("Service") && last.len() > 7;
    let under_client = n.kind() == "scope_resolution"
        && t.trim_end_matches(last).ends_with("GitalyClient::")
        && last.as_bytes().first().is_some_and(u8::is_ascii_uppercase);
    (matches!(n.kind(), "constant" | "scope_resolution") && (service || under_client))
        .then(|| last.to_string())
}

fn symbol(n: Node, src: &[u8]) -> Option<String> {
    (n.kind() == "simple_symbol").then(|| text(n, src).trim_start_matches(':').to_string())
}

/// Facts of every node in `nodes` (their whole subtrees), `class` being the
/// enclosing class of the code.
pub fn facts_of(nodes: &[Node], class: &str, src: &[u8]) -> Vec<CallFact> {
    let mut out = Vec::new();
    // `client = Gitlab::GitalyClient::RepositoryService.new(repo)` → `client` is one.
    let mut clients: Vec<(&str, String)> = Vec::new();
    for &root in nodes {
        visit(root, &mut |n| {
            if n.kind() == "assignment" {
                let (Some(l), Some(r)) = (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                ) else {
                    return;
                };
                if l.kind() == "identifier"
                    && r.kind() == "call"
                    && r.child_by_field_name("method")
                        .is_some_and(|m| text(m, src) == "new")
                {
                    if let Some(cls) = r
                        .child_by_field_name("receiver")
                        .and_then(|c| client_class(c, src))
                    {
                        clients.push((text(l, src), cls));
                    }
                }
            }
        });
    }
    for &root in nodes {
        crate::frontend::walk_tree(root, |n, ancestors| {
            // A root has no parent here: a statement of its own.
            let parent = ancestors.last().map_or("body_statement", |a| a.kind());
            fact(n, Some(parent), class, &clients, src, &mut out);
            true
        });
    }
    out.sort();
    out.dedup();
    out
}

/// Visits `root` and its descendants (see [`crate::frontend::walk_tree`]).
fn visit<'t>(root: Node<'t>, f: &mut impl FnMut(Node<'t>)) {
    crate::frontend::walk_tree(root, |n, _| {
        f(n);
        true
    });
}

fn fact(
    n: Node,
    parent_kind: Option<&str>,
    class: &str,
    clients: &[(&str, String)],
    src: &[u8],
    out: &mut Vec<CallFact>,
) {
    match n.kind() {
        "constant" | "string_content" => {
            let t = text(n, src);
            if let Some(m) = t.strip_suffix("Request").filter(|m| !m.is_empty()) {
                if m.bytes().all(|b| b.is_ascii_alphanumeric())
                    && m.as_bytes()[0].is_ascii_uppercase()
                {
                    out.push(CallFact::Request(m.to_string()));
                }
            }
        }
        "call" => {
            let Some(method) = n.child_by_field_name("method") else {
                return;
            };
            let m = text(method, src).to_string();
            match n.child_by_field_name("receiver") {
                None => out.push(CallFact::Local(class.to_string(), m)),
                Some(r) if r.kind() == "self" => out.push(CallFact::Local(class.to_string(), m)),
                Some(r) => {
                    let rt = text(r, src);
                    if m == "call" && (rt == "GitalyClient" || rt.ends_with("::GitalyClient")) {
                        let args = n.child_by_field_name("arguments");
                        let mut c = args.map(|a| a.walk());
                        let syms: Vec<String> = match (args, c.as_mut()) {
                            (Some(a), Some(c)) => {
                                a.named_children(c).filter_map(|x| symbol(x, src)).collect()
                            }
                            _ => Vec::new(),
                        };
                        if let [service, rpc, ..] = syms.as_slice() {
                            out.push(CallFact::Rpc(service.clone(), rpc.clone()));
                        }
                        return;
                    }
                    // `Gitlab::GitalyClient::RefService.new(...).x`
                    if r.kind() == "call"
                        && r.child_by_field_name("method")
                            .is_some_and(|rm| text(rm, src) == "new")
                    {
                        if let Some(cls) = r
                            .child_by_field_name("receiver")
                            .and_then(|c| client_class(c, src))
                        {
                            out.push(CallFact::Client(cls, m));
                            return;
                        }
                    }
                    // `gitaly_ref_client.x`, `@gitaly_ref_client.x`, `repo.gitaly_ref_client.x`
                    let name = match r.kind() {
                        "identifier" | "instance_variable" => rt.trim_start_matches('@'),
                        "call" => r
                            .child_by_field_name("method")
                            .map_or("", |rm| text(rm, src)),
                        _ => "",
                    };
                    if let Some((_, cls)) = clients
                        .iter()
                        .find(|(v, _)| r.kind() == "identifier" && *v == rt)
                    {
                        out.push(CallFact::Client(cls.clone(), m));
                    } else if name.starts_with("gitaly_") && name.ends_with("_client") {
                        out.push(CallFact::Via(name.to_string(), m));
                    } else if let Some(cls) = client_class(r, src) {
                        // Class methods of a wrapper: `Gitlab::GitalyClient::BlobService.get_blob(...)`.
                        out.push(CallFact::Client(cls, m));
                    } else if r.kind() == "identifier"
                        && class.contains("GitalyClient")
                        && !is_param(r, rt, src)
                    {
                        // In a wrapper client, `branch_names.count` calls its own
                        // `branch_names` (a local variable matches no method).
                        out.push(CallFact::Local(class.to_string(), rt.to_string()));
                    }
                }
            }
        }
        "identifier" => {
            // A receiverless call without arguments parses as an identifier; only
            // Gitaly helpers (`gitaly_find_x`, `tags_from_gitaly`) are worth
            // following, not every local.
            let t = text(n, src);
            let is_call_position = parent_kind.is_some_and(|p| {
                !matches!(
                    p,
                    "call" | "block_parameters" | "method_parameters" | "pair"
                )
            });
            if is_call_position && t.contains("gitaly") {
                out.push(CallFact::Local(class.to_string(), t.to_string()));
            }
        }
        _ => {}
    }
}

/// Whether `name` is a parameter of the method around `n` (then `name.x` is
/// not a call of the class's own `name`).
fn is_param(n: Node, name: &str, src: &[u8]) -> bool {
    let Some(def) =
        crate::frontend::climb(n).find(|p| matches!(p.kind(), "method" | "singleton_method"))
    else {
        return false;
    };
    let Some(params) = def.child_by_field_name("parameters") else {
        return false;
    };
    let mut c = params.walk();
    let found = params.named_children(&mut c).any(|p| {
        let id = if p.kind() == "identifier" {
            Some(p)
        } else {
            p.child_by_field_name("name")
        };
        id.is_some_and(|id| text(id, src) == name)
    });
    found
}

/// The methods of a file with their facts.
pub fn methods(root: Node, src: &[u8]) -> Vec<Method> {
    let mut out = Vec::new();
    crate::frontend::walk_tree(root, |n, ancestors| {
        if matches!(n.kind(), "method" | "singleton_method") {
            if let (Some(name), Some(body)) =
                (n.child_by_field_name("name"), n.child_by_field_name("body"))
            {
                let class = class_of(ancestors, src);
                let facts = facts_of(&[body], &class, src);
                out.push(Method {
                    returns_client: returned_client(body, src),
                    class,
                    name: text(name, src).to_string(),
                    facts,
                });
            }
        }
        true
    });
    out
}

/// The class path of the given ancestors (`Gitlab::GitalyClient::RefService`).
pub fn class_of(ancestors: &[Node], src: &[u8]) -> String {
    let names: Vec<&str> = ancestors
        .iter()
        .filter(|a| matches!(a.kind(), "class" | "module"))
        .filter_map(|a| a.child_by_field_name("name"))
        .map(|n| text(n, src).trim_start_matches("::"))
        .collect();
    names.join("::")
}

/// `@c ||= Gitlab::GitalyClient::RefService.new(self)` (the whole body).
fn returned_client(body: Node, src: &[u8]) -> Option<String> {
    let mut stmt = body.named_child(0)?;
    if body.named_child_count() != 1 {
        return None;
    }
    if matches!(stmt.kind(), "operator_assignment" | "assignment") {
        stmt = stmt.child_by_field_name("right")?;
    }
    if stmt.kind() == "call"
        && stmt
            .child_by_field_name("method")
            .is_some_and(|m| text(m, src) == "new")
    {
        return client_class(stmt.child_by_field_name("receiver")?, src);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn methods_of(src: &str) -> Vec<Method> {
        let tree = crate::frontend::ruby::parse(src.as_bytes()).unwrap();
        methods(tree.root_node(), src.as_bytes())
    }

    #[test]
    fn a_2017_client_under_gitaly_client_is_a_wrapper_and_calls_its_own_methods() {
        let src = "module Gitlab\n  module GitalyClient\n    class Ref\n      def branch_names\n        request = Gitaly::FindAllBranchNamesRequest.new(repository: @repo)\n        stub.find_all_branch_names(request)\n      end\n\n      def count_branch_names\n        branch_names.count\n      end\n\n      def merged(branch_names = [])\n        branch_names.map { |b| b }\n      end\n    end\n  end\nend\n\nclass Repository\n  def gitaly_ref_client\n    @gitaly_ref_client ||= Gitlab::GitalyClient::Ref.new(self)\n  end\nend\n";
        let m = methods_of(src);
        let facts = |name: &str| m.iter().find(|m| m.name == name).unwrap().facts.clone();
        assert!(facts("branch_names").contains(&CallFact::Request("FindAllBranchNames".into())));
        let class = "Gitlab::GitalyClient::Ref".to_string();
        assert_eq!(
            facts("count_branch_names"),
            [CallFact::Local(class.clone(), "branch_names".into())]
        );
        // A parameter of the same name is not a call of the method.
        assert!(!facts("merged").contains(&CallFact::Local(class, "branch_names".into())));
        let getter = m.iter().find(|m| m.name == "gitaly_ref_client").unwrap();
        assert_eq!(getter.returns_client.as_deref(), Some("Ref"));
    }
}
