//! Typed queries of the target's state. Each runs one command through a
//! [`crate::check::CheckContext`], so its output becomes evidence.

pub mod cgroup;
pub mod clock;
pub mod http;
pub mod journal;
pub mod procfs;
pub mod systemd;
