//! Journal queries with JSON output and `--since=@epoch` windows.

use serde_json::Value;

use crate::check::{shell_quote, CheckContext, CheckError};

/// `MESSAGE_ID` systemd logs when a unit's start job completes.
pub const UNIT_STARTED: &str = "39f53479d3a045ac8e11786248231fbf";
/// `MESSAGE_ID` systemd logs when a unit enters the failed state, as a
/// oneshot service does after each failed run.
pub const UNIT_FAILED: &str = "d9b373ed55a64feb8242e02dbe79a49c";

/// One journal entry.
#[derive(Debug, Clone)]
pub struct JournalEntry {
    /// `__REALTIME_TIMESTAMP`: microseconds since the epoch.
    pub realtime_us: u64,
    pub message: String,
    /// syslog priority, 0 (emergency) to 7 (debug).
    pub priority: Option<u8>,
    pub cursor: String,
    fields: serde_json::Map<String, Value>,
}

impl JournalEntry {
    /// Returns a field's value as text, if the entry has it.
    pub fn field(&self, name: &str) -> Option<String> {
        self.fields.get(name).map(field_text)
    }

    pub fn realtime_secs(&self) -> u64 {
        self.realtime_us / 1_000_000
    }
}

/// A journal query: match terms and an optional start of the window.
#[derive(Debug, Clone, Default)]
pub struct JournalQuery {
    terms: Vec<String>,
    since_epoch: Option<u64>,
    until_epoch: Option<u64>,
    current_boot: bool,
}

impl JournalQuery {
    pub fn new() -> Self {
        JournalQuery::default()
    }

    /// Adds a `FIELD=value` match; matches on different fields must all hold.
    pub fn with_match(mut self, field: &str, value: &str) -> Self {
        self.terms.push(format!("{field}={value}"));
        self
    }

    /// Adds `-u unit`, which matches the unit's own messages and systemd's
    /// messages about it.
    pub fn with_unit(mut self, unit: &str) -> Self {
        self.terms.push(format!("--unit={unit}"));
        self
    }

    pub fn with_since(mut self, epoch_seconds: u64) -> Self {
        self.since_epoch = Some(epoch_seconds);
        self
    }

    pub fn with_until(mut self, epoch_seconds: u64) -> Self {
        self.until_epoch = Some(epoch_seconds);
        self
    }

    /// Limits the query to `window`, a history window such as
    /// [`crate::checks::history_window`] returns.
    pub fn with_window(self, window: (u64, u64)) -> Self {
        self.with_since(window.0).with_until(window.1)
    }

    pub fn with_current_boot(mut self) -> Self {
        self.current_boot = true;
        self
    }

    fn script(&self) -> String {
        let mut script = String::from("journalctl --no-pager --output=json");
        if let Some(since) = self.since_epoch {
            script.push_str(&format!(" --since=@{since}"));
        }
        if let Some(until) = self.until_epoch {
            script.push_str(&format!(" --until=@{until}"));
        }
        if self.current_boot {
            script.push_str(" --boot");
        }
        for term in &self.terms {
            script.push(' ');
            script.push_str(&shell_quote(term));
        }
        script
    }

    /// Runs the query and returns the entries, oldest first.
    pub fn run(&self, ctx: &CheckContext, label: &str) -> Result<Vec<JournalEntry>, CheckError> {
        let output = ctx.run(label, &self.script())?;
        // journalctl exits 1 with "-- No entries --" on some versions.
        let empty = output.stdout.trim().is_empty();
        if !output.success() && !(empty && output.stderr.contains("No entries")) {
            return Err(CheckError::Query {
                what: label.to_string(),
                status: format!("{:?}", output.status),
            });
        }
        output.stdout.lines().filter(|line| !line.trim().is_empty()).map(parse_entry).collect()
    }
}

fn parse_entry(line: &str) -> Result<JournalEntry, CheckError> {
    let parse_error = |detail: String| CheckError::Parse {
        what: "journal entry".to_string(),
        detail,
    };
    let value: Value = serde_json::from_str(line).map_err(|error| parse_error(error.to_string()))?;
    let Value::Object(fields) = value else {
        return Err(parse_error("not a JSON object".to_string()));
    };
    let realtime_us = fields
        .get("__REALTIME_TIMESTAMP")
        .map(field_text)
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| parse_error("no __REALTIME_TIMESTAMP".to_string()))?;
    Ok(JournalEntry {
        realtime_us,
        message: fields.get("MESSAGE").map(field_text).unwrap_or_default(),
        priority: fields.get("PRIORITY").map(field_text).and_then(|text| text.parse().ok()),
        cursor: fields.get("__CURSOR").map(field_text).unwrap_or_default(),
        fields,
    })
}

/// journalctl prints a field as a string, or as an array of bytes when it is
/// not valid UTF-8.
fn field_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(bytes) => {
            let bytes: Vec<u8> = bytes.iter().filter_map(|byte| byte.as_u64()).map(|byte| byte as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
