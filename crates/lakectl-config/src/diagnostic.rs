//! Problems found in the stack files, rendered the way Cargo renders bad config.

use crate::source::Pos;
use std::fmt;
use std::path::PathBuf;

/// One highlighted place in a stack file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Label {
    file: PathBuf,
    line: usize,
    column: usize,
    width: usize,
    text: Option<String>,
    /// The source line, captured when the problem is found so rendering needs no file access.
    source: Option<String>,
}

impl Label {
    fn at(pos: &Pos, text: Option<String>) -> Label {
        Label {
            file: pos.path().to_path_buf(),
            line: pos.line,
            column: pos.col,
            width: pos.width.max(1),
            text,
            source: pos.line_text().map(|l| l.replace('\t', " ")),
        }
    }
}

/// One problem in the stack files, at a place in one of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, as `stacks_dir.join(file name)`.
    pub file: PathBuf,
    /// 1-based line; 0 when the problem is about the file as a whole.
    pub line: usize,
    /// 1-based column (in characters); 0 when the problem is about the file as a whole.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    labels: Vec<Label>,
}

impl Diagnostic {
    /// A problem at `pos`.
    pub(crate) fn at(pos: &Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: pos.path().to_path_buf(),
            line: pos.line,
            column: pos.col,
            message: message.into(),
            hint: None,
            labels: vec![Label::at(pos, None)],
        }
    }

    /// A problem about a whole file (missing, unreadable).
    pub(crate) fn file(path: PathBuf, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: path,
            line: 0,
            column: 0,
            message: message.into(),
            hint: None,
            labels: vec![],
        }
    }

    /// Adds the hint.
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the hint when there is one.
    pub(crate) fn maybe_hint(mut self, hint: Option<String>) -> Diagnostic {
        self.hint = hint;
        self
    }

    /// Puts a short text next to the primary caret.
    pub(crate) fn label(mut self, text: impl Into<String>) -> Diagnostic {
        if let Some(l) = self.labels.first_mut() {
            l.text = Some(text.into());
        }
        self
    }

    /// Shows one more place that takes part in the problem (the other side of a duplicate,
    /// the next step of a cycle).
    pub(crate) fn also(mut self, pos: &Pos, text: impl Into<String>) -> Diagnostic {
        self.labels.push(Label::at(pos, Some(text.into())));
        self
    }

    /// `file:line:col`, or the file alone when the problem is about the whole file.
    pub fn location(&self) -> String {
        if self.line == 0 {
            self.file.display().to_string()
        } else {
            format!("{}:{}:{}", self.file.display(), self.line, self.column)
        }
    }

    /// Orders problems by place, and makes identical ones (one per `for_each` instance) equal.
    fn sort_key(&self) -> (&PathBuf, usize, usize, &str, &Option<String>, &[Label]) {
        (
            &self.file,
            self.line,
            self.column,
            &self.message,
            &self.hint,
            &self.labels,
        )
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        let w = self
            .labels
            .iter()
            .map(|l| l.line.to_string().len())
            .max()
            .unwrap_or(1);
        let pad = " ".repeat(w);
        if self.labels.is_empty() {
            writeln!(f, "{pad}--> {}", self.location())?;
        }
        for l in &self.labels {
            writeln!(f, "{pad}--> {}:{}:{}", l.file.display(), l.line, l.column)?;
            if let Some(src) = &l.source {
                writeln!(f, "{pad} |")?;
                writeln!(f, "{:>w$} | {}", l.line, src.trim_end())?;
                let mut marks = format!(
                    "{}{}",
                    " ".repeat(l.column.saturating_sub(1)),
                    "^".repeat(l.width)
                );
                if let Some(t) = &l.text {
                    marks.push(' ');
                    marks.push_str(t);
                }
                writeln!(f, "{pad} | {marks}")?;
            }
        }
        if let Some(h) = &self.hint {
            writeln!(f, "{pad} = help: {h}")?;
        }
        Ok(())
    }
}

/// Every problem found in one load, in file order. Loading never stops at the first one.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// Sorts by place and drops repeats (a problem in a `for_each` resource is found once per
    /// instance but is one problem in the file).
    pub(crate) fn new(mut all: Vec<Diagnostic>) -> Diagnostics {
        all.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        all.dedup_by(|a, b| a.sort_key() == b.sort_key());
        Diagnostics(all)
    }

    /// How many problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems, in file order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        writeln!(
            f,
            "error: {} problem(s) in the stack files; nothing was sent to AWS",
            self.0.len()
        )
    }
}

impl std::error::Error for Diagnostics {}

impl miette::Diagnostic for Diagnostics {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("lakectl::stack_files"))
    }
}
