//! Caddy's split configuration.

use crate::check::{shell_quote, unmet, CheckContext, CheckError};

pub fn caddyfiles_present(ctx: &CheckContext) -> Result<(), CheckError> {
    let caddy = &ctx.profile.caddy;
    let mut missing = Vec::new();
    for file in [&caddy.production_file, &caddy.staging_file] {
        let output = ctx.run(&format!("file {file}"), &format!("test -f {0} && ls -l {0}", shell_quote(file)))?;
        if !output.success() {
            missing.push(file.clone());
        }
    }
    if !missing.is_empty() {
        return Err(unmet("both split Caddyfiles to exist", format!("missing: {}", missing.join(", "))));
    }
    Ok(())
}

pub fn caddy_imports(ctx: &CheckContext) -> Result<(), CheckError> {
    let caddy = &ctx.profile.caddy;

    // The plan's text check: the import lines in the main file.
    for file in [&caddy.production_file, &caddy.staging_file] {
        let line = format!("import {file}");
        let output = ctx.run(
            &format!("`{line}` in {}", caddy.main_file),
            &format!("grep -n -- {} {}", shell_quote(&line), shell_quote(&caddy.main_file)),
        )?;
        if !output.success() {
            return Err(unmet(format!("{} to contain `{line}`", caddy.main_file), "no such line"));
        }
    }

    // What Caddy makes of it: the adapted JSON must proxy to both upstreams.
    let adapted = ctx.run(
        "caddy adapt of the main Caddyfile",
        &format!("caddy adapt --config {} --adapter caddyfile 2>&1", shell_quote(&caddy.main_file)),
    )?;
    if !adapted.success() {
        return Err(unmet(format!("`caddy adapt` to accept {}", caddy.main_file), "it failed; see its output"));
    }
    for (site, upstream) in [("production", &caddy.production_upstream), ("staging", &caddy.staging_upstream)] {
        if !adapted.stdout.contains(&format!("\"dial\":\"{upstream}\"")) {
            return Err(unmet(
                format!("the adapted configuration to proxy {site} to {upstream}"),
                format!("no upstream with \"dial\":\"{upstream}\""),
            ));
        }
    }
    Ok(())
}

pub fn caddyfile_prod_readonly(ctx: &CheckContext) -> Result<(), CheckError> {
    let file = &ctx.profile.caddy.production_file;
    let stat = ctx.query(&format!("mode and owner of {file}"), &format!("stat -c '%a %U' {}", shell_quote(file)))?;
    let (mode, owner) = stat.stdout_trimmed().split_once(' ').unwrap_or(("", ""));
    if mode != "444" || owner != "root" {
        return Err(unmet(format!("{file} to have mode 444 and owner root"), format!("mode {mode}, owner {owner}")));
    }

    // Mode bits are not the whole story: a writable directory on the path
    // lets anyone replace the file. Ask the kernel as an unprivileged user.
    let script = format!(
        r#"file={file}
for user in nobody {service_user}; do
  if setpriv --reuid="$user" --regid=nogroup --clear-groups sh -c ': >> "$1"' _ "$file" 2>/dev/null; then
    echo "$user can write $file"
  fi
  dir=$(dirname "$file")
  while [ "$dir" != / ]; do
    probe="$dir/.alive-suite-write-probe-$$"
    if setpriv --reuid="$user" --regid=nogroup --clear-groups sh -c ': > "$1"' _ "$probe" 2>/dev/null; then
      rm -f "$probe"
      echo "$user can create files in $dir, so it can replace $file"
    fi
    dir=$(dirname "$dir")
  done
done"#,
        file = shell_quote(file),
        service_user = shell_quote(&ctx.profile.service.user)
    );
    let attempts = ctx.query(&format!("write attempts on {file} as non-root users"), &script)?;
    if !attempts.stdout_trimmed().is_empty() {
        return Err(unmet(
            format!("no non-root user to be able to write or replace {file}"),
            attempts.stdout_trimmed().replace('\n', "; "),
        ));
    }
    Ok(())
}

/// Caddy's configuration loads so far: `load complete` entries in its
/// journal, and the admin API's last successful reload time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CaddyLoads {
    pub journal_loads: usize,
    pub last_reload_metric: Option<String>,
    pub main_pid: String,
}

pub(super) fn caddy_loads(ctx: &CheckContext) -> Result<CaddyLoads, CheckError> {
    let caddy = &ctx.profile.caddy;
    let loads = ctx.query(
        "Caddy configuration loads in its journal",
        &format!("journalctl --no-pager --unit={} --output=cat | grep -c 'load complete' || true", shell_quote(&caddy.unit)),
    )?;
    let journal_loads = loads.stdout_trimmed().parse().map_err(|_| CheckError::Parse {
        what: "count of Caddy loads".to_string(),
        detail: format!("`{}` is not a number", loads.stdout_trimmed()),
    })?;
    let metric = ctx.run(
        "Caddy's last successful reload (admin API metrics)",
        &format!(
            "curl --silent --max-time 5 {}/metrics | grep '^caddy_config_last_reload_successful_timestamp_seconds'",
            shell_quote(&caddy.admin_url)
        ),
    )?;
    let main_pid = ctx.query(
        "Caddy's main PID",
        &format!("systemctl show -p MainPID --value {}", shell_quote(&caddy.unit)),
    )?;
    Ok(CaddyLoads {
        journal_loads,
        last_reload_metric: metric.success().then(|| metric.stdout_trimmed().to_string()),
        main_pid: main_pid.stdout_trimmed().to_string(),
    })
}
