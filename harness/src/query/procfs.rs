//! Processes read from /proc: a unit's processes and their owners, PM2's
//! managed apps, and the owners of listening ports. `ps` is not used
//! because it truncates user names longer than 8 characters.

use crate::check::{shell_quote, CheckContext, CheckError};

/// A process and the user IDs it runs with.
#[derive(Debug, Clone)]
pub struct ProcessOwner {
    pub pid: u32,
    /// Real, effective, saved and file-system UIDs from /proc/PID/status.
    pub uids: [u32; 4],
    pub command: String,
}

/// Lists the processes in `control_group` with their UIDs. On cgroup v1
/// the process list lives in the systemd (or unified) hierarchy.
pub fn unit_processes(ctx: &CheckContext, control_group: &str) -> Result<Vec<ProcessOwner>, CheckError> {
    super::cgroup::require_control_group(control_group)?;
    let script = format!(
        r#"cg={}
for root in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do
  if [ -f "$root$cg/cgroup.procs" ]; then dir="$root$cg"; break; fi
done
[ -n "$dir" ] || {{ echo "no cgroup.procs for $cg" >&2; exit 1; }}
for pid in $(find "$dir" -name cgroup.procs -exec cat {{}} +); do
  uids=$(awk '/^Uid:/{{print $2, $3, $4, $5}}' /proc/$pid/status 2>/dev/null) || continue
  [ -n "$uids" ] || continue
  echo "$pid $uids $(tr '\0' ' ' < /proc/$pid/cmdline 2>/dev/null | cut -c1-200)"
done"#,
        shell_quote(control_group)
    );
    let output = ctx.query(&format!("processes of {control_group}"), &script)?;
    output.stdout.lines().map(parse_owner_line).collect()
}

fn parse_owner_line(line: &str) -> Result<ProcessOwner, CheckError> {
    let parse_error = || CheckError::Parse {
        what: "process list".to_string(),
        detail: format!("`{line}` is not `<pid> <uid> <euid> <suid> <fsuid> <command>`"),
    };
    let mut fields = line.splitn(6, ' ');
    let mut next_number = || -> Result<u32, CheckError> {
        fields.next().and_then(|field| field.parse().ok()).ok_or_else(parse_error)
    };
    let pid = next_number()?;
    let uids = [next_number()?, next_number()?, next_number()?, next_number()?];
    let command = fields.next().unwrap_or("").trim().to_string();
    Ok(ProcessOwner { pid, uids, command })
}

/// A process that PM2 manages, found by the `pm_id` and `name` variables
/// PM2 puts into each app's environment.
#[derive(Debug, Clone)]
pub struct Pm2Process {
    pub pid: u32,
    pub pm_id: String,
    pub name: String,
}

/// Lists PM2-managed processes without asking PM2, since `pm2 jlist`
/// would start a daemon on a host that has none.
pub fn pm2_processes(ctx: &CheckContext) -> Result<Vec<Pm2Process>, CheckError> {
    let script = r#"for environ in /proc/[0-9]*/environ; do
  pid=${environ#/proc/}; pid=${pid%/environ}
  tr '\0' '\n' < "$environ" 2>/dev/null | awk -v pid="$pid" '
    /^pm_id=/ { id = substr($0, 7) }
    /^name=/ { name = substr($0, 6) }
    END { if (id != "") print pid "\t" id "\t" name }'
done"#;
    let output = ctx.query("PM2-managed processes (pm_id in /proc/*/environ)", script)?;
    Ok(output
        .stdout
        .lines()
        .filter_map(|line| {
            let mut fields = line.splitn(3, '\t');
            Some(Pm2Process {
                pid: fields.next()?.parse().ok()?,
                pm_id: fields.next()?.to_string(),
                name: fields.next().unwrap_or("").to_string(),
            })
        })
        .collect())
}

/// Returns the PIDs of PM2 daemons ("PM2 vX.Y.Z: God Daemon").
pub fn pm2_daemons(ctx: &CheckContext) -> Result<Vec<u32>, CheckError> {
    let output = ctx.run("PM2 daemons", "pgrep -f 'PM2 v[0-9.]*: God Daemon' || true")?;
    Ok(output.stdout.lines().filter_map(|line| line.trim().parse().ok()).collect())
}

/// A process listening on a TCP port, with the cgroup it belongs to.
#[derive(Debug, Clone)]
pub struct Listener {
    pub pid: u32,
    pub cgroups: String,
}

/// Lists the processes listening on TCP `port` and their cgroup paths.
pub fn port_listeners(ctx: &CheckContext, port: u16) -> Result<Vec<Listener>, CheckError> {
    let script = format!(
        r#"ss -Hltnp 'sport = :{port}' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u | while read -r pid; do
  echo "$pid $(tr '\n' ' ' < /proc/$pid/cgroup)"
done"#
    );
    let output = ctx.query(&format!("listeners on TCP port {port}"), &script)?;
    Ok(output
        .stdout
        .lines()
        .filter_map(|line| {
            let (pid, cgroups) = line.split_once(' ')?;
            Some(Listener {
                pid: pid.parse().ok()?,
                cgroups: cgroups.to_string(),
            })
        })
        .collect())
}

/// Returns the UID of `user` on the target, or `None` if it does not exist.
pub fn user_id(ctx: &CheckContext, user: &str) -> Result<Option<u32>, CheckError> {
    let output = ctx.run(&format!("UID of {user}"), &format!("id -u {}", shell_quote(user)))?;
    if !output.success() {
        return Ok(None);
    }
    output.stdout_trimmed().parse().map(Some).map_err(|_| CheckError::Parse {
        what: format!("UID of {user}"),
        detail: format!("`{}` is not a number", output.stdout_trimmed()),
    })
}
