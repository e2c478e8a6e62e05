//! Fault self-test: each fault in containers/faults/ must make exactly the
//! checks it names fail on a fresh reference host.

fn main() -> std::process::ExitCode {
    alive_harness::run_fault_selftest()
}
