//! Phase 3: production's dependencies and builds are isolated, and staging
//! builds, tests and installs do not affect it under load. Runs Phases 1
//! and 2 first as its gate.

fn main() -> std::process::ExitCode {
    alive_harness::run_phase(alive_harness::Phase::Three)
}
