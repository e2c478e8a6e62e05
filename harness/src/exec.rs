//! The output of one command run on a target.

use std::fmt;
use std::time::Duration;

/// Everything a command run on a target produced, kept whole for evidence.
#[derive(Debug, Clone)]
pub struct CommandOutput {
    /// The shell script as it was sent to the target.
    pub script: String,
    /// Exit code; `None` when the command was killed by a signal or the
    /// exit code could not be read back from the target.
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Wall-clock time from sending the command to reading its exit code.
    pub elapsed: Duration,
}

impl CommandOutput {
    /// Returns whether the command exited with code 0.
    pub fn success(&self) -> bool {
        self.status == Some(0)
    }

    /// Returns standard output with surrounding whitespace removed.
    pub fn stdout_trimmed(&self) -> &str {
        self.stdout.trim()
    }
}

impl fmt::Display for CommandOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = match self.status {
            Some(code) => format!("exit {code}"),
            None => "no exit code".to_string(),
        };
        writeln!(f, "$ {}", self.script.trim())?;
        writeln!(f, "({status}, {} ms)", self.elapsed.as_millis())?;
        write_block(f, "stdout", &self.stdout)?;
        write_block(f, "stderr", &self.stderr)
    }
}

/// Maximum characters of one stream kept in evidence; the head and the tail
/// are kept because both usually matter (the command's start and its error).
const EXCERPT_CHARS: usize = 4000;

fn write_block(f: &mut fmt::Formatter<'_>, name: &str, text: &str) -> fmt::Result {
    if text.trim().is_empty() {
        return Ok(());
    }
    writeln!(f, "{name}:")?;
    for line in excerpt(text, EXCERPT_CHARS).lines() {
        writeln!(f, "  | {line}")?;
    }
    Ok(())
}

/// Shortens `text` to about `limit` characters, keeping its head and tail.
pub fn excerpt(text: &str, limit: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= limit {
        return text.to_string();
    }
    let half = limit / 2;
    let head: String = chars[..half].iter().collect();
    let tail: String = chars[chars.len() - half..].iter().collect();
    let omitted = chars.len() - 2 * half;
    format!("{head}\n[... {omitted} characters omitted ...]\n{tail}")
}

/// Path markers after which webhook URLs carry their secret: Slack's
/// `/services/T.../B.../token` and the reference host's `/hooks/...`.
const SECRET_PATH_MARKERS: &[&str] = &["/hooks/", "/services/"];

/// Replaces the secret part of webhook URLs in `text` with `[redacted]`,
/// so that evidence and reports never carry an alert channel's token.
pub fn redact_secrets(text: &str) -> String {
    let mut result = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = SECRET_PATH_MARKERS
            .iter()
            .filter_map(|marker| rest.find(marker).map(|index| (index, marker.len())))
            .min();
        let Some((index, marker_len)) = next else {
            result.push_str(rest);
            return result;
        };
        let secret_start = index + marker_len;
        result.push_str(&rest[..secret_start]);
        let secret_len = rest[secret_start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ','))
            .unwrap_or(rest.len() - secret_start);
        if secret_len > 0 {
            result.push_str("[redacted]");
        }
        rest = &rest[secret_start + secret_len..];
    }
}

#[cfg(test)]
mod tests {
    use super::redact_secrets;

    #[test]
    fn redacts_webhook_tokens() {
        let text = r#"{"path":"/hooks/T0/B0/abc123","ok":1} url https://example.invalid/services/T1/B2/xyz done"#;
        let redacted = redact_secrets(text);
        assert_eq!(
            redacted,
            r#"{"path":"/hooks/[redacted]","ok":1} url https://example.invalid/services/[redacted] done"#
        );
    }

    #[test]
    fn leaves_other_text_alone() {
        assert_eq!(redact_secrets("GET /health 200"), "GET /health 200");
    }
}
