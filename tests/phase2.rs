//! Phase 2: Caddy's split configuration, the health-check timer and
//! alerting. Runs Phase 1's checks first as its gate.

fn main() -> std::process::ExitCode {
    alive_harness::run_phase(alive_harness::Phase::Two)
}
