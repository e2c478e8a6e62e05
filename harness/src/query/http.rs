//! HTTP probes run on the target against its loopback address, as the
//! plan's `curl localhost:9000` does. No probe crosses a network.

use std::time::Duration;

use crate::check::{shell_quote, CheckContext, CheckError};

/// One HTTP request made from inside the target.
#[derive(Debug, Clone, Copy)]
pub struct HttpProbe {
    /// HTTP status; 0 when no response arrived (refused, reset, timed out).
    pub status: u16,
    pub time: Duration,
}

impl HttpProbe {
    pub fn is_ok(&self) -> bool {
        self.status == 200
    }

    /// Returns the result in words for a message: "HTTP 503", or for status
    /// 0 the possible reasons that no response arrived.
    pub fn describe(&self) -> String {
        match self.status {
            0 => "no HTTP response (connection refused, reset or timed out)".to_string(),
            status => format!("HTTP {status}"),
        }
    }
}

/// Sends `GET url` with curl on the target and returns the status.
pub fn get(ctx: &CheckContext, url: &str) -> Result<HttpProbe, CheckError> {
    let output = ctx.run(&format!("GET {url}"), &curl_script(url))?;
    parse(&output.stdout)
}

/// Like [`get`], without recording evidence: for polls.
pub fn get_unrecorded(ctx: &CheckContext, url: &str) -> Result<HttpProbe, CheckError> {
    let output = ctx.run_unrecorded(&curl_script(url))?;
    parse(&output.stdout)
}

fn curl_script(url: &str) -> String {
    format!(
        "curl --silent --output /dev/null --max-time 5 --write-out '%{{http_code}} %{{time_total}}' {}",
        shell_quote(url)
    )
}

fn parse(stdout: &str) -> Result<HttpProbe, CheckError> {
    let parse_error = || CheckError::Parse {
        what: "curl's status line".to_string(),
        detail: format!("`{}` is not `<status> <seconds>`", stdout.trim()),
    };
    let (status, time) = stdout.trim().split_once(' ').ok_or_else(parse_error)?;
    let status = status.parse().map_err(|_| parse_error())?;
    let seconds: f64 = time.parse().map_err(|_| parse_error())?;
    Ok(HttpProbe {
        status,
        time: Duration::from_secs_f64(seconds.max(0.0)),
    })
}

/// Production probes taken while a command ran on the target.
#[derive(Debug, Clone)]
pub struct ProbedRun {
    /// Exit code of the command; `None` when it could not be read.
    pub command_status: Option<i32>,
    pub probes: usize,
    pub failed: usize,
    /// Up to five failed probes, as `url status`.
    pub failures: Vec<String>,
}

/// Runs `command` on the target while a loop there sends `GET` to each of
/// `urls` every 100 ms, and returns the command's status with the probes.
pub fn probe_during(
    ctx: &CheckContext,
    label: &str,
    urls: &[String],
    command: &str,
    timeout: Duration,
) -> Result<ProbedRun, CheckError> {
    let urls: Vec<String> = urls.iter().map(|url| shell_quote(url)).collect();
    let script = format!(
        r#"log=$(mktemp)
( while :; do
    for url in {urls}; do
      echo "$url $(curl -s -o /dev/null --max-time 2 -w '%{{http_code}}' "$url")" >> "$log"
    done
    sleep 0.1
  done ) &
probe=$!
( {command} ); status=$?
kill "$probe"; wait "$probe" 2>/dev/null
echo "command_status=$status"
echo "probes=$(wc -l < "$log")"
echo "failed=$(grep -vc ' 200$' "$log")"
grep -v ' 200$' "$log" | head -n 5 | sed 's/^/failure=/'
rm -f "$log""#,
        urls = urls.join(" "),
    );
    let output = ctx.run_with_timeout(label, &script, timeout)?;
    let values = |key: &str| -> Vec<String> {
        let prefix = format!("{key}=");
        output.stdout.lines().filter_map(|line| line.strip_prefix(prefix.as_str())).map(str::to_string).collect()
    };
    let number = |key: &str| values(key).first().and_then(|value| value.trim().parse().ok());
    Ok(ProbedRun {
        command_status: number("command_status").map(|status: usize| status as i32),
        probes: number("probes").unwrap_or(0),
        failed: number("failed").unwrap_or(0),
        failures: values("failure"),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{parse, HttpProbe};

    #[test]
    fn parse_reads_status_and_time() {
        let probe = parse("503 0.012\n").expect("valid line");
        assert_eq!(probe.status, 503);
        assert_eq!(probe.time, Duration::from_millis(12));
    }

    #[test]
    fn describe_explains_status_zero() {
        let no_response = HttpProbe { status: 0, time: Duration::ZERO };
        assert_eq!(no_response.describe(), "no HTTP response (connection refused, reset or timed out)");
        let error = HttpProbe { status: 503, time: Duration::ZERO };
        assert_eq!(error.describe(), "HTTP 503");
    }
}
