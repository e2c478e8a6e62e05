//! The host profile: every name, path, port and window the checks use.
//!
//! A profile is a TOML file. `profiles/default.toml` in this crate matches the
//! plan for a real production host. The reference host ships its own profile,
//! with the observation windows scaled down to seconds.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// A host profile as loaded from TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub service: Service,
    pub layout: Layout,
    pub pm2: Pm2,
    pub windows: Windows,
    pub caddy: Caddy,
    pub staging: Staging,
    pub healthcheck: Healthcheck,
    pub alerts: Alerts,
    pub production_build: ProductionBuild,
    pub load: Load,
    #[serde(default)]
    pub observation: Observation,
    /// The file the profile was read from; set by [`Profile::load`].
    #[serde(skip)]
    pub source: PathBuf,
}

/// The production service.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// systemd unit name, with its `.service` suffix.
    pub unit: String,
    /// Path the unit must be loaded from.
    pub unit_file: String,
    /// System user the service runs as.
    pub user: String,
    /// TCP port the service listens on, probed at 127.0.0.1 on the target.
    pub port: u16,
    /// HTTP path that must return 200.
    pub health_path: String,
    /// Time within which systemd must bring the service back after SIGKILL.
    #[serde(with = "humantime_serde")]
    pub restart_deadline: Duration,
}

/// The production directory tree.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Root of production's files, owned by the service user.
    pub root: String,
    /// Directories under `root` that must exist and belong to the user.
    pub directories: Vec<String>,
}

/// The PM2 installation that ran production before the migration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pm2 {
    /// `pm2` executable on the target.
    pub command: String,
    /// PM2_HOME of the daemon that runs staging.
    pub home: String,
    /// PM2 app names that mean "production"; none may be running.
    pub production_apps: Vec<String>,
    /// Shell command that brings PM2 and its apps back after `pm2 kill`.
    pub restore: String,
}

/// Caddy, split into a production and a staging configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Caddy {
    pub unit: String,
    /// The main Caddyfile, which imports the other two.
    pub main_file: String,
    pub production_file: String,
    pub staging_file: String,
    /// Upstream of production's site, as `caddy adapt` prints it.
    pub production_upstream: String,
    pub staging_upstream: String,
    /// Production's site through Caddy, probed on the target.
    pub production_url: String,
    /// Caddy's admin endpoint on the target, for `/metrics`.
    pub admin_url: String,
}

/// The staging checkout and its deploy command.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Staging {
    /// Directory the deploy command runs in.
    pub dir: String,
    /// Shell command that rebuilds and restarts staging.
    pub deploy: String,
    /// Staging deploys in a row that must not alert production's on-call.
    pub deploys_in_a_row: u32,
    /// Staging's own `node_modules`, which production must not share.
    pub node_modules: String,
    /// Shell command, run in `dir`, of the staging build.
    pub build: String,
    /// Shell command, run in `dir`, of the staging end-to-end tests.
    pub e2e: String,
    /// Shell command, run in `dir`, that adds a dependency to staging
    /// without the network.
    pub install: String,
    /// systemd slice that staging's work runs in.
    pub slice: String,
    /// Long-running staging units, which must run in `slice`.
    pub units: Vec<String>,
}

/// Production's own dependencies, builds and deployment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductionBuild {
    /// Production's source checkout with its `package.json` and lockfile.
    pub source_dir: String,
    pub build_script: String,
    pub swap_script: String,
    pub deploy_doc: String,
    /// Symbolic link to the live build.
    pub current_link: String,
    pub builds_dir: String,
    /// Environment variable that sets the build script's free disk
    /// threshold in MB.
    pub disk_threshold_var: String,
    /// Environment variable that sets its available memory threshold in MB.
    pub memory_threshold_var: String,
    /// systemd slice that production runs in.
    pub slice: String,
    /// Restarts allowed in the Phase 3 window, planned maintenance excluded.
    pub max_restarts: usize,
    /// A dependency that production's lockfile lacks, added to a copy of
    /// its package.json to prove the build's lockfile is frozen. Its spec
    /// must install without the frozen flag, so that only the flag can
    /// make the build fail.
    pub unlisted_dependency_name: String,
    pub unlisted_dependency_spec: String,
}

/// Load runs against production, and the latency bounds they must keep.
/// Each run sends `requests` requests at a fixed rate over `duration`, with
/// latency measured from each request's intended start, so that the run
/// covers the staging work it measures and a stalled server shows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Load {
    /// Requests per run (the plan's `ab -n`).
    pub requests: u64,
    /// Length of a run; shorter than the staging build it measures.
    #[serde(with = "humantime_serde")]
    pub duration: Duration,
    /// Concurrent connections (the plan's `ab -c`).
    pub connections: usize,
    /// Largest allowed increase of p95 latency during a staging build: 0.5
    /// is the plan's "+50%".
    pub max_p95_increase: f64,
    /// Latency increases up to this much always pass: below it, loopback
    /// latency differences are scheduler noise.
    #[serde(with = "humantime_serde")]
    pub noise_floor: Duration,
    /// Open model rate, in requests per second, of the load kept up during
    /// a blue-green swap.
    pub swap_rate: f64,
}

