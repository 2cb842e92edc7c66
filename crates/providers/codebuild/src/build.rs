//! Following one build of a project to its end: each phase as it finishes, then the outcome
//! and where its log is.

use aws_sdk_codebuild::Client;
use aws_sdk_codebuild::types::{Build, BuildPhase, StatusType};
use lakectl_core::ProviderError;
use lakectl_provider::Doing;
use lakectl_provider::wait::{Goal, Poll, until};
use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

/// Starts builds and follows them.
pub struct Builds {
    client: Client,
}

/// How a build ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// CodeBuild's status: `SUCCEEDED`, `FAILED`, `FAULT`, `TIMED_OUT`, `STOPPED`.
    pub status: String,
    /// The phase that failed and CodeBuild's message, when one did.
    pub failure: Option<String>,
    /// The log group and stream of the build.
    pub log: Option<(String, String)>,
    /// The console link to the log.
    pub link: Option<String>,
}

impl Finished {
    /// Whether the build succeeded.
    pub fn succeeded(&self) -> bool {
        self.status == StatusType::Succeeded.as_str()
    }
}

impl Builds {
    /// Builds through the shared SDK config.
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self::from_client(lakectl_provider::client!(aws_sdk_codebuild, config))
    }

    /// Builds through a client built elsewhere.
    pub fn from_client(client: Client) -> Self {
        Builds { client }
    }

    /// StartBuild of `project` (of `source_version` when given); the build's id.
    ///
    /// # Errors
    /// CodeBuild refused (no such project: class NotFound).
    pub async fn start(
        &self,
        project: &str,
        source_version: Option<&str>,
    ) -> Result<String, ProviderError> {
        let out = self
            .client
            .start_build()
            .project_name(project)
            .set_source_version(source_version.map(str::to_string))
            .send()
            .await
            .doing("codebuild:StartBuild", project)?;
        Ok(out
            .build_value()
            .and_then(Build::id)
            .unwrap_or_default()
            .to_string())
    }

    /// Waits for build `id` to end, at most `limit`, telling `say` each phase once it ends:
    /// `INSTALL SUCCEEDED in 41 s`, `BUILD FAILED: COMMAND_EXECUTION_ERROR: ...`.
    ///
    /// # Errors
    /// A failed read, or the wait's timeout naming the build's phase then.
    pub async fn follow(
        &self,
        id: &str,
        limit: Duration,
        say: &(dyn Fn(&str) + Sync),
    ) -> Result<Finished, ProviderError> {
        let told = Mutex::new(BTreeSet::new());
        let goal = Goal {
            operation: "codebuild:BatchGetBuilds",
            resource: id,
            goal: "finish",
        };
        until(goal, limit, || async {
            let out = self
                .client
                .batch_get_builds()
                .ids(id)
                .send()
                .await
                .doing("codebuild:BatchGetBuilds", id)?;
            let Some(build) = out.builds().first() else {
                return Err(ProviderError::invalid(
                    id,
                    "CodeBuild does not know this build",
                ));
            };
            {
                let mut told = told.lock().unwrap_or_else(|p| p.into_inner());
                for phase in build.phases().iter().filter(|p| ended(p)) {
                    let line = phase_line(phase);
                    if told.insert(line.clone()) {
                        say(&line);
                    }
                }
            }
            Ok(match build.build_status() {
                None | Some(StatusType::InProgress) => {
                    Poll::Pending(build.current_phase().unwrap_or("IN_PROGRESS").to_string())
                }
                Some(status) => Poll::Ready(finished(build, status)),
            })
        })
        .await
    }
}

fn ended(phase: &BuildPhase) -> bool {
    phase
        .phase_status()
        .is_some_and(|s| *s != StatusType::InProgress)
}

/// `BUILD FAILED: COMMAND_EXECUTION_ERROR: Error while executing command` or
/// `INSTALL SUCCEEDED in 41 s`.
pub(crate) fn phase_line(phase: &BuildPhase) -> String {
    let name = phase.phase_type().map_or("?", |p| p.as_str());
    let status = phase.phase_status().map_or("?", |s| s.as_str());
    let why: Vec<String> = phase
        .contexts()
        .iter()
        .filter_map(|c| {
            let message = c.message().filter(|m| !m.is_empty())?;
            Some(match c.status_code() {
                Some(code) => format!("{code}: {message}"),
                None => message.to_string(),
            })
        })
        .collect();
    match (why.is_empty(), phase.duration_in_seconds()) {
        (false, _) => format!("{name} {status}: {}", why.join("; ")),
        (true, Some(secs)) => format!("{name} {status} in {secs} s"),
        (true, None) => format!("{name} {status}"),
    }
}

fn finished(build: &Build, status: &StatusType) -> Finished {
    let failure = build
        .phases()
        .iter()
        .find(|p| {
            p.phase_status()
                .is_some_and(|s| !matches!(s, StatusType::Succeeded | StatusType::InProgress))
        })
        .map(phase_line);
    let logs = build.logs();
    Finished {
        status: status.as_str().to_string(),
        failure,
        log: logs.and_then(|l| Some((l.group_name()?.to_string(), l.stream_name()?.to_string()))),
        link: logs.and_then(|l| l.deep_link()).map(str::to_string),
    }
}
