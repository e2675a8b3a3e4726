//! Stage 3: parse and extract, one module per language behind one interface.
//!
//! A [`Frontend`] claims files (by name, or by their first line), says from the
//! bytes alone whether a file is worth parsing (the [`prefilter`](crate::prefilter)),
//! and turns a [`SourceFile`] into language-neutral [`FileFacts`]: the
//! references found in the file, and the cross-file work ([`Deferred`]) that
//! the [resolver](crate::resolve) finishes once every file is read. The scan
//! knows the frontends only through [`FRONTENDS`].
//!
//! **Adding a language** is one module implementing [`Frontend`] and one line
//! in [`FRONTENDS`].

pub mod go;
pub mod ruby;
pub mod rust;
pub mod text;

use crate::model::{CallForm, Form, Kind, Language, Location, Reference, Span, Status};
use crate::prefilter::Prefilter;
use std::cell::RefCell;
use tree_sitter::{Node, Parser, Tree};

/// Every frontend, in the order they claim a file: the first that claims it
/// reads it (a Ruby script's shebang wins over the shell's).
pub static FRONTENDS: &[&dyn Frontend] = &[&ruby::Ruby, &go::Go, &rust::Rust, &text::Text];

/// One language: which files it reads and what it finds in them.
pub trait Frontend: Sync {
    /// The language of its references.
    fn language(&self) -> Language;

    /// Whether it reads the file `name` (a file name, no directory), whose
    /// first bytes are `head`. During the walk the file is not read yet
    /// (`head` is `None`): the answer is then "perhaps" for a name that does
    /// not decide (an extension-less script).
    fn claims(&self, name: &str, head: Option<&[u8]>) -> bool;

    /// Whether the bytes can hold anything for this frontend: only then is
    /// the file parsed.
    fn wants(&self, bytes: &[u8], prefilter: &Prefilter) -> bool;

    /// Whether it builds a syntax tree: files larger than the scan's limit
    /// are then parsed one at a time, after the parallel pass.
    fn builds_tree(&self) -> bool {
        true
    }

    /// The references and the cross-file work of one file.
    fn extract(&self, file: &SourceFile, opts: &FrontendOptions) -> FileFacts;

    /// Its fix, when [`crate::cleanup`] does not know the language itself.
    fn fixer(&self) -> Option<&dyn Fixer> {
        None
    }
}

/// The frontend that reads a file: the first of [`FRONTENDS`] that claims it.
pub fn claimant(name: &str, head: Option<&[u8]>) -> Option<&'static dyn Frontend> {
    claimant_in(FRONTENDS, name, head)
}

/// The first of `frontends` that claims a file.
pub fn claimant_in<'f>(
    frontends: &[&'f dyn Frontend],
    name: &str,
    head: Option<&[u8]>,
) -> Option<&'f dyn Frontend> {
    frontends.iter().copied().find(|f| f.claims(name, head))
}

/// One file to extract, read.
#[derive(Debug, Clone, Copy)]
pub struct SourceFile<'a> {
    /// Relative to the component's root, `/`-separated.
    pub rel: &'a str,
    pub bytes: &'a [u8],
    /// The file is in Gitaly's own tree ([`crate::component::is_server`]).
    pub server: bool,
}

impl<'a> SourceFile<'a> {
    /// The file's name, without its directory.
    pub fn name(&self) -> &'a str {
        self.rel.rsplit('/').next().unwrap_or(self.rel)
    }
}

/// The settings of the frontends (from `flaglint.toml`).
#[derive(Debug, Clone, Default)]
pub struct FrontendOptions {
    /// Extra wrapper method names, treated like `gitaly_migrate` (`[ruby] toggle_methods`).
    pub toggle_methods: Vec<String>,
    /// Rust functions and methods that check a flag (`[rust] check_functions`).
    pub check_functions: Vec<String>,
    /// `GITALY_*` environment variables that are settings, not flags (every language).
    pub env_ignore: Vec<String>,
    /// Git commands GitLab Shell hands to Gitaly, with their endpoints.
    pub commands: Vec<(String, String)>,
}

impl FrontendOptions {
    /// Whether `var` (`GITALY_X`) is a setting rather than a flag.
    pub fn ignores_env(&self, var: &str) -> bool {
        self.env_ignore.iter().any(|i| i == var)
    }
}

