//! Where a lead left off in each nurture program.

use crate::name_map::NameMap;
use serde::{Deserialize, Serialize};

/// Per program, the index of the first step the lead has not been sent, in program
/// name order ([`Lead::program_positions`]).
///
/// A small sorted block of (program, position) with the names interned. Its serde form
/// is the JSON object `{"program": position, ...}` in name order, as before.
///
/// [`Lead::program_positions`]: crate::Lead::program_positions
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProgramPositions(NameMap<usize>);

impl ProgramPositions {
    /// No position.
    pub(crate) const fn new() -> Self {
        ProgramPositions(NameMap::new())
    }

    /// The first step of `program` the lead has not been sent; `None` for a program
    /// it was never sent a step of.
    pub fn get(&self, program: &str) -> Option<usize> {
        self.0.get(program).copied()
    }

    /// Each program with its position, in program name order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, usize)> + '_ {
        self.0.iter().map(|(p, n)| (p, *n))
    }

    /// The number of programs.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the lead was never sent a step.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Moves the position in `program` up to `position`; it never moves back.
    pub(crate) fn advance_to(&mut self, program: &str, position: usize) {
        let p = self.0.get_or_insert(program, 0);
        *p = (*p).max(position);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_only_moves_forward() {
        let mut positions = ProgramPositions::default();
        positions.advance_to("stalled", 2);
        positions.advance_to("stalled", 1);
        positions.advance_to("general_nurture", 0);
        assert_eq!(positions.get("stalled"), Some(2));
        assert_eq!(positions.get("general_nurture"), Some(0));
        assert_eq!(positions.get("onboarding"), None);
        assert_eq!(
            positions.iter().collect::<Vec<_>>(),
            [("general_nurture", 0), ("stalled", 2)]
        );
        assert_eq!(
            serde_json::to_string(&positions).unwrap(),
            r#"{"general_nurture":0,"stalled":2}"#
        );
    }
}
