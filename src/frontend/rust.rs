//! Rust clients, parsed with [`syn`] (full syntax tree; `proc-macro2`'s
//! `span-locations` gives byte offsets, turned into lines and columns by
//! [`SourceMap`]).
//!
//! References:
//! - checks: calls of `[rust] check_functions` (`feature_enabled("x")`,
//!   `self.features.is_enabled(FIND_COMMIT)`, a `const` of the file) — kind
//!   `check`, or `toggle` when the check (or a `let` bound to it) is the
//!   condition of an `if`/`if let`/`match`, with its enabled and legacy
//!   branches; the toggle's Gitaly branch gets the endpoints it reaches;
//! - env: `std::env::var("GITALY_X")`, `env::var_os`, `option_env!`, `env!` —
//!   kind `env` when used as a switch (`.is_ok()`, `== Ok("1".into())`,
//!   `.parse::<bool>()`, `if let Ok(_)`), else a mention kept only when the
//!   flag is known (a setting such as `GITALY_ADDRESS`);
//! - metadata: a string literal that is exactly `"gitaly-feature-<name>"`;
//! - in tests (`#[cfg(test)]` modules, `#[test]`/`#[tokio::test]` functions,
//!   files under `tests/`) every reference is a `test-stub`.
//!
//! Endpoints: a call through a tonic client (a field, parameter or `let`
//! whose type or constructor names `XServiceClient`) names `XService/method`;
//! a function whose body holds a gRPC path (`"/gitaly.CommitService/FindCommit"`,
//! as tonic's generated clients do) reaches that endpoint; the crate's own
//! functions and methods are followed by name (see [`Deferred::BranchCalls`]).
//!
//! Comments, doc comments and string contents are never code. Macro bodies
//! are read when they parse as comma-separated expressions (`assert!`,
//! `vec!`, `format!`, `println!`, …); other macro bodies (`macro_rules!`,
//! DSLs such as `tokio::select!`) are not seen. syn has no error recovery: a
//! file that does not parse gets a note with syn's position and yields nothing.

use super::{
    Deferred, FileFacts, Fixer, Frontend, FrontendOptions, Func, RawRef, SourceFile, SourceMap,
};
use crate::cleanup::edit::{self, Edit, Round};
use crate::cleanup::error::FixError;
use crate::model::{CallForm, Kind, Language, Reference, Span, Status};
use crate::prefilter::Prefilter;
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Block, Expr, ExprIf, ExprMatch, Lit, Pat, Stmt};

/// The Rust frontend.
pub struct Rust;

/// Its language, `rust` in JSON.
pub const RUST: Language = Language::new(3, "rust");

/// `[rust] check_functions` when the registry does not set it.
pub const DEFAULT_CHECK_FUNCTIONS: &[&str] = &["feature_enabled", "is_enabled"];

/// [`DEFAULT_CHECK_FUNCTIONS`], owned.
pub fn default_check_functions() -> Vec<String> {
    DEFAULT_CHECK_FUNCTIONS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Deeper nesting than this (brackets, prefix operators) is not parsed: syn
/// recurses once per level.
const MAX_NESTING: usize = 96;

impl Frontend for Rust {
    fn language(&self) -> Language {
        RUST
    }

    fn claims(&self, name: &str, _head: Option<&[u8]>) -> bool {
        name.ends_with(".rs")
    }

    fn wants(&self, bytes: &[u8], prefilter: &Prefilter) -> bool {
        // `gitaly` in any case (clients, gRPC paths, env vars, headers), or
        // a check function called with a flag (a string or a constant).
        prefilter.mentions_gitaly(bytes)
            || prefilter.calls().iter().any(|n| calls_with_flag(bytes, n))
    }

    fn extract(&self, file: &SourceFile, opts: &FrontendOptions) -> FileFacts {
        let x = extract(file.bytes, file.rel, opts);
        let mut deferred: Vec<Deferred> = x
            .branches
            .into_iter()
            .map(|(raw, calls)| Deferred::BranchCalls { raw, calls })
            .collect();
        deferred.extend(x.funcs.into_iter().map(Deferred::Function));
        deferred.extend(x.mentions.into_iter().map(Deferred::Mention));
        FileFacts {
            refs: x.refs,
            deferred,
            syntax_errors: x.note.is_some(),
            note: x.note,
        }
    }

    fn fixer(&self) -> Option<&dyn Fixer> {
        Some(&RustFix)
    }
}

/// Whether `bytes` call `name` with what may be a flag: `name("…")`,
/// `name(r"…")`, `name(&"…")`, `name(CONST)`, `name(path::CONST)` — not
/// `name(level)`, `name(&self, …)` or `name()`.
pub fn calls_with_flag(bytes: &[u8], name: &str) -> bool {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let skip_ws = |mut i: usize| {
        while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        i
    };
    memchr::memmem::find_iter(bytes, name.as_bytes()).any(|at| {
        if at > 0 && ident(bytes[at - 1]) {
            return false;
        }
        let open = skip_ws(at + name.len());
        if bytes.get(open) != Some(&b'(') {
            return false;
        }
        let mut i = skip_ws(open + 1);
        if bytes.get(i) == Some(&b'&') {
            i += 1;
        }
        match bytes.get(i) {
            Some(b'"') => true,
            Some(b'r') if matches!(bytes.get(i + 1), Some(b'"' | b'#')) => true,
            Some(b) if b.is_ascii_uppercase() => true,
            Some(&b) if ident(b) => {
                let end = i + bytes[i..].iter().take_while(|&&b| ident(b)).count();
                bytes[end..].starts_with(b"::")
            }
            _ => false,
        }
    })
}

/// Test code by path: files under a `tests/` directory.
pub fn is_test_path(rel: &str) -> bool {
    rel.starts_with("tests/") || rel.contains("/tests/")
}

/// What one Rust file holds.
#[derive(Debug, Default)]
pub struct Extracted {
    pub refs: Vec<RawRef>,
    /// Env reads not used as switches: kept when their flag is known.
    pub mentions: Vec<RawRef>,
    /// Toggles and the calls of their Gitaly branch.
    pub branches: Vec<(RawRef, Vec<(String, bool)>)>,
    pub funcs: Vec<Func>,
    /// The toggles, as the fix needs them.
    pub toggles: Vec<Toggle>,
    /// Why the file yields nothing (`:line:col: does not parse (…); …`).
    pub note: Option<String>,
}

/// A toggle as the fix sees it.
#[derive(Debug, Clone)]
pub struct Toggle {
    /// Start byte of its reference (the check or the env read).
    pub site: usize,
    /// The `if`/`match` expression.
    pub expr: Range<usize>,
    /// What the fix keeps in its place.
    pub keep: Result<Keep, FixError>,
    /// The `let on = check;` statement the condition names, removed with it.
    pub binding: Option<Range<usize>>,
    /// The expression is a statement of its block, and statements follow it.
    pub statement: Option<bool>,
}

/// What replaces a toggle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keep {
    /// A block (`{ … }`, its range) whose statements take the toggle's
    /// place; `true`: its last expression needs a `;` there.
    Block(Range<usize>, bool),
    /// An expression (a `match` arm's body, a value block's lone expression).
    Expr(Range<usize>),
    /// A block kept whole, in a value position.
    Value(Range<usize>),
    /// Nothing: the Gitaly path is what follows.
    Nothing,
    /// `if on { …; return x; }` and the legacy statements after it (up to
    /// `rest_end`): the block's statements, its `return x;` as the value `x`.
    /// `as_value`: the `if` is a statement of the function's body (else the
    /// `return` stays).
    Returning {
        block: Range<usize>,
        value: Option<Range<usize>>,
        rest_end: usize,
        as_value: bool,
    },
}

