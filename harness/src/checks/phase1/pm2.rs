//! Production's independence from PM2.

use std::time::{Duration, Instant};

use crate::check::{shell_quote, unmet, CheckContext, CheckError};
use crate::checks::production_unit;
use crate::disruption;
use crate::query::{http, procfs};

/// How long production must keep serving, on the same process, after
/// `pm2 kill`. A unit bound to PM2 is stopped within milliseconds of the
/// daemon's exit, so a few seconds of polling catch it.
const OBSERVATION_AFTER_KILL: Duration = Duration::from_secs(3);

pub fn no_pm2_production(ctx: &CheckContext) -> Result<(), CheckError> {
    let production_apps = &ctx.profile.pm2.production_apps;
    let managed = procfs::pm2_processes(ctx)?;
    let on_pm2: Vec<String> = managed
        .iter()
        .filter(|process| production_apps.contains(&process.name))
        .map(|process| format!("pid {} is PM2 app `{}` (pm_id {})", process.pid, process.name, process.pm_id))
        .collect();
    if !on_pm2.is_empty() {
        return Err(unmet(
            format!("no PM2 app named {} to run", production_apps.join(" or ")),
            on_pm2.join("; "),
        ));
    }

    // Whatever PM2 calls its apps, the production port must belong to the unit.
    let port = ctx.profile.service.port;
    let properties = production_unit(ctx, &["ControlGroup"])?;
    let control_group = properties.get("ControlGroup")?;
    let listeners = procfs::port_listeners(ctx, port)?;
    if listeners.is_empty() {
        return Err(unmet(format!("{} to listen on port {port}", properties.unit), "no process listens on it"));
    }
    let foreign: Vec<String> = listeners
        .iter()
        .filter(|listener| !listener.cgroups.contains(&format!(":{control_group}")))
        .map(|listener| format!("pid {} in cgroups {}", listener.pid, listener.cgroups.trim()))
        .collect();
    if !foreign.is_empty() {
        return Err(unmet(
            format!("port {port} to be served only by processes of {}", properties.unit),
            foreign.join("; "),
        ));
    }
    Ok(())
}

pub fn survives_pm2_kill(ctx: &CheckContext) -> Result<(), CheckError> {
    if procfs::pm2_daemons(ctx)?.is_empty() {
        return Err(CheckError::NotApplicable(
            "no PM2 daemon runs on the target, so there is nothing to kill".to_string(),
        ));
    }
    let before = production_unit(ctx, &["MainPID", "NRestarts"])?;
    let main_pid = before.u64("MainPID")?;
    let restarts = before.u64("NRestarts")?;

    disruption::record_begin(ctx, "pm2 kill")?;
    let outcome = kill_pm2_and_observe(ctx, main_pid);
    let restored = restore_pm2(ctx);
    let production_restored = super::restart::ensure_active(ctx);
    disruption::record_end(ctx, "pm2 kill")?;
    outcome?;
    restored?;
    production_restored?;

    let after = production_unit(ctx, &["MainPID", "NRestarts"])?;
    let unit = &after.unit;
    if after.u64("MainPID")? != main_pid {
        return Err(unmet(
            format!("{unit} to keep MainPID {main_pid} through `pm2 kill`"),
            format!("MainPID={}", after.get("MainPID")?),
        ));
    }
    if after.u64("NRestarts")? != restarts {
        return Err(unmet(
            format!("NRestarts of {unit} to stay {restarts}"),
            format!("NRestarts={}", after.get("NRestarts")?),
        ));
    }
    Ok(())
}

fn kill_pm2_and_observe(ctx: &CheckContext, main_pid: u64) -> Result<(), CheckError> {
    let pm2 = &ctx.profile.pm2;
    let script = format!("PM2_HOME={} {} kill", shell_quote(&pm2.home), pm2.command);
    ctx.query("pm2 kill", &script)?;

    let url = ctx.profile.health_url();
    let unit = shell_quote(&ctx.profile.service.unit);
    let start = Instant::now();
    let mut probes = 0;
    while start.elapsed() < OBSERVATION_AFTER_KILL {
        probes += 1;
        let probe = http::get_unrecorded(ctx, &url)?;
        let pid = ctx.run_unrecorded(&format!("systemctl show -p MainPID --value {unit}"))?;
        let pid = pid.stdout_trimmed().to_string();
        if !probe.is_ok() || pid != main_pid.to_string() {
            return Err(unmet(
                format!("production to keep answering 200 on MainPID {main_pid} after `pm2 kill`"),
                format!(
                    "probe {probes} after {} ms: {} with MainPID={pid}",
                    start.elapsed().as_millis(),
                    probe.describe()
                ),
            ));
        }
    }
    ctx.note(format!(
        "{probes} probes over {} ms after `pm2 kill`: all HTTP 200 on MainPID {main_pid}",
        start.elapsed().as_millis()
    ));
    Ok(())
}

fn restore_pm2(ctx: &CheckContext) -> Result<(), CheckError> {
    let pm2 = &ctx.profile.pm2;
    ctx.query("restore: PM2 and its apps", &format!("PM2_HOME={} {}", shell_quote(&pm2.home), pm2.restore))?;
    Ok(())
}
