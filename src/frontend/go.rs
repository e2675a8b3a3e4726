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
    /// Generated code (`// Code generated … DO NOT EDIT.`, Gitaly's
    /// `*.pb.go`) holds no flag and is never on a branch's call path (the
    /// generated client methods are matched by name): skipped.
    fn wants(&self, bytes: &[u8], prefilter: &Prefilter) -> bool {
        let head = &bytes[..bytes.len().min(1024)];
        let generated = memchr::memmem::find(head, b"Code generated").is_some()
            && memchr::memmem::find(head, b"DO NOT EDIT").is_some();
        !generated && prefilter.go_matches(bytes)
    }

    fn extract(&self, file: &SourceFile, opts: &FrontendOptions) -> FileFacts {
        let x = extract_in(
            file.bytes,
            is_test_path(file.rel),
            &opts.env_ignore,
            file.server,
        );
        let branches = x.branches.into_iter().map(|b| Deferred::BranchCalls {
            raw: b.raw,
            calls: b.calls,
        });
        FileFacts {
            refs: x.refs,
            deferred: branches
                .chain(x.funcs.into_iter().map(Deferred::Function))
                .chain(x.flags.into_iter().map(Deferred::GoFlag))
                .chain(x.names.into_iter().map(Deferred::GoName))
                .chain(x.mentions.into_iter().map(Deferred::Mention))
                .collect(),
            syntax_errors: x.syntax_errors,
            note: None,
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

pub use super::Func;

/// A Go reference waiting for its flag (see [`Deferred::GoFlag`]).
#[derive(Debug, Clone)]
pub struct GoFlag {
    /// The reference; its flag empty when `symbol` names it.
    pub raw: RawRef,
    /// The constant or variable holding the flag (its last segment).
    pub symbol: Option<String>,
    /// Set through gitaly-ruby's header (`gitaly-feature-ruby-…`): the flag
    /// is `ruby_<name>`.
    pub ruby: bool,
    /// An env var used as a boolean switch (compared to `"true"`, parsed
    /// as a bool, set to one): a reference; else only a mention, kept when
    /// its flag is known.
    pub switch: bool,
    /// The gRPC handler around it (`FindCommit` of `func (s *server)
    /// FindCommit(ctx, in *gitalypb.FindCommitRequest)`).
    pub handler: Option<String>,
}

/// What a Go name is bound to (see [`Deferred::GoName`]).
#[derive(Debug, Clone)]
pub struct GoName {
    pub symbol: String,
    pub value: GoValue,
    /// A string constant's definition reference, once it is used as a flag.
    pub definition: Option<RawRef>,
}

/// The value of a [`GoName`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoValue {
    /// `featureflag.FeatureFlag{Name: "x"}`, `NewFeatureFlag("x", …)`.
    Flag(String),
    /// A string: a flag name (`"catfile-cache"`) or an env var (`"GITALY_X"`).
    Str(String),
}

/// Whether a Go file is test code: `_test.go`, or in a `testhelper` package.
pub fn is_test_path(rel: &str) -> bool {
    rel.ends_with("_test.go") || rel.starts_with("testhelper/") || rel.contains("/testhelper/")
}

/// What a Go file yielded.
#[derive(Debug, Default)]
pub struct Extracted {
    pub refs: Vec<RawRef>,
    pub branches: Vec<Branch>,
    pub funcs: Vec<Func>,
    pub flags: Vec<GoFlag>,
    pub names: Vec<GoName>,
    /// Env vars read as settings (paths, levels): mentions.
    pub mentions: Vec<RawRef>,
    pub syntax_errors: bool,
}

fn parse(src: &[u8]) -> Option<Tree> {
    super::parse(super::Grammar::Go, src)
}

/// In Gitaly's own tree, the parts of a file worth parsing: its package
/// clause, imports, `const` and `var` declarations (flag definitions, env
/// var names), the types that hold one of [`crate::prefilter::SERVER_GO_TOKENS`],
/// and of the functions that hold one, their signature, closing brace and
/// the statements of their body that hold one of [`STATEMENT_TOKENS`] or
/// declare a local `const`/`var` ([`statement_ranges`]). Nothing else holds
/// a reference there: Gitaly has no Workhorse-style branches whose call
/// paths need every function. Declarations and statements are found by
/// gofmt's layout (a top-level declaration starts at column 0, a statement
/// of a function's body at one tab). `None` when the whole file is worth
/// parsing. Test files are most of what this saves: a flag is set in a few
/// statements of their long test functions.
pub fn focus_ranges(src: &[u8]) -> Option<Vec<(usize, usize)>> {
    const STARTS: &[&[u8]] = &[b"func", b"type", b"var", b"const", b"import", b"package"];
    let mut starts: Vec<(usize, &[u8])> = Vec::new(); // (offset, keyword)
    let mut at = 0;
    while at < src.len() {
        let line_end = memchr::memchr(b'\n', &src[at..]).map_or(src.len(), |i| at + i + 1);
        let line = &src[at..line_end];
        if let Some(kw) = STARTS.iter().find(|k| {
            line.starts_with(k)
                && line
                    .get(k.len())
                    .is_some_and(|&b| b == b' ' || b == b'(' || b == b'\t')
        }) {
            starts.push((at, kw));
        }
        at = line_end;
    }
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut skipped = false;
    for (i, &(start, kw)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(src.len(), |s| s.0);
        let chunk = &src[start..end];
        if !matches!(kw, b"func" | b"type") {
            extend_ranges(&mut ranges, (start, end));
            continue;
        }
        if !has_any(chunk, crate::prefilter::SERVER_GO_TOKENS) {
            skipped = true;
            continue;
        }
        let parts = (kw == b"func")
            .then(|| statement_ranges(chunk))
            .flatten()
            .unwrap_or_else(|| vec![(0, chunk.len())]);
        skipped |= parts != [(0, chunk.len())];
        for (s, e) in parts {
            extend_ranges(&mut ranges, (start + s, start + e));
        }
    }
    (skipped && !ranges.is_empty()).then_some(ranges)
}

/// What a statement of a function in Gitaly's tree must hold to be parsed:
/// a token of [`crate::prefilter::SERVER_GO_TOKENS`] or the name of a call
/// the extractor reads (a check on a flag variable, a test setter, an env
/// read or write through a constant).
const STATEMENT_TOKENS: &[&str] = &[
    "featureflag",
    "FeatureFlag",
    "gitaly-feature-",
    "GITALY_",
    "IsEnabled",
    "IsDisabled",
    "HeaderKey",
    "NewFeatureSets",
    "Getenv",
    "LookupEnv",
    "%s=",
];

/// Adds the byte range `(start, end)` to `ranges`, joined to the last one
/// when they touch.
fn extend_ranges(ranges: &mut Vec<(usize, usize)>, (start, end): (usize, usize)) {
    match ranges.last_mut() {
        Some(last) if last.1 == start => last.1 = end,
        _ => ranges.push((start, end)),
    }
}

/// A line of a function [`block_ranges`] cuts: where it starts, its bytes
/// (with the newline), whether it holds one of [`STATEMENT_TOKENS`].
struct Line<'a> {
    at: usize,
    text: &'a [u8],
    token: bool,
}

