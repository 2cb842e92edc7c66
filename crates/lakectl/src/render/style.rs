//! Colour, only on a terminal and only when NO_COLOR is unset.

use std::io::IsTerminal;

/// How to paint text.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    color: bool,
}

impl Style {
    /// Colour when stdout is a terminal and `NO_COLOR` is not set.
    pub fn for_stdout() -> Self {
        Style {
            color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    /// No colour at all (for tests and golden output).
    #[cfg(test)]
    pub fn plain() -> Self {
        Style { color: false }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Green: creates.
    pub fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
    /// Yellow: updates.
    pub fn yellow(&self, t: &str) -> String {
        self.paint("33", t)
    }
    /// Red: deletes, data loss.
    pub fn red(&self, t: &str) -> String {
        self.paint("31", t)
    }
    /// Bold: headings.
    pub fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    /// Dim: secondary detail.
    pub fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
}
