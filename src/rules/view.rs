//! The read-only views a hook sees: `lead` and `event`, as rhai maps holding only the
//! fields the script mentions (building a field the script cannot read would cost an
//! allocation per call for nothing).

use crate::error::rfc3339;
use crate::event::{Event, EventKind};
use crate::lead::{Lead, Touch};
use crate::matrix::{Band, Cell, Grade};
use crate::policy::Policy;
use crate::profile::ProfileValue;
use chrono::{DateTime, Utc};
use rhai::{Array, Dynamic, Map, INT};

/// The fields of the `lead` view, in the order `docs/rules.md` lists them.
pub const LEAD_FIELDS: &[&str] = &[
    "id",
    "stage",
    "days_in_stage",
    "created_at",
    "days_since_created",
    "fit_grade",
    "engagement_band",
    "cell",
    "fit",
    "engagement",
    "score",
    "touches",
    "first_touch",
    "last_touch",
    "days_since_last_touch",
    "times_recycled",
    "recycle_reasons",
    "program",
    "program_step",
    "program_positions",
    "content_seen",
    "choices",
    "original_rep",
    "owner",
    "account",
    "opportunity",
    "do_not_email",
    "profile",
];

/// The fields of the `event` view. Every one is present; those the event's type does
/// not have are `()`.
pub const EVENT_FIELDS: &[&str] = &[
    "type",
    "lead",
    "at",
    "id",
    "rep",
    "reason",
    "program",
    "kind",
    "content",
    "campaign",
    "channel",
    "outcome",
    "source",
    "opportunity",
    "amount",
    "cause",
];

/// Which fields of a view a script mentions: bit `i` is field `i` of its list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Fields(u64);

impl Fields {
    /// The fields of `names` for which `mentioned` is true.
    pub fn mentioned(names: &[&str], mentioned: impl Fn(&str) -> bool) -> Fields {
        debug_assert!(names.len() <= 64);
        let mut bits = 0;
        for (i, name) in names.iter().enumerate() {
            if mentioned(name) {
                bits |= 1 << i;
            }
        }
        Fields(bits)
    }

    fn has(self, i: usize) -> bool {
        self.0 & (1 << i) != 0
    }
}

/// What a hook is deciding about, at what time: the lead as the engine holds it, and
/// the event (none for passive recycling, whose cause is a timer).
pub(crate) struct Subject<'a> {
    pub lead: &'a Lead,
    pub policy: &'a Policy,
    pub at: DateTime<Utc>,
    pub event: Option<&'a Event>,
}

/// The `lead` view of `s.lead` at `s.at`, holding `fields`.
pub(super) fn lead(s: &Subject<'_>, fields: Fields) -> Map {
    let lead = s.lead;
    let scoring = &s.policy.scoring;
    let mut map = Map::new();
    for (i, name) in LEAD_FIELDS.iter().enumerate() {
        if !fields.has(i) {
            continue;
        }
        let engagement = || lead.score.engagement_at(s.at);
        let grade = || Grade::of(lead.score.fit, &scoring.grades);
        let band = || Band::of(engagement(), &scoring.bands);
        let value: Dynamic = match *name {
            "id" => text(lead.id.as_str()),
            "stage" => text(lead.stage.as_str()),
            "days_in_stage" => days(lead.entered_stage_at, s.at),
            "created_at" => text(&rfc3339(&lead.created_at)),
            "days_since_created" => days(lead.created_at, s.at),
            "fit_grade" => text(&grade().to_string()),
            "engagement_band" => Dynamic::from_int(INT::from(band().number())),
            "cell" => text(
                &Cell {
                    grade: grade(),
                    band: band(),
                }
                .to_string(),
            ),
            "fit" => Dynamic::from_float(lead.score.fit),
            "engagement" => Dynamic::from_float(engagement()),
            "score" => Dynamic::from_float(lead.score.fit + engagement()),
            "touches" => counts(lead.touch_counts.iter().map(|(k, n)| (k.as_str(), *n))),
            "first_touch" => touch(&lead.first_touch),
            "last_touch" => touch(&lead.last_touch),
            "days_since_last_touch" => days(lead.last_touch.at, s.at),
            "times_recycled" => Dynamic::from_int(INT::from(lead.times_recycled)),
            "recycle_reasons" => texts(lead.recycle_reasons.iter()),
            "program" => optional(lead.nurture.as_ref().map(|e| e.program.as_str())),
            "program_step" => lead
                .nurture
                .as_ref()
                .map_or(Dynamic::UNIT, |e| int(e.step as u64)),
            "program_positions" => counts(
                lead.program_positions
                    .iter()
                    .map(|(k, n)| (k.as_str(), *n as u64)),
            ),
            "content_seen" => texts(lead.content_seen.iter()),
            "choices" => texts(lead.choices.iter()),
            "original_rep" => optional(lead.original_rep.as_ref().map(|r| r.as_str())),
            "owner" => optional(lead.owner.as_ref().map(|r| r.as_str())),
            "account" => optional(lead.account.as_deref()),
            "opportunity" => optional(lead.opportunity.as_deref()),
            "do_not_email" => Dynamic::from_bool(lead.do_not_email),
            "profile" => {
                let mut profile = Map::new();
                for (k, v) in &lead.profile {
                    let v = match v {
                        ProfileValue::Bool(b) => Dynamic::from_bool(*b),
                        ProfileValue::Number(n) => Dynamic::from_float(*n),
                        ProfileValue::Text(t) => text(t),
                    };
                    profile.insert(k.as_str().into(), v);
                }
                Dynamic::from_map(profile)
            }
            other => unreachable!("lead view field `{other}` is not built"),
        };
        map.insert((*name).into(), value);
    }
    map
}

