//! A stack file parsed into a tree of values that remember where they were written.

use crate::diagnostic::Diagnostic;
use lakectl_core::schema::{Path, PathSeg};
use marked_yaml::{LoadError, LoaderOptions};
use serde_json::{Map, Number, Value};
use std::path::{Path as FsPath, PathBuf};
use std::rc::Rc;

/// One file's text, kept for the snippets in diagnostics.
#[derive(Debug)]
pub(crate) struct Source {
    path: PathBuf,
    lines: Vec<String>,
}

impl Source {
    /// A file as read from disk.
    pub(crate) fn new(path: PathBuf, text: &str) -> Rc<Source> {
        Rc::new(Source {
            path,
            lines: text.lines().map(str::to_string).collect(),
        })
    }
}

/// A place in a file: 1-based line and column (in characters) and the width to underline.
#[derive(Debug, Clone)]
pub(crate) struct Pos {
    src: Rc<Source>,
    pub line: usize,
    pub col: usize,
    pub width: usize,
}

impl Pos {
    /// The file.
    pub(crate) fn path(&self) -> &FsPath {
        &self.src.path
    }

    /// The text of the line, when the place is in the file.
    pub(crate) fn line_text(&self) -> Option<&str> {
        self.line
            .checked_sub(1)
            .and_then(|i| self.src.lines.get(i))
            .map(String::as_str)
    }

    /// `file:line:col`, as `DesiredResource.location` wants it.
    pub(crate) fn location(&self) -> String {
        format!("{}:{}:{}", self.src.path.display(), self.line, self.col)
    }

    /// The place of `needle` written inside the token at this place (a `${...}` inside a
    /// string), or the whole token when it cannot be found verbatim (escapes, folded lines).
    pub(crate) fn find(&self, needle: &str) -> Pos {
        let Some(line) = self.line_text() else {
            return self.clone();
        };
        let start = line
            .char_indices()
            .nth(self.col.saturating_sub(1))
            .map_or(line.len(), |(i, _)| i);
        match line[start..].find(needle) {
            Some(i) => Pos {
                col: line[..start + i].chars().count() + 1,
                width: needle.chars().count(),
                ..self.clone()
            },
            None => self.clone(),
        }
    }

    fn at(src: &Rc<Source>, line: usize, col: usize) -> Pos {
        let mut p = Pos {
            src: src.clone(),
            line,
            col,
            width: 1,
        };
        p.width = p.line_text().map_or(1, |l| token_width(l, col));
        p
    }
}

/// How many characters the token starting at `col` spans on its line: a quoted string up to
/// its closing quote, a flow collection up to its closing bracket, a plain scalar up to a
/// comment or, inside a flow collection, the next separator.
fn token_width(line: &str, col: usize) -> usize {
    let rest: Vec<char> = line.chars().skip(col.saturating_sub(1)).collect();
    let Some(&first) = rest.first() else { return 1 };
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < rest.len() {
        let c = rest[i];
        match quote {
            Some('"') if c == '\\' => i += 1,
            Some(q) if c == q => {
                if q == '\'' && rest.get(i + 1) == Some(&'\'') {
                    i += 1;
                } else {
                    quote = None;
                    if depth == 0 {
                        return i + 1;
                    }
                }
            }
            Some(_) => {}
            None => match c {
                '"' | '\'' if i == 0 || depth > 0 => quote = Some(c),
                '[' | '{' if i == 0 || depth > 0 => depth += 1,
                ']' | '}' if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                ',' | ']' | '}' if depth == 0 && matches!(first, '[' | '{') => return i,
                '#' if i > 0 && rest[i - 1] == ' ' && depth == 0 => {
                    return rest[..i]
                        .iter()
                        .collect::<String>()
                        .trim_end()
                        .chars()
                        .count();
                }
                _ => {}
            },
        }
        i += 1;
    }
    let all: String = rest.iter().collect();
    all.trim_end().chars().count().max(1)
}

