//! The plan's phases and the checks of each.

use std::fmt;
use std::time::Duration;

use crate::check::Check;
use crate::profile::Profile;

/// A phase of the plan. Each phase's checks are the gate of the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    One,
    Two,
    Three,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::One, Phase::Two, Phase::Three];

    pub fn number(self) -> u8 {
        match self {
            Phase::One => 1,
            Phase::Two => 2,
            Phase::Three => 3,
        }
    }

    /// Returns this phase's checks in the order they run.
    pub fn checks(self) -> &'static [Check] {
        match self {
            Phase::One => crate::checks::phase1::CHECKS,
            Phase::Two => crate::checks::phase2::CHECKS,
            Phase::Three => crate::checks::phase3::CHECKS,
        }
    }

    /// Returns the phases up to and including this one, earliest first.
    pub fn with_gates(self) -> impl Iterator<Item = Phase> {
        Phase::ALL.into_iter().filter(move |phase| *phase <= self)
    }

    /// Returns the observation window the plan sets for this phase.
    pub fn window(self, profile: &Profile) -> Duration {
        match self {
            Phase::One => profile.windows.phase1,
            Phase::Two => profile.windows.phase2,
            Phase::Three => profile.windows.phase3,
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phase {}", self.number())
    }
}
