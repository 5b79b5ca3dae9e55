//! The serde form of a [`Lead`]: one object, its fields in a fixed order.
//!
//! The record keeps its rarely set parts behind a pointer ([`Rare`]), but hosts keep
//! leads and snapshots in this form, so it stays the one the derived implementation
//! wrote before (`tests/lead_wire.rs` holds its bytes): written field by field here,
//! and read through [`LeadFields`], the record as it was, with the same attributes.

use crate::applied_ids::AppliedIds;
use crate::content_seen::ContentSeen;
use crate::held_parts::HeldParts;
use crate::id::{LeadId, RepId};
use crate::lead::{Enrollment, Lead, OwnerAlerts, SlaClock, Touch};
use crate::name::Name;
use crate::profile::Profile;
use crate::program_positions::ProgramPositions;
use crate::rare_parts::{Rare, RareParts};
use crate::scoring::ScoreState;
use crate::stage::Stage;
use crate::touch_counts::TouchCounts;
use chrono::{DateTime, Utc};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Every field, in order (26), as the derived `Serialize` wrote them.
impl Serialize for Lead {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let rare = self.rare.get();
        let skip_choices = rare.choices.is_empty();
        let skip_reasons = rare.recycle_reasons.is_empty();
        let skip_alerts = rare.alerts.is_empty();
        let len =
            26 - usize::from(skip_choices) - usize::from(skip_reasons) - usize::from(skip_alerts);
        let mut s = serializer.serialize_struct("Lead", len)?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("stage", &self.stage)?;
        s.serialize_field("entered_stage_at", &self.entered_stage_at)?;
        s.serialize_field("created_at", &self.created_at())?;
        s.serialize_field("clock", &self.clock)?;
        s.serialize_field("first_touch", &self.first_touch)?;
        s.serialize_field("last_touch", &self.last_touch)?;
        s.serialize_field("touch_counts", &self.touch_counts)?;
        s.serialize_field("profile", &self.profile)?;
        s.serialize_field("account", &self.account)?;
        s.serialize_field("owner", &rare.owner)?;
        s.serialize_field("original_rep", &rare.original_rep)?;
        s.serialize_field("opportunity", &rare.opportunity)?;
        s.serialize_field("score", &self.score)?;
        s.serialize_field("armed", &self.armed)?;
        s.serialize_field("do_not_email", &self.do_not_email)?;
        s.serialize_field("removed_reason", &rare.removed_reason)?;
        s.serialize_field("nurture", &self.nurture())?;
        s.serialize_field("program_positions", &rare.program_positions)?;
        s.serialize_field("content_seen", &self.content_seen)?;
        if skip_choices {
            s.skip_field("choices")?;
        } else {
            s.serialize_field("choices", &rare.choices)?;
        }
        s.serialize_field("sla", self.sla())?;
        s.serialize_field("times_recycled", &rare.times_recycled)?;
        if skip_reasons {
            s.skip_field("recycle_reasons")?;
        } else {
            s.serialize_field("recycle_reasons", &rare.recycle_reasons)?;
        }
        s.serialize_field("applied_events", &self.applied_events)?;
        if skip_alerts {
            s.skip_field("alerts")?;
        } else {
            s.serialize_field("alerts", &rare.alerts)?;
        }
        s.end()
    }
}

/// Reads what the derived `Deserialize` read: the same fields, defaults and messages.
impl<'de> Deserialize<'de> for Lead {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        LeadFields::deserialize(deserializer).map(Lead::from)
    }
}

/// The lead record as it was before its rare parts moved behind a pointer; only read.
#[derive(Deserialize)]
#[serde(rename = "Lead")]
struct LeadFields {
    id: LeadId,
    stage: Stage,
    entered_stage_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    clock: DateTime<Utc>,
    first_touch: Touch,
    last_touch: Touch,
    touch_counts: TouchCounts,
    profile: Profile,
    account: Option<String>,
    owner: Option<RepId>,
    original_rep: Option<RepId>,
    opportunity: Option<String>,
    score: ScoreState,
    armed: bool,
    do_not_email: bool,
    removed_reason: Option<String>,
    nurture: Option<Enrollment>,
    program_positions: ProgramPositions,
    content_seen: ContentSeen,
    /// Absent in leads written before branches existed.
    #[serde(default)]
    choices: Vec<Name>,
    sla: SlaClock,
    times_recycled: u32,
    /// Absent when empty.
    #[serde(default)]
    recycle_reasons: Vec<Name>,
    applied_events: AppliedIds,
    /// Absent when empty, and in leads written before alerts existed.
    #[serde(default)]
    alerts: OwnerAlerts,
}

impl From<LeadFields> for Lead {
    fn from(f: LeadFields) -> Self {
        let mut lead = Lead {
            id: f.id,
            stage: f.stage,
            entered_stage_at: f.entered_stage_at,
            clock: f.clock,
            first_touch: f.first_touch,
            last_touch: f.last_touch,
            touch_counts: f.touch_counts,
            profile: f.profile,
            account: f.account.as_deref().map(Name::from),
            score: f.score,
            armed: f.armed,
            do_not_email: f.do_not_email,
            held: HeldParts::from_parts(
                f.nurture.is_some(),
                f.sla.has_deadline(),
                !f.applied_events.is_empty(),
            ),
            content_seen: f.content_seen,
            applied_events: f.applied_events,
            rare: Rare::from_parts(RareParts {
                owner: f.owner,
                original_rep: f.original_rep,
                opportunity: f.opportunity,
                removed_reason: f.removed_reason,
                nurture: f.nurture,
                program_positions: f.program_positions,
                choices: f.choices,
                sla: f.sla,
                created_at: None,
                times_recycled: f.times_recycled,
                recycle_reasons: f.recycle_reasons,
                alerts: f.alerts,
            }),
        };
        lead.set_created_at(f.created_at);
        lead
    }
}
