//! Phase 3: builds, tests and dependency installs cannot affect production.

mod dependencies;
mod history;
mod load;
mod release;

use crate::check::{Check, Nature};
use crate::phase::Phase;

/// Phase 3's checks: observational ones first, then the disruptive ones.
pub static CHECKS: &[Check] = &[
    Check {
        id: "phase3::separate_node_modules",
        phase: Phase::Three,
        nature: Nature::Observational,
        outcome: "Production's node_modules is its own: present, not staging's directory, nothing shared",
        run: dependencies::separate_node_modules,
    },
    Check {
        id: "phase3::frozen_lockfile_declared",
        phase: Phase::Three,
        nature: Nature::Observational,
        outcome: "Production build script uses --frozen-lockfile (text check)",
        run: release::frozen_lockfile_declared,
    },
    Check {
        id: "phase3::build_script_executable",
        phase: Phase::Three,
        nature: Nature::Observational,
        outcome: "Production build script exists and is executable",
        run: release::build_script_executable,
    },
    Check {
        id: "phase3::prebuild_checks_declared",
        phase: Phase::Three,
        nature: Nature::Observational,
        outcome: "Pre-build checks for disk space and memory exist (text check)",
        run: release::prebuild_checks_declared,
    },
    Check {
        id: "phase3::swap_script_executable",
        phase: Phase::Three,
        nature: Nature::Observational,
        outcome: "Blue-green swap script exists and is executable",
        run: release::swap_script_executable,
    },
    Check {
        id: "phase3::deploy_doc",
        phase: Phase::Three,
        nature: Nature::Observational,
        outcome: "Production deployment is documented, with the frozen-lockfile procedure",
        run: release::deploy_doc,
    },
    Check {
        id: "phase3::separate_slices",
        phase: Phase::Three,
        nature: Nature::Observational,
        outcome: "Production and staging run in separate slices, staging with a lower CPU weight or a CPU quota",
        run: load::separate_slices,
    },
    Check {
        id: "phase3::no_unplanned_restarts",
        phase: Phase::Three,
        nature: Nature::Observational,
        outcome: "Production restarted at most once in the Phase 3 window (14 days), planned work excluded",
        run: history::no_unplanned_restarts,
    },
    Check {
        id: "phase3::no_error_spikes",
        phase: Phase::Three,
        nature: Nature::Observational,
        outcome: "No error entries of production in the Phase 3 window",
        run: history::no_error_spikes,
    },
    Check {
        id: "phase3::no_oom_or_quota_events",
        phase: Phase::Three,
        nature: Nature::Observational,
        outcome: "No OOM kills or resource quota events of production in the Phase 3 window",
        run: history::no_oom_or_quota_events,
    },
    Check {
        id: "phase3::frozen_lockfile_enforced",
        phase: Phase::Three,
        nature: Nature::Disruptive,
        outcome: "A production build whose package.json disagrees with its lockfile fails and leaves the live build untouched",
        run: release::frozen_lockfile_enforced,
    },
    Check {
        id: "phase3::prebuild_checks_enforced",
        phase: Phase::Three,
        nature: Nature::Disruptive,
        outcome: "The production build refuses to start below its disk and memory thresholds",
        run: release::prebuild_checks_enforced,
    },
    Check {
        id: "phase3::staging_build_under_load",
        phase: Phase::Three,
        nature: Nature::Disruptive,
        outcome: "A staging build under load: 0 errors, p95 latency within +50%, no staging work in production's slice",
        run: load::staging_build_under_load,
    },
    Check {
        id: "phase3::staging_e2e_isolated",
        phase: Phase::Three,
        nature: Nature::Disruptive,
        outcome: "Staging end-to-end tests: production answers every probe, same MainPID and NRestarts",
        run: load::staging_e2e_isolated,
    },
    Check {
        id: "phase3::staging_install_isolated",
        phase: Phase::Three,
        nature: Nature::Disruptive,
        outcome: "A staging dependency install leaves production's node_modules and lockfile unchanged",
        run: dependencies::staging_install_isolated,
    },
    Check {
        id: "phase3::swap_under_load",
        phase: Phase::Three,
        nature: Nature::Disruptive,
        outcome: "A blue-green swap and swap back under load fail no request and keep MainPID",
        run: release::swap_under_load,
    },
];
