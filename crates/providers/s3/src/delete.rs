//! Counting what a bucket holds, emptying it, deleting it.
//!
//! Every object version and every delete marker counts: in a versioned bucket, "deleted"
//! objects are still data until their versions are gone, and S3 refuses to delete a bucket
//! that holds any of them.

use crate::apply::remove_policy;
use crate::errors::is_denied;
use aws_sdk_s3::Client;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use lakectl_core::{Contents, ProviderError};
use lakectl_provider::{Doing, Found, aws_error, is_code};

/// Counting stops here: enough to say "10000+ objects" in a plan without listing a data lake.
pub const COUNT_LIMIT: u64 = 10_000;

/// The most keys S3 lists or deletes in one call.
const BATCH: i32 = 1000;

/// What the bucket holds: object versions plus delete markers, up to [`COUNT_LIMIT`].
///
/// # Errors
/// S3 failed; or, on a plain-http endpoint, the bucket's own TLS-only policy denied the
/// listing (explained, never worked around: a read does not change the bucket).
pub async fn contents(
    client: &Client,
    name: &str,
    plain_http: bool,
) -> Result<Contents, ProviderError> {
    let mut count = 0u64;
    let mut key_marker: Option<String> = None;
    let mut version_marker: Option<String> = None;
    loop {
        let page = client
            .list_object_versions()
            .bucket(name)
            .max_keys(BATCH)
            .set_key_marker(key_marker.take())
            .set_version_id_marker(version_marker.take())
            .send()
            .await;
        let page = match page {
            Ok(p) => p,
            Err(e) if is_code(&e, &["NoSuchBucket"]) => return Ok(Contents::Empty),
            Err(e) if plain_http && is_denied(&e) => {
                return Err(ProviderError::invalid(
                    name,
                    "listing the bucket's objects was denied over plain http, most likely by \
                     its own TLS-only policy (enforce_tls); lakectl does not change a bucket to \
                     read it: use an https endpoint, or set enforce_tls: false for this \
                     environment",
                ));
            }
            Err(e) => return Err(aws_error("s3:ListObjectVersions", name, e)),
        };
        count += (page.versions().len() + page.delete_markers().len()) as u64;
        if let Some(done) = tally(count, page.is_truncated().unwrap_or(false)) {
            return Ok(done);
        }
        key_marker = page.next_key_marker;
        version_marker = page.next_version_id_marker;
    }
}

/// The answer after a page, or `None` to read the next one: the count is exact when the
/// listing ended, and stops (inexact) once it reaches [`COUNT_LIMIT`] with more to come.
fn tally(count: u64, truncated: bool) -> Option<Contents> {
    match (truncated, count >= COUNT_LIMIT) {
        (false, _) => Some(non_empty(count, true)),
        (true, true) => Some(non_empty(count, false)),
        (true, false) => None,
    }
}

fn non_empty(count: u64, exact: bool) -> Contents {
    if count == 0 {
        Contents::Empty
    } else {
        Contents::NonEmpty {
            count,
            exact,
            noun: "objects",
        }
    }
}

/// Deletes every object version and delete marker, a page of 1000 at a time. Each round lists
/// from the start, because what was listed is gone by the next round.
///
/// On a plain-http endpoint (the local emulator) a TLS-only bucket policy denies the object
/// deletions, so the policy is removed first: the bucket is being destroyed on request anyway.
///
/// # Errors
/// S3 refused a listing or any deletion (the first refusal is reported).
pub async fn empty(client: &Client, name: &str, plain_http: bool) -> Result<(), ProviderError> {
    if plain_http {
        remove_policy(client, name).await?;
    }
    loop {
        let page = client
            .list_object_versions()
            .bucket(name)
            .max_keys(BATCH)
            .send()
            .await;
        let page = match page {
            Ok(p) => p,
            Err(e) if is_code(&e, &["NoSuchBucket"]) => return Ok(()),
            Err(e) => return Err(aws_error("s3:ListObjectVersions", name, e)),
        };
        let mut ids = Vec::new();
        let versions = page.versions().iter().map(|v| (v.key(), v.version_id()));
        let markers = page
            .delete_markers()
            .iter()
            .map(|m| (m.key(), m.version_id()));
        for (key, version) in versions.chain(markers) {
            let Some(key) = key else { continue };
            let id = ObjectIdentifier::builder()
                .key(key)
                .set_version_id(version.map(str::to_string))
                .build()
                .map_err(|e| ProviderError::invalid(name, e.to_string()))?;
            ids.push(id);
        }
        if ids.is_empty() {
            return Ok(());
        }
        let batch = Delete::builder()
            .set_objects(Some(ids))
            .quiet(true)
            .build()
            .map_err(|e| ProviderError::invalid(name, e.to_string()))?;
        let out = client
            .delete_objects()
            .bucket(name)
            .delete(batch)
            .send()
            .await
            .doing("s3:DeleteObjects", name)?;
        // A refused key would be listed again next round: stop instead of looping forever.
        if let Some(first) = out.errors().first() {
            return Err(ProviderError::Aws {
                operation: "s3:DeleteObjects",
                resource: name.to_string(),
                code: first.code().unwrap_or("Unknown").to_string(),
                message: format!(
                    "{} of the objects could not be deleted; the first, `{}`: {}",
                    out.errors().len(),
                    first.key().unwrap_or("?"),
                    first.message().unwrap_or("no message")
                ),
                request_id: None,
                class: lakectl_provider::classify(first.code().unwrap_or("Unknown")),
                retryable: false,
            });
        }
    }
}

/// Deletes the bucket; a missing bucket is fine.
///
/// # Errors
/// S3 refused (`BucketNotEmpty` if objects arrived meanwhile).
pub async fn delete_bucket(client: &Client, name: &str) -> Result<(), ProviderError> {
    client
        .delete_bucket()
        .bucket(name)
        .send()
        .await
        .doing("s3:DeleteBucket", name)
        .gone_is_done()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_stops_at_the_limit_and_says_so() {
        let objects = |count, exact| {
            Some(Contents::NonEmpty {
                count,
                exact,
                noun: "objects",
            })
        };
        let cases = [
            ("empty bucket", 0, false, Some(Contents::Empty)),
            ("one page", 12, false, objects(12, true)),
            ("more pages below the limit: keep reading", 1000, true, None),
            (
                "last page reaches the limit exactly",
                10_000,
                false,
                objects(10_000, true),
            ),
            (
                "limit reached with more to come",
                10_000,
                true,
                objects(10_000, false),
            ),
            (
                "a page past the limit",
                10_500,
                true,
                objects(10_500, false),
            ),
        ];
        for (why, count, truncated, want) in cases {
            assert_eq!(tally(count, truncated), want, "{why}");
        }
    }
}
