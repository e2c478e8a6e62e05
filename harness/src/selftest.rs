pub fn run_fault_selftest() -> std::process::ExitCode { std::process::ExitCode::SUCCESS }
