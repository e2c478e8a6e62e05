//! Production under load while staging builds and tests, and the slices
//! that keep them apart.

use std::time::Duration;

use super::release::marker;
use crate::check::{shell_quote, unmet, CheckContext, CheckError};
use crate::checks::production_unit;
use crate::disruption;
use crate::load::{compare, Report};
use crate::load_tool;
use crate::query::http;
use crate::query::systemd::show_unit;
use crate::report::latency_svg;

/// Time a staging build or test run may take.
const STAGING_TIMEOUT: Duration = Duration::from_secs(600);

/// systemd's CPUWeight when none is set.
const DEFAULT_CPU_WEIGHT: u64 = 100;

pub fn separate_slices(ctx: &CheckContext) -> Result<(), CheckError> {
    let production_slice = &ctx.profile.production_build.slice;
    let staging_slice = &ctx.profile.staging.slice;

    let production = production_unit(ctx, &["Slice"])?;
    if production.get("Slice")? != production_slice {
        return Err(unmet(
            format!("{} to run in {production_slice}", production.unit),
            format!("Slice={}", production.get("Slice")?),
        ));
    }
    for unit in &ctx.profile.staging.units {
        let properties = show_unit(ctx, unit, &["Slice"])?;
        if properties.get("Slice")? != staging_slice {
            return Err(unmet(format!("{unit} to run in {staging_slice}"), format!("Slice={}", properties.get("Slice")?)));
        }
    }

    // A memory limit alone leaves staging's CPU use uncontained, so the CPU
    // side needs a lower weight or a quota.
    let production_weight = cpu_weight(ctx, production_slice)?;
    let staging_weight = cpu_weight(ctx, staging_slice)?;
    let staging = show_unit(ctx, staging_slice, &["CPUQuotaPerSecUSec"])?;
    if staging_weight >= production_weight && staging.span("CPUQuotaPerSecUSec")?.is_none() {
        return Err(unmet(
            format!("{staging_slice} to have a lower CPUWeight than {production_slice}, or a CPUQuota"),
            format!("CPUWeight {staging_weight} against {production_weight}, and no CPUQuota"),
        ));
    }
    Ok(())
}

fn cpu_weight(ctx: &CheckContext, unit: &str) -> Result<u64, CheckError> {
    let properties = show_unit(ctx, unit, &["CPUWeight"])?;
    match properties.get("CPUWeight")? {
        "[not set]" | "" => Ok(DEFAULT_CPU_WEIGHT),
        _ => properties.u64("CPUWeight"),
    }
}

pub fn staging_build_under_load(ctx: &CheckContext) -> Result<(), CheckError> {
    let load = &ctx.profile.load;
    let arguments = format!(
        "{} --rate {} --duration {}ms --connections {}",
        shell_quote(&ctx.profile.health_url()),
        load.rate(),
        load.duration.as_millis(),
        load.connections
    );
    let baseline = load_tool::run(ctx, "baseline load", &arguments)?;
    ctx.note(format!("baseline: {baseline}"));

    disruption::record_begin(ctx, "staging build under load")?;
    let during = build_under_load(ctx, &arguments);
    disruption::record_end(ctx, "staging build under load")?;
    let (during, foreign) = during?;
    ctx.note(format!("during the staging build: {during}"));
    save_distributions(ctx, &baseline, &during);

    for (name, report) in [("baseline", &baseline), ("during the staging build", &during)] {
        if report.errors.total() > 0 {
            return Err(unmet(
                format!("0 failed requests {name}"),
                format!("{} of {} failed: {:?}", report.errors.total(), report.sent, report.errors),
            ));
        }
    }
    let comparison = compare(&baseline, &during, 0.95, load.max_p95_increase, load.noise_floor);
    ctx.note(comparison.to_string());
    if !comparison.holds() {
        return Err(unmet(
            format!("p95 latency during the staging build within +{:.0}% of the baseline", load.max_p95_increase * 100.0),
            comparison.to_string(),
        ));
    }
    if !foreign.is_empty() {
        return Err(unmet(
            format!("no staging work in {} during the build", ctx.profile.production_build.slice),
            foreign.join("; "),
        ));
    }
    Ok(())
}

