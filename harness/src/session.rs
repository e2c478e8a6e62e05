//! A session: the settings, profile and target of one run, ready for checks.

use std::time::{Duration, Instant};

use crate::check::{Check, CheckContext, CheckError, CheckReport, Nature, SkipReason, Verdict};
use crate::checks::production_unit;
use crate::fault::{Fault, FaultError};
use crate::image::{ensure_reference_host, ImageError, ImageRef};
use crate::phase::Phase;
use crate::profile::{Profile, ProfileError};
use crate::query::clock;
use crate::settings::{Settings, SettingsError, TargetKind};
use crate::target::{sweep_stale_containers, ContainerError, ContainerTarget, LocalError, LocalTarget, Target};
use crate::wait::{Progress, Wait};

/// Slack added to a settle wait beyond the window itself, for the time
/// production takes to start.
const SETTLE_SLACK: Duration = Duration::from_secs(30);

/// Everything checks need, set up once per run.
pub struct Session {
    pub settings: Settings,
    pub profile: Profile,
    pub target: Box<dyn Target>,
    pub fault: Option<Fault>,
    /// The target's clock when setup finished: the end of the history
    /// that observational checks read.
    pub observed_at: Option<u64>,
}

/// The run could not be set up; no check ran.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(transparent)]
    Container(#[from] ContainerError),
    #[error(transparent)]
    Local(#[from] LocalError),
    #[error(transparent)]
    Fault(#[from] FaultError),
}

impl Session {
    /// Reads the settings from the environment and opens a session for
    /// checks up to `phase`, applying the fault the settings name.
    pub fn from_env(phase: Phase) -> Result<Session, SetupError> {
        let settings = Settings::from_env()?;
        let fault = settings.fault.as_ref().map(Fault::load).transpose()?;
        Session::open(settings, fault, phase)
    }

    /// Opens a session on the target `settings` select.
    pub fn open(settings: Settings, fault: Option<Fault>, phase: Phase) -> Result<Session, SetupError> {
        // 1. The profile is read first: a bad profile should not cost a boot.
        let profile = Profile::load(&settings.profile)?;

        // 2. Start or attach the target.
        let target: Box<dyn Target> = match settings.target {
            TargetKind::Container => {
                sweep_stale_containers();
                let image = match &settings.image {
                    Some(reference) => ImageRef::parse(reference),
                    None => ensure_reference_host()?,
                };
                Box::new(ContainerTarget::start(&image, settings.keep)?)
            }
            TargetKind::Local => {
                if let Some(fault) = &fault {
                    return Err(FaultError::LocalTarget { name: fault.name.clone() }.into());
                }
                Box::new(LocalTarget::attach()?)
            }
        };
        eprintln!("session: target {}, profile {}", target.describe(), profile);
        let mut session = Session {
            settings,
            profile,
            target,
            fault,
            observed_at: None,
        };

        // 3. A fresh reference host first runs for its observation window,
        //    as a real host must have before the plan's checks.
        session.settle(phase);

        // 4. Break the host, then let it run again if the fault's header says so.
        if let Some(fault) = &session.fault {
            fault.apply(session.target.as_ref())?;
            if fault.settle {
                session.settle(phase);
            }
            if let Some(aged_phase) = fault.age {
                session.age(aged_phase);
            }
        }

        // 5. From here on the suite disturbs the host; history ends now.
        let ctx = CheckContext::new(session.target.as_ref(), &session.profile, "setup::observe");
        // One second past the target clock, which `date +%s` rounds down,
        // so that events of the last second before it are inside.
        session.observed_at = clock::now(&ctx).ok().map(|now| now + 1);
        Ok(session)
    }

    /// Waits until production has been active for the longest window of
    /// the phases up to `phase`, when the profile sets `observation.settle`.
    /// A production unit that is down never settles; the wait then ends at
    /// its deadline and the checks report the state they find.
    fn settle(&self, phase: Phase) {
        if !self.profile.observation.settle {
            return;
        }
        let window = phase.with_gates().map(|phase| phase.window(&self.profile)).max().unwrap_or_default();
        let ctx = CheckContext::new(self.target.as_ref(), &self.profile, "setup::settle");
        let wait = Wait::new(
            format!("{} to be active for its {} observation window", self.profile.service.unit, humantime::format_duration(window)),
            window + SETTLE_SLACK,
        )
        .with_interval(Duration::from_millis(250));
        let result = wait.poll(|| {
            let properties = production_unit(&ctx, &["ActiveState", "ActiveEnterTimestamp"])?;
            let now = clock::now(&ctx)?;
            let entered = properties.timestamp("ActiveEnterTimestamp")?.unwrap_or(now);
            let uptime = now.saturating_sub(entered);
            if properties.get("ActiveState")? == "active" && uptime >= window.as_secs() {
                return Ok::<_, CheckError>(Progress::Done(uptime));
            }
            Ok(Progress::Pending(format!("{} for {uptime} s", properties.get("ActiveState")?)))
        });
        match result {
            Ok(Ok(waited)) => eprintln!("session: production settled: {}", waited),
            Ok(Err(timeout)) => eprintln!("session: warning: {timeout}"),
            Err(error) => eprintln!("session: warning: failed to read production's uptime: {error}"),
        }
    }

    /// Lets the `phase` window pass after a fault, so that the fault's
    /// events are older than that window but still inside longer ones.
    fn age(&self, phase: Phase) {
        let window = phase.window(&self.profile) + Duration::from_secs(1);
        let ctx = CheckContext::new(self.target.as_ref(), &self.profile, "setup::age");
        let Ok(applied) = clock::now(&ctx) else {
            eprintln!("session: warning: failed to read the target clock; the fault is not aged");
            return;
        };
        let wait = Wait::new(
            format!("the fault to age past the {phase} window of {}", humantime::format_duration(window)),
            window + SETTLE_SLACK,
        )
        .with_interval(Duration::from_millis(250));
        let result = wait.poll(|| {
            let now = clock::now(&ctx)?;
            if now >= applied + window.as_secs() {
                return Ok::<_, CheckError>(Progress::Done(now - applied));
            }
            Ok(Progress::Pending(format!("{} s since the fault", now - applied)))
        });
        match result {
            Ok(Ok(waited)) => eprintln!("session: fault aged: {waited}"),
            Ok(Err(timeout)) => eprintln!("session: warning: {timeout}"),
            Err(error) => eprintln!("session: warning: failed to age the fault: {error}"),
        }
    }

    /// Runs one check and returns its report. A disruptive check is skipped
    /// on a `local` target unless disruption is allowed.
    pub fn run_check(&self, check: &'static Check) -> CheckReport {
        let target = self.target.describe();
        if check.nature == Nature::Disruptive && !self.settings.disruption_allowed() {
            return CheckReport {
                id: check.id,
                phase: check.phase,
                verdict: Verdict::Skipped(SkipReason::DisruptionNotAllowed),
                evidence: Default::default(),
                elapsed: Duration::ZERO,
                target,
            };
        }

        let ctx = CheckContext::new(self.target.as_ref(), &self.profile, check.id)
            .with_artifact_dir(self.settings.report_dir.join("artifacts"))
            .with_observed_at(self.observed_at);
        let start = Instant::now();
        let result = (check.run)(&ctx);
        let elapsed = start.elapsed();
        let verdict = match result {
            Ok(()) => Verdict::Passed,
            Err(CheckError::NotApplicable(reason)) => Verdict::Skipped(SkipReason::NotApplicable(reason)),
            Err(error) => Verdict::Failed(error),
        };
        CheckReport {
            id: check.id,
            phase: check.phase,
            verdict,
            evidence: ctx.into_evidence(),
            elapsed,
            target,
        }
    }

    /// Returns a report that skips `check` because its gate failed.
    pub fn blocked(&self, check: &'static Check, gate: Phase, failed: Vec<String>) -> CheckReport {
        CheckReport {
            id: check.id,
            phase: check.phase,
            verdict: Verdict::Skipped(SkipReason::Blocked { gate, failed }),
            evidence: Default::default(),
            elapsed: Duration::ZERO,
            target: self.target.describe(),
        }
    }
}

/// Returns the checks of the phases up to `phase` in run order: phase by
/// phase, and within a phase the observational checks before the
/// disruptive ones, so that uptime and restart counts are read before the
/// suite kills anything.
pub fn ordered_checks(phase: Phase) -> Vec<&'static Check> {
    let mut checks = Vec::new();
    for phase in phase.with_gates() {
        for nature in [Nature::Observational, Nature::Disruptive] {
            checks.extend(phase.checks().iter().filter(|check| check.nature == nature));
        }
    }
    checks
}

/// Returns the first phase before `phase` with failed or blocked checks
/// among `reports`, with those checks' IDs. Skipped checks do not block: a
/// disruptive check skipped on a live host is unverified, not failed.
pub fn gate_failure(reports: &[CheckReport], phase: Phase) -> Option<(Phase, Vec<String>)> {
    for gate in Phase::ALL.into_iter().filter(|gate| *gate < phase) {
        let failed: Vec<String> = reports
            .iter()
            .filter(|report| report.phase == gate)
            .filter(|report| {
                report.verdict.is_failed() || matches!(report.verdict, Verdict::Skipped(SkipReason::Blocked { .. }))
            })
            .map(|report| report.id.to_string())
            .collect();
        if !failed.is_empty() {
            return Some((gate, failed));
        }
    }
    None
}

impl Session {
    /// Runs every check up to `phase` in order, blocking a phase whose gate
    /// failed, and returns the reports. With `gate_observations_only`, the
    /// earlier phases contribute only their observational checks.
    pub fn run_all(&self, phase: Phase, gate_observations_only: bool) -> Vec<CheckReport> {
        let mut reports = Vec::new();
        let selected = ordered_checks(phase)
            .into_iter()
            .filter(|check| !gate_observations_only || check.phase == phase || check.nature == Nature::Observational);
        for check in selected {
            let report = match gate_failure(&reports, check.phase) {
                Some((gate, failed)) => self.blocked(check, gate, failed),
                None => self.run_check(check),
            };
            reports.push(report);
        }
        reports
    }
}
