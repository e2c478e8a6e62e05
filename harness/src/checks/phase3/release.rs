//! Production's build and release tooling: the frozen-lockfile build, its
//! pre-build checks, the blue-green swap and the deployment document.

use crate::check::{shell_quote, unmet, CheckContext, CheckError};
use crate::checks::production_unit;
use crate::disruption;
use crate::load_tool;

/// Shell functions shared by the build checks: a content hash of a tree,
/// and a snapshot of the live build and of every build.
const SNAPSHOT_FUNCTIONS: &str = r#"
tree_hash() { (cd "$1" 2>/dev/null && find . -type f -print0 | sort -z | xargs -0 -r sha256sum | sha256sum | cut -d' ' -f1); }
live_snapshot() { live=$(readlink -f "$CURRENT"); echo "$live $(tree_hash "$live")"; }
builds_snapshot() { for build in "$BUILDS"/*/; do echo "$build $(tree_hash "$build")"; done; }
"#;

pub fn frozen_lockfile_declared(ctx: &CheckContext) -> Result<(), CheckError> {
    let script = &ctx.profile.production_build.build_script;
    // The plan's check: the flag appears in the script.
    let output = ctx.run("`frozen-lockfile` in the build script", &format!("grep -n -- frozen-lockfile {}", shell_quote(script)))?;
    if !output.success() {
        return Err(unmet(format!("{script} to contain `frozen-lockfile`"), "no such text"));
    }
    Ok(())
}

pub fn build_script_executable(ctx: &CheckContext) -> Result<(), CheckError> {
    require_executable(ctx, &ctx.profile.production_build.build_script)
}

pub fn swap_script_executable(ctx: &CheckContext) -> Result<(), CheckError> {
    require_executable(ctx, &ctx.profile.production_build.swap_script)
}

fn require_executable(ctx: &CheckContext, path: &str) -> Result<(), CheckError> {
    let output = ctx.run(&format!("file {path}"), &format!("test -f {0} && test -x {0} && ls -l {0}", shell_quote(path)))?;
    if !output.success() {
        return Err(unmet(format!("{path} to exist and be executable"), "it is missing or not executable"));
    }
    Ok(())
}

pub fn prebuild_checks_declared(ctx: &CheckContext) -> Result<(), CheckError> {
    let script = &ctx.profile.production_build.build_script;
    // The plan's checks, word for word.
    for pattern in ["check.*disk.*space", "check.*memory"] {
        let output = ctx.run(&format!("`{pattern}` in the build script"), &format!("grep -n -- {} {}", shell_quote(pattern), shell_quote(script)))?;
        if !output.success() {
            return Err(unmet(format!("{script} to match `{pattern}`"), "no matching line"));
        }
    }
    Ok(())
}

pub fn deploy_doc(ctx: &CheckContext) -> Result<(), CheckError> {
    let doc = &ctx.profile.production_build.deploy_doc;
    let output = ctx.run("deployment document", &format!("test -f {0} && grep -n -- frozen-lockfile {0}", shell_quote(doc)))?;
    if !output.success() {
        return Err(unmet(format!("{doc} to exist and describe the frozen-lockfile build"), "missing, or no `frozen-lockfile` in it"));
    }
    Ok(())
}

pub fn frozen_lockfile_enforced(ctx: &CheckContext) -> Result<(), CheckError> {
    let build = &ctx.profile.production_build;
    let manifest = ctx.query("production package.json", &format!("cat {}/package.json", shell_quote(&build.source_dir)))?;
    let mut package: serde_json::Value = serde_json::from_str(&manifest.stdout).map_err(|error| CheckError::Parse {
        what: "production package.json".to_string(),
        detail: error.to_string(),
    })?;
    let name = &build.unlisted_dependency_name;
    if package["dependencies"].get(name).is_some() {
        return Err(unmet(format!("{name} not to be a dependency of production already"), "it is; pick another production_build.unlisted_dependency_name"));
    }
    package["dependencies"][name] = serde_json::Value::String(build.unlisted_dependency_spec.clone());
    let changed = serde_json::to_string_pretty(&package).unwrap_or_default();

    // The build runs on a copy of the source whose package.json gained a
    // dependency that its lockfile lacks. The builds are kept aside and put
    // back if the build replaced one.
    let script = format!(
        r#"CURRENT={current}; BUILDS={builds}
{SNAPSHOT_FUNCTIONS}
source=$(mktemp -d /tmp/alive-suite-frozen.XXXXXX)
keep=$(mktemp -d /tmp/alive-suite-builds.XXXXXX)
cp -a {source_dir}/. "$source/"
cat > "$source/package.json" <<'ALIVE_SUITE_JSON'
{changed}
ALIVE_SUITE_JSON
cp -a "$BUILDS/." "$keep/"
live_before=$(live_snapshot); builds_before=$(builds_snapshot)
{build_script} "$source"; status=$?
live_after=$(live_snapshot); builds_after=$(builds_snapshot)
if [ "$builds_after" != "$builds_before" ]; then
  echo "builds changed; restoring them" >&2
  for build in "$keep"/*/; do color=$(basename "$build"); rm -rf "$BUILDS/$color.restore"; cp -a "$build" "$BUILDS/$color.restore"; rm -rf "$BUILDS/$color"; mv "$BUILDS/$color.restore" "$BUILDS/$color"; done
fi
rm -rf "$source" "$keep"
echo "build_status=$status"
[ "$live_before" = "$live_after" ] && echo "live_unchanged=yes" || echo "live_unchanged=no"
[ "$builds_before" = "$builds_after" ] && echo "builds_unchanged=yes" || echo "builds_unchanged=no""#,
        current = shell_quote(&build.current_link),
        builds = shell_quote(&build.builds_dir),
        source_dir = shell_quote(&build.source_dir),
        build_script = shell_quote(&build.build_script),
    );
    disruption::record_begin(ctx, "production build with a stale lockfile")?;
    let output = ctx.run_with_timeout("production build with a stale lockfile", &script, std::time::Duration::from_secs(600));
    disruption::record_end(ctx, "production build with a stale lockfile")?;
    let output = output?;

    let build_status = marker(&output.stdout, "build_status").unwrap_or("unknown").to_string();
    if build_status == "0" {
        return Err(unmet(
            "the build to fail because package.json gained a dependency its lockfile lacks",
            "it succeeded: the install is not frozen",
        ));
    }
    let text = format!("{}{}", output.stdout, output.stderr).to_lowercase();
    if !text.contains("lockfile") {
        return Err(unmet(
            "the build to fail on the lockfile mismatch, saying so",
            format!("it exited {build_status} without mentioning the lockfile"),
        ));
    }
    if marker(&output.stdout, "live_unchanged") != Some("yes") {
        return Err(unmet("the live build to stay untouched", "the live build changed"));
    }
    if marker(&output.stdout, "builds_unchanged") != Some("yes") {
        return Err(unmet("the failed build to leave every build untouched", "a build changed (restored afterwards)"));
    }
    Ok(())
}

