//! alive-load: sends HTTP/1.1 load to a server on a loopback address and
//! prints latency percentiles, as a summary or as one JSON object.
//!
//! Exit status: 0 when the run completed (request errors are part of the
//! report), 1 when it could not run, 2 for invalid arguments.

use std::process::ExitCode;
use std::time::Duration;

use alive_harness::load::{self, format_connections, Config, Model};
use clap::error::ErrorKind;
use clap::{ArgGroup, CommandFactory, Parser};

/// Send HTTP/1.1 keep-alive load to a loopback URL and report latency.
///
/// Closed model (like `ab -n N -c C`): --requests N. Open model, at fixed
/// intended start times with latency measured from them: --rate R
/// --duration D.
#[derive(Debug, Parser)]
#[command(name = "alive-load", version)]
#[command(group(ArgGroup::new("model").required(true).args(["requests", "rate"])))]
struct Cli {
    /// URL to request with GET; the host must be in 127.0.0.0/8, [::1] or
    /// localhost.
    url: String,

    /// Closed model: total number of requests, shared by all connections.
    #[arg(short = 'n', long, value_name = "N")]
    requests: Option<u64>,

    /// Open model: requests per second.
    #[arg(short = 'r', long, value_name = "PER_SECOND", requires = "duration")]
    rate: Option<f64>,

    /// Open model: how long to send, such as 30s or 2m; a bare number is
    /// seconds.
    #[arg(short = 'd', long, value_name = "DURATION", value_parser = parse_duration, requires = "rate")]
    duration: Option<Duration>,

    /// Number of concurrent keep-alive connections.
    #[arg(short = 'c', long, value_name = "C", default_value_t = 1)]
    connections: usize,

    /// Time limit of each request, connect included.
    #[arg(short = 't', long, value_name = "DURATION", value_parser = parse_duration, default_value = "5s")]
    timeout: Duration,

    /// No request starts after this time from the start of the run.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "10m")]
    time_limit: Duration,

    /// Runtime worker threads [default: half the available cores, at least 1].
    #[arg(long, value_name = "N")]
    threads: Option<usize>,

    /// Print the report as one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    if let Ok(seconds) = text.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds)
            .map_err(|_| format!("`{text}` is not a non-negative number of seconds"));
    }
    humantime::parse_duration(text)
        .map_err(|error| format!("`{text}` is not a duration such as 30s or 500ms: {error}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match config_from(&cli) {
        Ok(config) => config,
        Err(error) => Cli::command()
            .error(ErrorKind::ValueValidation, error)
            .exit(),
    };

    eprintln!("alive-load: {}", describe(&config));
    let report = match load::run(&config) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("alive-load: error: {error}");
            return ExitCode::FAILURE;
        }
    };

    if cli.json {
        let json = serde_json::to_string(&report).expect("a report serializes to JSON");
        println!("{json}");
    } else {
        println!("{report}");
    }
    ExitCode::SUCCESS
}

fn config_from(cli: &Cli) -> Result<Config, load::ConfigError> {
    let model = match (cli.requests, cli.rate, cli.duration) {
        (Some(requests), _, _) => Model::Closed { requests },
        (None, Some(rate), Some(duration)) => Model::Open { rate, duration },
        _ => unreachable!("clap requires --requests, or --rate with --duration"),
    };
    let mut config = Config::new(&cli.url, model)?
        .with_connections(cli.connections)
        .with_timeout(cli.timeout)
        .with_time_limit(cli.time_limit);
    if let Some(threads) = cli.threads {
        config = config.with_threads(threads);
    }
    config.validate()?;
    Ok(config)
}

fn describe(config: &Config) -> String {
    let load = match config.model {
        Model::Closed { requests } => format!("closed model, {requests} requests"),
        Model::Open { rate, duration } => {
            format!(
                "open model, {rate} requests/s for {}",
                humantime::format_duration(duration)
            )
        }
    };
    format!(
        "{load} over {} to {}",
        format_connections(config.connections),
        config.target.url()
    )
}