/// The `event` view, holding `fields`. Passive recycling has no event: its view is
/// `type` and `reason` `"sla_idle"` at the deadline's time.
pub(super) fn event(s: &Subject<'_>, fields: Fields) -> Map {
    let mut map = Map::new();
    for (i, name) in EVENT_FIELDS.iter().enumerate() {
        if !fields.has(i) {
            continue;
        }
        let value = match s.event {
            Some(e) => event_field(e, name),
            None => match *name {
                "type" | "reason" => text("sla_idle"),
                "lead" => text(s.lead.id.as_str()),
                "at" => text(&rfc3339(&s.at)),
                _ => Dynamic::UNIT,
            },
        };
        map.insert((*name).into(), value);
    }
    map
}

fn event_field(e: &Event, name: &str) -> Dynamic {
    let kind = e.kind();
    match name {
        "type" => text(e.event_type().as_str()),
        "lead" => optional(e.lead().map(|l| l.as_str())),
        "at" => text(&rfc3339(&e.at())),
        "id" => optional(e.id().map(|i| i.as_str())),
        "rep" => optional(kind.rep().map(|r| r.as_str())),
        "reason" => optional(kind.reason()),
        "program" => optional(kind.chosen_program()),
        "kind" => match kind {
            EventKind::Touch { kind, .. } => text(kind),
            _ => Dynamic::UNIT,
        },
        "content" => match kind {
            EventKind::Touch { content, .. } => optional(content.as_deref()),
            _ => Dynamic::UNIT,
        },
        "campaign" => match kind {
            EventKind::Touch { campaign, .. } | EventKind::Created { campaign, .. } => {
                optional(campaign.as_deref())
            }
            _ => Dynamic::UNIT,
        },
        "channel" => match kind {
            EventKind::Touch { channel, .. }
            | EventKind::Created { channel, .. }
            | EventKind::SalesAttempt { channel, .. } => optional(channel.as_deref()),
            _ => Dynamic::UNIT,
        },
        "outcome" => match kind {
            EventKind::SalesAttempt { outcome, .. } => optional(outcome.as_deref()),
            _ => Dynamic::UNIT,
        },
        "source" => match kind {
            EventKind::Created { source, .. } => text(source),
            _ => Dynamic::UNIT,
        },
        "opportunity" => match kind {
            EventKind::OpportunityOpened { opportunity, .. }
            | EventKind::OpportunityWon { opportunity }
            | EventKind::OpportunityLost { opportunity, .. } => text(opportunity),
            _ => Dynamic::UNIT,
        },
        "amount" => match kind {
            EventKind::OpportunityOpened {
                amount: Some(a), ..
            } => Dynamic::from_float(*a),
            _ => Dynamic::UNIT,
        },
        "cause" => match kind {
            EventKind::ContactLost { cause } => text(cause),
            _ => Dynamic::UNIT,
        },
        other => unreachable!("event view field `{other}` is not built"),
    }
}

fn text(s: &str) -> Dynamic {
    Dynamic::from(rhai::ImmutableString::from(s))
}

fn optional(s: Option<&str>) -> Dynamic {
    s.map_or(Dynamic::UNIT, text)
}

fn int(n: u64) -> Dynamic {
    Dynamic::from_int(INT::try_from(n).unwrap_or(INT::MAX))
}

fn texts<'a>(items: impl Iterator<Item = &'a String>) -> Dynamic {
    Dynamic::from_array(items.map(|s| text(s)).collect::<Array>())
}

fn counts<'a>(items: impl Iterator<Item = (&'a str, u64)>) -> Dynamic {
    Dynamic::from_map(items.map(|(k, n)| (k.into(), int(n))).collect::<Map>())
}

/// Days from `from` to `to`, as a float (negative never: the engine's clock only moves
/// on).
fn days(from: DateTime<Utc>, to: DateTime<Utc>) -> Dynamic {
    Dynamic::from_float((to - from).num_milliseconds() as f64 / 86_400_000.0)
}

fn touch(t: &Touch) -> Dynamic {
    let mut map = Map::new();
    map.insert("source".into(), text(&t.source));
    map.insert("campaign".into(), optional(t.campaign.as_deref()));
    map.insert("channel".into(), optional(t.channel.as_deref()));
    map.insert("at".into(), text(&rfc3339(&t.at)));
    Dynamic::from_map(map)
}
