//! AWS's most common naming rule, written once: a length and a set of allowed characters.

/// Names of 1 to `max` characters, each a letter, a digit or one of `symbols`.
#[derive(Debug, Clone, Copy)]
pub struct NameRule {
    /// What is being named, for messages: `log group name`.
    pub noun: &'static str,
    /// The most characters AWS accepts.
    pub max: usize,
    /// The characters allowed besides ASCII letters and digits.
    pub symbols: &'static str,
}

impl NameRule {
    /// Checks `name`.
    ///
    /// # Errors
    /// The message says which rule failed and on what.
    pub fn check(&self, name: &str) -> Result<(), String> {
        let len = name.chars().count();
        if len == 0 || len > self.max {
            return Err(format!(
                "a {} is 1 to {} characters; `{name}` has {len}",
                self.noun, self.max
            ));
        }
        match name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || self.symbols.contains(*c)))
        {
            Some(bad) => Err(format!(
                "a {} may hold only letters, digits and `{}`; `{name}` has `{bad}`",
                self.noun, self.symbols
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_and_characters_are_checked() {
        let rule = NameRule {
            noun: "thing name",
            max: 3,
            symbols: "-",
        };
        assert_eq!(rule.check("a-b"), Ok(()));
        assert_eq!(
            rule.check(""),
            Err("a thing name is 1 to 3 characters; `` has 0".to_string())
        );
        assert_eq!(
            rule.check("abcd"),
            Err("a thing name is 1 to 3 characters; `abcd` has 4".to_string())
        );
        assert_eq!(
            rule.check("a_b"),
            Err("a thing name may hold only letters, digits and `-`; `a_b` has `_`".to_string())
        );
    }
}
