//! The read-only views a hook sees: `lead` and `event`, as rhai maps holding only the
//! fields the script reads (building a field the script cannot read would cost an
//! allocation per call for nothing).
//!
//! The maps are filled in place, call after call (see `CompiledRules::run`): a field
//! keeps its map entry, and a text value equal to the one already there is kept, so a
//! hook reading a lead's stage and grade and an event's reason allocates nothing.

use crate::error::rfc3339;
use crate::event::{Event, EventKind};
use crate::lead::{Lead, Touch};
use crate::matrix::{Band, Grade};
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

/// The lead view's fields, in the order of [`LEAD_FIELDS`].
#[derive(Clone, Copy)]
enum LeadField {
    Id,
    Stage,
    DaysInStage,
    CreatedAt,
    DaysSinceCreated,
    FitGrade,
    EngagementBand,
    Cell,
    Fit,
    Engagement,
    Score,
    Touches,
    FirstTouch,
    LastTouch,
    DaysSinceLastTouch,
    TimesRecycled,
    RecycleReasons,
    Program,
    ProgramStep,
    ProgramPositions,
    ContentSeen,
    Choices,
    OriginalRep,
    Owner,
    Account,
    Opportunity,
    DoNotEmail,
    Profile,
}

impl LeadField {
    const ALL: [LeadField; 28] = [
        LeadField::Id,
        LeadField::Stage,
        LeadField::DaysInStage,
        LeadField::CreatedAt,
        LeadField::DaysSinceCreated,
        LeadField::FitGrade,
        LeadField::EngagementBand,
        LeadField::Cell,
        LeadField::Fit,
        LeadField::Engagement,
        LeadField::Score,
        LeadField::Touches,
        LeadField::FirstTouch,
        LeadField::LastTouch,
        LeadField::DaysSinceLastTouch,
        LeadField::TimesRecycled,
        LeadField::RecycleReasons,
        LeadField::Program,
        LeadField::ProgramStep,
        LeadField::ProgramPositions,
        LeadField::ContentSeen,
        LeadField::Choices,
        LeadField::OriginalRep,
        LeadField::Owner,
        LeadField::Account,
        LeadField::Opportunity,
        LeadField::DoNotEmail,
        LeadField::Profile,
    ];
}

/// The event view's fields, in the order of [`EVENT_FIELDS`].
#[derive(Clone, Copy)]
enum EventField {
    Type,
    Lead,
    At,
    Id,
    Rep,
    Reason,
    Program,
    Kind,
    Content,
    Campaign,
    Channel,
    Outcome,
    Source,
    Opportunity,
    Amount,
    Cause,
}

impl EventField {
    const ALL: [EventField; 16] = [
        EventField::Type,
        EventField::Lead,
        EventField::At,
        EventField::Id,
        EventField::Rep,
        EventField::Reason,
        EventField::Program,
        EventField::Kind,
        EventField::Content,
        EventField::Campaign,
        EventField::Channel,
        EventField::Outcome,
        EventField::Source,
        EventField::Opportunity,
        EventField::Amount,
        EventField::Cause,
    ];
}

/// Which fields of a view a script mentions: bit `i` is field `i` of its list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Fields(u64);

/// Which fields the reused view maps (see `CompiledRules::run`) were last filled with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Filled {
    pub lead: Fields,
    pub event: Fields,
}

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

    /// How many fields.
    pub fn count(self) -> usize {
        self.0.count_ones() as usize
    }
}

/// What a hook is deciding about, at what time: the lead as the engine holds it, and
/// the event (none for passive recycling, whose cause is a timer).
pub(crate) struct Subject<'a, 'p> {
    pub lead: &'a Lead,
    pub policy: &'p Policy,
    pub at: DateTime<Utc>,
    pub event: Option<&'a Event>,
}