/// The flag of a `GITALY_X` environment variable name: `x`, or `None` when
/// the name has no flag part or is one of `env_ignore` (settings such as
/// `GITALY_TOKEN`). `strict` also requires the name to be written in upper
/// case, digits and `_` (configuration keys; code accepts any `GITALY_` name).
pub fn env_flag(var: &str, env_ignore: &[String], strict: bool) -> Option<String> {
    let rest = var.strip_prefix("GITALY_")?;
    let well_formed = !strict
        || rest
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if rest.is_empty() || !well_formed || env_ignore.iter().any(|i| i == var) {
        return None;
    }
    Some(rest.to_ascii_lowercase())
}

/// The first line of a script, when it is a shebang (`#!/usr/bin/env ruby`).
pub fn shebang(head: &[u8]) -> Option<&[u8]> {
    let first = head.split(|&b| b == b'\n').next().unwrap_or(b"");
    first.starts_with(b"#!").then_some(first)
}

/// What a frontend found in one file.
#[derive(Debug, Default)]
pub struct FileFacts {
    /// References complete as they are.
    pub refs: Vec<RawRef>,
    /// Work that needs the other files of the run.
    pub deferred: Vec<Deferred>,
    /// The parser had to recover from syntax errors.
    pub syntax_errors: bool,
    /// A note on the file, printed after its path (`:3:7: does not parse …`
    /// from a parser without error recovery).
    pub note: Option<String>,
}

/// A function or method and what its body calls (`(name, called on a
/// value)`; a name with a `/` is an endpoint the call reaches outright,
/// `CommitService/FindCommit` or a client's `CommitService/find_commit`).
#[derive(Debug, Clone)]
pub struct Func {
    pub name: String,
    pub calls: Vec<(String, bool)>,
}

/// The fix of a language other than Ruby, Go and configuration (which
/// [`crate::cleanup`] knows itself): a frontend that can fix its toggles
/// returns one from [`Frontend::fixer`].
pub trait Fixer: Sync {
    /// Whether the fix handles this reference (kind and form) at all.
    fn fixable(&self, r: &Reference) -> bool;

    /// The edits that remove the selected sites (their start bytes) of
    /// `text`, the file `rel`, keeping their Gitaly code; sites it cannot
    /// fix are left with a reason.
    fn edits(
        &self,
        text: &str,
        rel: &str,
        selected: &std::collections::HashSet<usize>,
        opts: &FrontendOptions,
        out: &mut crate::cleanup::edit::Round,
    );

    /// Whether `text` parses (the fix is abandoned if it breaks a file that did).
    fn parses(&self, text: &str) -> bool;

    /// The fixed text tidied once the sites are fixed (imports the removed
    /// code alone used, dropped).
    fn tidy(&self, _original: &str, fixed: &str) -> String {
        fixed.to_string()
    }
}

impl TryFrom<&str> for Language {
    type Error = crate::model::UnknownLanguage;

    /// The language of a registered frontend, named as in JSON (`ruby`, `go`, `text`, `rust`).
    fn try_from(name: &str) -> Result<Language, Self::Error> {
        FRONTENDS
            .iter()
            .map(|f| f.language())
            .find(|l| l.as_str() == name)
            .ok_or_else(|| crate::model::UnknownLanguage(name.to_string()))
    }
}

/// The frontend of a language.
pub fn of_language(language: Language) -> Option<&'static dyn Frontend> {
    FRONTENDS.iter().copied().find(|f| f.language() == language)
}

impl FileFacts {
    /// Whether the file holds a reference, complete or waiting for the resolver.
    pub fn has_references(&self) -> bool {
        !self.refs.is_empty() || self.deferred.iter().any(Deferred::holds_reference)
    }
}