/// Starts the staging build, runs the load while it works, and samples the
/// processes in production's slice that are neither production's own nor
/// the load generator's. Returns the load report and those processes.
fn build_under_load(ctx: &CheckContext, arguments: &str) -> Result<(Report, Vec<String>), CheckError> {
    let binary = load_tool::ensure(ctx)?;
    let staging = &ctx.profile.staging;
    let script = format!(
        r#"slice_cg=$(systemctl show -p ControlGroup --value {slice})
unit_cg=$(systemctl show -p ControlGroup --value {unit})
for root in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do
  [ -n "$slice_cg" ] && [ -d "$root$slice_cg" ] && break
done
foreign=$(mktemp); report=$(mktemp); log=$(mktemp)
tasks() {{ systemctl show -p TasksCurrent --value {staging_slice}; }}
idle_tasks=$(tasks)
( cd {dir} && {build} ) > "$log" 2>&1 &
build=$!
# The load starts once the build's work runs in the staging slice.
for poll in $(seq 400); do
  [ "$(tasks)" -gt "$idle_tasks" ] 2>/dev/null && break
  kill -0 "$build" 2>/dev/null || break
  sleep 0.05
done
echo "work_started_after_polls=$poll"
( while kill -0 "$build" 2>/dev/null; do
    for procs in $(find "$root$slice_cg" -name cgroup.procs 2>/dev/null); do
      case "$procs" in "$root$unit_cg"/* | */{load_scope}*.scope/*) continue ;; esac
      for pid in $(cat "$procs"); do echo "pid $pid: $(tr '\0' ' ' < /proc/$pid/cmdline 2>/dev/null | cut -c1-120)"; done
    done >> "$foreign"
    sleep 0.2
  done ) &
sampler=$!
{load} > "$report"
kill -0 "$build" 2>/dev/null && echo "build_outlasted_load=yes" || echo "build_outlasted_load=no"
wait "$build"; status=$?
wait "$sampler"
echo "build_status=$status"
echo "report=$(tr -d '\n' < "$report")"
sort -u "$foreign" | head -n 10 | sed 's/^/foreign=/'
tail -n 5 "$log" | sed 's/^/build_log=/'
rm -f "$foreign" "$report" "$log""#,
        slice = shell_quote(&ctx.profile.production_build.slice),
        staging_slice = shell_quote(&staging.slice),
        unit = shell_quote(&ctx.profile.service.unit),
        dir = shell_quote(&staging.dir),
        build = staging.build,
        load_scope = load_tool::SCOPE_PREFIX,
        load = load_tool::command(ctx, &binary, arguments),
    );
    let output = ctx.run_with_timeout("staging build under load", &script, STAGING_TIMEOUT)?;
    if marker(&output.stdout, "build_status") != Some("0") {
        return Err(unmet(format!("`{}` in staging to succeed", staging.build), "it failed; see its output"));
    }
    if marker(&output.stdout, "build_outlasted_load") != Some("yes") {
        return Err(unmet(
            "the staging build to run for the whole load run, so that the load measures it",
            "the build ended first; lower load.requests or make the build longer",
        ));
    }
    let report = marker(&output.stdout, "report")
        .and_then(|json| serde_json::from_str(json).ok())
        .ok_or_else(|| CheckError::Parse {
            what: "the load report during the staging build".to_string(),
            detail: "no report= line with a valid report".to_string(),
        })?;
    let foreign = output
        .stdout
        .lines()
        .filter_map(|line| line.strip_prefix("foreign="))
        .map(str::to_string)
        .collect();
    Ok((report, foreign))
}

fn save_distributions(ctx: &CheckContext, baseline: &Report, during: &Report) {
    ctx.save_artifact("baseline.json", &serde_json::to_string_pretty(baseline).unwrap_or_default());
    ctx.save_artifact("during.json", &serde_json::to_string_pretty(during).unwrap_or_default());
    let title = format!("{}: production latency, baseline and during the staging build", ctx.check_id);
    ctx.save_artifact("latency.svg", &latency_svg(&title, &[("baseline", baseline), ("during build", during)]));
}

pub fn staging_e2e_isolated(ctx: &CheckContext) -> Result<(), CheckError> {
    let staging = &ctx.profile.staging;
    let before = production_unit(ctx, &["MainPID", "NRestarts"])?;

    disruption::record_begin(ctx, "staging end-to-end tests")?;
    let command = format!("cd {} && {}", shell_quote(&staging.dir), staging.e2e);
    let probed = http::probe_during(ctx, "staging end-to-end tests with production probes", &[ctx.profile.health_url()], &command, STAGING_TIMEOUT);
    let restored = crate::checks::phase1::ensure_active(ctx);
    disruption::record_end(ctx, "staging end-to-end tests")?;
    let probed = probed?;
    restored?;

    if probed.command_status != Some(0) {
        return Err(unmet(format!("`{}` in staging to pass", staging.e2e), "it failed; see its output"));
    }
    if probed.probes == 0 || probed.failed > 0 {
        return Err(unmet(
            "production to answer every probe during the staging tests",
            format!("{} of {} probes failed: {}", probed.failed, probed.probes, probed.failures.join("; ")),
        ));
    }
    let after = production_unit(ctx, &["MainPID", "NRestarts"])?;
    for property in ["MainPID", "NRestarts"] {
        if after.get(property)? != before.get(property)? {
            return Err(unmet(
                format!("{property} of {} to stay {}", after.unit, before.get(property)?),
                format!("{property}={}", after.get(property)?),
            ));
        }
    }
    Ok(())
}
