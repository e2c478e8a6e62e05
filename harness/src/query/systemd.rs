//! Unit properties from `systemctl show`.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::check::{shell_quote, unmet, CheckContext, CheckError};

/// Properties of one unit, as `systemctl show` printed them.
#[derive(Debug, Clone)]
pub struct UnitProperties {
    pub unit: String,
    values: BTreeMap<String, String>,
}

/// Reads `properties` of `unit`. Fails unless the unit is loaded and every
/// requested property is present. Timestamps are requested in Unix form
/// (`@seconds`) so that they need no locale-dependent parsing.
pub fn show_unit(
    ctx: &CheckContext,
    unit: &str,
    properties: &[&str],
) -> Result<UnitProperties, CheckError> {
    let mut script = format!("systemctl show --timestamp=unix {} -p LoadState", shell_quote(unit));
    for property in properties {
        script.push_str(&format!(" -p {property}"));
    }
    let output = ctx.query(&format!("properties of {unit}"), &script)?;
    let values: BTreeMap<String, String> = output
        .stdout
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    let properties_found = UnitProperties {
        unit: unit.to_string(),
        values,
    };

    let load_state = properties_found.get("LoadState")?;
    if load_state != "loaded" {
        return Err(unmet(
            format!("unit {unit} to be loaded"),
            format!("LoadState={load_state}"),
        ));
    }
    for property in properties {
        properties_found.get(property)?;
    }
    Ok(properties_found)
}

impl UnitProperties {
    /// Returns a property's raw value.
    pub fn get(&self, name: &str) -> Result<&str, CheckError> {
        self.values
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| CheckError::Parse {
                what: format!("property {name} of {}", self.unit),
                detail: "systemctl show did not print it".to_string(),
            })
    }

    pub fn u64(&self, name: &str) -> Result<u64, CheckError> {
        let value = self.get(name)?;
        value.parse().map_err(|_| self.invalid(name, value, "an unsigned integer"))
    }

    /// Returns a byte limit such as `MemoryMax`; `None` means `infinity`.
    pub fn limit_bytes(&self, name: &str) -> Result<Option<u64>, CheckError> {
        match self.get(name)? {
            "infinity" => Ok(None),
            value => value
                .parse()
                .map(Some)
                .map_err(|_| self.invalid(name, value, "a byte count or infinity")),
        }
    }

    /// Returns a time span such as `RestartUSec`; `None` means `infinity`.
    /// systemd prints spans like `100ms`, `1min 30s` or `0`.
    pub fn span(&self, name: &str) -> Result<Option<Duration>, CheckError> {
        match self.get(name)? {
            "infinity" => Ok(None),
            "0" => Ok(Some(Duration::ZERO)),
            value => humantime::parse_duration(value)
                .map(Some)
                .map_err(|_| self.invalid(name, value, "a time span or infinity")),
        }
    }

    /// Returns a timestamp printed with `--timestamp=unix` as seconds since
    /// the epoch; `None` when the unit never reached that state.
    pub fn timestamp(&self, name: &str) -> Result<Option<u64>, CheckError> {
        match self.get(name)? {
            "" | "n/a" => Ok(None),
            value => value
                .strip_prefix('@')
                .and_then(|seconds| seconds.parse().ok())
                .map(Some)
                .ok_or_else(|| self.invalid(name, value, "a timestamp of the form @seconds")),
        }
    }

    fn invalid(&self, name: &str, value: &str, expected: &str) -> CheckError {
        CheckError::Parse {
            what: format!("property {name} of {}", self.unit),
            detail: format!("`{value}` is not {expected}"),
        }
    }
}
