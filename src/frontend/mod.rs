//! Language frontends: one module per language. Each turns a file's bytes into
//! raw references (flag, kind, form, span, status, branches).

pub mod go;
pub mod ruby;
pub mod ruby_calls;
pub mod text;

use crate::model::{Kind, Span, Status};
use std::cell::RefCell;
use tree_sitter::{Parser, Tree};

/// How many ancestors a frontend or the fix climbs at most from a node:
/// tree-sitter's `parent()` re-descends from the root, so climbing to the root
/// of a deeply nested file would cost the square of its depth.
pub const MAX_CLIMB: usize = 64;
use tree_sitter::Node;

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

/// Parses `src` with the thread's parser for `grammar`.
pub fn parse(grammar: Grammar, src: &[u8]) -> Option<Tree> {
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
        parser.parse(src, None)
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
    pub form: &'static str,
    pub call: &'static str,
    pub span: Span,
    pub status: Status,
    pub enabled_branch: Option<Span>,
    pub legacy_branch: Option<Span>,
    /// The name is a shared example's parameter: (example, parameter index).
    /// The scan binds it to the `it_behaves_like` sites of the component.
    pub shared_param: Option<(String, usize)>,
    /// Endpoints the site is known to guard (Shell's command table). A reference
    /// with an empty flag is attributed through them by the resolver.
    pub endpoints: Vec<String>,
    /// The value a configuration entry sets (`1` in `GITALY_X=1`).
    pub value: Option<String>,
    /// What the Gitaly branch of a Ruby toggle calls, for endpoint inference.
    pub facts: Vec<ruby_calls::CallFact>,
}

/// Line starts of one file, to turn byte offsets into lines and columns.
pub struct SourceMap<'a> {
    src: &'a [u8],
    line_starts: Vec<usize>,
}

impl RawRef {
    /// A reference with no branches, endpoints, value or facts.
    pub fn new(
        flag: String,
        kind: Kind,
        form: &'static str,
        call: &'static str,
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
            shared_param: None,
            endpoints: Vec::new(),
            value: None,
            facts: Vec::new(),
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