/// Cross-file work a frontend leaves to the resolver.
#[derive(Debug, Clone)]
pub enum Deferred {
    /// A Gitaly-vs-legacy branch and the calls of its Gitaly side (`(name,
    /// called on a value)`, see [`Func`]): it guards the endpoints they
    /// reach through the [`Deferred::Function`]s of its language. Without a
    /// flag (Go's address test) it is named by those endpoints, one
    /// reference each; with one (a Rust toggle) it keeps its name.
    BranchCalls {
        raw: RawRef,
        calls: Vec<(String, bool)>,
    },
    /// A function and what it calls, for [`Deferred::BranchCalls`] of the
    /// same language.
    Function(Func),
    /// A Ruby toggle or check with the call facts of its Gitaly branch: its
    /// endpoints are inferred through the methods of every Ruby file.
    ToggleFacts {
        raw: RawRef,
        facts: Vec<ruby::calls::CallFact>,
    },
    /// A Ruby method and its call facts, for [`Deferred::ToggleFacts`].
    Method(ruby::calls::Method),
    /// A reference whose name is parameter `index` of the shared example
    /// `example`: bound to the `it_behaves_like` sites of the component.
    SharedParam {
        raw: RawRef,
        example: String,
        index: usize,
    },
    /// An `it_behaves_like 'example', args...` site.
    Include(ruby::Include),
    /// A plain mention in config or docs: kept only if its flag is known.
    Mention(RawRef),
    /// A Go reference (a `featureflag` check, a test setter, an env var)
    /// whose flag is the value of a constant or variable (`featureflag.X`,
    /// `CacheFeatureFlagKey`) bound elsewhere in the component
    /// ([`Deferred::GoName`]), or named outright (`raw.flag`); `handler`:
    /// the gRPC handler method it is in, for its endpoint.
    GoFlag(go::GoFlag),
    /// A Go name bound to a flag or a string, for [`Deferred::GoFlag`].
    GoName(go::GoName),
}

impl Deferred {
    /// Whether it is a reference of the file (not a symbol or a site that
    /// only helps resolve others).
    pub fn holds_reference(&self) -> bool {
        matches!(
            self,
            Deferred::BranchCalls { .. }
                | Deferred::ToggleFacts { .. }
                | Deferred::SharedParam { .. }
                | Deferred::Mention(_)
                | Deferred::GoFlag(_)
        )
    }
}

/// How many ancestors a frontend or the fix climbs at most from a node:
/// tree-sitter's `parent()` re-descends from the root, so climbing to the root
/// of a deeply nested file would cost the square of its depth.
pub const MAX_CLIMB: usize = 64;

/// The ancestors of `node`, innermost first, at most [`MAX_CLIMB`] of them.
pub fn climb(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    std::iter::successors(node.parent(), |n| n.parent()).take(MAX_CLIMB)
}

/// The grammars flaglint parses with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grammar {
    Ruby,
    Go,
}

thread_local! {
    /// One parser per grammar and thread, made on first use.
    static PARSERS: RefCell<Vec<(Grammar, Parser)>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with the thread's parser for `grammar` (made on first use);
/// `None` if the grammar cannot be loaded.
fn with_parser<T>(grammar: Grammar, f: impl FnOnce(&mut Parser) -> Option<T>) -> Option<T> {
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        if !parsers.iter().any(|(g, _)| *g == grammar) {
            let mut p = Parser::new();
            let language: tree_sitter::Language = match grammar {
                Grammar::Ruby => tree_sitter_ruby::LANGUAGE.into(),
                Grammar::Go => tree_sitter_go::LANGUAGE.into(),
            };
            p.set_language(&language).ok()?;
            parsers.push((grammar, p));
        }
        let (_, parser) = parsers.iter_mut().find(|(g, _)| *g == grammar)?;
        f(parser)
    })
}

/// The last version of a file parsed: its grammar, source and tree.
type LastVersion = (Grammar, Vec<u8>, Tree);

thread_local! {
    /// The file this thread parses versions of ([`with_versions_of`]), and its
    /// last version parsed: the source and its tree.
    static VERSIONS: RefCell<Option<(String, Option<LastVersion>)>> =
        const { RefCell::new(None) };
}

/// Runs `f`, telling [`parse`] that what it parses is a version of `key` (a
/// path): a version parsed right after another of the same file is parsed
/// incrementally, reusing the previous tree where the lines are the same
/// (the history reads a file's versions one after the other, on its own
/// threads). The result is the tree a fresh parse gives: a tree with syntax
/// errors is neither reused nor kept from an incremental parse.
pub fn with_versions_of<T>(key: &str, f: impl FnOnce() -> T) -> T {
    VERSIONS.with(|v| {
        let mut v = v.borrow_mut();
        if v.as_ref().is_none_or(|(k, _)| k != key) {
            *v = Some((key.to_string(), None));
        }
    });
    f()
}

