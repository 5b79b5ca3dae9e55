//! Which of a lead's out-of-line parts hold anything: one byte in the record that
//! spares the checks every event makes from reading the parts themselves.

/// Whether a lead has a nurture enrollment, whether any of its service-level deadlines
/// is set (both kept in its rare parts) and whether it remembers any event id (its
/// dedupe window).
///
/// Before and after every event the book asks a lead for its next deadline, and the
/// engine trims its dedupe window to the clock. Most leads of a large book are in
/// neither a program nor a timed stage, and most events carry no id; this byte, among
/// the record's first 64 bytes, answers for them without reading the rare parts'
/// block or the window's header, which can then sit off the bytes a touch reads
/// (docs/performance.md, issue 11). Only the `Lead` methods that change those parts
/// change it, and `Lead::next_deadline` and `Lead::forget_ids` check it in debug
/// builds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct HeldParts(u8);

impl HeldParts {
    const NURTURE: u8 = 1;
    const SLA: u8 = 2;
    const IDS: u8 = 4;

    /// The flags of a lead whose parts hold (or not) each of these.
    pub(crate) fn from_parts(nurture: bool, sla: bool, ids: bool) -> Self {
        let mut held = HeldParts::default();
        held.set_nurture(nurture);
        held.set_sla(sla);
        held.set_ids(ids);
        held
    }

    /// Whether the lead is enrolled in a nurture program.
    pub(crate) fn nurture(self) -> bool {
        self.0 & Self::NURTURE != 0
    }

    /// Whether any of the lead's service-level deadlines is set.
    pub(crate) fn sla(self) -> bool {
        self.0 & Self::SLA != 0
    }

    /// Whether the lead remembers any event id.
    pub(crate) fn ids(self) -> bool {
        self.0 & Self::IDS != 0
    }

    pub(crate) fn set_nurture(&mut self, on: bool) {
        self.set(Self::NURTURE, on);
    }

    pub(crate) fn set_sla(&mut self, on: bool) {
        self.set(Self::SLA, on);
    }

    pub(crate) fn set_ids(&mut self, on: bool) {
        self.set(Self::IDS, on);
    }

    fn set(&mut self, bit: u8, on: bool) {
        if on {
            self.0 |= bit;
        } else {
            self.0 &= !bit;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_flag_is_set_and_cleared_on_its_own() {
        let mut held = HeldParts::default();
        assert!(!held.nurture() && !held.sla() && !held.ids());
        held.set_nurture(true);
        held.set_sla(true);
        held.set_ids(true);
        assert_eq!(held, HeldParts::from_parts(true, true, true));
        held.set_nurture(false);
        assert!(!held.nurture() && held.sla() && held.ids());
        held.set_sla(false);
        assert!(!held.sla() && held.ids());
        held.set_ids(false);
        assert_eq!(held, HeldParts::default());
    }
}
