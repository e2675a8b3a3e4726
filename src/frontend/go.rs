//! The Go frontend: GitLab Workhorse and GitLab Shell's `go/` tree (and Gitaly's
//! own flag definitions).
//!
//! Finds, with tree-sitter-go:
//! - Gitaly-vs-legacy branches without a flag name:
//!   `if params.GitalyServer.Address != "" { gitaly } else { legacy }`, the `== ""`
//!   form with the branches swapped, conditions joined with `&&`/`||`, early
//!   returns, and the address read into a variable first. Their endpoints are
//!   inferred after the scan from the calls their Gitaly branch makes (see
//!   [`crate::resolve`]);
//! - env toggles `os.Getenv("GITALY_X")` / `os.LookupEnv`;
//! - gRPC metadata flags `"gitaly-feature-<name>"`;
//! - flag definitions `featureflag.FeatureFlag{Name: "x", OnByDefault: b}` and
//!   `featureflag.NewFeatureFlag("x", ...)`.
//!
//! Comments are never read; `_test.go` files yield `test-stub` references.

use super::{
    Deferred, FileFacts, Frontend, FrontendOptions, GoElse, GoShape, RawRef, Shape, SourceFile,
    SourceMap,
};
use crate::model::{CallForm, Kind, Language, Span, Status};
use crate::prefilter::Prefilter;
use std::collections::HashSet;
use tree_sitter::{Node, Tree};

/// The Go frontend, as registered in [`super::FRONTENDS`].
pub struct Go;

impl Frontend for Go {
    fn language(&self) -> Language {
        Language::Go
    }

    fn claims(&self, name: &str, _head: Option<&[u8]>) -> bool {
        name.rsplit_once('.').is_some_and(|(_, ext)| ext == "go")
    }

    /// Branches carry no flag name, and endpoint inference needs the
    /// functions of every Gitaly-related file: any mention of Gitaly.
    fn wants(&self, bytes: &[u8], prefilter: &Prefilter) -> bool {
        prefilter.mentions_gitaly(bytes)
    }

    fn extract(&self, file: &SourceFile, opts: &FrontendOptions) -> FileFacts {
        let x = extract(file.bytes, file.rel.ends_with("_test.go"), &opts.env_ignore);
        let branches = x.branches.into_iter().map(|b| Deferred::BranchCalls {
            raw: b.raw,
            calls: b.calls,
        });
        FileFacts {
            refs: x.refs,
            deferred: branches
                .chain(x.funcs.into_iter().map(Deferred::Function))
                .collect(),
            syntax_errors: x.syntax_errors,
        }
    }
}

/// A Gitaly-vs-legacy branch waiting for endpoint inference.
#[derive(Debug, Clone)]
pub struct Branch {
    /// The reference, without a flag yet.
    pub raw: RawRef,
    /// Functions and methods the Gitaly branch calls (`(name, called on a value)`).
    pub calls: Vec<(String, bool)>,
}

/// A function or method and what its body calls.
#[derive(Debug, Clone)]
pub struct Func {
    pub name: String,
    pub calls: Vec<(String, bool)>,
}

/// What a Go file yielded.
#[derive(Debug, Default)]
pub struct Extracted {
    pub refs: Vec<RawRef>,
    pub branches: Vec<Branch>,
    pub funcs: Vec<Func>,
    pub syntax_errors: bool,
}

fn parse(src: &[u8]) -> Option<Tree> {
    super::parse(super::Grammar::Go, src)
}

/// Extracts the references, branches and call facts of one Go file.
pub fn extract(src: &[u8], is_test: bool, env_ignore: &[String]) -> Extracted {
    let Some(tree) = parse(src) else {
        return Extracted::default();
    };
    let root = tree.root_node();
    let mut x = Extractor {
        src,
        map: SourceMap::new(src),
        address_vars: HashSet::new(),
        env_ignore,
        out: Extracted {
            syntax_errors: root.has_error(),
            ..Extracted::default()
        },
    };
    // First pass: variables holding the Gitaly address.
    let mut ifs = Vec::new();
    walk(root, |n| match n.kind() {
        "short_var_declaration" | "assignment_statement" | "var_spec" => x.note_address_var(n),
        "if_statement" => ifs.push(n),
        "function_declaration" | "method_declaration" => x.note_func(n),
        "call_expression" => x.call(n),
        "interpreted_string_literal" | "raw_string_literal" => x.metadata(n),
        "composite_literal" => x.definition_literal(n),
        _ => {}
    });
    for n in ifs {
        x.branch(n);
    }
    if is_test {
        for r in x
            .out
            .refs
            .iter_mut()
            .chain(x.out.branches.iter_mut().map(|b| &mut b.raw))
        {
            r.kind = Kind::TestStub;
        }
    }
    x.out
        .refs
        .sort_by_key(|r| (r.span.start_byte, r.span.end_byte));
    x.out
}

