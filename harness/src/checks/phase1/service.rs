//! The production unit: its file, enablement, state and HTTP response.

use crate::check::{shell_quote, unmet, CheckContext, CheckError};
use crate::checks::production_unit;
use crate::query::http;

pub fn unit_file(ctx: &CheckContext) -> Result<(), CheckError> {
    let expected = &ctx.profile.service.unit_file;
    let file = ctx.run("unit file", &format!("test -f {} && ls -l {}", shell_quote(expected), shell_quote(expected)))?;
    if !file.success() {
        return Err(unmet(format!("unit file {expected} to exist"), "no such regular file"));
    }
    let properties = production_unit(ctx, &["FragmentPath", "DropInPaths"])?;
    let fragment = properties.get("FragmentPath")?;
    if fragment != expected {
        return Err(unmet(
            format!("{} to be loaded from {expected}", properties.unit),
            format!("FragmentPath={fragment}"),
        ));
    }
    Ok(())
}

pub fn enabled(ctx: &CheckContext) -> Result<(), CheckError> {
    let unit = &ctx.profile.service.unit;
    // The plan's own check: the text that `systemctl is-enabled` prints.
    let output = ctx.run("systemctl is-enabled", &format!("systemctl is-enabled {}", shell_quote(unit)))?;
    let state = output.stdout_trimmed();
    if state != "enabled" {
        return Err(unmet(format!("`systemctl is-enabled {unit}` to print `enabled`"), format!("`{state}`")));
    }
    let properties = production_unit(ctx, &["UnitFileState", "WantedBy"])?;
    if properties.get("WantedBy")?.trim().is_empty() {
        return Err(unmet(
            format!("{unit} to be wanted by a target, so that it starts at boot"),
            "WantedBy is empty",
        ));
    }
    Ok(())
}

pub fn active_running(ctx: &CheckContext) -> Result<(), CheckError> {
    let properties = production_unit(ctx, &["ActiveState", "SubState", "MainPID"])?;
    let state = format!("{} ({})", properties.get("ActiveState")?, properties.get("SubState")?);
    if state != "active (running)" {
        return Err(unmet(format!("{} to be active (running)", properties.unit), state));
    }
    if properties.u64("MainPID")? == 0 {
        return Err(unmet(format!("{} to have a main process", properties.unit), "MainPID=0"));
    }
    Ok(())
}

pub fn http_health(ctx: &CheckContext) -> Result<(), CheckError> {
    let url = ctx.profile.health_url();
    let probe = http::get(ctx, &url)?;
    if !probe.is_ok() {
        return Err(unmet(format!("GET {url} on the target to return 200"), probe.describe()));
    }
    Ok(())
}