pub fn prebuild_checks_enforced(ctx: &CheckContext) -> Result<(), CheckError> {
    let build = &ctx.profile.production_build;
    for (variable, resource) in [(&build.disk_threshold_var, "disk"), (&build.memory_threshold_var, "memory")] {
        // A threshold no machine meets: the build must refuse before it
        // touches anything.
        let script = format!(
            r#"CURRENT={current}; BUILDS={builds}
{SNAPSHOT_FUNCTIONS}
before=$(builds_snapshot)
{variable}=999999999 {build_script}; status=$?
after=$(builds_snapshot)
echo "build_status=$status"
[ "$before" = "$after" ] && echo "builds_unchanged=yes" || echo "builds_unchanged=no""#,
            current = shell_quote(&build.current_link),
            builds = shell_quote(&build.builds_dir),
            build_script = shell_quote(&build.build_script),
        );
        let label = format!("production build with {variable}=999999999");
        disruption::record_begin(ctx, &label)?;
        let output = ctx.run_with_timeout(&label, &script, std::time::Duration::from_secs(600));
        disruption::record_end(ctx, &label)?;
        let output = output?;
        let status = marker(&output.stdout, "build_status").unwrap_or("unknown");
        if status == "0" {
            return Err(unmet(format!("the build to refuse to start when {resource} is below {variable}"), "it ran"));
        }
        let text = format!("{}{}", output.stdout, output.stderr).to_lowercase();
        if !text.contains(resource) {
            return Err(unmet(format!("the refusal to name the {resource} check"), format!("exit {status} without mentioning {resource}")));
        }
        if marker(&output.stdout, "builds_unchanged") != Some("yes") {
            return Err(unmet("a refused build to leave every build untouched", "a build changed"));
        }
    }
    Ok(())
}