/// Visits every node (see [`super::walk_tree`]).
fn walk<'t>(root: Node<'t>, mut f: impl FnMut(Node<'t>)) {
    super::walk_tree(root, |n, _| {
        f(n);
        true
    });
}

struct Extractor<'s> {
    src: &'s [u8],
    map: SourceMap<'s>,
    address_vars: HashSet<&'s str>,
    env_ignore: &'s [String],
    out: Extracted,
}

impl<'s> Extractor<'s> {
    fn text(&self, n: Node) -> &'s str {
        std::str::from_utf8(&self.src[n.byte_range()]).unwrap_or("")
    }

    fn raw(&self, flag: String, kind: Kind, call: CallForm, span: Span, status: Status) -> RawRef {
        RawRef::direct(flag, kind, call, span, status)
    }

    /// Whether `n` reads the Gitaly server address.
    fn is_address(&self, n: Node) -> bool {
        match n.kind() {
            "selector_expression" => {
                let t = self.text(n);
                t.ends_with("GitalyServer.Address") || t.ends_with("GitalyAddress")
            }
            "identifier" => self.address_vars.contains(self.text(n)),
            "parenthesized_expression" => n.named_child(0).is_some_and(|c| self.is_address(c)),
            _ => false,
        }
    }

    fn note_address_var(&mut self, n: Node) {
        let (left, right) = match n.kind() {
            "var_spec" => (
                n.child_by_field_name("name"),
                n.child_by_field_name("value"),
            ),
            _ => (
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            ),
        };
        let (Some(left), Some(right)) = (left, right) else {
            return;
        };
        fn first(l: Node<'_>) -> Option<Node<'_>> {
            if l.kind().ends_with("list") {
                l.named_child(0)
            } else {
                Some(l)
            }
        }
        if let (Some(l), Some(r)) = (first(left), first(right)) {
            if l.kind() == "identifier" && r.kind() == "selector_expression" && self.is_address(r) {
                self.address_vars.insert(self.text(l));
            }
        }
    }

    fn calls_in(&self, nodes: &[Node]) -> Vec<(String, bool)> {
        let mut calls = Vec::new();
        for &n in nodes {
            walk(n, |c| {
                if c.kind() == "call_expression" {
                    if let Some(f) = c.child_by_field_name("function") {
                        match f.kind() {
                            "identifier" => calls.push((self.text(f).to_string(), false)),
                            "selector_expression" => {
                                if let Some(field) = f.child_by_field_name("field") {
                                    calls.push((self.text(field).to_string(), true));
                                }
                            }
                            _ => {}
                        }
                    }
                }
            });
        }
        calls.sort();
        calls.dedup();
        calls
    }

    fn note_func(&mut self, n: Node) {
        let (Some(name), Some(body)) =
            (n.child_by_field_name("name"), n.child_by_field_name("body"))
        else {
            return;
        };
        let calls = self.calls_in(&[body]);
        self.out.funcs.push(Func {
            name: self.text(name).to_string(),
            calls,
        });
    }

    /// `Some(true)` if the condition holds when Gitaly serves the request.
    fn address_test(&self, cond: Node) -> Option<bool> {
        match cond.kind() {
            "parenthesized_expression" => self.address_test(cond.named_child(0)?),
            "unary_expression" => {
                let op = cond.child_by_field_name("operator").map(|o| self.text(o));
                let inner = self.address_test(cond.child_by_field_name("operand")?)?;
                (op == Some("!")).then_some(!inner)
            }
            "binary_expression" => {
                let op = self.text(cond.child_by_field_name("operator")?);
                let (l, r) = (
                    cond.child_by_field_name("left")?,
                    cond.child_by_field_name("right")?,
                );
                match op {
                    "==" | "!=" => {
                        let empty = |n: Node| matches!(self.text(n), "\"\"" | "``");
                        let compares =
                            (self.is_address(l) && empty(r)) || (self.is_address(r) && empty(l));
                        compares.then_some(op == "!=")
                    }
                    "&&" | "||" => self.address_test(l).or_else(|| self.address_test(r)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `Some(true)` for `address != ""` alone, `Some(false)` for `== ""`;
    /// `None` when the condition tests more (what the fix can collapse).
    fn plain_test(&self, cond: Node) -> Option<bool> {
        match cond.kind() {
            "parenthesized_expression" => self.plain_test(cond.named_child(0)?),
            "binary_expression" => {
                let op = self.text(cond.child_by_field_name("operator")?);
                let (l, r) = (
                    cond.child_by_field_name("left")?,
                    cond.child_by_field_name("right")?,
                );
                let empty = |n: Node| matches!(self.text(n), "\"\"" | "``");
                let ok = (self.is_address(l) && empty(r)) || (self.is_address(r) && empty(l));
                (ok && matches!(op, "==" | "!=")).then_some(op == "!=")
            }
            _ => None,
        }
    }

    /// How the fix sees the `if` `n`: its test, its else, where the legacy
    /// statements after a returning then block end.
    fn shape(&self, n: Node, cond: Node, returns: bool, rest: &[Node]) -> GoShape {
        let alternative = match n.child_by_field_name("alternative") {
            None => GoElse::None,
            Some(o) if o.kind() == "block" => GoElse::Block,
            Some(_) => GoElse::ElseIf,
        };
        let rest_end = (alternative == GoElse::None && returns).then(|| {
            let mut end = n.end_byte();
            let mut s = n.next_named_sibling();
            while let Some(x) = s {
                end = x.end_byte();
                s = x.next_named_sibling();
            }
            end
        });
        GoShape {
            plain: self.plain_test(cond),
            initializer: n.child_by_field_name("initializer").is_some(),
            alternative,
            rest_end,
            rest: match (rest.first(), rest.last()) {
                (Some(f), Some(l)) => Some(f.start_byte()..l.end_byte()),
                _ => None,
            },
        }
    }

    fn branch(&mut self, n: Node) {
        let Some(cond) = n.child_by_field_name("condition") else {
            return;
        };
        let Some(positive) = self.address_test(cond) else {
            return;
        };
        let then = n.child_by_field_name("consequence");
        let other = n.child_by_field_name("alternative");
        // Without an else, a `then` that returns leaves the other path to the
        // statements after the `if`.
        let returns = then.is_some_and(|t| ends_with_return(t));
        let rest: Vec<Node> = if other.is_none() && returns {
            let mut v = Vec::new();
            let mut s = n.next_named_sibling();
            while let Some(x) = s {
                if x.kind() != "comment" {
                    v.push(x);
                }
                s = x.next_named_sibling();
            }
            v
        } else {
            Vec::new()
        };
        let span_of = |nodes: &[Node]| -> Option<Span> {
            let (first, last) = (nodes.first()?, nodes.last()?);
            Some(self.map.range(first.start_byte(), last.end_byte()))
        };
        let shape = self.shape(n, cond, returns, &rest);
        let then_nodes: Vec<Node> = then.into_iter().collect();
        let other_nodes: Vec<Node> = match other {
            Some(o) => vec![o],
            None => rest,
        };
        let (gitaly, legacy) = if positive {
            (then_nodes, other_nodes)
        } else {
            (other_nodes, then_nodes)
        };
        let calls = self.calls_in(&gitaly);
        let mut raw = self.raw(
            String::new(),
            Kind::Toggle,
            CallForm::GitalyServerBranch,
            self.map.span(n),
            Status::None,
        );
        raw.enabled_branch = span_of(&gitaly);
        raw.legacy_branch = span_of(&legacy);
        raw.shape = Shape::GoBranch(shape);
        self.out.branches.push(Branch { raw, calls });
    }

    fn string_value(&self, n: Node) -> Option<&'s str> {
        match n.kind() {
            "interpreted_string_literal" | "raw_string_literal" => {
                let t = self.text(n);
                let inner = t.get(1..t.len().saturating_sub(1))?;
                (!inner.contains('\\')).then_some(inner)
            }
            "literal_element" => self.string_value(n.named_child(0)?),
            _ => None,
        }
    }

    fn call(&mut self, n: Node) {
        let Some(f) = n.child_by_field_name("function") else {
            return;
        };
        let fname = self.text(f);
        let first = n
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0))
            .and_then(|a| self.string_value(a));
        let Some(first) = first else { return };
        if matches!(fname, "os.Getenv" | "os.LookupEnv" | "syscall.Getenv") {
            if let Some(flag) = super::env_flag(first, self.env_ignore, false) {
                let r = self.raw(
                    flag,
                    Kind::Env,
                    CallForm::Env,
                    self.map.span(n),
                    Status::None,
                );
                self.out.refs.push(r);
            }
        } else if fname.ends_with("NewFeatureFlag") && !first.is_empty() {
            let r = self.raw(
                first.to_string(),
                Kind::Definition,
                CallForm::Definition,
                self.map.span(n),
                Status::None,
            );
            self.out.refs.push(r);
        }
    }

    fn metadata(&mut self, n: Node) {
        let Some(v) = self.string_value(n) else {
            return;
        };
        let Some(name) = v.strip_prefix("gitaly-feature-").filter(|r| !r.is_empty()) else {
            return;
        };
        if !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return;
        }
        let r = self.raw(
            name.replace('-', "_"),
            Kind::Metadata,
            CallForm::Metadata,
            self.map.span(n),
            Status::None,
        );
        self.out.refs.push(r);
    }

    fn definition_literal(&mut self, n: Node) {
        let is_flag_type = n.child_by_field_name("type").is_some_and(|t| {
            self.text(t) == "FeatureFlag" || self.text(t).ends_with(".FeatureFlag")
        });
        let Some(body) = n.child_by_field_name("body").filter(|_| is_flag_type) else {
            return;
        };
        let mut name = None;
        let mut status = Status::None;
        let mut c = body.walk();
        for el in body
            .named_children(&mut c)
            .filter(|e| e.kind() == "keyed_element")
        {
            let (Some(k), Some(v)) = (el.named_child(0), el.named_child(1)) else {
                continue;
            };
            match self.text(k) {
                "Name" => name = self.string_value(v),
                "OnByDefault" => {
                    status = match self.text(v) {
                        "true" => Status::OptOut,
                        "false" => Status::OptIn,
                        _ => Status::Unknown,
                    }
                }
                _ => {}
            }
        }
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            let r = self.raw(
                name.to_string(),
                Kind::Definition,
                CallForm::Definition,
                self.map.span(n),
                status,
            );
            self.out.refs.push(r);
        }
    }
}

