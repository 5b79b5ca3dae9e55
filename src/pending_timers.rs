//! Which of a lead's timers may be set: one byte in the record that spares the checks
//! every event makes from reading the parts that hold the timers.

/// Whether a lead has a nurture enrollment (kept in its rare parts) and whether any of
/// its service-level deadlines is set (kept in its `SlaClock`).
///
/// The book asks a lead for its next deadline before and after every event. Most
/// leads of a large book are in neither a program nor a timed stage; this byte,
/// among the record's first 64 bytes, answers for them without reading the rare parts
/// or the 40-byte SLA clock, which can then sit off the bytes a touch reads
/// (docs/performance.md, issue 11). Only [`Lead::set_enrollment`], [`Lead::set_sla`]
/// and [`Lead::update_sla`] change it.
///
/// [`Lead::set_enrollment`]: crate::Lead
/// [`Lead::set_sla`]: crate::Lead
/// [`Lead::update_sla`]: crate::Lead
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PendingTimers(u8);

impl PendingTimers {
    const NURTURE: u8 = 1;
    const SLA: u8 = 2;

    /// The flags of a lead with (or without) an enrollment and SLA deadlines.
    pub(crate) fn from_parts(nurture: bool, sla: bool) -> Self {
        let mut timers = PendingTimers::default();
        timers.set_nurture(nurture);
        timers.set_sla(sla);
        timers
    }

    /// Whether the lead is enrolled in a nurture program.
    pub(crate) fn nurture(self) -> bool {
        self.0 & Self::NURTURE != 0
    }

    /// Whether any of the lead's service-level deadlines is set.
    pub(crate) fn sla(self) -> bool {
        self.0 & Self::SLA != 0
    }

    pub(crate) fn set_nurture(&mut self, on: bool) {
        self.set(Self::NURTURE, on);
    }

    pub(crate) fn set_sla(&mut self, on: bool) {
        self.set(Self::SLA, on);
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
    fn each_timer_is_set_and_cleared_on_its_own() {
        let mut timers = PendingTimers::default();
        assert!(!timers.nurture() && !timers.sla());
        timers.set_nurture(true);
        timers.set_sla(true);
        assert!(timers.nurture() && timers.sla());
        timers.set_nurture(false);
        assert!(!timers.nurture() && timers.sla());
        timers.set_sla(false);
        assert_eq!(timers, PendingTimers::default());
    }
}