/// Extracts the references of one Rust file.
pub fn extract(bytes: &[u8], rel: &str, opts: &FrontendOptions) -> Extracted {
    let mut out = Extracted::default();
    let Ok(text) = std::str::from_utf8(bytes) else {
        out.note = Some(": not valid UTF-8; not parsed".to_string());
        return out;
    };
    if let Some(depth) = too_deep(bytes) {
        out.note = Some(format!(
            ": nested {depth} levels deep (more than {MAX_NESTING}); not parsed"
        ));
        return out;
    }
    let offset = body_offset(text);
    let map = SourceMap::new(bytes);
    let parsed = syn::parse_file(&text[offset..]);
    let file = match parsed {
        Ok(f) => f,
        Err(e) => {
            let at = e.span().start();
            let why = match e.to_string() {
                // proc-macro2's lexer error, which has no text of its own
                m if m == "cannot parse string into token stream" => {
                    "unbalanced delimiters or an unterminated literal".to_string()
                }
                m => m,
            };
            out.note = Some(format!(
                ":{}:{}: does not parse ({why}); its references are not seen",
                at.line,
                at.column + 1
            ));
            proc_macro2::extra::invalidate_current_thread_spans();
            return out;
        }
    };
    let mut pre = PrePass::default();
    pre.visit_file(&file);
    let mut v = Visitor {
        text,
        offset,
        map: &map,
        opts,
        consts: pre.consts,
        clients: pre.clients,
        in_test: is_test_path(rel),
        statements: HashMap::new(),
        bound: Vec::new(),
        switches: HashSet::new(),
        env_reads: Vec::new(),
        checks: Vec::new(),
        toggled: HashSet::new(),
        body_statements: HashSet::new(),
        body: None,
        calls: Vec::new(),
        out: &mut out,
    };
    v.visit_file(&file);
    v.finish();
    drop(file);
    // Spans live in a per-thread source map that grows with every file.
    proc_macro2::extra::invalidate_current_thread_spans();
    out
}

/// Where syn's parse starts: after a byte-order mark and a shebang line
/// (`#!/usr/bin/env run-cargo-script`, not an inner attribute `#![…]`).
fn body_offset(text: &str) -> usize {
    let mut at = 0;
    if text.starts_with('\u{feff}') {
        at = 3;
    }
    let rest = &text[at..];
    if let Some(after) = rest.strip_prefix("#!") {
        if !after.trim_start().starts_with('[') {
            return at + rest.find('\n').unwrap_or(rest.len());
        }
    }
    at
}

/// The nesting depth of brackets and prefix-operator runs, when it exceeds
/// [`MAX_NESTING`] (a conservative count: brackets in strings count too).
fn too_deep(bytes: &[u8]) -> Option<usize> {
    let (mut depth, mut max, mut run) = (0usize, 0usize, 0usize);
    for &b in bytes {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        run = if matches!(b, b'!' | b'-' | b'*' | b'&') {
            run + 1
        } else if b == b' ' {
            run
        } else {
            0
        };
        max = max.max(depth + run);
    }
    (max > MAX_NESTING).then_some(max)
}

/// The `const X: &str = "…";` of a file and the names its tonic clients go by.
#[derive(Default)]
struct PrePass {
    consts: HashMap<String, String>,
    /// Field, parameter or local name → service (`CommitService`).
    clients: HashMap<String, String>,
}

/// The service of a type or constructor that names a tonic client
/// (`CommitServiceClient<Channel>`, `CommitServiceClient::connect(…)`): the
/// first identifier `XServiceClient` in it.
#[derive(Default)]
struct ClientService(Option<String>);

impl<'ast> Visit<'ast> for ClientService {
    fn visit_ident(&mut self, i: &'ast proc_macro2::Ident) {
        if self.0.is_some() {
            return;
        }
        let s = i.to_string();
        if let Some(service) = s.strip_suffix("Client") {
            if service.ends_with("Service") && service.len() > "Service".len() {
                self.0 = Some(service.to_string());
            }
        }
    }
}

fn type_service(t: &syn::Type) -> Option<String> {
    let mut v = ClientService::default();
    v.visit_type(t);
    v.0
}

fn expr_service(e: &Expr) -> Option<String> {
    let mut v = ClientService::default();
    v.visit_expr(e);
    v.0
}

/// The name a pattern binds (`client`, `mut client`, `client: T`).
fn pat_name(p: &Pat) -> Option<String> {
    match p {
        Pat::Ident(i) => Some(i.ident.to_string()),
        Pat::Type(t) => pat_name(&t.pat),
        _ => None,
    }
}

impl<'ast> Visit<'ast> for PrePass {
    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        if let Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) = &*c.expr
        {
            self.consts.insert(c.ident.to_string(), s.value());
        }
        visit::visit_item_const(self, c);
    }

    fn visit_field(&mut self, f: &'ast syn::Field) {
        if let (Some(name), Some(service)) = (&f.ident, type_service(&f.ty)) {
            self.clients.insert(name.to_string(), service);
        }
        visit::visit_field(self, f);
    }

    fn visit_pat_type(&mut self, p: &'ast syn::PatType) {
        if let (Some(name), Some(service)) = (pat_name(&p.pat), type_service(&p.ty)) {
            self.clients.insert(name, service);
        }
        visit::visit_pat_type(self, p);
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        if let (Some(name), Some(init)) = (pat_name(&l.pat), &l.init) {
            if let Some(service) = expr_service(&init.expr) {
                self.clients.insert(name, service);
            }
        }
        visit::visit_local(self, l);
    }
}

/// Strips parentheses.
fn unparen(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => unparen(&p.expr),
        Expr::Group(g) => unparen(&g.expr),
        e => e,
    }
}

/// A condition without its `!`s: the expression and whether it is negated.
fn unnegate(e: &Expr) -> (&Expr, bool) {
    match unparen(e) {
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Not(_)) => {
            let (inner, neg) = unnegate(&u.expr);
            (inner, !neg)
        }
        e => (e, false),
    }
}

/// The path an expression is (`std::env::var`), without allocating.
fn path_of(e: &Expr) -> Option<&syn::Path> {
    match unparen(e) {
        Expr::Path(p) => Some(&p.path),
        _ => None,
    }
}

/// Whether the path ends with `ident`.
fn ends_with(p: &syn::Path, ident: &str) -> bool {
    p.segments.last().is_some_and(|s| s.ident == ident)
}

/// The path segments of a call's function (`std::env::var` → `[std, env, var]`).
fn segments(e: &Expr) -> Vec<String> {
    match unparen(e) {
        Expr::Path(p) => p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// A string literal's value, through `&`.
fn str_value(e: &Expr) -> Option<String> {
    match unparen(e) {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.value()),
        Expr::Reference(r) => str_value(&r.expr),
        _ => None,
    }
}

/// Finds a string literal (in an expression or a pattern) that is one of `values`.
struct Literal<'v> {
    values: &'v [&'v str],
    found: bool,
}