/// Fills `map` with the `lead` view of `s.lead` at `s.at`: exactly `fields`, provided
/// `map` was last filled with the same `fields` or is empty.
pub(super) fn fill_lead(s: &Subject<'_, '_>, fields: Fields, map: &mut Map) {
    let lead = s.lead;
    let scoring = &s.policy.scoring;
    for (i, field) in LeadField::ALL.into_iter().enumerate() {
        if !fields.has(i) {
            continue;
        }
        let slot = slot(map, LEAD_FIELDS[i]);
        let engagement = || lead.score.engagement_at(s.at);
        let grade = || Grade::of(lead.score.fit, &scoring.grades);
        let band = || Band::of(engagement(), &scoring.bands);
        match field {
            LeadField::Id => put_text(slot, lead.id.as_str()),
            LeadField::Stage => put_text(slot, lead.stage.as_str()),
            LeadField::DaysInStage => *slot = days(lead.entered_stage_at, s.at),
            LeadField::CreatedAt => *slot = text(&rfc3339(&lead.created_at())),
            LeadField::DaysSinceCreated => *slot = days(lead.created_at(), s.at),
            LeadField::FitGrade => put_text(slot, grade_name(grade())),
            LeadField::EngagementBand => *slot = Dynamic::from_int(INT::from(band().number())),
            LeadField::Cell => {
                let cell = [grade_name(grade()).as_bytes()[0], b'0' + band().number()];
                put_text(slot, std::str::from_utf8(&cell).expect("ASCII"));
            }
            LeadField::Fit => *slot = Dynamic::from_float(lead.score.fit),
            LeadField::Engagement => *slot = Dynamic::from_float(engagement()),
            LeadField::Score => {
                *slot = Dynamic::from_float(lead.score.fit + lead.score.funnel + engagement())
            }
            LeadField::Touches => {
                *slot = counts(lead.touch_counts.iter().map(|(k, n)| (k, u64::from(n))))
            }
            LeadField::FirstTouch => *slot = touch(&lead.first_touch),
            LeadField::LastTouch => *slot = touch(&lead.last_touch),
            LeadField::DaysSinceLastTouch => *slot = days(lead.last_touch.at, s.at),
            LeadField::TimesRecycled => {
                *slot = Dynamic::from_int(INT::from(lead.rare.get().times_recycled))
            }
            LeadField::RecycleReasons => {
                *slot = texts(lead.rare.get().recycle_reasons.iter().map(|r| r.as_str()))
            }
            LeadField::Program => put_optional(slot, lead.nurture().map(|e| e.program.as_str())),
            LeadField::ProgramStep => {
                *slot = lead.nurture().map_or(Dynamic::UNIT, |e| int(e.step as u64))
            }
            LeadField::ProgramPositions => {
                *slot = counts(
                    lead.rare
                        .get()
                        .program_positions
                        .iter()
                        .map(|(k, n)| (k, n as u64)),
                )
            }
            LeadField::ContentSeen => *slot = texts(lead.content_seen.iter()),
            LeadField::Choices => *slot = texts(lead.rare.get().choices.iter().map(|c| c.as_str())),
            LeadField::OriginalRep => put_optional(
                slot,
                lead.rare.get().original_rep.as_ref().map(|r| r.as_str()),
            ),
            LeadField::Owner => {
                put_optional(slot, lead.rare.get().owner.as_ref().map(|r| r.as_str()))
            }
            LeadField::Account => put_optional(slot, lead.account()),
            LeadField::Opportunity => put_optional(slot, lead.rare.get().opportunity.as_deref()),
            LeadField::DoNotEmail => *slot = Dynamic::from_bool(lead.do_not_email),
            LeadField::Profile => {
                let mut profile = Map::new();
                for (k, v) in &lead.profile {
                    let v = match v {
                        ProfileValue::Bool(b) => Dynamic::from_bool(*b),
                        ProfileValue::Number(n) => Dynamic::from_float(*n),
                        ProfileValue::Text(t) => text(t),
                    };
                    profile.insert(k.into(), v);
                }
                *slot = Dynamic::from_map(profile)
            }
        }
        seal(slot);
    }
}

