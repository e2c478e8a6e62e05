//! Phase 2: Caddy's configuration split, the health-check timer and alerts.

mod alerts;
mod caddy;
mod healthcheck;
mod staging;

use crate::check::{Check, Nature};
use crate::phase::Phase;

/// Phase 2's checks: observational ones first, then the disruptive ones.
pub static CHECKS: &[Check] = &[
    Check {
        id: "phase2::caddyfiles_present",
        phase: Phase::Two,
        nature: Nature::Observational,
        outcome: "Production and staging Caddyfiles exist",
        run: caddy::caddyfiles_present,
    },
    Check {
        id: "phase2::caddy_imports",
        phase: Phase::Two,
        nature: Nature::Observational,
        outcome: "The main Caddyfile imports both, and Caddy's adapted configuration serves both sites",
        run: caddy::caddy_imports,
    },
    Check {
        id: "phase2::caddyfile_prod_readonly",
        phase: Phase::Two,
        nature: Nature::Observational,
        outcome: "Production Caddyfile is read-only (444), owned by root, not writable or replaceable by non-root users",
        run: caddy::caddyfile_prod_readonly,
    },
    Check {
        id: "phase2::healthcheck_units",
        phase: Phase::Two,
        nature: Nature::Observational,
        outcome: "Health-check timer and service exist and are loaded from their files",
        run: healthcheck::healthcheck_units,
    },
    Check {
        id: "phase2::timer_active",
        phase: Phase::Two,
        nature: Nature::Observational,
        outcome: "Health-check timer is active",
        run: healthcheck::timer_active,
    },
    Check {
        id: "phase2::timer_every_minute",
        phase: Phase::Two,
        nature: Nature::Observational,
        outcome: "Health check runs every minute: interval, accuracy and the gaps between real runs",
        run: healthcheck::timer_every_minute,
    },
    Check {
        id: "phase2::health_script",
        phase: Phase::Two,
        nature: Nature::Observational,
        outcome: "Health-check script exists and is executable",
        run: healthcheck::health_script,
    },
    Check {
        id: "phase2::no_false_alarms",
        phase: Phase::Two,
        nature: Nature::Observational,
        outcome: "At most 3 false alarms of the health check in the Phase 2 window (7 days)",
        run: healthcheck::no_false_alarms,
    },
    Check {
        id: "phase2::observation_window",
        phase: Phase::Two,
        nature: Nature::Observational,
        outcome: "Phase 2 has run for its minimum window (7 days): the timer has been active that long",
        run: healthcheck::observation_window,
    },
    Check {
        id: "phase2::staging_deploy_no_reload",
        phase: Phase::Two,
        nature: Nature::Disruptive,
        outcome: "Staging deployment does not reload production's Caddy; production answers throughout",
        run: staging::staging_deploy_no_reload,
    },
    Check {
        id: "phase2::outage_detection",
        phase: Phase::Two,
        nature: Nature::Disruptive,
        outcome: "Health check detects outages: the counter rises when production stops and resets after",
        run: healthcheck::outage_detection,
    },
    Check {
        id: "phase2::alert_on_outage",
        phase: Phase::Two,
        nature: Nature::Disruptive,
        outcome: "A simulated outage sends exactly one alert, which arrives within 5 minutes",
        run: alerts::alert_on_outage,
    },
    Check {
        id: "phase2::staging_deploys_no_alerts",
        phase: Phase::Two,
        nature: Nature::Disruptive,
        outcome: "5 staging deploys in a row trigger no production alert and no failed health check",
        run: staging::staging_deploys_no_alerts,
    },
    Check {
        id: "phase2::test_alert",
        phase: Phase::Two,
        nature: Nature::Disruptive,
        outcome: "The alert script delivers a test alert",
        run: alerts::test_alert,
    },
];