/// Parses `src` with the thread's parser for `grammar`.
pub fn parse(grammar: Grammar, src: &[u8]) -> Option<Tree> {
    let previous = VERSIONS.with(|v| {
        v.borrow_mut()
            .as_mut()
            .and_then(|(_, last)| last.take())
            .filter(|(g, _, _)| *g == grammar)
    });
    let keep = VERSIONS.with(|v| v.borrow().is_some());
    // Only an error-free tree is reused, and a result with errors is parsed
    // again from scratch: error recovery depends on the parse's history.
    let previous = previous.filter(|(_, _, t)| !t.root_node().has_error());
    let tree = match previous {
        Some((_, old_src, mut old_tree)) => {
            for edit in line_edits(&old_src, src) {
                old_tree.edit(&edit);
            }
            let t = with_parser(grammar, |parser| parser.parse(src, Some(&old_tree)));
            match t {
                Some(t) if !t.root_node().has_error() => Some(t),
                _ => with_parser(grammar, |parser| parser.parse(src, None)),
            }
        }
        None => with_parser(grammar, |parser| parser.parse(src, None)),
    }?;
    if keep {
        VERSIONS.with(|v| {
            if let Some((_, last)) = v.borrow_mut().as_mut() {
                *last = Some((grammar, src.to_vec(), tree.clone()));
            }
        });
    }
    Some(tree)
}

/// The edits that turn `old` into `new`, line by line, in the order
/// tree-sitter applies them (each in the coordinates the previous ones left).
fn line_edits(old: &[u8], new: &[u8]) -> Vec<tree_sitter::InputEdit> {
    use tree_sitter::{InputEdit, Point};
    fn lines(src: &[u8]) -> Vec<&[u8]> {
        src.split_inclusive(|&b| b == b'\n').collect()
    }
    let (old_lines, new_lines) = (lines(old), lines(new));
    let starts = |lines: &[&[u8]]| -> Vec<usize> {
        let mut v: Vec<usize> = std::iter::once(0)
            .chain(lines.iter().scan(0, |at, l| {
                *at += l.len();
                Some(*at)
            }))
            .collect();
        v.shrink_to_fit();
        v
    };
    let (old_at, new_at) = (starts(&old_lines), starts(&new_lines));
    // Where line `i` starts (`i` = the number of lines: the end of the text,
    // which is a column of the last row when it has no newline).
    fn point(lines: &[&[u8]], i: usize) -> Point {
        match i.checked_sub(1).and_then(|j| lines.get(j)) {
            Some(last) if i == lines.len() && !last.ends_with(b"\n") => {
                Point::new(i - 1, last.len())
            }
            _ => Point::new(i, 0),
        }
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(50);
    let ops = similar::capture_diff_slices_deadline(
        similar::Algorithm::Myers,
        &old_lines,
        &new_lines,
        Some(deadline),
    );
    let mut edits = Vec::new();
    for op in ops {
        if let similar::DiffOp::Equal { .. } = op {
            continue;
        }
        let (o, n) = (op.old_range(), op.new_range());
        // The old lines o, placed where the new ones start.
        let old_end = point(&old_lines, o.end);
        let old_end_position = if o.end > o.start && old_end.column > 0 {
            Point::new(n.start + (o.end - o.start) - 1, old_end.column)
        } else {
            Point::new(n.start + (o.end - o.start), 0)
        };
        edits.push(InputEdit {
            start_byte: new_at[n.start],
            old_end_byte: new_at[n.start] + (old_at[o.end] - old_at[o.start]),
            new_end_byte: new_at[n.end],
            start_position: point(&new_lines, n.start),
            old_end_position,
            new_end_position: point(&new_lines, n.end),
        });
    }
    edits
}
/// Parses only the byte ranges `ranges` of `src` (sorted, disjoint, each
/// starting at a line start): the tree's offsets and points are those of the
/// whole source. `None` if the grammar cannot be loaded or the ranges are
/// refused; the parser is left set to parse whole files again.
pub fn parse_ranges(grammar: Grammar, src: &[u8], ranges: &[(usize, usize)]) -> Option<Tree> {
    let mut row = 0;
    let mut at = 0;
    let mut point_of = |offset: usize| {
        // Ranges come in order: count lines from the last point on.
        let offset = offset.min(src.len());
        row += memchr::memchr_iter(b'\n', &src[at.min(offset)..offset]).count();
        at = offset;
        let col = offset
            - src[..offset]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
        tree_sitter::Point::new(row, col)
    };
    let ranges: Vec<tree_sitter::Range> = ranges
        .iter()
        .map(|&(start, end)| tree_sitter::Range {
            start_byte: start,
            start_point: point_of(start),
            end_byte: end,
            end_point: point_of(end),
        })
        .collect();
    with_parser(grammar, |parser| {
        parser.set_included_ranges(&ranges).ok()?;
        let tree = parser.parse(src, None);
        parser.set_included_ranges(&[]).ok()?;
        tree
    })
}

/// Visits `root` and its descendants in document order, without recursion (a
/// file nested 100,000 levels deep must not overflow the stack). `f` gets each
/// node and its ancestors below `root`, innermost last; it returns `false` to
/// stop the walk.
pub fn walk_tree<'t>(root: Node<'t>, mut f: impl FnMut(Node<'t>, &[Node<'t>]) -> bool) {
    let mut ancestors: Vec<Node<'t>> = Vec::new();
    let mut cursor = root.walk();
    'walk: loop {
        let node = cursor.node();
        if !f(node, &ancestors) {
            return;
        }
        if cursor.goto_first_child() {
            ancestors.push(node);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
            ancestors.pop();
        }
    }
}

