//! Evidence of a check: the commands it ran on the target and its notes.

use std::fmt;

use crate::exec::CommandOutput;

/// One item of evidence.
#[derive(Debug, Clone)]
pub enum Observation {
    /// A command run on the target, with a label saying what it queried.
    Command { label: String, output: CommandOutput },
    /// A fact the check derived, such as a poll's attempts and duration.
    Note(String),
}

/// Everything one check observed, in order.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    observations: Vec<Observation>,
}

impl Evidence {
    pub fn push(&mut self, observation: Observation) {
        self.observations.push(observation);
    }

    pub fn is_empty(&self) -> bool {
        self.observations.is_empty()
    }

    pub fn len(&self) -> usize {
        self.observations.len()
    }
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, observation) in self.observations.iter().enumerate() {
            match observation {
                Observation::Command { label, output } => {
                    writeln!(f, "[{}] {label}", index + 1)?;
                    write!(f, "{output}")?;
                }
                Observation::Note(text) => writeln!(f, "[{}] note: {text}", index + 1)?,
            }
        }
        Ok(())
    }
}
