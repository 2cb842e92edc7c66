//! Tags: the desired set against the live one, turned into the calls a service takes.
//!
//! Services tag in one of two shapes: a pair of calls that add or overwrite some keys and
//! remove others (TagResource / UntagResource: IAM, DynamoDB, CloudWatch Logs, SNS, ...), or one
//! call that replaces the whole set (S3's PutBucketTagging). [`sync_pair`] and [`sync_put_all`]
//! send exactly what differs in each shape, and nothing when nothing does.

use crate::errors::Doing;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use lakectl_core::{Prop, ProviderError, Type, UpdateRequest};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Tags as key → value.
pub type Tags = BTreeMap<String, String>;

/// What differs between the desired tags and the live ones.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TagDiff {
    /// Keys to add or overwrite, with their desired values.
    pub set: Tags,
    /// Keys to remove.
    pub remove: Vec<String>,
}

impl TagDiff {
    /// The difference between `desired` and `live`.
    pub fn between(desired: &Tags, live: &Tags) -> TagDiff {
        TagDiff {
            set: desired
                .iter()
                .filter(|(k, v)| live.get(*k) != Some(*v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            remove: live
                .keys()
                .filter(|k| !desired.contains_key(*k))
                .cloned()
                .collect(),
        }
    }

    /// Whether nothing differs.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.remove.is_empty()
    }
}

/// The tag changes an update asks for, desired against live; `None` when it leaves the tags
/// alone.
///
/// # Errors
/// A spec whose `tags` are not a mapping of strings.
pub fn changed(req: &UpdateRequest) -> Result<Option<TagDiff>, ProviderError> {
    if !req.touches("tags") {
        return Ok(None);
    }
    let name = req.name.as_str();
    Ok(Some(TagDiff::between(
        &tags_of(name, &req.desired)?,
        &tags_of(name, &req.live)?,
    )))
}

/// The `tags` of a spec as a map; absent or null is empty.
///
/// # Errors
/// `tags` is not a mapping of strings (the loader validates specs, so this is a bug or an
/// unresolved reference).
pub fn tags_of(resource: &str, spec: &Value) -> Result<Tags, ProviderError> {
    match spec.get("tags") {
        None | Some(Value::Null) => Ok(Tags::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
            .collect::<Option<Tags>>()
            .ok_or_else(|| ProviderError::invalid(resource, "`tags` values must be strings")),
        Some(_) => Err(ProviderError::invalid(
            resource,
            "`tags` must be a mapping of names to strings",
        )),
    }
}

/// Tags as the JSON value a live spec holds.
pub fn tags_value<'a>(tags: impl IntoIterator<Item = (&'a String, &'a String)>) -> Value {
    Value::Object(
        tags.into_iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// A tag call and the `service:Operation` name its errors are reported under.
pub struct Call<F> {
    /// `service:Operation`, e.g. `logs:TagResource`.
    pub operation: &'static str,
    /// Sends the call.
    pub send: F,
}

/// Sends the difference through a TagResource / UntagResource pair: removals first (so a
/// service's tag limit is never exceeded midway), then additions; no call for an empty side.
///
/// # Errors
/// The first failed call, mapped as [`crate::aws_error`] maps it, naming `resource`.
pub async fn sync_pair<T, TF, TO, TE, U, UF, UO, UE>(
    resource: &str,
    diff: &TagDiff,
    tag: Call<T>,
    untag: Call<U>,
) -> Result<(), ProviderError>
where
    T: FnOnce(Tags) -> TF,
    TF: Future<Output = Result<TO, SdkError<TE, HttpResponse>>>,
    TE: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    U: FnOnce(Vec<String>) -> UF,
    UF: Future<Output = Result<UO, SdkError<UE, HttpResponse>>>,
    UE: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    if !diff.remove.is_empty() {
        (untag.send)(diff.remove.clone())
            .await
            .doing(untag.operation, resource)?;
    }
    if !diff.set.is_empty() {
        (tag.send)(diff.set.clone())
            .await
            .doing(tag.operation, resource)?;
    }
    Ok(())
}

/// Sends the desired set through a replace-all call, or the delete-all call when it is empty
/// (services refuse or misread an empty set), and nothing when nothing differs.
///
/// # Errors
/// The failed call, mapped as [`crate::aws_error`] maps it, naming `resource`.
pub async fn sync_put_all<P, PF, PO, PE, D, DF, DO, DE>(
    resource: &str,
    desired: &Tags,
    diff: &TagDiff,
    put: Call<P>,
    delete_all: Call<D>,
) -> Result<(), ProviderError>
where
    P: FnOnce(Tags) -> PF,
    PF: Future<Output = Result<PO, SdkError<PE, HttpResponse>>>,
    PE: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    D: FnOnce() -> DF,
    DF: Future<Output = Result<DO, SdkError<DE, HttpResponse>>>,
    DE: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match (diff.is_empty(), desired.is_empty()) {
        (true, _) => Ok(()),
        (false, true) => (delete_all.send)()
            .await
            .doing(delete_all.operation, resource)
            .map(drop),
        (false, false) => (put.send)(desired.clone())
            .await
            .doing(put.operation, resource)
            .map(drop),
    }
}

/// The `tags` property every taggable kind has: a mapping of strings, `{}` by default, checked
/// against the rules AWS applies to every service's tags ([`check_tags`]).
pub fn tags_prop(doc: &'static str) -> Prop {
    Prop::new("tags", Type::Map(Box::new(Type::String)), doc)
        .default(json!({}))
        .check(check_tags)
}

/// The most user tags any kind accepts: AWS's limit is 50 per resource, and lakectl's three
/// ownership tags count towards it.
pub const MAX_USER_TAGS: usize = 47;

/// AWS's tag rules, the same for every service: keys of 1–128 characters, values of at most
/// 256, no key under the reserved `aws:` prefix (in any case), and room for lakectl's own.
///
/// # Errors
/// The message names the tag and the rule.
pub fn check_tags(v: &Value) -> Result<(), String> {
    let Some(map) = v.as_object() else {
        return Ok(());
    };
    if map.len() > MAX_USER_TAGS {
        return Err(format!(
            "at most {MAX_USER_TAGS} tags fit beside lakectl's 3 ownership tags (AWS allows 50); {} given",
            map.len()
        ));
    }
    for (k, val) in map {
        if k.is_empty() || k.chars().count() > 128 {
            return Err(format!("tag key `{k}` must be 1–128 characters"));
        }
        if k.to_ascii_lowercase().starts_with("aws:") {
            return Err(format!(
                "tag key `{k}`: the `aws:` prefix is reserved for AWS"
            ));
        }
        if k.starts_with(lakectl_core::tags::PREFIX) {
            return Err(format!(
                "tag key `{k}`: the `{}` prefix is lakectl's own ownership tags",
                lakectl_core::tags::PREFIX
            ));
        }
        if val.as_str().is_some_and(|s| s.chars().count() > 256) {
            return Err(format!("tag `{k}`: a value is at most 256 characters"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_diff_holds_only_what_differs() {
        let live = tags(&[("keep", "1"), ("change", "old"), ("drop", "x")]);
        let desired = tags(&[("keep", "1"), ("change", "new"), ("add", "y")]);
        let d = TagDiff::between(&desired, &live);
        assert_eq!(d.set, tags(&[("add", "y"), ("change", "new")]));
        assert_eq!(d.remove, vec!["drop".to_string()]);
        assert!(TagDiff::between(&live, &live).is_empty());
    }

    /// (why, desired, live, calls made)
    type Case = (&'static str, Tags, Tags, Vec<String>);

    /// What a test call answers: success, typed as an SDK call's result.
    type Sent = Result<(), SdkError<NoError, HttpResponse>>;

    #[derive(Debug)]
    struct NoError;
    impl std::fmt::Display for NoError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("never")
        }
    }
    impl std::error::Error for NoError {}
    impl ProvideErrorMetadata for NoError {
        fn meta(&self) -> &aws_smithy_types::error::ErrorMetadata {
            unreachable!("the test calls never fail")
        }
    }

    #[tokio::test]
    async fn each_shape_sends_only_the_calls_it_needs() {
        let cases: Vec<Case> = vec![
            (
                "equal: nothing",
                tags(&[("a", "1")]),
                tags(&[("a", "1")]),
                vec![],
            ),
            (
                "one added",
                tags(&[("a", "1"), ("b", "2")]),
                tags(&[("a", "1")]),
                vec!["tag b".into()],
            ),
            (
                "one removed",
                tags(&[]),
                tags(&[("a", "1")]),
                vec!["untag a".into()],
            ),
            (
                "changed and removed: untag first",
                tags(&[("a", "2")]),
                tags(&[("a", "1"), ("b", "1")]),
                vec!["untag b".into(), "tag a".into()],
            ),
        ];
        for (why, desired, live, want) in cases {
            let log = Mutex::new(Vec::new());
            let calls = &log;
            let d = TagDiff::between(&desired, &live);
            let tag = Call {
                operation: "test:Tag",
                send: move |t: Tags| async move {
                    let keys: Vec<String> = t.into_keys().collect();
                    calls
                        .lock()
                        .expect("lock")
                        .push(format!("tag {}", keys.join(",")));
                    Sent::Ok(())
                },
            };
            let untag = Call {
                operation: "test:Untag",
                send: move |k: Vec<String>| async move {
                    calls
                        .lock()
                        .expect("lock")
                        .push(format!("untag {}", k.join(",")));
                    Sent::Ok(())
                },
            };
            sync_pair("r", &d, tag, untag).await.expect("sync");
            assert_eq!(log.into_inner().expect("lock"), want, "pair: {why}");
        }
        let put_all_cases: Vec<Case> = vec![
            (
                "equal: nothing",
                tags(&[("a", "1")]),
                tags(&[("a", "1")]),
                vec![],
            ),
            (
                "changed: the whole set",
                tags(&[("a", "2"), ("b", "1")]),
                tags(&[("a", "1")]),
                vec!["put a,b".into()],
            ),
            (
                "emptied: delete all",
                tags(&[]),
                tags(&[("a", "1")]),
                vec!["delete".into()],
            ),
        ];
        for (why, desired, live, want) in put_all_cases {
            let log = Mutex::new(Vec::new());
            let calls = &log;
            let d = TagDiff::between(&desired, &live);
            let put = Call {
                operation: "test:Put",
                send: move |t: Tags| async move {
                    let keys: Vec<String> = t.into_keys().collect();
                    calls
                        .lock()
                        .expect("lock")
                        .push(format!("put {}", keys.join(",")));
                    Sent::Ok(())
                },
            };
            let delete = Call {
                operation: "test:Delete",
                send: move || async move {
                    calls.lock().expect("lock").push("delete".to_string());
                    Sent::Ok(())
                },
            };
            sync_put_all("r", &desired, &d, put, delete)
                .await
                .expect("sync");
            assert_eq!(log.into_inner().expect("lock"), want, "put-all: {why}");
        }
    }

    #[test]
    fn tag_rules_are_the_same_for_every_kind() {
        let many: serde_json::Map<String, Value> =
            (0..48).map(|i| (format!("k{i}"), json!("v"))).collect();
        let cases = [
            ("plain", json!({"team": "data"}), None),
            (
                "reserved aws prefix",
                json!({"aws:owner": "me"}),
                Some("reserved for AWS"),
            ),
            (
                "reserved in any case",
                json!({"AWS:owner": "me"}),
                Some("reserved for AWS"),
            ),
            (
                "lakectl's own",
                json!({"lakectl:env": "x"}),
                Some("ownership tags"),
            ),
            ("empty key", json!({"": "x"}), Some("1–128 characters")),
            (
                "long value",
                json!({"k": "v".repeat(257)}),
                Some("at most 256"),
            ),
            ("too many", Value::Object(many), Some("at most 47 tags")),
        ];
        for (why, v, want) in cases {
            match (check_tags(&v), want) {
                (Ok(()), None) => {}
                (Err(got), Some(w)) => assert!(got.contains(w), "{why}: {got}"),
                (got, want) => panic!("{why}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn tags_read_from_a_spec() {
        assert_eq!(tags_of("r", &json!({})).expect("empty"), Tags::new());
        assert_eq!(
            tags_of("r", &json!({"tags": {"a": "1"}})).expect("map"),
            tags(&[("a", "1")])
        );
        assert!(tags_of("r", &json!({"tags": {"a": 1}})).is_err());
    }
}