/// A reference as a frontend sees it, before it is placed in a component.
#[derive(Debug, Clone)]
pub struct RawRef {
    pub flag: String,
    pub kind: Kind,
    pub form: Form,
    pub call: CallForm,
    pub span: Span,
    pub status: Status,
    pub enabled_branch: Option<Span>,
    pub legacy_branch: Option<Span>,
    /// Endpoints the site is known to guard (Shell's command table). A reference
    /// with an empty flag is attributed through them by the resolver.
    pub endpoints: Vec<String>,
    /// The value a configuration entry sets (`1` in `GITALY_X=1`).
    pub value: Option<String>,
    /// Where a JSON key stands (`default_attributes → … → env → GITALY_X`).
    pub json_path: Option<String>,
    /// How the toggle or check is written, for the fix (found with the branches).
    pub shape: Shape,
}

/// How a toggle or check is written, as the fix needs it: the frontend finds
/// it with the branches, so the fix never looks for a toggle itself. Byte
/// ranges are in the file the reference was extracted from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Shape {
    /// Nothing the fix uses (not a toggle or check, or not understood).
    #[default]
    None,
    /// A Ruby toggle call (`gitaly_migrate(:x) do |on| … end`).
    Toggle(ToggleShape),
    /// A Ruby check (`feature_enabled?(:x)`) and the code that tests it.
    Check(CheckShape),
    /// Shell's command table: the conditional statement the lookup stands in.
    Conditional(std::ops::Range<usize>),
    /// A Go `if` on the Gitaly address.
    GoBranch(GoShape),
}

/// Where an expression the fix replaces stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// A statement of its own.
    Statement,
    /// An expression whose value is used.
    Value,
    /// After `return`: only an expression may follow.
    Return,
}

/// A Ruby toggle's block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToggleShape {
    /// The block's parameter (`on` of `do |on|`), when it is a plain name.
    pub param: Option<String>,
    /// The block's body is a lone `begin … rescue … end` (the Gitaly branch
    /// is inside it).
    pub begin_body: bool,
    /// Where the call stands.
    pub position: Position,
}

/// A Ruby check and what tests it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckShape {
    /// The `if`/`unless`/ternary/modifier whose condition holds the check
    /// (through parentheses, `!`, `&&` and `||`), and where it stands.
    pub statement: Option<(std::ops::Range<usize>, Position)>,
    /// The outermost parenthesis, `!` or `&&`/`||` around the check (the
    /// check itself if none): what the fix simplifies when no statement tests it.
    pub top: std::ops::Range<usize>,
    /// `top` is an `&&`/`||`.
    pub top_is_binary: bool,
}

