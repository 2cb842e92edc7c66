//! Progress of a deploy: a live view on a terminal, plain timestamped lines otherwise.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lakectl_core::Action;
use lakectl_engine::{Progress, ProgressEvent};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Reports engine events on stderr.
pub struct Reporter {
    bar: Option<ProgressBar>,
    started: Instant,
    in_flight: Mutex<Vec<String>>,
}

fn verb(action: Action, done: bool) -> &'static str {
    match (action, done) {
        (Action::Create, false) => "creating",
        (Action::Create, true) => "created",
        (Action::Update, false) => "updating",
        (Action::Update, true) => "updated",
        (Action::Replace, false) => "replacing",
        (Action::Replace, true) => "replaced",
        (Action::Delete, false) => "deleting",
        (Action::Delete, true) => "deleted",
        (Action::Forget, false) => "forgetting",
        (Action::Forget, true) => "forgotten (left in AWS)",
        (Action::NoOp, _) => "unchanged",
    }
}

impl Reporter {
    /// A live view when stderr is a terminal, plain lines otherwise.
    pub fn new(total: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed}] {pos}/{len} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Reporter {
            bar,
            started: Instant::now(),
            in_flight: Mutex::new(Vec::new()),
        }
    }

    fn line(&self, text: String) {
        let stamp = format!("[{:>6.1}s]", self.started.elapsed().as_secs_f64());
        match &self.bar {
            Some(bar) => bar.println(format!("{stamp} {text}")),
            None => eprintln!("{stamp} {text}"),
        }
    }

    fn set_in_flight(&self, f: impl FnOnce(&mut Vec<String>)) {
        let mut list = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut list);
        if let Some(bar) = &self.bar {
            let shown: Vec<&str> = list.iter().take(4).map(String::as_str).collect();
            let more = list.len().saturating_sub(shown.len());
            let suffix = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            bar.set_message(format!("{}{suffix}", shown.join(", ")));
        }
    }

    /// Clears the live view.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Reporter {
    fn event(&self, e: &ProgressEvent) {
        match e {
            ProgressEvent::Observing { done, total } => {
                if let Some(bar) = &self.bar {
                    bar.set_length(*total as u64);
                    bar.set_position(*done as u64);
                    bar.set_message("reading live resources");
                }
            }
            ProgressEvent::Waiting { address, status } => {
                self.line(format!("    {address}: waiting ({status})"))
            }
            ProgressEvent::Started { address, action } => {
                if self.bar.is_none() {
                    self.line(format!(
                        "{:>3} {address}: {}",
                        action.symbol(),
                        verb(*action, false)
                    ));
                }
                let a = address.to_string();
                self.set_in_flight(|l| l.push(a));
            }
            ProgressEvent::Retrying {
                address,
                attempt,
                error,
            } => {
                self.line(format!(
                    "    {address}: retrying (attempt {attempt}) after: {error}"
                ));
            }
            ProgressEvent::Done {
                address,
                action,
                elapsed,
            } => {
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
                self.line(format!(
                    "{:>3} {address}: {} in {:.1}s",
                    action.symbol(),
                    verb(*action, true),
                    elapsed.as_secs_f64()
                ));
                let a = address.to_string();
                self.set_in_flight(|l| l.retain(|x| *x != a));
            }
            ProgressEvent::Failed { address, error } => {
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
                self.line(format!("  ! {address}: failed: {error}"));
                let a = address.to_string();
                self.set_in_flight(|l| l.retain(|x| *x != a));
            }
            ProgressEvent::Halted { not_started } => {
                self.line(format!(
                    "  ! the endpoint stopped answering: starting nothing more ({not_started} change(s) not started), waiting for what is in flight"
                ));
            }
            ProgressEvent::Skipped {
                address,
                blocked_by,
            } => {
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
                self.line(format!(
                    "  ! {address}: skipped, because {blocked_by} failed"
                ));
            }
        }
    }
}
