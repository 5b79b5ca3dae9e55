//! Nurture enrollment: assignment where the lead left off, steps on a cadence,
//! completion and hand-over to the next program.

use super::{after, Engine};
use crate::effect::{Effect, EffectKind, NurtureEnd, Reason};
use crate::lead::{Enrollment, Lead};
use crate::name::Name;
use crate::policy::Program;
use crate::stage::Stage;
use chrono::{DateTime, Utc};

impl Engine {
    /// Where the lead enters `program`: for a resuming program, the first step it has
    /// not been sent (past its saved position, skipping content it has seen); else 0.
    pub(super) fn entry_step(&self, lead: &Lead, program: &str) -> usize {
        match self.inner.policy.programs.get(program) {
            Some(p) if p.resume => {
                let position = lead.rare.get().program_positions.get(program).unwrap_or(0);
                next_unseen(lead, p, position)
            }
            _ => 0,
        }
    }

    /// Enrolls the lead in `program` at `step`, ending any current enrollment
    /// (`reassigned`). The step it starts at is due at once; at the program's length
    /// the lead is exhausted there and nothing falls due.
    pub(super) fn assign(
        &self,
        lead: &mut Lead,
        program: &str,
        step: usize,
        reason: Reason,
        at: DateTime<Utc>,
        out: &mut Vec<Effect>,
    ) {
        self.end_nurture(lead, NurtureEnd::Reassigned, at, out);
        out.push(Effect::new(
            &lead.id,
            at,
            EffectKind::NurtureAssigned {
                program: program.to_owned(),
                step,
                reason,
            },
        ));
        lead.set_enrollment(Some(Enrollment {
            program: program.to_owned(),
            step,
            due: None,
        }));
        if step < self.program_len(program) {
            self.send_step(lead, step, at, out);
        }
    }

    /// The enrollment's due time came: send its next step, or complete the program.
    pub(super) fn nurture_due(&self, lead: &mut Lead, at: DateTime<Utc>, out: &mut Vec<Effect>) {
        let Some(enrollment) = lead.nurture() else {
            return;
        };
        let name = enrollment.program.clone();
        let program = self.inner.policy.programs.get(&name);
        let next = match program {
            Some(p) if p.resume => next_unseen(lead, p, enrollment.step),
            _ => enrollment.step,
        };
        let len = self.program_len(&name);
        if next < len {
            self.send_step(lead, next, at, out);
            return;
        }
        lead.set_enrollment(None);
        out.push(Effect::new(
            &lead.id,
            at,
            EffectKind::NurtureEnded {
                program: name,
                step: len,
                why: NurtureEnd::Completed,
            },
        ));
        if lead.stage == Stage::Recycled {
            // A recycled lead is never left without a program.
            let then = program
                .and_then(|p| p.then.as_deref())
                .unwrap_or(&self.inner.policy.recycle.default_program);
            let step = self.entry_step(lead, then);
            self.assign(lead, then, step, Reason::Completed, at, out);
        }
    }

    /// A touch with `content`: when the lead's current program branches on it, the
    /// choice is remembered ([`Lead::choices`]: once, the latest last) and the program
    /// the branch names is returned — unless the lead asked not to be emailed (an
    /// enrollment a merge left it in), since it is never enrolled again.
    pub(super) fn choose<'a>(&'a self, lead: &mut Lead, content: &str) -> Option<&'a str> {
        let enrollment = lead.nurture()?;
        let program = self.inner.policy.programs.get(&enrollment.program)?;
        let target = program.branches.get(content)?;
        let choices = &mut lead.rare.get_mut().choices;
        match choices.iter().position(|c| c == content) {
            // Chosen again: it becomes the latest choice.
            Some(i) => {
                let again = choices.remove(i);
                choices.push(again);
            }
            None => choices.push(Name::from(content)),
        }
        (!lead.do_not_email).then_some(target.as_str())
    }

    /// Moves the lead along a branch into `program`, where it left off there
    /// (`nurture_ended` `reassigned`, `nurture_assigned` with reason `branch`, and the
    /// step it enters at, due at once).
    pub(super) fn branch(
        &self,
        lead: &mut Lead,
        program: &str,
        at: DateTime<Utc>,
        out: &mut Vec<Effect>,
    ) {
        let step = self.entry_step(lead, program);
        self.assign(lead, program, step, Reason::Branch, at, out);
    }

    /// Ends the current enrollment, if any.
    pub(super) fn end_nurture(
        &self,
        lead: &mut Lead,
        why: NurtureEnd,
        at: DateTime<Utc>,
        out: &mut Vec<Effect>,
    ) {
        if let Some(e) = lead.set_enrollment(None) {
            out.push(Effect::new(
                &lead.id,
                at,
                EffectKind::NurtureEnded {
                    program: e.program,
                    step: e.step,
                    why,
                },
            ));
        }
    }

    /// A lead exhausted in a program the policy has since lengthened gets the new
    /// steps: the next one falls due now.
    pub(super) fn wake_exhausted(&self, lead: &mut Lead, at: DateTime<Utc>) {
        // This runs on every event: `nurture_mut` reads the rare parts only of an
        // enrolled lead, and never allocates them.
        let Some(e) = lead.nurture_mut().filter(|e| e.due.is_none()) else {
            return;
        };
        if e.step < self.program_len(&e.program) {
            e.due = Some(at);
        }
    }

    fn send_step(&self, lead: &mut Lead, step: usize, at: DateTime<Utc>, out: &mut Vec<Effect>) {
        let Some(enrollment) = lead.nurture() else {
            return;
        };
        let Some(program) = self.inner.policy.programs.get(&enrollment.program) else {
            return;
        };
        let name = enrollment.program.clone();
        let content = program.steps[step].clone();
        out.push(Effect::new(
            &lead.id,
            at,
            EffectKind::NurtureStepDue {
                program: name.clone(),
                step,
                content: content.clone(),
            },
        ));
        lead.content_seen.insert(&content);
        lead.rare
            .get_mut()
            .program_positions
            .advance_to(&name, step + 1);
        let next = if program.resume {
            next_unseen(lead, program, step + 1)
        } else {
            step + 1
        };
        if let Some(e) = lead.nurture_mut() {
            e.step = next;
            e.due = Some(after(at, program.cadence_days));
        }
    }

    /// The number of steps of a program; 0 for one the policy no longer defines.
    fn program_len(&self, name: &str) -> usize {
        self.inner
            .policy
            .programs
            .get(name)
            .map_or(0, |p| p.steps.len())
    }
}

/// The first step at or after `from` whose content the lead has not seen.
fn next_unseen(lead: &Lead, program: &Program, from: usize) -> usize {
    (from..program.steps.len())
        .find(|&i| !lead.content_seen.contains(&program.steps[i]))
        .unwrap_or(program.steps.len())
}
