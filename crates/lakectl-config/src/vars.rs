//! Variables: what a var may hold, and how a stack file declares one.

use crate::diagnostic::Diagnostic;
use crate::source::{Node, Tree};
use lakectl_core::refs::{Piece, parse_template};
use serde_json::Value;

const VAR_TYPES: &str = "a var holds a string, a number, true/false, a list of strings or a mapping of names to strings";

/// The value of a var as written: a string, number or bool, a list of them, or a mapping of
/// names to them (list items and mapping values become strings: they are instance keys and
/// values, or text).
///
/// # Errors
/// What is wrong, at its place.
pub(crate) fn var_value(name: &str, node: &Node) -> Result<Value, Diagnostic> {
    let scalar_text = |n: &Node| -> Result<String, Diagnostic> {
        match &n.tree {
            Tree::Str(s) => plain_text(name, n, s),
            Tree::Num(x) => Ok(x.to_string()),
            Tree::Bool(b) => Ok(b.to_string()),
            _ => Err(Diagnostic::at(
                &n.pos,
                format!(
                    "var `{name}`: expected a string here, found {}",
                    n.describe()
                ),
            )
            .hint(VAR_TYPES)),
        }
    };
    match &node.tree {
        Tree::Str(s) => plain_text(name, node, s).map(Value::String),
        Tree::Num(n) => Ok(Value::Number(n.clone())),
        Tree::Bool(b) => Ok(Value::Bool(*b)),
        Tree::List(items) => Ok(Value::Array(
            items
                .iter()
                .map(|i| scalar_text(i).map(Value::String))
                .collect::<Result<_, _>>()?,
        )),
        Tree::Map(entries) => Ok(Value::Object(
            entries
                .iter()
                .map(|e| scalar_text(&e.value).map(|v| (e.key.clone(), Value::String(v))))
                .collect::<Result<_, _>>()?,
        )),
        Tree::Null => {
            Err(Diagnostic::at(&node.pos, format!("var `{name}` has no value")).hint(VAR_TYPES))
        }
    }
}

/// Var values are plain text: an expression there would silently stay unevaluated.
/// `$${` is undone here, since inserting a var's value escapes it again.
fn plain_text(name: &str, node: &Node, s: &str) -> Result<String, Diagnostic> {
    match parse_template(s) {
        Ok(pieces) if !pieces.iter().any(|p| matches!(p, Piece::Expr(..))) => Ok(pieces
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => t,
                Piece::Expr(e, _) => e,
            })
            .collect()),
        _ => Err(Diagnostic::at(
            &node.pos,
            format!("var `{name}` holds a `${{...}}` expression; var values are plain text"),
        )
        .hint("write the value out, or `$${` for a literal `${`")),
    }
}