impl<'ast> Visit<'ast> for Literal<'_> {
    fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
        self.found |= self
            .values
            .contains(&s.value().to_ascii_lowercase().as_str());
    }
}

/// Whether an expression holds a string literal that reads as a boolean.
fn has_bool_literal(e: &Expr) -> bool {
    let mut v = Literal {
        values: &["1", "0", "true", "false", "yes", "no"],
        found: false,
    };
    v.visit_expr(e);
    v.found
}

/// Whether a `match` arm's pattern holds a literal that turns a switch on
/// (`Ok("1")`, `Some("true")`).
fn pat_says_on(p: &Pat) -> bool {
    let mut v = Literal {
        values: &["1", "true", "yes"],
        found: false,
    };
    v.visit_pat(p);
    v.found
}

/// Methods an env read goes through on its way to a test.
const ENV_CHAIN: &[&str] = &[
    "as_deref",
    "as_ref",
    "ok",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_or_else",
    "map",
    "as_str",
    "unwrap",
    "expect",
    "to_lowercase",
    "to_ascii_lowercase",
    "trim",
    "and_then",
    "to_str",
    "to_string_lossy",
];

/// Methods that use an env read as a switch.
const ENV_SWITCH: &[&str] = &[
    "is_ok",
    "is_err",
    "is_some",
    "is_none",
    "map_or",
    "is_some_and",
    "is_ok_and",
    "parse",
];

/// Calls a branch or a function body makes, for endpoint inference.
struct Calls<'c> {
    clients: &'c HashMap<String, String>,
    calls: Vec<(String, bool)>,
}

/// The name a receiver goes by: `client`, `self.commits`, `(&mut client)`.
fn receiver_name(e: &Expr) -> Option<String> {
    match unparen(e) {
        Expr::Path(p) if p.path.segments.len() == 1 => Some(p.path.segments[0].ident.to_string()),
        Expr::Field(f) => match &f.member {
            syn::Member::Named(i) => Some(i.to_string()),
            syn::Member::Unnamed(_) => None,
        },
        Expr::Reference(r) => receiver_name(&r.expr),
        Expr::MethodCall(m)
            if m.method == "clone" || m.method == "as_mut" || m.method == "as_ref" =>
        {
            receiver_name(&m.receiver)
        }
        _ => None,
    }
}

/// The endpoint a gRPC path names: `/gitaly.CommitService/FindCommit`.
fn grpc_path(s: &str) -> Option<String> {
    let rest = s.strip_prefix("/gitaly.")?;
    let (service, method) = rest.split_once('/')?;
    let ok = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_alphanumeric());
    (ok(service) && ok(method)).then(|| format!("{service}/{method}"))
}

/// A macro's body as comma-separated expressions, when it parses as such.
fn macro_exprs(m: &syn::Macro) -> Option<Punctuated<Expr, syn::Token![,]>> {
    m.parse_body_with(Punctuated::<Expr, syn::Token![,]>::parse_terminated)
        .ok()
}

/// The call an expression makes, for endpoint inference: a method on a
/// tonic client (`XService/method`), another method (`(name, true)`), a
/// function (`(last segment, false)`).
fn call_of(clients: &HashMap<String, String>, e: &Expr) -> Option<(String, bool)> {
    match e {
        Expr::MethodCall(m) => {
            let method = m.method.to_string();
            let service = receiver_name(&m.receiver).and_then(|r| clients.get(&r));
            Some(match service {
                Some(service) => (format!("{service}/{method}"), true),
                None => (method, true),
            })
        }
        Expr::Call(c) => {
            let last = path_of(&c.func)?.segments.last()?;
            Some((last.ident.to_string(), false))
        }
        _ => None,
    }
}

impl<'ast> Visit<'ast> for Calls<'_> {
    fn visit_expr(&mut self, e: &'ast Expr) {
        self.calls.extend(call_of(self.clients, e));
        visit::visit_expr(self, e);
    }

    fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
        if let Some(endpoint) = grpc_path(&s.value()) {
            self.calls.push((endpoint, true));
        }
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        if let Some(exprs) = macro_exprs(m) {
            for e in &exprs {
                self.visit_expr(e);
            }
        }
    }
}

/// A check or env read a condition tests.
#[derive(Debug, Clone)]
struct Site {
    flag: String,
    span: Span,
    env: bool,
}

/// A `let` bound to a check or an env switch: the site, the statement, and
/// how often the block's later statements name it.
type Binding = (Site, Range<usize>, usize);

struct Visitor<'a, 'o> {
    text: &'a str,
    offset: usize,
    map: &'a SourceMap<'a>,
    opts: &'o FrontendOptions,
    consts: HashMap<String, String>,
    clients: HashMap<String, String>,
    in_test: bool,
    /// `if`/`match` statements of a block: start byte → the statements
    /// that follow (their range), if any.
    statements: HashMap<usize, Option<Range<usize>>>,
    /// `if`s that are statements of a function's body (a `return` there is the body's value).
    body_statements: HashSet<usize>,
    /// The body block of the function being entered (its start byte).
    body: Option<usize>,
    /// Per block: `let` names bound to a check or an env switch.
    bound: Vec<HashMap<String, Binding>>,
    /// Env reads used as switches (start bytes).
    switches: HashSet<usize>,
    /// Every env read: (variable, span, in a test).
    env_reads: Vec<(String, Span, bool)>,
    /// Every check: (flag, span, in a test).
    checks: Vec<(String, Span, bool)>,
    /// Sites that are toggles (their reference is made there).
    toggled: HashSet<usize>,
    /// The calls of the functions being visited, innermost last.
    calls: Vec<Vec<(String, bool)>>,
    out: &'o mut Extracted,
}

/// `braces` (a block's `{ … }`) without the braces and the blanks inside
/// them; the braces when nothing else is left.
fn trimmed_inner(text: &str, braces: Range<usize>) -> Range<usize> {
    let Some(inner) = text.get(braces.start + 1..braces.end.saturating_sub(1)) else {
        return braces;
    };
    let lead = inner.len() - inner.trim_start().len();
    let start = braces.start + 1 + lead;
    let end = braces.start + 1 + inner.trim_end().len();
    if start >= end {
        braces
    } else {
        start..end
    }
}

/// Whether a block ends with a `return`.
fn returns(b: &Block) -> bool {
    matches!(b.stmts.last(), Some(Stmt::Expr(Expr::Return(_), _)))
}

/// Whether an expression ends in a block (needs no `;` as a statement).
fn block_like(e: &Expr) -> bool {
    matches!(
        e,
        Expr::If(_)
            | Expr::Match(_)
            | Expr::Block(_)
            | Expr::While(_)
            | Expr::Loop(_)
            | Expr::ForLoop(_)
            | Expr::Unsafe(_)
            | Expr::TryBlock(_)
            | Expr::Const(_)
    )
}

/// Whether the attributes hold `#[cfg(test)]`.
fn cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta.require_list().is_ok_and(|l| {
                l.tokens
                    .clone()
                    .into_iter()
                    .any(|t| t.to_string() == "test")
            })
    })
}

/// Whether the attributes make a test function (`#[test]`, `#[tokio::test]`, `#[rstest]`).
fn test_fn(attrs: &[syn::Attribute]) -> bool {
    cfg_test(attrs)
        || attrs.iter().any(|a| {
            a.path()
                .segments
                .last()
                .is_some_and(|s| matches!(s.ident.to_string().as_str(), "test" | "rstest"))
        })
}

