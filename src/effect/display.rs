//! Effects as one line for a person: what a log or a console shows.

use super::{Effect, EffectKind};
use crate::error::rfc3339;
use std::fmt;

/// `TIME LEAD: SENTENCE`, e.g. `2026-01-20T12:00:00Z L1: moved from sal to recycled
/// (disqualified)`; the time or lead is left out when the effect has none (a line
/// that could not be read).
impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.at, &self.lead) {
            (Some(at), Some(lead)) => write!(f, "{} {lead}: ", rfc3339(at))?,
            (Some(at), None) => write!(f, "{}: ", rfc3339(at))?,
            (None, Some(lead)) => write!(f, "{lead}: ")?,
            (None, None) => {}
        }
        write!(f, "{}", self.kind)
    }
}

/// What happened, as a short sentence with the wire names in it: `entered inquiry
/// (created)`, `enrolled in timing_drip at step 0 (bad_timing)`, `send "case-study"
/// (timing_drip step 1)`, `routed to R7 (re_engaged)`.
impl fmt::Display for EffectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EffectKind::Transition {
                from: None,
                to,
                cause,
                ..
            } => write!(f, "entered {to} ({cause})"),
            // The reason, unless it only repeats the cause (`sla_idle`, `merged`).
            EffectKind::Transition {
                from: Some(from),
                to,
                cause,
                reason: Some(reason),
            } if reason.as_str() != cause.as_str() => {
                write!(f, "moved from {from} to {to} ({cause}, {reason})")
            }
            EffectKind::Transition {
                from: Some(from),
                to,
                cause,
                ..
            } => write!(f, "moved from {from} to {to} ({cause})"),
            EffectKind::NurtureAssigned {
                program,
                step,
                reason,
            } => write!(f, "enrolled in {program} at step {step} ({reason})"),
            EffectKind::NurtureStepDue {
                program,
                step,
                content,
            } => write!(f, "send {content:?} ({program} step {step})"),
            EffectKind::NurtureEnded { program, step, why } => {
                write!(f, "left {program} at step {step} ({why})")
            }
            EffectKind::Routed { rep, why } => write!(f, "routed to {rep} ({why})"),
            EffectKind::SlaBreached { stage, sla, rep } => {
                write!(f, "missed the {stage} {sla} service level")?;
                match rep {
                    Some(rep) => write!(f, " (owner {rep})"),
                    None => Ok(()),
                }
            }
            EffectKind::Kept {
                stage,
                reason,
                cause,
            } => write!(
                f,
                "kept in {stage} by the disposition rule ({reason}), not recycled by {cause}"
            ),
            EffectKind::AccountEngaged {
                account,
                leads,
                contacts,
                points,
            } => {
                write!(f, "account {account} engaged: {contacts} contacts (")?;
                for (i, lead) in leads.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{lead}")?;
                }
                write!(f, "), {points} points")
            }
            EffectKind::OwnerAlert { rep, cause, points } => {
                write!(
                    f,
                    "alert owner {rep} ({cause}, {points} points in the window)"
                )
            }
            EffectKind::RuleFailed {
                hook,
                error,
                fallback,
            } => write!(f, "rule {hook} failed: {error}; applied {fallback} instead"),
            EffectKind::Rejected { kind, message, .. } => write!(f, "rejected ({kind}): {message}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Effect;

    fn effect(json: &str) -> Effect {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn each_effect_type_displays_as_one_sentence() {
        let cases = [
            (
                r#"{"type":"transition","from":null,"to":"inquiry","cause":"created","lead":"L1","at":"2026-01-05T10:00:00Z"}"#,
                "2026-01-05T10:00:00Z L1: entered inquiry (created)",
            ),
            (
                r#"{"type":"transition","from":"mql","to":"recycled","cause":"sla_idle","lead":"L1","at":"2026-01-05T10:00:00Z"}"#,
                "2026-01-05T10:00:00Z L1: moved from mql to recycled (sla_idle)",
            ),
            (
                r#"{"type":"transition","from":"sal","to":"recycled","cause":"disqualified","reason":"bad_timing","lead":"L1","at":"2026-01-05T10:00:00Z"}"#,
                "2026-01-05T10:00:00Z L1: moved from sal to recycled (disqualified, bad_timing)",
            ),
            (
                r#"{"type":"nurture_assigned","program":"timing_drip","step":0,"reason":"bad_timing","lead":"L1","at":"2026-01-05T10:00:00Z"}"#,
                "2026-01-05T10:00:00Z L1: enrolled in timing_drip at step 0 (bad_timing)",
            ),
            (
                r#"{"type":"nurture_step_due","program":"timing_drip","step":1,"content":"case-study","lead":"L1","at":"2026-01-05T10:00:00Z"}"#,
                r#"2026-01-05T10:00:00Z L1: send "case-study" (timing_drip step 1)"#,
            ),
            (
                r#"{"type":"nurture_ended","program":"timing_drip","step":2,"why":"re_engaged","lead":"L1","at":"2026-01-05T10:00:00Z"}"#,
                "2026-01-05T10:00:00Z L1: left timing_drip at step 2 (re_engaged)",
            ),
            (
                r#"{"type":"routed","rep":"R7","why":"re_engaged","lead":"L1","at":"2026-01-05T10:00:00Z"}"#,
                "2026-01-05T10:00:00Z L1: routed to R7 (re_engaged)",
            ),
            (
                r#"{"type":"sla_breached","stage":"sal","sla":"attempts","rep":"R7","lead":"L1","at":"2026-01-05T10:00:00Z"}"#,
                "2026-01-05T10:00:00Z L1: missed the sal attempts service level (owner R7)",
            ),
            (
                r#"{"type":"sla_breached","stage":"mql","sla":"respond","lead":"L1","at":"2026-01-05T10:00:00Z"}"#,
                "2026-01-05T10:00:00Z L1: missed the mql respond service level",
            ),
            (
                r#"{"type":"rule_failed","hook":"disposition","error":"boom","fallback":"recycle.reasons","lead":"L1","at":"2026-01-05T10:00:00Z"}"#,
                "2026-01-05T10:00:00Z L1: rule disposition failed: boom; applied recycle.reasons instead",
            ),
            (
                r#"{"type":"rejected","kind":"out_of_order","message":"too old","lead":null,"at":"2026-01-05T10:00:00Z"}"#,
                "2026-01-05T10:00:00Z: rejected (out_of_order): too old",
            ),
            (
                r#"{"type":"rejected","kind":"malformed","message":"line 3 is not a valid event: x","lead":null,"at":null,"line":3}"#,
                "rejected (malformed): line 3 is not a valid event: x",
            ),
        ];
        for (json, line) in cases {
            let effect = effect(json);
            assert_eq!(effect.to_string(), line);
            assert!(!effect.to_string().contains('\n'));
        }
    }
}