/// A Go `if` on the Gitaly address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoShape {
    /// The condition is the address test alone: `Some(true)` for `!= ""`,
    /// `Some(false)` for `== ""`; `None` when it tests more.
    pub plain: Option<bool>,
    /// `if init; cond { … }`.
    pub initializer: bool,
    /// What follows the then block.
    pub alternative: GoElse,
    /// Without an else, when the then block returns: the end of the
    /// statements after the `if`, comments included (the legacy path when
    /// the condition holds for Gitaly).
    pub rest_end: Option<usize>,
    /// Those statements, without comments at either end (the Gitaly path
    /// when the condition holds for the legacy one).
    pub rest: Option<std::ops::Range<usize>>,
}

/// What follows a Go `if`'s then block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoElse {
    None,
    Block,
    ElseIf,
}

/// Line starts of one file, to turn byte offsets into lines and columns.
pub struct SourceMap<'a> {
    src: &'a [u8],
    line_starts: Vec<usize>,
}

impl RawRef {
    /// A reference with no branches, endpoints or value.
    pub fn new(
        flag: String,
        kind: Kind,
        form: Form,
        call: CallForm,
        span: Span,
        status: Status,
    ) -> RawRef {
        RawRef {
            flag,
            kind,
            form,
            call,
            span,
            status,
            enabled_branch: None,
            legacy_branch: None,
            endpoints: Vec::new(),
            value: None,
            json_path: None,
            shape: Shape::None,
        }
    }

    /// A reference that names its flag outright: its form is its call form.
    pub fn direct(flag: String, kind: Kind, call: CallForm, span: Span, status: Status) -> RawRef {
        RawRef::new(flag, kind, Form::Call(call), call, span, status)
    }

    /// The reference placed in a file: `location` takes the span.
    pub fn into_reference(self, language: Language, mut location: Location) -> Reference {
        location.span = self.span;
        Reference {
            flag: self.flag,
            kind: self.kind,
            form: self.form,
            call: self.call,
            language,
            location,
            status: self.status,
            enabled_branch: self.enabled_branch,
            legacy_branch: self.legacy_branch,
            endpoints: self.endpoints,
            value: self.value,
            json_path: self.json_path,
            feature: None,
        }
    }
}

