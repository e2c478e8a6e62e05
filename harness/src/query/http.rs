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