/// A value from a stack file.
#[derive(Debug, Clone)]
pub(crate) enum Tree {
    /// `~`, `null` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A plain (unquoted) number.
    Num(Number),
    /// Any other scalar.
    Str(String),
    /// A sequence.
    List(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<Entry>),
}

/// A value and where it was written.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub tree: Tree,
    pub pos: Pos,
}

/// One key of a mapping.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

impl Node {
    /// The mapping's entries, when this is a mapping.
    pub(crate) fn entries(&self) -> Option<&[Entry]> {
        match &self.tree {
            Tree::Map(e) => Some(e),
            _ => None,
        }
    }

    /// The string, when this is a string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.tree {
            Tree::Str(s) => Some(s),
            _ => None,
        }
    }

    /// What kind of value this is, for messages.
    pub(crate) fn describe(&self) -> &'static str {
        lakectl_core::schema::json_type(&self.to_json())
    }

    /// The value as JSON.
    pub(crate) fn to_json(&self) -> Value {
        match &self.tree {
            Tree::Null => Value::Null,
            Tree::Bool(b) => Value::Bool(*b),
            Tree::Num(n) => Value::Number(n.clone()),
            Tree::Str(s) => Value::String(s.clone()),
            Tree::List(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Tree::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect::<Map<_, _>>(),
            ),
        }
    }

    /// Where the value (or, with `at_key`, the key) at `path` was written; the closest
    /// enclosing place when the path leads into something the file does not hold.
    pub(crate) fn locate(&self, path: &Path, at_key: bool, holder: &Pos) -> Pos {
        let mut node = self;
        let mut key_pos = holder;
        for seg in &path.0 {
            let next = match (seg, &node.tree) {
                (PathSeg::Key(k), Tree::Map(entries)) => entries
                    .iter()
                    .rev()
                    .find(|e| &e.key == k)
                    .map(|e| (&e.key_pos, &e.value)),
                (PathSeg::Index(i), Tree::List(items)) => items.get(*i).map(|n| (&n.pos, n)),
                _ => None,
            };
            match next {
                Some((kp, n)) => {
                    key_pos = kp;
                    node = n;
                }
                None => return node.pos.clone(),
            }
        }
        if at_key {
            key_pos.clone()
        } else {
            node.pos.clone()
        }
    }
}

/// Parses one file.
///
/// # Errors
/// The YAML problem, at its place.
pub(crate) fn parse(src: &Rc<Source>, text: &str) -> Result<Node, Diagnostic> {
    let options = LoaderOptions::default()
        .error_on_duplicate_keys(true)
        .prevent_coercion(true);
    let root =
        marked_yaml::parse_yaml_with_options(0, text, options).map_err(|e| load_error(src, &e))?;
    let fallback = Pos::at(src, 1, 1);
    Ok(convert(src, &root, Some(&fallback)))
}

fn marker_pos(src: &Rc<Source>, m: &marked_yaml::Marker) -> Pos {
    Pos::at(src, m.line(), m.column())
}

