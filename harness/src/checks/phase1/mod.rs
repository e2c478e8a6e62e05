//! Phase 1: production runs as a hardened systemd unit instead of PM2.

mod identity;
mod pm2;
pub(crate) mod resources;
pub(crate) mod restart;
mod service;
pub(crate) mod stability;

use crate::check::{Check, Nature};
use crate::phase::Phase;

/// Phase 1's checks: observational ones first, then the disruptive ones.
pub static CHECKS: &[Check] = &[
    Check {
        id: "phase1::system_user",
        phase: Phase::One,
        nature: Nature::Observational,
        outcome: "User exists: `id alive-prod` returns a system user (UID < 1000)",
        run: identity::system_user,
    },
    Check {
        id: "phase1::directories",
        phase: Phase::One,
        nature: Nature::Observational,
        outcome: "Directory structure exists: builds, source, scripts",
        run: identity::directories,
    },
    Check {
        id: "phase1::ownership",
        phase: Phase::One,
        nature: Nature::Observational,
        outcome: "Directory ownership correct: owned by alive-prod",
        run: identity::ownership,
    },
    Check {
        id: "phase1::unit_file",
        phase: Phase::One,
        nature: Nature::Observational,
        outcome: "Systemd service file exists and the unit is loaded from it",
        run: service::unit_file,
    },
    Check {
        id: "phase1::enabled",
        phase: Phase::One,
        nature: Nature::Observational,
        outcome: "Service is enabled: `systemctl is-enabled` returns `enabled`",
        run: service::enabled,
    },
    Check {
        id: "phase1::active_running",
        phase: Phase::One,
        nature: Nature::Observational,
        outcome: "Service is active: active (running) with a main process",
        run: service::active_running,
    },
    Check {
        id: "phase1::http_health",
        phase: Phase::One,
        nature: Nature::Observational,
        outcome: "Service responds to HTTP: the health endpoint returns 200",
        run: service::http_health,
    },
    Check {
        id: "phase1::no_pm2_production",
        phase: Phase::One,
        nature: Nature::Observational,
        outcome: "PM2 production instance removed; production is not running on PM2",
        run: pm2::no_pm2_production,
    },
    Check {
        id: "phase1::resource_limits",
        phase: Phase::One,
        nature: Nature::Observational,
        outcome: "Resource limits active: MemoryMax and CPUQuota set and enforced by the kernel",
        run: resources::resource_limits,
    },
    Check {
        id: "phase1::non_root",
        phase: Phase::One,
        nature: Nature::Observational,
        outcome: "Running as non-root: every process of the unit runs as alive-prod",
        run: resources::non_root,
    },
    Check {
        id: "phase1::memory_within_limit",
        phase: Phase::One,
        nature: Nature::Observational,
        outcome: "Memory usage does not exceed the configured MemoryMax",
        run: resources::memory_within_limit,
    },
    Check {
        id: "phase1::no_oom_kills",
        phase: Phase::One,
        nature: Nature::Observational,
        outcome: "No OOM kills or quota events in production",
        run: resources::no_oom_kills,
    },
    Check {
        id: "phase1::stable_uptime",
        phase: Phase::One,
        nature: Nature::Observational,
        outcome: "Production stable: active (running) for the Phase 1 window (24h)",
        run: stability::stable_uptime,
    },
    Check {
        id: "phase1::restart_count",
        phase: Phase::One,
        nature: Nature::Observational,
        outcome: "Production has not restarted more than 3 times in the Phase 1 window",
        run: stability::restart_count,
    },
    Check {
        id: "phase1::restart_on_kill",
        phase: Phase::One,
        nature: Nature::Disruptive,
        outcome: "Service restarts on failure: after SIGKILL, a new process serves within 10s",
        run: restart::restart_on_kill,
    },
    Check {
        id: "phase1::survives_pm2_kill",
        phase: Phase::One,
        nature: Nature::Disruptive,
        outcome: "No dependency on PM2: after `pm2 kill`, production still serves, same process",
        run: pm2::survives_pm2_kill,
    },
];

pub(crate) use resources::window_start;
pub(crate) use restart::ensure_active;
