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
    let mut held = Held::default();
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
        held.latest += page
            .versions()
            .iter()
            .filter(|v| v.is_latest() == Some(true))
            .count() as u64;
        held.versions += page.versions().len() as u64;
        held.markers += page.delete_markers().len() as u64;
        if let Some(done) = tally(held, page.is_truncated().unwrap_or(false)) {
            return Ok(done);
        }
        key_marker = page.next_key_marker;
        version_marker = page.next_version_id_marker;
    }
}

/// What a listing has counted so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Held {
    /// Object versions, current ones included.
    versions: u64,
    /// Current versions: what an unversioned bucket calls its objects.
    latest: u64,
    /// Delete markers.
    markers: u64,
}

impl Held {
    /// What to call them: a versioned bucket's old versions and delete markers are said as
    /// such, so that "5" of a bucket that lists no object reads right.
    fn noun(self) -> &'static str {
        match (self.versions > self.latest, self.markers > 0) {
            (false, false) => "objects",
            (true, false) => "object versions",
            (_, true) if self.versions == 0 => "delete markers",
            (_, true) => "object versions and delete markers",
        }
    }
}

/// The answer after a page, or `None` to read the next one: the count is exact when the
/// listing ended, and stops (inexact) once it reaches [`COUNT_LIMIT`] with more to come.
fn tally(held: Held, truncated: bool) -> Option<Contents> {
    let count = held.versions + held.markers;
    let exact = match (truncated, count >= COUNT_LIMIT) {
        (false, _) => true,
        (true, true) => false,
        (true, false) => return None,
    };
    Some(if count == 0 {
        Contents::Empty
    } else {
        Contents::NonEmpty {
            count,
            exact,
            noun: held.noun(),
        }
    })
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
        let current = |n| Held {
            versions: n,
            latest: n,
            markers: 0,
        };
        let cases = [
            ("empty bucket", current(0), false, Some(Contents::Empty)),
            ("one page", current(12), false, objects(12, true)),
            (
                "more pages below the limit: keep reading",
                current(1000),
                true,
                None,
            ),
            (
                "last page reaches the limit exactly",
                current(10_000),
                false,
                objects(10_000, true),
            ),
            (
                "limit reached with more to come",
                current(10_000),
                true,
                objects(10_000, false),
            ),
            (
                "a page past the limit",
                current(10_500),
                true,
                objects(10_500, false),
            ),
        ];
        for (why, held, truncated, want) in cases {
            assert_eq!(tally(held, truncated), want, "{why}");
        }
    }

    #[test]
    fn a_versioned_bucket_says_versions_and_delete_markers() {
        let said = |versions, latest, markers| {
            tally(
                Held {
                    versions,
                    latest,
                    markers,
                },
                false,
            )
            .and_then(|c| c.describe())
        };
        let cases = [
            ((3, 3, 0), "3 objects"),
            ((1, 1, 0), "1 object"),
            ((3, 2, 0), "3 object versions"),
            ((0, 0, 1), "1 delete marker"),
            ((3, 0, 2), "5 object versions and delete markers"),
        ];
        for ((versions, latest, markers), want) in cases {
            assert_eq!(
                said(versions, latest, markers).as_deref(),
                Some(want),
                "{versions} versions, {latest} current, {markers} markers"
            );
        }
    }
}
