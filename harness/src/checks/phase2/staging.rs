//! Staging deploys and their effect on production's Caddy and alerts.

use crate::check::{shell_quote, unmet, CheckContext, CheckError};
use crate::disruption;
use crate::query::clock;
use crate::query::journal::{JournalQuery, UNIT_FAILED, UNIT_STARTED};
use crate::wait::{Progress, Wait};
use crate::query::http::{self, ProbedRun};

use super::caddy::caddy_loads;

/// Time one staging deploy may take.
const DEPLOY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

pub fn staging_deploy_no_reload(ctx: &CheckContext) -> Result<(), CheckError> {
    let before = caddy_loads(ctx)?;
    disruption::record_begin(ctx, "staging deploy")?;
    let deploy = deploy_with_probes(ctx);
    disruption::record_end(ctx, "staging deploy")?;
    let probes = deploy?;
    let after = caddy_loads(ctx)?;

    if after.journal_loads != before.journal_loads {
        return Err(unmet(
            "no Caddy configuration load during the staging deploy",
            format!("`load complete` entries went from {} to {}", before.journal_loads, after.journal_loads),
        ));
    }
    if after.last_reload_metric != before.last_reload_metric {
        return Err(unmet(
            "Caddy's last successful reload time to stay the same",
            format!("{:?} became {:?}", before.last_reload_metric, after.last_reload_metric),
        ));
    }
    if after.main_pid != before.main_pid {
        return Err(unmet("Caddy's MainPID to stay the same", format!("{} became {}", before.main_pid, after.main_pid)));
    }
    if probes.failed > 0 {
        return Err(unmet(
            "production to answer 200 throughout the staging deploy",
            format!("{} of {} probes failed: {}", probes.failed, probes.probes, probes.failures.join("; ")),
        ));
    }
    Ok(())
}

pub fn staging_deploys_no_alerts(ctx: &CheckContext) -> Result<(), CheckError> {
    let health = &ctx.profile.healthcheck;
    let deploys = ctx.profile.staging.deploys_in_a_row;
    let alerts_before = alert_count(ctx)?;
    let started = clock::now(ctx)?;

    disruption::record_begin(ctx, "staging deploys in a row")?;
    let mut outcome = Ok(());
    for deploy in 1..=deploys {
        outcome = run_deploy(ctx, &format!("staging deploy {deploy} of {deploys}"));
        if outcome.is_err() {
            break;
        }
    }
    disruption::record_end(ctx, "staging deploys in a row")?;
    outcome?;

    // systemd records every failed run of the health check, so the journal
    // shows each counter increment during the deploys, even one that a
    // later success reset. One more cycle lets a late run finish.
    let cycle = health.interval + health.max_accuracy + health.run_time;
    let runs_after = await_runs_since(ctx, clock::now(ctx)?, cycle)?;
    let failures: Vec<String> = JournalQuery::new()
        .with_match("_PID", "1")
        .with_match("UNIT", &health.service)
        .with_match("MESSAGE_ID", UNIT_FAILED)
        .with_since(started)
        .run(ctx, &format!("failed runs of {} since the first deploy", health.service))?
        .iter()
        .map(|entry| format!("@{} {}", entry.realtime_secs(), entry.message))
        .collect();
    ctx.note(format!("{runs_after} health checks completed after the deploys"));
    if !failures.is_empty() {
        return Err(unmet(
            format!("{deploys} staging deploys to cause no failed production health check"),
            format!("{} failed runs: {}", failures.len(), failures.join("; ")),
        ));
    }
    if let (Some(before), Some(after)) = (alerts_before, alert_count(ctx)?) {
        if after != before {
            return Err(unmet(
                format!("{deploys} staging deploys to send no production alert"),
                format!("{} new alerts at the receiver", after.saturating_sub(before)),
            ));
        }
    }
    Ok(())
}

/// Waits until the health check has completed a run that started at or
/// after `since`, and returns how many such runs there were.
fn await_runs_since(ctx: &CheckContext, since: u64, cycle: std::time::Duration) -> Result<usize, CheckError> {
    let health = &ctx.profile.healthcheck;
    let query = JournalQuery::new()
        .with_match("_PID", "1")
        .with_match("UNIT", &health.service)
        .with_match("MESSAGE_ID", UNIT_STARTED)
        .with_since(since + 1);
    let wait = Wait::new(format!("a completed run of {} after the deploys", health.service), cycle * 2);
    let polled = wait.poll(|| {
        let runs = query.run(ctx, "health checks after the deploys")?.len();
        if runs > 0 {
            return Ok::<_, CheckError>(Progress::Done(runs));
        }
        Ok(Progress::Pending("no run yet".to_string()))
    })?;
    Ok(polled?.value)
}

fn alert_count(ctx: &CheckContext) -> Result<Option<usize>, CheckError> {
    let Some(log) = &ctx.profile.alerts.receiver_log else {
        return Ok(None);
    };
    let output = ctx.run("alerts at the receiver", &format!("cat {} 2>/dev/null | wc -l", shell_quote(log)))?;
    Ok(output.stdout_trimmed().parse().ok())
}

fn run_deploy(ctx: &CheckContext, label: &str) -> Result<(), CheckError> {
    let staging = &ctx.profile.staging;
    let output = ctx.run_with_timeout(label, &format!("cd {} && {}", shell_quote(&staging.dir), staging.deploy), DEPLOY_TIMEOUT)?;
    if !output.success() {
        return Err(unmet(format!("`{}` to succeed", staging.deploy), "it failed; see its output"));
    }
    Ok(())
}

/// Runs the staging deploy while the target probes production directly
/// and through Caddy.
fn deploy_with_probes(ctx: &CheckContext) -> Result<ProbedRun, CheckError> {
    let staging = &ctx.profile.staging;
    let urls = [ctx.profile.health_url(), ctx.profile.caddy.production_url.clone()];
    let command = format!("cd {} && {}", shell_quote(&staging.dir), staging.deploy);
    let probed = http::probe_during(ctx, "staging deploy with production probes", &urls, &command, DEPLOY_TIMEOUT)?;
    if probed.command_status != Some(0) {
        return Err(unmet(format!("`{}` to succeed", staging.deploy), "it failed; see its output"));
    }
    Ok(probed)
}