/// How deep [`block_ranges`] cuts (tabs); deeper blocks are parsed whole.
const MAX_CUT_DEPTH: usize = 16;

fn has_any(bytes: &[u8], tokens: &[&str]) -> bool {
    tokens
        .iter()
        .any(|t| memchr::memmem::find(bytes, t.as_bytes()).is_some())
}

/// The parts of the function declaration `func` (a chunk of
/// [`focus_ranges`], offsets relative to it) to parse ([`block_ranges`]).
/// `None` (parse it whole) when a multi-line raw string or a block comment
/// could hide a line that looks like a statement, or when the function
/// tests the Gitaly address (Workhorse-style branches read the statements
/// after an `if`).
fn statement_ranges(func: &[u8]) -> Option<Vec<(usize, usize)>> {
    if has_any(func, &["/*", "GitalyServer.Address", "GitalyAddress"]) {
        return None;
    }
    let mut at = 0;
    let lines: Vec<Line> = func
        .split_inclusive(|&b| b == b'\n')
        .map(|text| {
            at += text.len();
            Line {
                at: at - text.len(),
                text,
                token: has_any(text, STATEMENT_TOKENS),
            }
        })
        .collect();
    if lines
        .iter()
        .any(|l| memchr::memchr_iter(b'`', l.text).count() % 2 == 1)
    {
        return None;
    }
    block_ranges(&lines, 0, func.len())
}