fn ends_with_return(block: Node) -> bool {
    let mut last = None;
    walk_children(block, &mut |n| {
        if n.kind() != "comment" {
            last = Some(n);
        }
    });
    // A block holds a statement_list.
    let last = match last {
        Some(l) if l.kind() == "statement_list" => {
            let mut inner = None;
            walk_children(l, &mut |n| {
                if n.kind() != "comment" {
                    inner = Some(n);
                }
            });
            inner
        }
        other => other,
    };
    last.is_some_and(|l| l.kind() == "return_statement")
}

fn walk_children<'t>(n: Node<'t>, f: &mut impl FnMut(Node<'t>)) {
    let mut c = n.walk();
    for child in n.named_children(&mut c) {
        f(child);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"package git

func (b *blob) Inject(w int) {
	if params.GitalyServer.Address != "" {
		handleWithGitaly(w)
	} else {
		handleLocally(w)
	}
}

func handleWithGitaly(w int) {
	c, _ := gitaly.NewBlobClient(s)
	c.SendBlob(ctx, w)
}

func receive(a *api.Response) error {
	addr := a.GitalyServer.Address
	if Testing && addr == "" {
		return local(a)
	}
	return remote(a)
}

func env() {
	_ = os.Getenv("GITALY_FIND_COMMIT")
	// os.Getenv("GITALY_IN_A_COMMENT")
	_ = map[string]string{"gitaly-feature-go-find-commit": "true"}
	_ = featureflag.FeatureFlag{Name: "go_find_commit", OnByDefault: true}
}
"#;

    #[test]
    fn finds_branches_env_metadata_and_definitions() {
        let x = extract(SRC.as_bytes(), false, &[]);
        assert_eq!(x.branches.len(), 2);
        let b = &x.branches[0];
        assert_eq!(b.raw.enabled_branch.unwrap().line, 4);
        assert_eq!(b.raw.legacy_branch.unwrap().line, 6);
        assert!(b.calls.contains(&("handleWithGitaly".to_string(), false)));
        let b = &x.branches[1];
        assert_eq!(b.raw.legacy_branch.unwrap().line, 18);
        assert_eq!(b.raw.enabled_branch.unwrap().line, 21);
        assert!(b.calls.contains(&("remote".to_string(), false)));
        let flags: Vec<(&str, Kind)> = x.refs.iter().map(|r| (r.flag.as_str(), r.kind)).collect();
        assert_eq!(
            flags,
            vec![
                ("find_commit", Kind::Env),
                ("go_find_commit", Kind::Metadata),
                ("go_find_commit", Kind::Definition),
            ]
        );
        assert_eq!(x.refs[2].status, Status::OptOut);
        let f = x
            .funcs
            .iter()
            .find(|f| f.name == "handleWithGitaly")
            .unwrap();
        assert!(f.calls.contains(&("SendBlob".to_string(), true)));
    }

    #[test]
    fn a_gitaly_server_mention_that_is_not_a_branch() {
        let x = extract(
            b"package x\nfunc f() { log(params.GitalyServer.Address); if x != \"\" { y() } }\n",
            false,
            &[],
        );
        assert!(x.branches.is_empty());
    }
}
