//! Files of the stack folder used by resources (`${asset:glue/ingest.py}`): each becomes an
//! `s3.object` resource at `asset[PATH]`, uploaded to the stack's assets bucket under a key
//! that holds its content hash, so an edited file is a new object and an update of exactly
//! the resources that use it.

use crate::diagnostic::Diagnostic;
use crate::source::Pos;
use lakectl_core::{Address, DesiredResource};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The resource name assets are declared under.
pub(crate) const ASSET: &str = "asset";

/// The kind of the assets bucket.
pub(crate) const BUCKET_KIND: &str = "s3.bucket";

/// The kind an asset becomes.
pub(crate) const OBJECT_KIND: &str = "s3.object";

/// Checks the path of `${asset:PATH}`: relative to the stack folder, inside it.
pub(crate) fn check_path(path: &str) -> Result<(), String> {
    let inside = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..");
    match inside {
        true => Ok(()),
        false => Err(format!(
            "`{path}` is not a path inside the stack folder; write it relative to the folder, as `glue/ingest.py`"
        )),
    }
}

/// The SHA-256 of a file's bytes, in hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The object key of an asset: its hash, then its file name.
pub(crate) fn object_key(path: &str, sha256: &str) -> String {
    let file = path.rsplit('/').next().unwrap_or(path);
    format!("assets/{}/{file}", &sha256[..16])
}

/// One `s3.object` resource per asset used, each read and hashed now; `bucket` is the assets
/// bucket's address and physical name.
pub(crate) fn resources(
    stacks_dir: &Path,
    used: &BTreeMap<String, Pos>,
    bucket: &(Address, String),
    errs: &mut Vec<Diagnostic>,
) -> Vec<DesiredResource> {
    let mut out = Vec::new();
    for (path, pos) in used {
        let file = stacks_dir.join(path);
        let bytes = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) => {
                errs.push(
                    Diagnostic::at(pos, format!("cannot read asset `{path}`: {e}")).hint(format!(
                        "assets are files of the stack folder; is it `{}`?",
                        file.display()
                    )),
                );
                continue;
            }
        };
        let sha256 = sha256_hex(&bytes);
        let name = format!("{}/{}", bucket.1, object_key(path, &sha256));
        out.push(DesiredResource {
            address: Address::new(ASSET, Some(path)),
            kind: OBJECT_KIND.to_string(),
            spec: json!({"name": name, "source": path, "sha256": sha256}),
            name,
            location: pos.location(),
            explicit_deps: BTreeSet::from([bucket.0.clone()]),
            moved_from: Vec::new(),
            removal_policy: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_paths_stay_inside_the_stack_folder() {
        assert_eq!(check_path("glue/ingest.py"), Ok(()));
        for bad in [
            "",
            "/etc/passwd",
            "../secret",
            "glue/../../x",
            "glue//x",
            "a\\b",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        let sha = sha256_hex(b"print('hi')\n");
        assert_eq!(sha.len(), 64);
        assert_eq!(
            object_key("glue/ingest.py", &sha),
            format!("assets/{}/ingest.py", &sha[..16])
        );
    }
}
