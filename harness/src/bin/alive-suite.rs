//! `alive-suite`: the suite as one program, for hosts without a Rust
//! toolchain. `alive-suite phase2 [libtest options]` does what
//! `cargo test --test phase2` does, with the same environment variables.

use std::process::ExitCode;

use alive_harness::Phase;
use libtest_mimic::Arguments;

const USAGE: &str = "usage: alive-suite <phase1|phase2|phase3|faults> [libtest options such as --list or a filter]";

fn main() -> ExitCode {
    let mut argv = std::env::args();
    let program = argv.next().unwrap_or_else(|| "alive-suite".to_string());
    let Some(command) = argv.next() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let args = Arguments::from_iter(std::iter::once(program).chain(argv));
    match command.as_str() {
        "phase1" => alive_harness::run_phase_with_args(Phase::One, args),
        "phase2" => alive_harness::run_phase_with_args(Phase::Two, args),
        "phase3" => alive_harness::run_phase_with_args(Phase::Three, args),
        "faults" => alive_harness::run_fault_selftest_with_args(args),
        "-h" | "--help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("unknown command `{other}`\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