/// How often `name` stands as an identifier in `tokens`.
fn ident_uses(tokens: TokenStream, name: &str) -> usize {
    tokens
        .into_iter()
        .map(|t| match t {
            TokenTree::Ident(i) => usize::from(i == name),
            TokenTree::Group(g) => ident_uses(g.stream(), name),
            _ => 0,
        })
        .sum()
}

impl Visitor<'_, '_> {
    fn range(&self, s: &impl Spanned) -> Range<usize> {
        let r = s.span().byte_range();
        r.start + self.offset..r.end + self.offset
    }

    fn span(&self, s: &impl Spanned) -> Span {
        let r = self.range(s);
        self.map.range(r.start, r.end)
    }

    fn span_of(&self, r: &Range<usize>) -> Span {
        self.map.range(r.start, r.end)
    }

    /// The flag named by a check's argument: a string, or a `const` of the file.
    fn flag_arg(&self, e: &Expr) -> Option<String> {
        let name = str_value(e).or_else(|| {
            let segs = segments(e);
            self.consts.get(segs.last()?).cloned()
        })?;
        let flag = name.trim().replace('-', "_");
        (!flag.is_empty() && flag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .then_some(flag)
    }

    /// A call of a check function and its flag.
    fn check(&self, e: &Expr) -> Option<(String, Span)> {
        let functions = &self.opts.check_functions;
        match unparen(e) {
            Expr::Call(c) => {
                let path = path_of(&c.func)?;
                if !functions
                    .iter()
                    .any(|f| ends_with(path, f.rsplit("::").next().unwrap_or(f)))
                {
                    return None;
                }
                let segs = segments(&c.func);
                let hit = functions.iter().any(|f| {
                    let want: Vec<&str> = f.split("::").collect();
                    segs.len() >= want.len()
                        && segs[segs.len() - want.len()..]
                            .iter()
                            .zip(&want)
                            .all(|(a, b)| a == b)
                });
                if !hit {
                    return None;
                }
                Some((self.flag_arg(c.args.first()?)?, self.span(c)))
            }
            Expr::MethodCall(m) => {
                if !functions
                    .iter()
                    .any(|f| m.method == f.rsplit("::").next().unwrap_or(f))
                {
                    return None;
                }
                Some((self.flag_arg(m.args.first()?)?, self.span(m)))
            }
            _ => None,
        }
    }

    /// An env read (`env::var("GITALY_X")`, `option_env!("GITALY_X")`) and its variable.
    fn env_read(&self, e: &Expr) -> Option<(String, Span)> {
        match unparen(e) {
            Expr::Call(c) => {
                let path = path_of(&c.func)?;
                let n = path.segments.len();
                let hit = n >= 2
                    && path.segments[n - 2].ident == "env"
                    && ["var", "var_os", "set_var", "remove_var"]
                        .iter()
                        .any(|w| ends_with(path, w));
                if !hit {
                    return None;
                }
                let arg = c.args.first()?;
                let var = str_value(arg).or_else(|| {
                    let segs = segments(arg);
                    self.consts.get(segs.last()?).cloned()
                })?;
                Some((var, self.span(c)))
            }
            Expr::Macro(m) => {
                let name = m.mac.path.segments.last()?.ident.to_string();
                if !matches!(name.as_str(), "option_env" | "env") {
                    return None;
                }
                let args = macro_exprs(&m.mac)?;
                Some((str_value(args.first()?)?, self.span(m)))
            }
            _ => None,
        }
    }

    /// The env read at the root of a method chain (`env::var("X").as_deref()`).
    fn env_root(&self, e: &Expr) -> Option<(String, Span)> {
        if let Some(r) = self.env_read(e) {
            return Some(r);
        }
        match unparen(e) {
            Expr::MethodCall(m) if ENV_CHAIN.iter().any(|w| m.method == w) => {
                self.env_root(&m.receiver)
            }
            Expr::Try(t) => self.env_root(&t.expr),
            _ => None,
        }
    }

    /// The env read an expression uses as a switch.
    fn switch_root(&self, e: &Expr) -> Option<(String, Span)> {
        match unparen(e) {
            // `env::set_var("GITALY_X", "1")`, `env::remove_var("GITALY_X")` (tests)
            Expr::Call(c)
                if path_of(&c.func)
                    .is_some_and(|p| ends_with(p, "remove_var") || ends_with(p, "set_var"))
                    && (c.args.len() == 1 || c.args.iter().skip(1).any(has_bool_literal)) =>
            {
                self.env_read(e)
            }
            Expr::MethodCall(m) => {
                if ENV_SWITCH.iter().any(|w| m.method == w)
                    || (m.method == "eq" && m.args.iter().any(has_bool_literal))
                {
                    return self.env_root(&m.receiver);
                }
                None
            }
            Expr::Binary(b) if matches!(b.op, syn::BinOp::Eq(_) | syn::BinOp::Ne(_)) => {
                if let Some(r) = self
                    .env_root(&b.left)
                    .filter(|_| has_bool_literal(&b.right))
                {
                    return Some(r);
                }
                self.env_root(&b.right)
                    .filter(|_| has_bool_literal(&b.left))
            }
            _ => None,
        }
    }

    /// What a condition tests: a check or an env switch.
    fn condition_site(&self, e: &Expr) -> Option<Site> {
        if let Some((flag, span)) = self.check(e) {
            return Some(Site {
                flag,
                span,
                env: false,
            });
        }
        let (var, span) = self.switch_root(e)?;
        self.env_site(&var, span)
    }

    fn env_site(&self, var: &str, span: Span) -> Option<Site> {
        let flag = super::env_flag(var, &self.opts.env_ignore, false)?;
        Some(Site {
            flag,
            span,
            env: true,
        })
    }

    /// `if let Ok(_) = env::var("GITALY_X")`: an env switch.
    fn let_site(&mut self, l: &syn::ExprLet) -> Option<Site> {
        let wildcard = match &*l.pat {
            Pat::TupleStruct(t) => {
                t.elems.len() == 1
                    && matches!(t.elems[0], Pat::Wild(_))
                    && t.path.is_ident("Ok") | t.path.is_ident("Some")
            }
            _ => false,
        };
        if !wildcard {
            return None;
        }
        let (var, span) = self.env_root(&l.expr)?;
        self.switches.insert(span.start_byte);
        self.env_site(&var, span)
    }

    /// A `let`-bound name used as the condition.
    fn bound_site(&self, e: &Expr) -> Option<Binding> {
        let segs = segments(e);
        let [name] = segs.as_slice() else {
            return None;
        };
        self.bound.iter().rev().find_map(|m| m.get(name).cloned())
    }

    fn kind(&self, kind: Kind) -> Kind {
        if self.in_test {
            Kind::TestStub
        } else {
            kind
        }
    }

    /// The contents of a block between its braces, comments included and
    /// surrounding blanks not (its braces when empty): a branch's span, and
    /// what the fix keeps of it.
    fn inner(&self, b: &Block) -> Range<usize> {
        trimmed_inner(self.text, self.range(&b.brace_token.span.join()))
    }

    /// What keeps a block: its contents as statements, or, in a value
    /// position, its lone expression or the block.
    fn keep_block(&self, b: &Block, statement: Option<bool>) -> Keep {
        let braces = self.range(&b.brace_token.span.join());
        if statement.is_some() {
            let needs_semi = statement == Some(true)
                && matches!(b.stmts.last(), Some(Stmt::Expr(e, None)) if !block_like(e));
            return Keep::Block(braces, needs_semi);
        }
        match b.stmts.as_slice() {
            [Stmt::Expr(e, None)] if !self.map_multiline(e) => Keep::Expr(self.range(e)),
            _ => Keep::Value(braces),
        }
    }

    fn map_multiline(&self, e: &Expr) -> bool {
        let s = self.span(e);
        s.line != s.end_line
    }

    /// Records a toggle: its reference, with its branches, and what the fix
    /// needs (a `let` the condition names is removed with it only when
    /// nothing else names it).
    fn record(
        &mut self,
        tested: Tested,
        branches: Branches,
        expr: Range<usize>,
        keep: Result<Keep, FixError>,
        statement: Option<bool>,
    ) {
        let Tested { site, binding } = tested;
        let keep = match &binding {
            Some((_, uses, name)) if *uses != 1 => Err(FixError::ParamUsedOutside(name.clone())),
            _ => keep,
        };
        let fix = Toggle {
            site: site.span.start_byte,
            expr,
            keep,
            binding: binding.map(|(stmt, _, _)| stmt),
            statement,
        };
        self.toggle(site, branches, fix);
    }

    fn toggle(&mut self, site: Site, branches: Branches, fix: Toggle) {
        let (kind, call) = if site.env {
            (Kind::Env, CallForm::Env)
        } else {
            (Kind::Toggle, CallForm::FeatureEnabled)
        };
        let mut raw = RawRef::direct(site.flag, self.kind(kind), call, site.span, Status::None);
        raw.enabled_branch = branches.enabled.map(|r| self.span_of(&r));
        raw.legacy_branch = branches.legacy.map(|r| self.span_of(&r));
        self.toggled.insert(raw.span.start_byte);
        self.out.branches.push((raw, branches.calls));
        self.out.toggles.push(fix);
    }

    /// The site an `if` or `match` tests, and the `let` it goes through.
    fn tested(&mut self, cond: &Expr) -> Option<Tested> {
        if let Some(s) = self.condition_site(cond) {
            return Some(Tested {
                site: s,
                binding: None,
            });
        }
        if let Some((s, stmt, uses)) = self.bound_site(cond) {
            let name = segments(cond).pop().unwrap_or_default();
            return Some(Tested {
                site: s,
                binding: Some((stmt, uses, name)),
            });
        }
        let Expr::Let(l) = cond else { return None };
        Some(Tested {
            site: self.let_site(l)?,
            binding: None,
        })
    }

    fn calls_of(&self, e: Option<&Expr>, b: Option<&Block>) -> Vec<(String, bool)> {
        let mut calls = Calls {
            clients: &self.clients,
            calls: Vec::new(),
        };
        if let Some(e) = e {
            calls.visit_expr(e);
        }
        if let Some(b) = b {
            calls.visit_block(b);
        }
        calls.calls
    }

    fn on_if(&mut self, e: &ExprIf) {
        let (cond, negated) = unnegate(&e.cond);
        let Some(tested) = self.tested(cond) else {
            return;
        };
        let expr = self.range(e);
        let rest = self.statements.get(&expr.start).cloned();
        let statement = rest.as_ref().map(Option::is_some);
        let else_block = match e.else_branch.as_ref().map(|(_, x)| &**x) {
            Some(Expr::Block(b)) => Some(Some(&b.block)),
            Some(_) => Some(None),
            None => None,
        };
        let then = &e.then_branch;
        let (keep, enabled, legacy, gitaly) = match (negated, else_block) {
            (_, Some(None)) => (Err(FixError::Elsif), Some(then), None, Some(then)),
            (false, Some(Some(b))) => (
                Ok(self.keep_block(then, statement)),
                Some(then),
                Some(b),
                Some(then),
            ),
            (true, Some(Some(b))) => (
                Ok(self.keep_block(b, statement)),
                Some(b),
                Some(then),
                Some(b),
            ),
            (false, None) if returns(then) && matches!(rest, Some(Some(_))) => {
                // `if on { return gitaly; } legacy…`: the rest of the block is
                // the legacy path; in the function's body the `return` becomes
                // the body's value.
                let rest = rest.clone().flatten().unwrap_or_default();
                let keep = Keep::Returning {
                    block: self.range(&then.brace_token.span.join()),
                    value: then.stmts.last().and_then(|s| self.return_value(s)),
                    rest_end: rest.end,
                    as_value: self.body_statements.contains(&expr.start),
                };
                let branches = Branches {
                    enabled: Some(self.inner(then)),
                    legacy: Some(rest),
                    calls: self.calls_of(None, Some(then)),
                };
                return self.record(tested, branches, expr, Ok(keep), statement);
            }
            (false, None) if statement.is_some() => (
                Ok(self.keep_block(then, statement)),
                Some(then),
                None,
                Some(then),
            ),
            (true, None) if statement.is_some() => (Ok(Keep::Nothing), None, Some(then), None),
            (false, None) => (Err(FixError::CheckValueUsed), Some(then), None, Some(then)),
            (true, None) => (Err(FixError::CheckValueUsed), None, Some(then), None),
        };
        let enabled = match &keep {
            // What the fix keeps is the branch (a lone expression, a value block).
            Ok(Keep::Expr(r) | Keep::Value(r)) => Some(r.clone()),
            _ => enabled.map(|b| self.inner(b)),
        };
        let branches = Branches {
            enabled,
            legacy: legacy.map(|b| self.inner(b)),
            calls: self.calls_of(None, gitaly),
        };
        self.record(tested, branches, expr, keep, statement);
    }

    /// The value of a final `return x;` (its range), `None` for a bare `return;`.
    fn return_value(&self, s: &Stmt) -> Option<Range<usize>> {
        match s {
            Stmt::Expr(Expr::Return(r), _) => r.expr.as_ref().map(|e| self.range(&**e)),
            _ => None,
        }
    }

    fn on_match(&mut self, m: &ExprMatch) {
        let scrutinee = unparen(&m.expr);
        let (tested, env_value) = match self.tested(scrutinee) {
            Some(t) => (t, false),
            None => {
                // `match env::var("GITALY_X").as_deref() { Ok("1") => …, _ => … }`
                let Some((var, span)) = self.env_root(scrutinee) else {
                    return;
                };
                if !m.arms.iter().any(|a| pat_says_on(&a.pat)) {
                    return;
                }
                self.switches.insert(span.start_byte);
                let Some(site) = self.env_site(&var, span) else {
                    return;
                };
                (
                    Tested {
                        site,
                        binding: None,
                    },
                    true,
                )
            }
        };
        let on = |p: &Pat| -> Option<bool> {
            match p {
                Pat::Lit(l) => match &l.lit {
                    Lit::Bool(b) => Some(b.value),
                    _ => None,
                },
                Pat::Wild(_) => None,
                other => env_value.then(|| pat_says_on(other)),
            }
        };
        let arms: Vec<(Option<bool>, &syn::Arm)> = m.arms.iter().map(|a| (on(&a.pat), a)).collect();
        let pick = |want: bool| {
            arms.iter()
                .find(|(v, _)| *v == Some(want))
                .or_else(|| arms.iter().find(|(v, _)| v.is_none()))
                .map(|(_, a)| *a)
        };
        let (enabled, legacy) = (pick(true), pick(false));
        let expr = self.range(m);
        let statement = self.statements.get(&expr.start).map(Option::is_some);
        let keep = match enabled {
            _ if arms.len() != 2 || m.arms.iter().any(|a| a.guard.is_some()) => {
                Err(FixError::CheckCombined)
            }
            Some(a) => Ok(match &*a.body {
                Expr::Block(b) if b.label.is_none() && statement.is_some() => {
                    self.keep_block(&b.block, statement)
                }
                body => Keep::Expr(self.range(body)),
            }),
            None => Err(FixError::NoBranch),
        };
        let arm_span = |a: &syn::Arm| match &*a.body {
            Expr::Block(b) if matches!(keep, Ok(Keep::Block(..))) => self.inner(&b.block),
            body => self.range(body),
        };
        let branches = Branches {
            enabled: enabled.map(arm_span),
            legacy: legacy.map(|a| self.range(&*a.body)),
            calls: self.calls_of(enabled.map(|a| &*a.body), None),
        };
        self.record(tested, branches, expr, keep, statement);
    }

    /// The references left once the file is visited: checks and env reads
    /// that are no toggle.
    fn finish(&mut self) {
        for (flag, span, test) in std::mem::take(&mut self.checks) {
            if self.toggled.contains(&span.start_byte) {
                continue;
            }
            let kind = if test { Kind::TestStub } else { Kind::Check };
            let raw = RawRef::direct(flag, kind, CallForm::FeatureEnabled, span, Status::None);
            self.out.refs.push(raw);
        }
        for (var, span, test) in std::mem::take(&mut self.env_reads) {
            if self.toggled.contains(&span.start_byte) {
                continue;
            }
            let Some(flag) = super::env_flag(&var, &self.opts.env_ignore, false) else {
                continue;
            };
            let kind = if test { Kind::TestStub } else { Kind::Env };
            let raw = RawRef::direct(flag, kind, CallForm::Env, span, Status::None);
            if self.switches.contains(&span.start_byte) {
                self.out.refs.push(raw);
            } else {
                self.out.mentions.push(raw);
            }
        }
    }

    /// Visits a function: its calls for endpoint inference, tests by attribute.
    fn function(&mut self, name: &syn::Ident, attrs: &[syn::Attribute], block: &Block) {
        let was = self.in_test;
        self.in_test |= test_fn(attrs);
        self.body = Some(self.range(block).start);
        self.calls.push(Vec::new());
        self.visit_block(block);
        let calls = self.calls.pop().unwrap_or_default();
        self.out.funcs.push(Func {
            name: name.to_string(),
            calls,
        });
        self.in_test = was;
    }
}

/// What an `if` or `match` tests: the site, and the `let` it goes through
/// (the statement, how often the rest of its block names it, the name).
struct Tested {
    site: Site,
    binding: Option<(Range<usize>, usize, String)>,
}

/// A toggle's branches and the calls of its Gitaly side.
struct Branches {
    enabled: Option<Range<usize>>,
    legacy: Option<Range<usize>>,
    calls: Vec<(String, bool)>,
}

impl<'ast> Visit<'ast> for Visitor<'_, '_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let was = self.in_test;
        self.in_test |= cfg_test(&m.attrs);
        visit::visit_item_mod(self, m);
        self.in_test = was;
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.function(&f.sig.ident, &f.attrs, &f.block);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.function(&f.sig.ident, &f.attrs, &f.block);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(b) = &f.default {
            self.function(&f.sig.ident, &f.attrs, b);
        }
    }

    fn visit_block(&mut self, b: &'ast Block) {
        let n = b.stmts.len();
        let mut bound: HashMap<String, Binding> = HashMap::new();
        for (i, stmt) in b.stmts.iter().enumerate() {
            match stmt {
                Stmt::Expr(e @ (Expr::If(_) | Expr::Match(_)), _) => {
                    let rest = (i + 1 < n).then(|| {
                        self.range(&b.stmts[i + 1]).start..self.range(&b.stmts[n - 1]).end
                    });
                    self.statements.insert(self.range(e).start, rest);
                    if self.body == Some(self.range(b).start) {
                        self.body_statements.insert(self.range(e).start);
                    }
                }
                Stmt::Local(l) => {
                    let (Some(name), Some(init)) = (pat_name(&l.pat), &l.init) else {
                        continue;
                    };
                    if init.diverge.is_some() {
                        continue;
                    }
                    if let Some(site) = self.condition_site(&init.expr) {
                        let later: usize = b.stmts[i + 1..]
                            .iter()
                            .map(|s| ident_uses(s.to_token_stream(), &name))
                            .sum();
                        bound.insert(name, (site, self.range(l), later));
                    }
                }
                _ => {}
            }
        }
        self.bound.push(bound);
        visit::visit_block(self, b);
        self.bound.pop();
    }

    fn visit_expr(&mut self, e: &'ast Expr) {
        if let Some((_, span)) = self.switch_root(e) {
            self.switches.insert(span.start_byte);
        }
        if let Some((flag, span)) = self.check(e) {
            self.checks.push((flag, span, self.in_test));
        }
        if let Some((var, span)) = self.env_read(e) {
            self.env_reads.push((var, span, self.in_test));
        }
        match e {
            Expr::If(i) => self.on_if(i),
            Expr::Match(m) => self.on_match(m),
            _ => {}
        }
        if let Some(call) = call_of(&self.clients, e) {
            if let Some(calls) = self.calls.last_mut() {
                calls.push(call);
            }
        }
        visit::visit_expr(self, e);
    }

    fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
        let value = s.value();
        if let Some(endpoint) = grpc_path(&value) {
            if let Some(calls) = self.calls.last_mut() {
                calls.push((endpoint, true));
            }
        }
        let Some(name) = value.strip_prefix("gitaly-feature-") else {
            return;
        };
        let ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            let kind = self.kind(Kind::Metadata);
            let raw = RawRef::direct(
                name.replace('-', "_"),
                kind,
                CallForm::Metadata,
                self.span(s),
                Status::None,
            );
            self.out.refs.push(raw);
        }
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let name = m.path.segments.last().map(|s| s.ident.to_string());
        if matches!(name.as_deref(), Some("option_env" | "env")) {
            return;
        }
        if let Some(exprs) = macro_exprs(m) {
            for e in &exprs {
                self.visit_expr(e);
            }
        }
    }
}

