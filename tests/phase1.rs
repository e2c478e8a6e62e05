//! Phase 1: production moved from PM2 to a hardened systemd unit.
//! Run with `cargo test --test phase1`; see README.md for the settings.

fn main() -> std::process::ExitCode {
    alive_harness::run_phase(alive_harness::Phase::One)
}