/// The parts of a block construct indented by `depth` tabs (a function at
/// column 0, a statement of a function's body) to parse, gofmt's layout
/// read line by line: its lines at `depth` — the head up to the line that
/// opens the block, `} else {` and `case …:` lines, the closing line — and
/// the statements of its bodies (one tab deeper) that hold one of
/// [`STATEMENT_TOKENS`] or declare a `const`/`var`, each cut the same way in
/// turn. A statement starts at a line indented by `depth + 1` tabs that does
/// not close a bracket or start a `case`, and ends where the next one
/// starts. Only a block's
/// statements are dropped, never the elements of a composite literal: a
/// block opens with ` {` (`if … {`, `func(t *testing.T) {`, `} {` after a
/// `for … range []struct{…}{…}` table), a literal with `T{` or `struct {`.
/// `None` (keep it whole) when the construct is not a block in that layout,
/// or when every statement is kept whole. `lines` are the function's, each marked if it holds a token, and
/// end at `end`. A cut that still goes wrong leaves a syntax error, and the
/// caller parses the whole file.
fn block_ranges(lines: &[Line], depth: usize, end: usize) -> Option<Vec<(usize, usize)>> {
    // Deeper blocks are kept whole: the cut recurses once per level.
    if depth > MAX_CUT_DEPTH {
        return None;
    }
    let indent = |l: &[u8]| l.iter().take_while(|&&b| b == b'\t').count();
    let at_depth = |l: &[u8]| indent(l) == depth && !l[depth..].trim_ascii().is_empty();
    let opens_block = |l: &[u8]| {
        let Some(before) = l.trim_ascii_end().strip_suffix(b"{") else {
            return false;
        };
        let word = before.trim_ascii_end();
        (before.is_empty() || before.ends_with(b" ") || before.ends_with(b"\t"))
            && !word.ends_with(b"struct")
            && !word.ends_with(b"interface")
    };
    let separates = |l: &[u8]| {
        let rest = &l[depth..];
        rest.starts_with(b"case ")
            || rest.starts_with(b"default:")
            || (rest.starts_with(b"} else ") && opens_block(l))
    };
    let tail = lines
        .iter()
        .rposition(|l| at_depth(l.text) && l.text[depth] == b'}')?;
    let inner: Vec<usize> = (1..tail).filter(|&i| at_depth(lines[i].text)).collect();
    // One line opening the block, `else`/`case` lines between its bodies; or
    // a head over several lines (a `for` over a table, a long signature).
    let (head, separator_lines) =
        if opens_block(lines[0].text) && inner.iter().all(|&i| separates(lines[i].text)) {
            (0, inner)
        } else {
            let head = inner.last().copied().unwrap_or(0);
            (opens_block(lines[head].text).then_some(head)?, Vec::new())
        };
    let mut separators = vec![false; lines.len()];
    for i in separator_lines {
        separators[i] = true;
    }
    if tail <= head + 1 {
        return None;
    }
    // A `case` at `depth + 1` belongs to the `switch` statement above it.
    let starts_statement = |l: &[u8]| {
        let rest = &l[indent(l)..];
        indent(l) == depth + 1
            && rest
                .first()
                .is_some_and(|b| !matches!(b, b' ' | b'}' | b')' | b']' | b'\n' | b'\r'))
            && !rest.starts_with(b"case ")
            && !rest.starts_with(b"default:")
    };
    let tail_start = lines[tail].at;
    let next_start = |i: usize| lines.get(i).map_or(end, |l| l.at);
    let mut parts = vec![(lines[0].at, next_start(head + 1))];
    let mut whole = true;
    let mut i = head + 1;
    while i < tail {
        if separators[i] {
            extend_ranges(&mut parts, (lines[i].at, next_start(i + 1)));
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < tail && !separators[j] && !starts_statement(lines[j].text) {
            j += 1;
        }
        let statement = &lines[i..j];
        let stmt_end = if j < tail { lines[j].at } else { tail_start };
        let first = &lines[i].text[indent(lines[i].text)..];
        let declares = [&b"var "[..], b"var(", b"const ", b"const("]
            .iter()
            .any(|k| first.starts_with(k));
        if declares || statement.iter().any(|l| l.token) {
            match block_ranges(statement, depth + 1, stmt_end) {
                Some(inner) => {
                    whole = false;
                    for r in inner {
                        extend_ranges(&mut parts, r);
                    }
                }
                None => extend_ranges(&mut parts, (lines[i].at, stmt_end)),
            }
        } else {
            whole = false;
        }
        i = j;
    }
    if whole {
        return None;
    }
    extend_ranges(&mut parts, (tail_start, end));
    Some(parts)
}

/// Extracts the references, branches and call facts of one Go file.
pub fn extract(src: &[u8], is_test: bool, env_ignore: &[String]) -> Extracted {
    extract_in(src, is_test, env_ignore, false)
}

/// [`extract`]; in Gitaly's own tree (`server`) only the parts of
/// [`focus_ranges`] are parsed (if they do not parse cleanly — a declaration
/// keyword at column 0 inside a raw string — the whole file is), and the
/// functions' calls are not collected (they serve Workhorse's branches).
fn extract_in(src: &[u8], is_test: bool, env_ignore: &[String], server: bool) -> Extracted {
    let focused = server
        .then(|| focus_ranges(src))
        .flatten()
        .and_then(|r| super::parse_ranges(super::Grammar::Go, src, &r))
        .filter(|t| !t.root_node().has_error());
    let Some(tree) = focused.or_else(|| parse(src)) else {
        return Extracted::default();
    };
    let root = tree.root_node();
    let mut x = Extractor {
        src,
        map: SourceMap::new(src),
        address_vars: HashSet::new(),
        env_ignore,
        is_test,
        done: HashSet::new(),
        out: Extracted {
            syntax_errors: root.has_error(),
            ..Extracted::default()
        },
    };
    // First pass: variables holding the Gitaly address.
    let mut ifs = Vec::new();
    walk(root, |n| match n.kind() {
        "short_var_declaration" | "assignment_statement" => x.note_address_var(n),
        "var_spec" | "const_spec" => {
            x.note_address_var(n);
            x.binding(n);
        }
        "if_statement" => ifs.push(n),
        "function_declaration" | "method_declaration" if !server => x.note_func(n),
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
            .chain(x.out.flags.iter_mut().map(|f| &mut f.raw))
        {
            r.kind = Kind::TestStub;
        }
        for n in &mut x.out.names {
            if let Some(d) = &mut n.definition {
                d.kind = Kind::TestStub;
            }
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
    is_test: bool,
    /// Composite literals already taken as a setter's arguments.
    done: HashSet<usize>,
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
        let args: Vec<Node> = n
            .child_by_field_name("arguments")
            .map(|a| {
                let mut c = a.walk();
                a.named_children(&mut c).collect()
            })
            .unwrap_or_default();
        let last = fname.rsplit('.').next().unwrap_or(fname);
        match last {
            "IsEnabled" | "IsDisabled" => return self.check(n, f, &args, last == "IsEnabled"),
            "OutgoingCtxWithFeatureFlags"
            | "OutgoingCtxWithFeatureFlag"
            | "OutgoingCtxWithFeatureFlagValue"
            | "IncomingCtxWithFeatureFlag"
            | "IncomingCtxWithFeatureFlags" => {
                let flags = if last.ends_with("Value") {
                    &args[1.min(args.len())..2.min(args.len())]
                } else {
                    &args[1.min(args.len())..]
                };
                for &a in flags {
                    self.setter_arg(a, false);
                }
                return;
            }
            "OutgoingCtxWithRubyFeatureFlags" | "OutgoingCtxWithRubyFeatureFlagValue" => {
                for &a in &args[1.min(args.len())..] {
                    self.setter_arg(a, true);
                }
                return;
            }
            "NewFeatureSets" => {
                for (i, &a) in args.iter().enumerate() {
                    self.setter_arg(a, i > 0);
                }
                return;
            }
            "HeaderKey" => {
                if let Some(&a) = args.first() {
                    self.setter_arg(a, false);
                }
                return;
            }
            _ => {}
        }
        if matches!(fname, "os.Getenv" | "os.LookupEnv" | "syscall.Getenv") {
            let Some(&arg) = args.first() else { return };
            let switch = self.env_switch(n);
            if let Some(first) = self.string_value(arg) {
                if let Some(flag) = super::env_flag(first, self.env_ignore, false) {
                    let r = self.env_raw(flag, self.map.span(n));
                    if switch {
                        self.out.refs.push(r);
                    } else {
                        self.out.mentions.push(r);
                    }
                }
            } else if let Some(symbol) = self.symbol(arg) {
                let raw = self.env_raw(String::new(), self.map.span(n));
                self.push_flag(raw, Some(symbol), false, switch, n);
            }
            return;
        }
        // `fmt.Sprintf("%s=%s", featureflag.XEnvVar, strconv.FormatBool(…))`:
        // an env var set for a child process.
        if fname == "fmt.Sprintf" {
            let format = args.first().and_then(|a| self.string_value(*a));
            if let (Some(format), Some(&var)) = (format, args.get(1)) {
                if format.starts_with("%s=") {
                    if let Some(symbol) = self.symbol(var) {
                        let t = self.text(n);
                        let switch = t.contains("FormatBool")
                            || format.ends_with("=true")
                            || format.ends_with("=false")
                            || format.ends_with("=1")
                            || format.ends_with("=0");
                        let raw = self.env_raw(String::new(), self.map.span(var));
                        self.push_flag(raw, Some(symbol), false, switch, n);
                    }
                }
            }
            return;
        }
        let first = args.first().and_then(|a| self.string_value(*a));
        if let Some(first) = first.filter(|f| !f.is_empty() && fname.ends_with("NewFeatureFlag")) {
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

    /// A constant or variable an argument names: `featureflag.X` → `X`, `X`.
    fn symbol(&self, n: Node) -> Option<String> {
        match n.kind() {
            "selector_expression" => {
                let operand = n.child_by_field_name("operand")?;
                (operand.kind() == "identifier")
                    .then(|| n.child_by_field_name("field"))
                    .flatten()
                    .map(|f| self.text(f).to_string())
            }
            "identifier" => {
                let t = self.text(n);
                (!matches!(t, "nil" | "true" | "false")).then(|| t.to_string())
            }
            _ => None,
        }
    }

    fn push_flag(
        &mut self,
        raw: RawRef,
        symbol: Option<String>,
        ruby: bool,
        switch: bool,
        at: Node,
    ) {
        let handler = self.handler(at);
        self.out.flags.push(GoFlag {
            raw,
            symbol,
            ruby,
            switch,
            handler,
        });
    }

    /// A setter's flag (by name, or by `symbol` to resolve across files).
    fn push_setter(
        &mut self,
        flag: String,
        symbol: Option<String>,
        kind: Kind,
        ruby: bool,
        a: Node,
    ) {
        let raw = self.raw(
            flag,
            kind,
            CallForm::FeatureflagTest,
            self.map.span(a),
            Status::None,
        );
        self.push_flag(raw, symbol, ruby, true, a);
    }

    /// An env read or write at `span`, its flag named or (empty) to resolve.
    fn env_raw(&self, flag: String, span: Span) -> RawRef {
        self.raw(flag, Kind::Env, CallForm::Env, span, Status::None)
    }

    /// A flag a test setter is given: `featureflag.X`, `X`, a string, a
    /// `FeatureFlag{Name: "x"}` / `FeatureFlag{"x", false}` literal, or a
    /// `[]featureflag.FeatureFlag{…}` of them.
    fn setter_arg(&mut self, a: Node, ruby: bool) {
        let kind = if self.is_test {
            Kind::TestStub
        } else {
            Kind::Metadata
        };
        match a.kind() {
            "selector_expression" | "identifier" => {
                if let Some(symbol) = self.symbol(a) {
                    self.push_setter(String::new(), Some(symbol), kind, ruby, a);
                }
            }
            "interpreted_string_literal" | "raw_string_literal" => {
                if let Some(v) = self.string_value(a).filter(|v| !v.is_empty()) {
                    self.push_setter(v.replace('-', "_"), None, kind, ruby, a);
                }
            }
            "composite_literal" => {
                self.done.insert(a.start_byte());
                let ty = a
                    .child_by_field_name("type")
                    .map(|t| self.text(t))
                    .unwrap_or("");
                let Some(body) = a.child_by_field_name("body") else {
                    return;
                };
                let mut c = body.walk();
                let elements: Vec<Node> = body.named_children(&mut c).collect();
                if ty.starts_with("[]") {
                    for el in elements {
                        if let Some(v) =
                            el.named_child(0).filter(|_| el.kind() == "literal_element")
                        {
                            self.setter_arg(v, ruby);
                        }
                    }
                } else if ty == "FeatureFlag" || ty.ends_with(".FeatureFlag") {
                    let name = elements
                        .iter()
                        .find_map(|el| match el.kind() {
                            "keyed_element" => {
                                let k = el.named_child(0)?;
                                (self.text(k) == "Name")
                                    .then(|| el.named_child(1))
                                    .flatten()
                            }
                            _ => None,
                        })
                        .or_else(|| {
                            elements
                                .first()
                                .filter(|e| e.kind() == "literal_element")
                                .copied()
                        });
                    if let Some(v) = name
                        .and_then(|v| self.string_value(v))
                        .filter(|v| !v.is_empty())
                    {
                        self.push_setter(v.replace('-', "_"), None, kind, ruby, a);
                    }
                }
            }
            _ => {}
        }
    }

    /// `featureflag.IsEnabled(ctx, X)`, `IsDisabled(ctx, X)`,
    /// `featureflag.X.IsEnabled(ctx)`: a check, with its branches when it is
    /// an `if` condition (maybe negated).
    fn check(&mut self, n: Node, f: Node, args: &[Node], enabled: bool) {
        let operand = f.child_by_field_name("operand");
        let flag_node = match (f.kind(), args.len()) {
            ("identifier", 2) => args[1],
            ("selector_expression", 2) if operand.is_some_and(|o| o.kind() == "identifier") => {
                args[1]
            }
            ("selector_expression", 1) => match operand {
                Some(o) => o,
                None => return,
            },
            _ => return,
        };
        let (flag, symbol) = match flag_node.kind() {
            "interpreted_string_literal" | "raw_string_literal" => {
                match self.string_value(flag_node).filter(|v| !v.is_empty()) {
                    Some(v) => (v.replace('-', "_"), None),
                    None => return,
                }
            }
            _ => match self.symbol(flag_node) {
                Some(sym) => (String::new(), Some(sym)),
                None => return,
            },
        };
        let mut raw = self.raw(
            flag,
            Kind::Check,
            CallForm::FeatureflagCheck,
            self.map.span(n),
            Status::None,
        );
        // Up through `!` and parentheses to an `if` whose condition it is.
        let mut positive = enabled;
        let mut cur = n;
        for p in super::climb(n) {
            match p.kind() {
                "parenthesized_expression" => {}
                "unary_expression"
                    if p.child_by_field_name("operator")
                        .is_some_and(|o| self.text(o) == "!") =>
                {
                    positive = !positive
                }
                "if_statement"
                    if p.child_by_field_name("condition")
                        .is_some_and(|c| c.id() == cur.id()) =>
                {
                    let then = p
                        .child_by_field_name("consequence")
                        .map(|t| self.map.span(t));
                    let other = p
                        .child_by_field_name("alternative")
                        .map(|t| self.map.span(t));
                    let (on, off) = if positive {
                        (then, other)
                    } else {
                        (other, then)
                    };
                    raw.enabled_branch = on;
                    raw.legacy_branch = off;
                    break;
                }
                _ => break,
            }
            cur = p;
        }
        self.push_flag(raw, symbol, false, true, n);
    }

    /// The gRPC handler method around `n`: a method whose name `N` its
    /// parameters echo (`*gitalypb.NRequest`, `gitalypb.…_NServer`).
    fn handler(&self, n: Node) -> Option<String> {
        let m = std::iter::successors(n.parent(), |x| x.parent())
            .find(|x| matches!(x.kind(), "method_declaration" | "function_declaration"))?;
        if m.kind() != "method_declaration" {
            return None;
        }
        let name = self.text(m.child_by_field_name("name")?);
        let params = self.text(m.child_by_field_name("parameters")?);
        (params.contains(&format!("gitalypb.{name}Request"))
            || params.contains(&format!("_{name}Server")))
        .then(|| name.to_string())
    }

    /// Whether the env read `n` is used as a boolean switch: compared to
    /// `"1"`, `"0"`, `"true"`, `"false"`, or parsed by `strconv.ParseBool`.
    fn env_switch(&self, n: Node) -> bool {
        let Some(p) = std::iter::successors(n.parent(), |x| x.parent())
            .find(|x| x.kind() != "parenthesized_expression")
        else {
            return false;
        };
        match p.kind() {
            "binary_expression" => {
                let op = p.child_by_field_name("operator").map(|o| self.text(o));
                let other = [
                    p.child_by_field_name("left"),
                    p.child_by_field_name("right"),
                ]
                .into_iter()
                .flatten()
                .find(|o| o.id() != n.id());
                matches!(op, Some("==" | "!="))
                    && other.and_then(|o| self.string_value(o)).is_some_and(|v| {
                        matches!(
                            v.to_ascii_lowercase().as_str(),
                            "1" | "0" | "true" | "false"
                        )
                    })
            }
            "argument_list" => p
                .parent()
                .and_then(|c| c.child_by_field_name("function"))
                .is_some_and(|f| self.text(f) == "strconv.ParseBool"),
            _ => false,
        }
    }

    /// `X = "catfile-cache"`, `X = featureflag.FeatureFlag{Name: "x"}`,
    /// `X = NewFeatureFlag("x", …)` in a `const` or `var` spec.
    fn binding(&mut self, n: Node) {
        let Some(name) = n.child_by_field_name("name") else {
            return;
        };
        let Some(value) = n.child_by_field_name("value") else {
            return;
        };
        let Some(v) = (if value.kind() == "expression_list" {
            value.named_child(0)
        } else {
            Some(value)
        }) else {
            return;
        };
        let symbol = self.text(name).to_string();
        if let Some(s) = self.string_value(v) {
            if s.is_empty() || s.ends_with('-') {
                return;
            }
            let definition = self.raw(
                s.replace('-', "_"),
                Kind::Definition,
                CallForm::Definition,
                self.map.span(n),
                Status::None,
            );
            self.out.names.push(GoName {
                symbol,
                value: GoValue::Str(s.to_string()),
                definition: Some(definition),
            });
            return;
        }
        let flag = match v.kind() {
            "composite_literal" => v.child_by_field_name("body").and_then(|b| {
                let mut c = b.walk();
                let found = b.named_children(&mut c).find_map(|el| {
                    (el.kind() == "keyed_element"
                        && el.named_child(0).is_some_and(|k| self.text(k) == "Name"))
                    .then(|| el.named_child(1))
                    .flatten()
                    .and_then(|x| self.string_value(x))
                });
                found
            }),
            "call_expression" => v
                .child_by_field_name("function")
                .filter(|f| self.text(*f).ends_with("NewFeatureFlag"))
                .and_then(|_| v.child_by_field_name("arguments"))
                .and_then(|a| a.named_child(0))
                .and_then(|a| self.string_value(a)),
            _ => None,
        };
        if let Some(flag) = flag.filter(|f| !f.is_empty()) {
            self.out.names.push(GoName {
                symbol,
                value: GoValue::Flag(flag.to_string()),
                definition: None,
            });
        }
    }

    fn metadata(&mut self, n: Node) {
        let Some(v) = self.string_value(n) else {
            return;
        };
        let Some(name) = v
            .strip_prefix("gitaly-feature-")
            .filter(|r| !r.is_empty() && !r.ends_with('-'))
        else {
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
        if self.done.contains(&n.start_byte()) {
            return;
        }
        // A `[]featureflag.FeatureFlag{featureflag.X, …}` table of a test.
        let ty = n
            .child_by_field_name("type")
            .map(|t| self.text(t))
            .unwrap_or("");
        if self.is_test
            && ty.starts_with("[]")
            && (ty.ends_with(".FeatureFlag") || ty == "[]FeatureFlag")
        {
            return self.setter_arg(n, false);
        }
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

    #[test]
    fn in_gitalys_tree_only_the_declarations_with_a_flag_token_are_parsed_with_the_same_spans() {
        let src = "package ref\n\nimport \"x/featureflag\"\n\nconst key = \"k\"\n\nfunc unrelated() {\n\tx := `\nnot a decl`\n\t_ = x\n}\n\nfunc (s *server) FindTag(ctx context.Context, in *gitalypb.FindTagRequest) error {\n\tif featureflag.IsEnabled(ctx, featureflag.Fast) {\n\t\treturn nil\n\t}\n\treturn nil\n}\n";
        let ranges = focus_ranges(src.as_bytes()).expect("a function is left out");
        let unrelated = src.find("func unrelated").unwrap();
        let find_tag = src.find("func (s *server)").unwrap();
        assert_eq!(ranges[0], (0, unrelated));
        assert_eq!(ranges[1].0, find_tag);
        assert_eq!(ranges.last().map(|r| r.1), Some(src.len()));
        let whole = extract(src.as_bytes(), false, &[]);
        let focused = extract_in(src.as_bytes(), false, &[], true);
        let show = |x: &Extracted| format!("{:?}", x.flags);
        assert_eq!(show(&focused), show(&whole));
        assert!(show(&whole).contains("Fast"), "{}", show(&whole));
        // A file whose every declaration counts is parsed whole.
        assert_eq!(
            focus_ranges(b"package x\n\nvar A = featureflag.FeatureFlag{}\n"),
            None
        );
    }

    /// Extraction of the focused ranges equals that of the whole file.
    fn same_as_whole(src: &str) {
        let show = |x: &Extracted| {
            format!(
                "{:?}\n{:?}\n{:?}\n{:?}",
                x.refs, x.flags, x.names, x.mentions
            )
        };
        let mut whole = extract(src.as_bytes(), true, &[]);
        whole.funcs.clear();
        whole.branches.clear();
        let focused = extract_in(src.as_bytes(), true, &[], true);
        assert!(!focused.syntax_errors);
        assert_eq!(show(&focused), show(&whole));
    }

    #[test]
    fn in_gitalys_tree_only_the_statements_with_a_flag_token_are_parsed() {
        let src = r#"package hook_test

var myFlag = featureflag.FeatureFlag{Name: "my_flag"}

func TestHook(
	t *testing.T,
) {
	server := runServer(t)
	defer server.Stop()

	const key = "local-key"
	for _, tc := range []struct {
		desc  string
		flags []featureflag.FeatureFlag
	}{
		{desc: "plain"},
		{desc: "go", flags: []featureflag.FeatureFlag{featureflag.GoHook}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			ctx, cancel := testhelper.Context()
			defer cancel()
			for _, f := range tc.flags {
				ctx = featureflag.OutgoingCtxWithFeatureFlags(ctx, f)
			}
			notAFlagCall(ctx)
		})
	}
	flags := []featureflag.FeatureFlag{
		featureflag.A,
		myFlag,
	}
	switch mode {
	case "x":
		unrelated()
	case "y":
		if featureflag.IsEnabled(ctx, featureflag.B) {
			doB()
		} else {
			legacyB()
		}
	default:
		other()
	}
	if v := os.Getenv("GITALY_TESTING_X"); v == "true" {
		run()
	}
	lastUnrelated()
}
"#;
        let ranges = focus_ranges(src.as_bytes()).expect("statements are left out");
        let kept: String = ranges.iter().map(|&(a, b)| &src[a..b]).collect();
        for dropped in [
            "runServer",
            "notAFlagCall",
            "unrelated()",
            "lastUnrelated",
            "doB()",
        ] {
            assert!(!kept.contains(dropped), "{dropped} is parsed:\n{kept}");
        }
        // A table's elements are never dropped: `myFlag` is a flag.
        for needed in [
            "myFlag,\n",
            "} else {",
            "case \"y\":",
            "const key",
            "func TestHook(\n",
        ] {
            assert!(kept.contains(needed), "{needed} is not parsed:\n{kept}");
        }
        same_as_whole(src);
        // A multi-line raw string or a block comment: the function is whole.
        let raw = "package x\n\nfunc f() {\n\ts := `\n\tnot a statement`\n\tother()\n\tfeatureflag.IsEnabled(ctx, featureflag.A)\n}\n";
        assert_eq!(focus_ranges(raw.as_bytes()), None);
        same_as_whole(raw);
    }

    #[test]
    fn a_cut_through_deep_nesting_or_many_cases_stays_cheap_and_the_same() {
        // 1,000 nested blocks (about what the 1 MiB file limit allows): the
        // cut stops at MAX_CUT_DEPTH; 5,000 cases: linear.
        let mut deep = String::from("package x\n\nfunc f() {\n\tother()\n");
        let n = 1_000;
        for i in 1..=n {
            deep.push_str(&"\t".repeat(i));
            deep.push_str("if x {\n");
        }
        deep.push_str(&"\t".repeat(n + 1));
        deep.push_str("_ = featureflag.IsEnabled(ctx, featureflag.A)\n");
        for i in (1..=n).rev() {
            deep.push_str(&"\t".repeat(i));
            deep.push_str("}\n");
        }
        deep.push_str("}\n");
        let ranges = focus_ranges(deep.as_bytes()).expect("`other()` is dropped");
        assert_eq!(ranges.last().map(|r| r.1), Some(deep.len()));
        assert!(!ranges.iter().any(|&(a, b)| deep[a..b].contains("other()")));
        let mut cases = String::from("package x\n\nfunc f() {\n\tswitch x {\n");
        for i in 0..5_000 {
            cases.push_str(&format!("\tcase {i}:\n\t\tg({i})\n"));
        }
        cases.push_str("\tcase -1:\n\t\tfeatureflag.IsEnabled(ctx, featureflag.A)\n\t}\n}\n");
        let ranges = focus_ranges(cases.as_bytes()).expect("the other cases' calls are dropped");
        let kept: String = ranges.iter().map(|&(a, b)| &cases[a..b]).collect();
        assert!(!kept.contains("g(7)"), "{}", &kept[..200]);
        same_as_whole(&cases);
    }

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
	_ = os.Getenv("GITALY_FIND_COMMIT") == "1"
	_ = os.Getenv("GITALY_SOCKET")
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
        // A setting read as a value: a mention, kept only if its flag is known.
        let m: Vec<&str> = x.mentions.iter().map(|r| r.flag.as_str()).collect();
        assert_eq!(m, ["socket"]);
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