/// The fix of Rust toggles.
pub struct RustFix;

impl Fixer for RustFix {
    fn fixable(&self, r: &Reference) -> bool {
        r.language == RUST
            && (r.kind == Kind::Toggle
                || (r.kind == Kind::Env
                    && (r.enabled_branch.is_some() || r.legacy_branch.is_some())))
    }

    fn edits(
        &self,
        text: &str,
        rel: &str,
        selected: &HashSet<usize>,
        opts: &FrontendOptions,
        out: &mut Round,
    ) {
        let x = extract(text.as_bytes(), rel, opts);
        for t in x.toggles.iter().filter(|t| selected.contains(&t.site)) {
            let result = t.keep.clone().map(|keep| fix_edit(text, t, &keep));
            match result {
                Ok((e, binding)) => {
                    out.record(t.site, Ok(e));
                    if let Some(b) = binding {
                        out.edits.push(b);
                    }
                }
                Err(why) => out.record(t.site, Err(why)),
            }
        }
    }

    fn tidy(&self, original: &str, fixed: &str) -> String {
        let edits = unused_imports(original, fixed);
        proc_macro2::extra::invalidate_current_thread_spans();
        if edits.is_empty() {
            return fixed.to_string();
        }
        edit::apply_edits(fixed, edits)
    }