impl Load {
    /// Returns the request rate per second of a run.
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.duration.as_secs_f64().max(0.001)
    }
}

/// The health-check timer and its failure counter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Healthcheck {
    pub timer: String,
    pub service: String,
    pub timer_file: String,
    pub service_file: String,
    pub script: String,
    /// File holding the number of consecutive failed checks.
    pub counter_file: String,
    /// How often the check must run: the plan's "every minute".
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
    /// Largest acceptable `AccuracySec` of the timer.
    #[serde(with = "humantime_serde")]
    pub max_accuracy: Duration,
    /// Maximum time a single health check may take (its HTTP timeout).
    #[serde(with = "humantime_serde")]
    pub run_time: Duration,
    /// Consecutive failures after which the alert is sent.
    pub alert_threshold: u32,
    /// Error entries of the health check allowed in the Phase 2 window.
    pub max_false_alarms: usize,
}

/// Alert delivery.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alerts {
    pub script: String,
    /// Time from the failure to the alert's arrival: the plan's 5 minutes.
    #[serde(with = "humantime_serde")]
    pub deadline: Duration,
    /// JSON-lines file in which a webhook receiver on the target records
    /// each alert it receives. Without it, delivery cannot be verified and
    /// the alert checks are skipped.
    #[serde(default)]
    pub receiver_log: Option<String>,
}

/// Observation windows of the plan: how long each phase must have run.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Windows {
    #[serde(with = "humantime_serde")]
    pub phase1: Duration,
    #[serde(with = "humantime_serde")]
    pub phase2: Duration,
    #[serde(with = "humantime_serde")]
    pub phase3: Duration,
    #[serde(with = "humantime_serde")]
    pub final_validation: Duration,
}

/// Treatment of a host that has only just started.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// Wait, before observational checks, until production has run for the
    /// longest window of the phases under test. Meant for freshly booted
    /// reference hosts whose windows are seconds; a real host must already
    /// have run that long, so its profile leaves this off.
    #[serde(default)]
    pub settle: bool,
}

/// A profile that could not be read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The profile file is missing or unreadable.
    #[error("failed to read host profile {path}; set {var} to a valid profile file")]
    Read {
        path: PathBuf,
        var: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// The profile is not valid TOML or misses a key.
    #[error("invalid host profile {path}: {message}\nfix the key named above, or compare with {reference}")]
    Parse {
        path: PathBuf,
        message: String,
        reference: String,
    },
    /// A value parses but makes no sense.
    #[error("invalid host profile {path}: key `{key}` {problem}")]
    Invalid {
        path: PathBuf,
        key: &'static str,
        problem: String,
    },
}

impl Profile {
    /// Reads and validates the profile at `path`.
    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: path.to_path_buf(),
            var: crate::settings::PROFILE_VAR,
            source,
        })?;
        let parse_error = |message: String| ProfileError::Parse {
            path: path.to_path_buf(),
            message,
            reference: default_profile_path().display().to_string(),
        };
        let deserializer = toml::de::Deserializer::parse(&text).map_err(|error| parse_error(error.to_string()))?;
        // serde_path_to_error names the key, such as `windows.phase1`,
        // which the TOML error alone does not.
        let mut profile: Profile = serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let key = error.path().to_string();
            let cause = error.into_inner().message().to_string();
            if key == "." {
                parse_error(cause)
            } else {
                parse_error(format!("key `{key}`: {cause}"))
            }
        })?;
        profile.source = path.to_path_buf();
        profile.validate()?;
        Ok(profile)
    }

    fn validate(&self) -> Result<(), ProfileError> {
        let invalid = |key, problem: &str| ProfileError::Invalid {
            path: self.source.clone(),
            key,
            problem: problem.to_string(),
        };
        if !self.service.unit.ends_with(".service") {
            return Err(invalid("service.unit", "must end in `.service`"));
        }
        if !self.layout.root.starts_with('/') {
            return Err(invalid("layout.root", "must be an absolute path"));
        }
        if self.layout.directories.is_empty() {
            return Err(invalid("layout.directories", "must list at least one directory"));
        }
        if self.service.port == 0 {
            return Err(invalid("service.port", "must not be 0"));
        }
        if !self.service.health_path.starts_with('/') {
            return Err(invalid("service.health_path", "must start with `/`"));
        }
        Ok(())
    }

    /// Returns the URL of production's health endpoint on the target's loopback.
    pub fn health_url(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.service.port, self.service.health_path)
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source.display())
    }
}

/// Returns the profile that matches the plan on a real host.
pub fn default_profile_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/default.toml")
}

/// Returns the profile of the reference host in `containers/`.
pub fn container_profile_path() -> PathBuf {
    crate::paths::repository_root().join("containers/reference-host.profile.toml")
}