/// Fills `map` with the `event` view: exactly `fields`, provided `map` was last filled
/// with the same `fields` or is empty. Passive recycling has no event: its view is
/// `type` and `reason` `"sla_idle"` at the deadline's time.
pub(super) fn fill_event(s: &Subject<'_, '_>, fields: Fields, map: &mut Map) {
    for (i, field) in EventField::ALL.into_iter().enumerate() {
        if !fields.has(i) {
            continue;
        }
        let slot = slot(map, EVENT_FIELDS[i]);
        match s.event {
            Some(e) => event_field(e, field, slot),
            None => match field {
                EventField::Type | EventField::Reason => put_text(slot, "sla_idle"),
                EventField::Lead => put_text(slot, s.lead.id.as_str()),
                EventField::At => *slot = text(&rfc3339(&s.at)),
                _ => *slot = Dynamic::UNIT,
            },
        }
        seal(slot);
    }
}

/// The entry of `name` in `map`, created as `()` if need be.
fn slot<'m>(map: &'m mut Map, name: &str) -> &'m mut Dynamic {
    map.entry(name.into()).or_insert(Dynamic::UNIT)
}

/// Marks a view's value read-only (with everything inside it): rhai refuses to assign
/// to a field of a constant only when the field's own value is read-only.
fn seal(slot: &mut Dynamic) {
    if !slot.is_read_only() {
        *slot = std::mem::replace(slot, Dynamic::UNIT).into_read_only();
    }
}

fn event_field(e: &Event, field: EventField, slot: &mut Dynamic) {
    let kind = e.kind();
    let value: Option<&str> = match field {
        EventField::Type => Some(e.event_type().as_str()),
        EventField::Lead => e.lead().map(|l| l.as_str()),
        EventField::At => {
            *slot = text(&rfc3339(&e.at()));
            return;
        }
        EventField::Id => e.id().map(|i| i.as_str()),
        EventField::Rep => kind.rep().map(|r| r.as_str()),
        EventField::Reason => kind.reason(),
        EventField::Program => kind.chosen_program(),
        EventField::Kind => match kind {
            EventKind::Touch { kind, .. } => Some(kind),
            _ => None,
        },
        EventField::Content => match kind {
            EventKind::Touch { content, .. } => content.as_deref(),
            _ => None,
        },
        EventField::Campaign => match kind {
            EventKind::Touch { campaign, .. } | EventKind::Created { campaign, .. } => {
                campaign.as_deref()
            }
            _ => None,
        },
        EventField::Channel => match kind {
            EventKind::Touch { channel, .. }
            | EventKind::Created { channel, .. }
            | EventKind::SalesAttempt { channel, .. } => channel.as_deref(),
            _ => None,
        },
        EventField::Outcome => match kind {
            EventKind::SalesAttempt { outcome, .. } => outcome.as_deref(),
            _ => None,
        },
        EventField::Source => match kind {
            EventKind::Created { source, .. } => Some(source),
            _ => None,
        },
        EventField::Opportunity => match kind {
            EventKind::OpportunityOpened { opportunity, .. }
            | EventKind::OpportunityWon { opportunity }
            | EventKind::OpportunityLost { opportunity, .. } => Some(opportunity),
            _ => None,
        },
        EventField::Amount => {
            *slot = match kind {
                EventKind::OpportunityOpened {
                    amount: Some(a), ..
                } => Dynamic::from_float(*a),
                _ => Dynamic::UNIT,
            };
            return;
        }
        EventField::Cause => match kind {
            EventKind::ContactLost { cause } => Some(cause),
            _ => None,
        },
    };
    put_optional(slot, value);
}

fn grade_name(grade: Grade) -> &'static str {
    match grade {
        Grade::A => "A",
        Grade::B => "B",
        Grade::C => "C",
        Grade::D => "D",
    }
}

/// Sets `slot` to `s`, keeping the string already there when it is equal (no
/// allocation).
fn put_text(slot: &mut Dynamic, s: &str) {
    if slot
        .as_immutable_string_ref()
        .is_ok_and(|t| t.as_str() == s)
    {
        return;
    }
    *slot = text(s);
}

fn put_optional(slot: &mut Dynamic, s: Option<&str>) {
    match s {
        Some(s) => put_text(slot, s),
        None => *slot = Dynamic::UNIT,
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

fn texts<'a>(items: impl Iterator<Item = &'a str>) -> Dynamic {
    Dynamic::from_array(items.map(text).collect::<Array>())
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