fn load_error(src: &Rc<Source>, e: &LoadError) -> Diagnostic {
    let one = |m: &marked_yaml::Marker| {
        let mut p = marker_pos(src, m);
        p.width = 1;
        p
    };
    match e {
        LoadError::TopLevelMustBeMapping(m) | LoadError::TopLevelMustBeSequence(m) => {
            Diagnostic::at(
                &one(m),
                "the file must be a mapping of keys to values at the top level",
            )
            .hint("a stack file starts with `stack: NAME`; an env file with `region: ...`")
        }
        LoadError::UnexpectedAnchor(m) => Diagnostic::at(
            &one(m),
            "YAML anchors and aliases (`&name`, `*name`) are not supported",
        )
        .hint("write the value out where it is needed, or put it in a var"),
        LoadError::MappingKeyMustBeScalar(m) => Diagnostic::at(
            &one(m),
            "a mapping key must be a plain name, not a list or mapping",
        ),
        LoadError::UnexpectedTag(m) => {
            Diagnostic::at(&one(m), "YAML tags (`!name`) are not supported")
                .hint("quote the value if the `!` is part of the text")
        }
        LoadError::ScanError(m, scan) => {
            let d = Diagnostic::at(&one(m), format!("invalid YAML: {}", scan.info()));
            if scan.info().contains("flow") {
                d.hint("a `{` or `[` opened before this point is not closed: close it on the line where it opens")
            } else if scan.info().contains("tab") {
                d.hint("indent with spaces: YAML does not allow tabs for indentation")
            } else if scan.info().contains("mapping values") {
                d.hint("a value containing `: ` must be quoted, and nested keys go on their own indented line")
            } else {
                d
            }
        }
        LoadError::DuplicateKey(d) => {
            let key_at = |k: &marked_yaml::types::MarkedScalarNode| {
                k.span().start().map(|m| {
                    let mut p = marker_pos(src, m);
                    if starts_with_at(&p, k.as_str()) {
                        p.width = k.as_str().chars().count().max(1);
                    }
                    p
                })
            };
            let at = key_at(&d.key).unwrap_or_else(|| Pos::at(src, 0, 0));
            let first = key_at(&d.prev_key);
            let mut diag = Diagnostic::at(
                &at,
                format!("`{}` is written twice in the same mapping", d.key.as_str()),
            );
            if let Some(first) = first {
                diag = diag.also(&first, "first written here");
            }
            diag.hint("keep one of them")
        }
    }
}

fn convert(src: &Rc<Source>, n: &marked_yaml::Node, holder: Option<&Pos>) -> Node {
    let start = n
        .span()
        .start()
        .map_or_else(|| Pos::at(src, 0, 0), |m| marker_pos(src, m));
    let flow = start
        .line_text()
        .and_then(|l| l.chars().nth(start.col.saturating_sub(1)))
        .is_some_and(|c| c == '[' || c == '{');
    // A block collection has no token of its own: point at the key that holds it.
    let collection_pos = |first_key: Option<Pos>| match (flow, holder) {
        (true, _) => start.clone(),
        (false, Some(h)) => h.clone(),
        (false, None) => first_key.unwrap_or_else(|| start.clone()),
    };
    match n {
        marked_yaml::Node::Scalar(s) => {
            let mut pos = start;
            // A plain scalar is exactly its text; this also ends it before `,` or `]` in a
            // flow list, which the line alone cannot tell.
            let text = s.as_str();
            if s.may_coerce() && !text.is_empty() && starts_with_at(&pos, text) {
                pos.width = text.chars().count();
            }
            // `key:` with nothing after it: the parser places the empty value on the next
            // token, which may be lines away.
            if s.may_coerce()
                && text.is_empty()
                && let Some(h) = holder
            {
                pos = h.clone();
            }
            Node {
                tree: scalar(text, s.may_coerce()),
                pos,
            }
        }
        marked_yaml::Node::Sequence(items) => {
            let pos = collection_pos(None);
            let items = items.iter().map(|i| convert(src, i, None)).collect();
            Node {
                tree: Tree::List(items),
                pos,
            }
        }
        marked_yaml::Node::Mapping(map) => {
            let entries: Vec<Entry> = map
                .iter()
                .map(|(k, v)| {
                    let mut key_pos = k
                        .span()
                        .start()
                        .map_or_else(|| start.clone(), |m| marker_pos(src, m));
                    if starts_with_at(&key_pos, k.as_str()) {
                        key_pos.width = k.as_str().chars().count().max(1);
                    }
                    let value = convert(src, v, Some(&key_pos));
                    Entry {
                        key: k.as_str().to_string(),
                        key_pos,
                        value,
                    }
                })
                .collect();
            let pos = collection_pos(entries.first().map(|e| e.key_pos.clone()));
            Node {
                tree: Tree::Map(entries),
                pos,
            }
        }
    }
}

/// Whether `text` is written verbatim at `pos`.
fn starts_with_at(pos: &Pos, text: &str) -> bool {
    pos.line_text().is_some_and(|l| {
        l.chars()
            .skip(pos.col.saturating_sub(1))
            .collect::<String>()
            .starts_with(text)
    })
}