    fn parses(&self, text: &str) -> bool {
        let ok = syn::parse_file(&text[body_offset(text)..]).is_ok();
        proc_macro2::extra::invalidate_current_thread_spans();
        ok
    }
}

/// The edit that replaces a toggle with its Gitaly code, and the one that
/// deletes the `let` it tested.
fn fix_edit(text: &str, t: &Toggle, keep: &Keep) -> (Edit, Option<Edit>) {
    let indent = edit::line_indent(text, t.expr.start).to_string();
    let mut e = match keep {
        Keep::Block(b, needs_semi) => {
            let Range { start, end } = trimmed_inner(text, b.clone());
            if start == b.start {
                Edit::new(t.expr.start, t.expr.end, String::new())
            } else {
                let mut kept = edit::reindent(text, start, end, &indent);
                if *needs_semi {
                    kept.push(';');
                }
                Edit::new(t.expr.start, t.expr.end, kept).keeping(Some(start..end))
            }
        }
        Keep::Expr(r) | Keep::Value(r) => Edit::new(
            t.expr.start,
            t.expr.end,
            edit::reindent(text, r.start, r.end, &indent),
        )
        .keeping(Some(r.clone())),
        Keep::Nothing => Edit::new(t.expr.start, t.expr.end, String::new()),
        Keep::Returning {
            block,
            rest_end,
            as_value: false,
            ..
        } => {
            let keep = trimmed_inner(text, block.clone());
            let kept = edit::reindent(text, keep.start, keep.end, &indent);
            Edit::new(t.expr.start, *rest_end, kept).keeping(Some(keep))
        }
        Keep::Returning {
            block,
            value,
            rest_end,
            as_value: true,
        } => {
            let keep = trimmed_inner(text, block.clone());
            let start = keep.start;
            // Up to the `return`'s value, which replaces the `return …;`.
            let (head_end, tail) = match value {
                Some(v) => {
                    let ret = text[..v.start].rfind("return").unwrap_or(v.start);
                    (ret, edit::reindent(text, v.start, v.end, &indent))
                }
                None => {
                    let ret = text[..block.end].rfind("return").unwrap_or(block.end);
                    (ret, String::new())
                }
            };
            let head = text[start..head_end].trim_end();
            let mut kept = if head.is_empty() {
                String::new()
            } else {
                let mut h = edit::reindent(text, start, start + head.len(), &indent);
                if !tail.is_empty() {
                    h.push('\n');
                    h.push_str(&indent);
                }
                h
            };
            kept.push_str(&tail);
            Edit::new(t.expr.start, *rest_end, kept).keeping(Some(keep))
        }
    };
    edit::widen_deletion(text, &mut e);
    let binding = t.binding.as_ref().map(|b| {
        let mut d = Edit::new(b.start, b.end, String::new());
        edit::widen_deletion(text, &mut d);
        d
    });
    (e, binding)
}

