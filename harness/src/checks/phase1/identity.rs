//! The service user and production's directory tree.

use crate::check::{shell_quote, unmet, CheckContext, CheckError};

/// UIDs below this are system users on Debian (`SYS_UID_MAX` is 999).
const FIRST_REGULAR_UID: u32 = 1000;

pub fn system_user(ctx: &CheckContext) -> Result<(), CheckError> {
    let user = &ctx.profile.service.user;
    let output = ctx.run(&format!("passwd entry of {user}"), &format!("getent passwd {}", shell_quote(user)))?;
    if !output.success() {
        return Err(unmet(format!("user {user} to exist"), "getent found no such user"));
    }

    // name:password:uid:gid:gecos:home:shell
    let fields: Vec<&str> = output.stdout_trimmed().split(':').collect();
    let uid: u32 = fields.get(2).and_then(|uid| uid.parse().ok()).ok_or_else(|| CheckError::Parse {
        what: format!("passwd entry of {user}"),
        detail: format!("`{}` has no numeric UID field", output.stdout_trimmed()),
    })?;
    if uid >= FIRST_REGULAR_UID {
        return Err(unmet(
            format!("{user} to be a system user with a UID below {FIRST_REGULAR_UID}"),
            format!("UID {uid}"),
        ));
    }
    if uid == 0 {
        return Err(unmet(format!("{user} to be a non-root user"), "UID 0"));
    }
    Ok(())
}

pub fn directories(ctx: &CheckContext) -> Result<(), CheckError> {
    let stats = stat_tree(ctx, "file type of production directories", "%F")?;
    let missing: Vec<String> = stats
        .iter()
        .filter(|(_, value)| value != "directory")
        .map(|(path, value)| format!("{path}: {value}"))
        .collect();
    if !missing.is_empty() {
        return Err(unmet("every production directory to exist as a directory", missing.join("; ")));
    }
    Ok(())
}

pub fn ownership(ctx: &CheckContext) -> Result<(), CheckError> {
    let user = &ctx.profile.service.user;
    let stats = stat_tree(ctx, "owners of production directories", "%U")?;
    let wrong: Vec<String> = stats
        .iter()
        .filter(|(_, owner)| owner != user)
        .map(|(path, owner)| format!("{path} is owned by {owner}"))
        .collect();
    if !wrong.is_empty() {
        return Err(unmet(format!("the production root and its directories to be owned by {user}"), wrong.join("; ")));
    }
    Ok(())
}

/// Runs `stat -c FORMAT` on the layout root and each directory under it and
/// returns `(path, value)` pairs; a missing path gets stat's error as value.
fn stat_tree(ctx: &CheckContext, label: &str, format: &str) -> Result<Vec<(String, String)>, CheckError> {
    let layout = &ctx.profile.layout;
    let mut paths = vec![layout.root.clone()];
    paths.extend(layout.directories.iter().map(|dir| format!("{}/{dir}", layout.root)));
    let quoted: Vec<String> = paths.iter().map(|path| shell_quote(path)).collect();
    let script = format!(
        "for path in {}; do printf '%s\\t%s\\n' \"$path\" \"$(stat -c {} \"$path\" 2>&1 | head -n1)\"; done",
        quoted.join(" "),
        shell_quote(format)
    );
    let output = ctx.query(label, &script)?;
    Ok(output
        .stdout
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(path, value)| (path.to_string(), value.to_string()))
        .collect())
}
