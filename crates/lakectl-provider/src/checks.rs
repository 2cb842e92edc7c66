//! Property checks several kinds share.
use serde_json::Value;

/// A role given by its ARN, as every service that runs as a role reads it back.
///
/// # Errors
/// A role name or anything else that is not a role ARN; the message shows the fix.
pub fn role_arn(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(r) if !(r.starts_with("arn:") && r.contains(":role/")) => Err(format!(
            "`{r}` is not a role ARN; give the role's ARN (`${{ROLE.arn}}`): a bare name would not read back as it was written"
        )),
        _ => Ok(()),
    }
}