pub fn swap_under_load(ctx: &CheckContext) -> Result<(), CheckError> {
    let build = &ctx.profile.production_build;
    let load = &ctx.profile.load;
    let before = production_unit(ctx, &["MainPID"])?;
    let main_pid = before.u64("MainPID")?;
    let live_before = ctx.query("live build", &format!("readlink -f {}", shell_quote(&build.current_link)))?;
    let live_before = live_before.stdout_trimmed().to_string();
    let binary = load_tool::ensure(ctx)?;

    // The load runs in the background for long enough to cover both swaps;
    // the swaps start once it has sent its first requests.
    let script = format!(
        r#"report=$(mktemp); current={current}
{load} > "$report" &
load=$!
for attempt in $(seq 100); do
  ss -Htn state established "( dport = :{port} )" | grep -q . && break
  sleep 0.05
done
{swap}; first=$?
echo "after_first=$(readlink -f "$current")"
{swap}; second=$?
echo "after_second=$(readlink -f "$current")"
wait "$load"
echo "swap_status=$first $second"
echo "report=$(tr -d '\n' < "$report")"
rm -f "$report""#,
        current = shell_quote(&build.current_link),
        load = load_tool::command(
            ctx,
            &binary,
            &format!(
                "{} --rate {} --duration {SWAP_LOAD_SECONDS}s --connections {}",
                shell_quote(&ctx.profile.health_url()),
                load.swap_rate,
                load.connections
            )
        ),
        port = ctx.profile.service.port,
        swap = shell_quote(&build.swap_script),
    );
    disruption::record_begin(ctx, "blue-green swap and swap back under load")?;
    let output = ctx.run_with_timeout("blue-green swap and swap back under load", &script, std::time::Duration::from_secs(300));
    let restored = restore_live(ctx, &live_before);
    disruption::record_end(ctx, "blue-green swap and swap back under load")?;
    let output = output?;
    restored?;

    let report: crate::load::Report = marker(&output.stdout, "report")
        .and_then(|json| serde_json::from_str(json).ok())
        .ok_or_else(|| CheckError::Parse {
            what: "the load report during the swap".to_string(),
            detail: "no report= line with a valid report".to_string(),
        })?;
    ctx.save_artifact("load.json", &serde_json::to_string_pretty(&report).unwrap_or_default());
    ctx.note(format!("load during the swaps: {report}"));

    if marker(&output.stdout, "swap_status") != Some("0 0") {
        return Err(unmet("both swaps to succeed", format!("exit statuses {}", marker(&output.stdout, "swap_status").unwrap_or("unknown"))));
    }
    let after_first = marker(&output.stdout, "after_first").unwrap_or("");
    if after_first == live_before {
        return Err(unmet("the first swap to change the live build", format!("still {live_before}")));
    }
    if report.errors.total() > 0 || report.ok == 0 {
        return Err(unmet(
            "no failed request during the swaps",
            format!("{} of {} requests failed: {:?}", report.errors.total(), report.sent, report.errors),
        ));
    }
    let after = production_unit(ctx, &["MainPID"])?;
    if after.u64("MainPID")? != main_pid {
        return Err(unmet(format!("MainPID to stay {main_pid} through the swaps"), format!("MainPID={}", after.get("MainPID")?)));
    }
    Ok(())
}

/// Seconds of load kept up around the two swaps.
const SWAP_LOAD_SECONDS: u64 = 6;

/// Puts the live build back to `live` with the swap script when a failed
/// swap left another build live.
fn restore_live(ctx: &CheckContext, live: &str) -> Result<(), CheckError> {
    let build = &ctx.profile.production_build;
    let script = format!(
        "[ \"$(readlink -f {current})\" = {live} ] || {swap}",
        current = shell_quote(&build.current_link),
        live = shell_quote(live),
        swap = shell_quote(&build.swap_script)
    );
    ctx.query("restore: the live build", &script)?;
    Ok(())
}

/// Returns the value of the last `key=value` line in `text`.
pub(super) fn marker<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let prefix = format!("{key}=");
    text.lines().rev().find_map(|line| line.strip_prefix(prefix.as_str()))
}