/// Types a scalar the way YAML does for plain text; quoted text is always a string.
fn scalar(text: &str, plain: bool) -> Tree {
    if !plain {
        return Tree::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Tree::Null,
        "true" | "True" | "TRUE" => return Tree::Bool(true),
        "false" | "False" | "FALSE" => return Tree::Bool(false),
        _ => {}
    }
    if let Ok(i) = text.parse::<i64>() {
        return Tree::Num(i.into());
    }
    let numeric = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if numeric
        && text.chars().any(|c| c.is_ascii_digit())
        && let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64)
    {
        return Tree::Num(n);
    }
    Tree::Str(text.to_string())
}

/// A place for values built in unit tests.
#[cfg(test)]
pub(crate) fn tests_pos(src: &Rc<Source>) -> Pos {
    Pos::at(src, 1, 1)
}

impl Pos {
    /// The text of the token at this place, as written.
    pub(crate) fn token_text(&self) -> Option<String> {
        self.line_text().map(|l| {
            l.chars()
                .skip(self.col.saturating_sub(1))
                .take(self.width)
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_widths_cover_the_written_token() {
        let cases = [
            ("plain to end of line", "  a: hello world", 6, 11),
            ("plain before a comment", "  a: hello # note", 6, 5),
            ("double quoted", r#"  a: "x \" y" tail"#, 6, 8),
            ("single quoted with escape", "  a: 'it''s' z", 6, 7),
            ("flow mapping", "  a: { b: [1, 2] } # c", 6, 13),
            ("past the end", "a:", 5, 1),
        ];
        for (why, line, col, want) in cases {
            assert_eq!(token_width(line, col), want, "{why}");
        }
    }

    #[test]
    fn parsed_values_remember_their_place() {
        let text = "a:\n  b: [one, \"two\"]\n  c: {d: 1}\n";
        let src = Source::new(PathBuf::from("t.yaml"), text);
        let root = parse(&src, text).expect("valid yaml");
        let at = |path: &[&str], idx: Option<usize>, at_key: bool| {
            let mut p = Path::default();
            for k in path {
                p = p.key(k);
            }
            if let Some(i) = idx {
                p = p.index(i);
            }
            let pos = root.locate(&p, at_key, &root.pos);
            (pos.line, pos.col, pos.width)
        };
        let cases = [
            (
                "block mapping points at its key",
                at(&["a"], None, false),
                (1, 1, 1),
            ),
            ("key", at(&["a", "b"], None, true), (2, 3, 1)),
            (
                "flow list is the bracketed text",
                at(&["a", "b"], None, false),
                (2, 6, 12),
            ),
            (
                "plain item ends at the comma",
                at(&["a", "b"], Some(0), false),
                (2, 7, 3),
            ),
            (
                "quoted item includes its quotes",
                at(&["a", "b"], Some(1), false),
                (2, 12, 5),
            ),
            (
                "path beyond the file falls back",
                at(&["a", "c", "zz"], None, false),
                (3, 6, 6),
            ),
        ];
        for (why, got, want) in cases {
            assert_eq!(got, want, "{why}");
        }
    }

    #[test]
    fn plain_scalars_get_yaml_types_and_quoted_ones_stay_text() {
        let cases = [
            ("empty is null", "", true, Value::Null),
            ("tilde is null", "~", true, Value::Null),
            ("bool", "true", true, Value::Bool(true)),
            ("int", "30", true, Value::from(30)),
            ("float", "1.5", true, Value::from(1.5)),
            (
                "quoted digits stay text",
                "123456789012",
                false,
                Value::from("123456789012"),
            ),
            ("inf is text", "inf", true, Value::from("inf")),
            (
                "version string is text",
                "1.2.3",
                true,
                Value::from("1.2.3"),
            ),
        ];
        for (why, text, plain, want) in cases {
            let src = Source::new(PathBuf::from("t.yaml"), "");
            let node = Node {
                tree: scalar(text, plain),
                pos: Pos::at(&src, 1, 1),
            };
            assert_eq!(node.to_json(), want, "{why}");
        }
    }
}
