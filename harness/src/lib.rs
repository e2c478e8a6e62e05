//! The alive isolation suite: checks that the production service "alive"
//! is isolated from everything else on its host, phase by phase, against a
//! systemd reference host in a container or against a real host.
//!
//! A *check* tests one expected outcome of the plan on a *target*. The
//! checks of a *phase* are the *gate* of the next phase. A *fault* breaks
//! chosen outcomes on the reference host to prove that their checks fail.

pub mod check;
pub mod checks;
pub mod disruption;
pub mod evidence;
pub mod exec;
pub mod fault;
pub mod image;
pub mod load_tool;
pub mod load;
pub mod paths;
pub mod phase;
pub mod profile;
pub mod query;
pub mod report;
pub mod run;
pub mod selftest;
pub mod session;
pub mod settings;
pub mod target;
pub mod wait;

pub use phase::Phase;
pub use run::{run_phase, run_phase_with_args};
pub use selftest::{run_fault_selftest, run_fault_selftest_with_args};