/// How often each identifier stands in `text` outside its `use` items.
fn ident_counts(file: &syn::File) -> HashMap<String, usize> {
    fn walk(tokens: TokenStream, out: &mut HashMap<String, usize>) {
        for t in tokens {
            match t {
                TokenTree::Ident(i) => *out.entry(i.to_string()).or_default() += 1,
                TokenTree::Group(g) => walk(g.stream(), out),
                _ => {}
            }
        }
    }
    let mut out = HashMap::new();
    for item in &file.items {
        if !matches!(item, syn::Item::Use(_)) {
            walk(item.to_token_stream(), &mut out);
        }
    }
    out
}

/// The imports of `fixed` whose names its code no longer uses although the
/// code of `original` did (what the fix removed alone used them): the edits
/// that drop them. Top-level `use a::b::c;` and one-line `use a::{b, c};`;
/// globs, nested groups and `self` stay.
fn unused_imports(original: &str, fixed: &str) -> Vec<Edit> {
    let (Ok(before), Ok(after)) = (
        syn::parse_file(&original[body_offset(original)..]),
        syn::parse_file(&fixed[body_offset(fixed)..]),
    ) else {
        return Vec::new();
    };
    let offset = body_offset(fixed);
    let range = |s: &dyn Spanned| {
        let r = s.span().byte_range();
        r.start + offset..r.end + offset
    };
    let (was, now) = (ident_counts(&before), ident_counts(&after));
    let unused = |name: &str| !now.contains_key(name) && was.contains_key(name);
    let leaf = |t: &syn::UseTree| match t {
        syn::UseTree::Name(n) if n.ident != "self" => Some(n.ident.to_string()),
        syn::UseTree::Rename(r) => Some(r.rename.to_string()),
        _ => None,
    };
    let mut edits = Vec::new();
    for item in &after.items {
        let syn::Item::Use(u) = item else { continue };
        let mut tree = &u.tree;
        while let syn::UseTree::Path(p) = tree {
            tree = &p.tree;
        }
        let whole = range(u);
        match tree {
            syn::UseTree::Group(g) => {
                let names: Vec<Option<String>> = g.items.iter().map(leaf).collect();
                if names.iter().any(Option::is_none) || !names.iter().flatten().any(|n| unused(n)) {
                    continue;
                }
                let group = range(&g.brace_token.span.join());
                if fixed[group.clone()].contains('\n') {
                    continue;
                }
                let kept: Vec<String> = g
                    .items
                    .iter()
                    .zip(&names)
                    .filter(|(_, n)| !n.as_deref().is_some_and(&unused))
                    .map(|(t, _)| fixed[range(t)].to_string())
                    .collect();
                let mut e = match kept.as_slice() {
                    [] => Edit::new(whole.start, whole.end, String::new()),
                    [one] => Edit::new(group.start, group.end, one.clone()),
                    many => Edit::new(group.start, group.end, format!("{{{}}}", many.join(", "))),
                };
                edit::widen_deletion(fixed, &mut e);
                edits.push(e);
            }
            t => {
                if leaf(t).is_some_and(|n| unused(&n)) {
                    let mut e = Edit::new(whole.start, whole.end, String::new());
                    edit::widen_deletion(fixed, &mut e);
                    edits.push(e);
                }
            }
        }
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> FrontendOptions {
        FrontendOptions {
            check_functions: default_check_functions(),
            ..FrontendOptions::default()
        }
    }

    fn refs(src: &str) -> Vec<String> {
        let x = extract(src.as_bytes(), "src/x.rs", &opts());
        let mut out: Vec<String> = x
            .refs
            .iter()
            .chain(x.branches.iter().map(|(r, _)| r))
            .map(|r| format!("{} {} {}", r.flag, r.kind.as_str(), r.span.line))
            .collect();
        out.sort();
        out
    }

    /// Every toggle of `src` fixed, and the reasons of those left.
    fn fix(src: &str) -> (String, Vec<String>) {
        let x = extract(src.as_bytes(), "src/x.rs", &opts());
        let selected: HashSet<usize> = x.toggles.iter().map(|t| t.site).collect();
        let mut round = Round::default();
        RustFix.edits(src, "src/x.rs", &selected, &opts(), &mut round);
        let fixed = edit::apply_edits(src, round.edits);
        assert!(RustFix.parses(&fixed), "{fixed}");
        (
            fixed,
            round.left.iter().map(|(_, e)| e.to_string()).collect(),
        )
    }

    #[test]
    fn the_prefilter_wants_a_call_with_a_flag() {
        for yes in [
            "feature_enabled(\"x\")",
            "if x.is_enabled( FIND ) {",
            "feature_enabled(&\"x\")",
            "feature_enabled(r#\"x\"#)",
            "feature_enabled(flags::FIND)",
        ] {
            assert!(
                calls_with_flag(yes.as_bytes(), "feature_enabled")
                    || calls_with_flag(yes.as_bytes(), "is_enabled"),
                "{yes}"
            );
        }
        for no in [
            "fn is_enabled(&self, name: &str)",
            "log.is_enabled(level)",
            "x.is_enabled()",
            "my_feature_enabled(\"x\")",
            "// is_enabled",
        ] {
            assert!(!calls_with_flag(no.as_bytes(), "is_enabled"), "{no}");
            assert!(!calls_with_flag(no.as_bytes(), "feature_enabled"), "{no}");
        }
        let p = Prefilter::new([]).with_calls(["Features::enabled"]);
        assert!(Rust.wants(b"if Features::enabled(\"x\") {}", &p));
        assert!(!Rust.wants(b"if Features::enabled(x) {}", &p));
        assert!(Rust.wants(b"use gitaly::commit_service_client;", &p));
    }

    #[test]
    fn env_forms_and_settings() {
        let src = "fn f() {\n    let a = std::env::var(\"GITALY_A\").is_ok();\n    let b = env::var_os(\"GITALY_B\").is_some();\n    let c = env::var(\"GITALY_C\").as_deref() == Ok(\"1\");\n    let d = option_env!(\"GITALY_D\").is_some();\n    let s = env::var(\"GITALY_SOCKET\").unwrap_or_default();\n    let p = env::var(\"GITALY_E\").map(|v| v.parse::<bool>());\n}\n";
        assert_eq!(
            refs(src),
            ["a env 2", "b env 3", "c env 4", "d env 5"],
            "a setting and a value parsed later are no switches"
        );
    }

    #[test]
    fn comments_doc_comments_and_strings_are_not_code() {
        let src = "/// if feature_enabled(\"a\") {}\n// feature_enabled(\"b\")\nfn f() -> &'static str {\n    /* feature_enabled(\"c\") */\n    r#\"feature_enabled(\"d\") gitaly-feature-e\"#\n}\n";
        assert_eq!(refs(src), Vec::<String>::new());
    }

    #[test]
    fn tests_by_attribute_and_path() {
        let src = "#[tokio::test]\nasync fn t() { assert!(feature_enabled(\"a\")); }\n#[cfg(test)]\nmod m { fn h() { let _ = feature_enabled(\"b\"); } }\nfn live() -> bool { feature_enabled(\"c\") }\n";
        assert_eq!(refs(src), ["a test-stub 2", "b test-stub 4", "c check 5"]);
        let x = extract(
            b"fn x() { feature_enabled(\"a\"); }",
            "tests/it.rs",
            &opts(),
        );
        assert_eq!(x.refs[0].kind, Kind::TestStub);
    }

    #[test]
    fn a_shebang_and_a_bom_keep_the_offsets() {
        let src = "\u{feff}#!/usr/bin/env run-cargo-script\nfn f() -> bool {\n    feature_enabled(\"a\")\n}\n";
        let x = extract(src.as_bytes(), "x.rs", &opts());
        let r = &x.refs[0];
        assert_eq!((r.span.line, r.span.column), (3, 5));
        assert_eq!(
            &src[r.span.start_byte..r.span.end_byte],
            "feature_enabled(\"a\")"
        );
    }

    #[test]
    fn fix_forms() {
        let (fixed, left) = fix("fn f() -> u8 {\n    let x = if feature_enabled(\"a\") { 1 } else { 2 };\n    if !feature_enabled(\"a\") {\n        legacy();\n    }\n    if feature_enabled(\"a\") {\n        gitaly()\n    } else {\n        legacy()\n    }\n    x\n}\n");
        assert_eq!(left, Vec::<String>::new());
        assert_eq!(
            fixed,
            "fn f() -> u8 {\n    let x = 1;\n    gitaly();\n    x\n}\n"
        );
    }

    #[test]
    fn what_the_fix_leaves() {
        let src = "fn f() {\n    if feature_enabled(\"a\") {\n        g();\n    } else if other() {\n        h();\n    }\n    let on = feature_enabled(\"b\");\n    if on {\n        g();\n    }\n    log(on);\n    match feature_enabled(\"c\") {\n        true if ready() => g(),\n        _ => h(),\n    }\n}\n";
        let (fixed, left) = fix(src);
        assert_eq!(fixed, src);
        assert_eq!(
            left,
            [
                "an `elsif` follows the flag test",
                "`on` is used outside the branch",
                "the check is combined in a way flaglint cannot simplify"
            ]
        );
    }

    #[test]
    fn an_early_return_only_in_the_function_body() {
        let (fixed, _) = fix("fn f() -> u8 {\n    if env::var(\"GITALY_A\").is_ok() {\n        let v = g();\n        return v;\n    }\n    legacy()\n}\n");
        assert_eq!(fixed, "fn f() -> u8 {\n    let v = g();\n    v\n}\n");
        let inner = "fn f() {\n    for x in xs {\n        if feature_enabled(\"a\") {\n            return g(x);\n        }\n        legacy(x);\n    }\n}\n";
        let (fixed, _) = fix(inner);
        assert_eq!(
            fixed,
            "fn f() {\n    for x in xs {\n        return g(x);\n    }\n}\n"
        );
    }

    #[test]
    fn a_kept_tail_expression_gets_its_semicolon() {
        let (fixed, _) = fix("fn f() {\n    if feature_enabled(\"a\") {\n        g()\n    } else {\n        h()\n    }\n    done();\n}\n");
        assert_eq!(fixed, "fn f() {\n    g();\n    done();\n}\n");
    }

    #[test]
    fn unused_imports_go_with_the_code_that_used_them() {
        let original = "use a::{feature_enabled, Keep};\nuse b::legacy;\nuse c::*;\nfn f() { if feature_enabled(\"x\") { Keep::g() } else { legacy() } }\n";
        let fixed =
            "use a::{feature_enabled, Keep};\nuse b::legacy;\nuse c::*;\nfn f() { Keep::g() }\n";
        assert_eq!(
            RustFix.tidy(original, fixed),
            "use a::Keep;\nuse c::*;\nfn f() { Keep::g() }\n"
        );
    }

    #[test]
    fn syntax_errors_are_a_note_with_the_position() {
        let x = extract(b"fn f() {\n    let = 1;\n}\n", "x.rs", &opts());
        assert_eq!(
            x.note.as_deref(),
            Some(":2:9: does not parse (expected one of: identifier, `::`, `<`, `_`, literal, `const`, `ref`, `mut`, `&`, parentheses, square brackets, `..`, `const`); its references are not seen")
        );
    }
}