impl<'a> SourceMap<'a> {
    pub fn new(src: &'a [u8]) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', src).map(|i| i + 1));
        SourceMap { src, line_starts }
    }

    /// The span of a syntax node.
    pub fn span(&self, node: Node) -> Span {
        self.range(node.start_byte(), node.end_byte())
    }

    /// The span of a byte range.
    pub fn range(&self, start: usize, end: usize) -> Span {
        let (line, column) = self.line_col(start);
        let (end_line, end_column) = self.line_col(end);
        Span {
            line,
            column,
            end_line,
            end_column,
            start_byte: start,
            end_byte: end,
        }
    }

    /// The span of line `line` (1-based), without its newline.
    pub fn line_span(&self, line: usize) -> Span {
        let i = line.clamp(1, self.line_starts.len()) - 1;
        let start = self.line_starts[i];
        let end = self
            .line_starts
            .get(i + 1)
            .map_or(self.src.len(), |&next| next - 1)
            .max(start);
        self.range(start, end)
    }

    /// 1-based line and character column of a byte offset. Invalid UTF-8 counts
    /// one column per byte that does not continue a sequence.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let column = self.src[start..offset]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count()
            + 1;
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    /// Every node's kind, byte range and start point, in order.
    fn shape(t: &Tree) -> Vec<(String, std::ops::Range<usize>, tree_sitter::Point)> {
        let mut out = Vec::new();
        let mut c = t.walk();
        loop {
            let n = c.node();
            out.push((n.kind().to_string(), n.byte_range(), n.start_position()));
            if c.goto_first_child() {
                continue;
            }
            while !c.goto_next_sibling() {
                if !c.goto_parent() {
                    return out;
                }
            }
        }
    }

    #[test]
    fn a_file_s_versions_parse_incrementally_to_the_tree_a_fresh_parse_gives() {
        let v1 = "module Git\n  def a\n    gitaly_migrate(:a) { |on| on }\n  end\nend\n";
        let versions = [
            v1.to_string(),
            // A method added in the middle, one changed.
            "module Git\n  def a\n    gitaly_migrate(:a, status: X::OPT_OUT) { |on| on }\n  end\n\n  def b\n    1\n  end\nend\n".to_string(),
            // Lines deleted; no newline at the end.
            "module Git\n  def b\n    1\n  end\nend".to_string(),
            // The end changed where there was no newline.
            "module Git\n  def b\n    2\n  end\nend # done\n".to_string(),
            // A syntax error: parsed afresh, and not reused.
            "module Git\n  def b(\nend\n".to_string(),
            v1.to_string(),
            String::new(),
            "x = <<~EOS\n  heredoc\nEOS\nputs x\n".to_string(),
        ];
        with_versions_of("c:lib/git.rb", || {
            for v in &versions {
                let incremental = parse(Grammar::Ruby, v.as_bytes()).unwrap();
                let fresh = with_parser(Grammar::Ruby, |p| p.parse(v.as_bytes(), None)).unwrap();
                assert_eq!(shape(&incremental), shape(&fresh), "{v:?}");
            }
        });
        // Another file: nothing is reused from the last one's tree.
        with_versions_of("c:lib/other.rb", || {
            let src = b"puts 1\n";
            assert_eq!(
                parse(Grammar::Ruby, src).unwrap().root_node().to_sexp(),
                "(program (call method: (identifier) arguments: (argument_list (integer))))"
            );
        });
    }

    use super::*;

    #[test]
    fn the_ruby_frontend_defers_cross_file_work() {
        let src = "shared_examples 'gitaly toggle' do |flag|\n  it { stub_feature_flags(x: 1); feature_enabled?(flag) }\nend\nit_behaves_like 'gitaly toggle', :find_commit\n";
        let file = SourceFile {
            rel: "spec/lib/x_spec.rb",
            bytes: src.as_bytes(),
            server: false,
        };
        let facts = ruby::Ruby.extract(&file, &FrontendOptions::default());
        assert!(facts.refs.is_empty(), "{:?}", facts.refs);
        let shared: Vec<(&str, usize)> = facts
            .deferred
            .iter()
            .filter_map(|d| match d {
                Deferred::SharedParam { example, index, .. } => Some((example.as_str(), *index)),
                _ => None,
            })
            .collect();
        assert_eq!(shared, [("gitaly toggle", 0)]);
        let include = facts.deferred.iter().find_map(|d| match d {
            Deferred::Include(i) => Some(i),
            _ => None,
        });
        assert_eq!(include.unwrap().args, [Some("find_commit".to_string())]);
        assert!(facts.has_references());
    }

    #[test]
    fn go_branches_and_functions_are_deferred() {
        let src =
            "package x\nfunc f() {\n\tif params.GitalyServer.Address != \"\" {\n\t\tg()\n\t}\n}\n";
        let file = SourceFile {
            rel: "internal/x.go",
            bytes: src.as_bytes(),
            server: false,
        };
        let facts = go::Go.extract(&file, &FrontendOptions::default());
        assert!(facts.refs.is_empty());
        assert!(matches!(
            facts.deferred.as_slice(),
            [Deferred::BranchCalls { calls, .. }, Deferred::Function(f)]
                if calls == &[("g".to_string(), false)] && f.name == "f"
        ));
    }

    #[test]
    fn env_names_are_checked_in_one_place() {
        let ignore = ["GITALY_TOKEN".to_string()];
        assert_eq!(
            env_flag("GITALY_FIND_COMMIT", &ignore, true).as_deref(),
            Some("find_commit")
        );
        assert_eq!(env_flag("GITALY_TOKEN", &ignore, false), None);
        assert_eq!(env_flag("GITALY_", &ignore, false), None);
        assert_eq!(env_flag("GITALY_find", &ignore, true), None);
        assert_eq!(
            env_flag("GITALY_find", &ignore, false).as_deref(),
            Some("find")
        );
        assert_eq!(env_flag("OTHER_X", &ignore, false), None);
    }

    #[test]
    fn climbing_is_bounded() {
        let depth = 200;
        let src = format!("{}x{}", "[".repeat(depth), "]".repeat(depth));
        let tree = parse(Grammar::Ruby, src.as_bytes()).unwrap();
        let leaf = tree
            .root_node()
            .descendant_for_byte_range(depth, depth + 1)
            .unwrap();
        assert_eq!(climb(leaf).count(), MAX_CLIMB);
        assert_eq!(climb(tree.root_node()).count(), 0);
    }
}
