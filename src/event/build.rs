//! Building events in Rust: one constructor per event type, taking the fields the type
//! requires, and `with_*` methods for the optional ones.

use super::kind::{EventKind, Field};
use super::Event;
use crate::id::{EventId, LeadId, RepId};
use crate::profile::Profile;
use chrono::{DateTime, Utc};

/// The constructors take the lead, the time and the type's required fields, in the
/// contract's order; every optional field starts out absent, and the `with_*` methods
/// set them. A `tick` is the only event without a lead, and has no way to get one.
impl Event {
    /// An event of a type other than `tick`, which happened to `lead`.
    fn for_lead(lead: impl Into<LeadId>, at: DateTime<Utc>, kind: EventKind) -> Self {
        debug_assert!(!matches!(kind, EventKind::Tick {}), "a tick names no lead");
        Event {
            kind,
            lead: Some(lead.into()),
            at,
            id: None,
            unknown_fields: Vec::new(),
        }
    }

    /// A `tick`: no event older than `at` will come; deadlines up to `at` fire. It
    /// names no lead.
    ///
    /// ```
    /// use leadcycle::Event;
    /// let tick = Event::tick("2026-03-01T00:00:00Z".parse().unwrap());
    /// assert_eq!(tick.lead(), None);
    /// assert_eq!(serde_json::to_string(&tick).unwrap(), r#"{"type":"tick","at":"2026-03-01T00:00:00Z"}"#);
    /// ```
    pub fn tick(at: DateTime<Utc>) -> Self {
        Event {
            kind: EventKind::Tick {},
            lead: None,
            at,
            id: None,
            unknown_fields: Vec::new(),
        }
    }

    /// An `account_alias`: from `at` on, names that normalise as `alias` does belong
    /// to `account` (`docs/accounts.md`). Like a tick, it names no lead; a
    /// [`LeadBook`](crate::LeadBook) applies it.
    ///
    /// ```
    /// use leadcycle::Event;
    /// let alias = Event::account_alias("2026-03-01T00:00:00Z".parse().unwrap(), "amex", "American Express");
    /// assert_eq!(alias.lead(), None);
    /// assert_eq!(
    ///     serde_json::to_string(&alias).unwrap(),
    ///     r#"{"type":"account_alias","account":"amex","alias":"American Express","at":"2026-03-01T00:00:00Z"}"#
    /// );
    /// ```
    pub fn account_alias(
        at: DateTime<Utc>,
        account: impl Into<String>,
        alias: impl Into<String>,
    ) -> Self {
        Event {
            kind: EventKind::AccountAlias {
                account: account.into(),
                alias: alias.into(),
            },
            lead: None,
            at,
            id: None,
            unknown_fields: Vec::new(),
        }
    }

    /// `created`: a new lead from `source` (`"webinar"`). Optional: `with_campaign`,
    /// `with_channel`, `with_account`, `with_profile`.
    ///
    /// ```
    /// use leadcycle::chrono::{DateTime, Utc};
    /// use leadcycle::{Engine, Event, Policy, Profile, Stage};
    ///
    /// let at: DateTime<Utc> = "2026-01-05T10:00:00Z".parse().unwrap();
    /// let mut profile = Profile::new();
    /// profile.insert("seniority", "vp".into());
    /// let created = Event::created("L1", at, "webinar")
    ///     .with_campaign("w-17")
    ///     .with_profile(profile);
    /// assert_eq!(
    ///     created.to_string(),
    ///     "2026-01-05T10:00:00Z L1: created source=webinar campaign=w-17 profile={seniority=vp}",
    /// );
    /// let engine = Engine::new(Policy::default()).unwrap();
    /// let (lead, _effects) = engine.create(&created).unwrap();
    /// assert_eq!(lead.stage(), Stage::Inquiry);
    /// ```
    pub fn created(lead: impl Into<LeadId>, at: DateTime<Utc>, source: impl Into<String>) -> Self {
        let kind = EventKind::Created {
            source: source.into(),
            campaign: None,
            channel: None,
            account: None,
            profile: Profile::new(),
        };
        Event::for_lead(lead, at, kind)
    }

    /// `touch`: a marketing touch of `kind` (`"email_click"`). Optional:
    /// `with_campaign`, `with_channel`, `with_content`.
    ///
    /// ```
    /// use leadcycle::{Event, EventKind};
    /// let at = "2026-01-06T09:00:00Z".parse().unwrap();
    /// let touch = Event::touch("L1", at, "content_download").with_content("roi-calculator");
    /// let EventKind::Touch { kind, content, .. } = touch.kind() else { unreachable!() };
    /// assert_eq!((kind.as_str(), content.as_deref()), ("content_download", Some("roi-calculator")));
    /// ```
    pub fn touch(lead: impl Into<LeadId>, at: DateTime<Utc>, kind: impl Into<String>) -> Self {
        let kind = EventKind::Touch {
            kind: kind.into(),
            campaign: None,
            channel: None,
            content: None,
        };
        Event::for_lead(lead, at, kind)
    }

    /// `profile`: set these profile attributes (others are kept).
    pub fn profile(lead: impl Into<LeadId>, at: DateTime<Utc>, set: Profile) -> Self {
        Event::for_lead(lead, at, EventKind::Profile { set })
    }

    /// `sales_accepted`: `rep` took the lead.
    pub fn sales_accepted(
        lead: impl Into<LeadId>,
        at: DateTime<Utc>,
        rep: impl Into<RepId>,
    ) -> Self {
        let rep = rep.into();
        Event::for_lead(lead, at, EventKind::SalesAccepted { rep })
    }

    /// `sales_rejected`: `rep` sent the lead back for `reason`. Optional: `with_program`.
    pub fn sales_rejected(
        lead: impl Into<LeadId>,
        at: DateTime<Utc>,
        rep: impl Into<RepId>,
        reason: impl Into<String>,
    ) -> Self {
        let kind = EventKind::SalesRejected {
            rep: rep.into(),
            reason: reason.into(),
            program: None,
        };
        Event::for_lead(lead, at, kind)
    }

    /// `sales_attempt`: `rep` tried to reach the lead. Optional: `with_channel`,
    /// `with_outcome`.
    ///
    /// ```
    /// use leadcycle::Event;
    /// let at = "2026-01-09T09:00:00Z".parse().unwrap();
    /// let attempt = Event::sales_attempt("L1", at, "R7").with_channel("call").with_outcome("voicemail");
    /// assert_eq!(attempt.to_string(), "2026-01-09T09:00:00Z L1: sales_attempt rep=R7 channel=call outcome=voicemail");
    /// ```
    pub fn sales_attempt(
        lead: impl Into<LeadId>,
        at: DateTime<Utc>,
        rep: impl Into<RepId>,
    ) -> Self {
        let kind = EventKind::SalesAttempt {
            rep: rep.into(),
            channel: None,
            outcome: None,
        };
        Event::for_lead(lead, at, kind)
    }

    /// `sales_qualified`: `rep` confirmed need, budget, authority and timing.
    pub fn sales_qualified(
        lead: impl Into<LeadId>,
        at: DateTime<Utc>,
        rep: impl Into<RepId>,
    ) -> Self {
        let rep = rep.into();
        Event::for_lead(lead, at, EventKind::SalesQualified { rep })
    }

    /// `opportunity_opened`: the host's `opportunity` was opened. Optional:
    /// `with_amount`.
    pub fn opportunity_opened(
        lead: impl Into<LeadId>,
        at: DateTime<Utc>,
        opportunity: impl Into<String>,
    ) -> Self {
        let kind = EventKind::OpportunityOpened {
            opportunity: opportunity.into(),
            amount: None,
        };
        Event::for_lead(lead, at, kind)
    }

    /// `opportunity_won`: the `opportunity` was won.
    pub fn opportunity_won(
        lead: impl Into<LeadId>,
        at: DateTime<Utc>,
        opportunity: impl Into<String>,
    ) -> Self {
        let opportunity = opportunity.into();
        Event::for_lead(lead, at, EventKind::OpportunityWon { opportunity })
    }

    /// `opportunity_lost`: the `opportunity` was lost for `reason`. Optional:
    /// `with_program`.
    pub fn opportunity_lost(
        lead: impl Into<LeadId>,
        at: DateTime<Utc>,
        opportunity: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        let kind = EventKind::OpportunityLost {
            opportunity: opportunity.into(),
            reason: reason.into(),
            program: None,
        };
        Event::for_lead(lead, at, kind)
    }

    /// `disqualified`: `rep` disqualified the lead for `reason`. Optional:
    /// `with_program`.
    ///
    /// ```
    /// use leadcycle::Event;
    /// let at = "2026-01-20T12:00:00Z".parse().unwrap();
    /// let event = Event::disqualified("L1", at, "R7", "bad_timing").with_program("timing_drip");
    /// assert_eq!(
    ///     serde_json::to_string(&event).unwrap(),
    ///     r#"{"type":"disqualified","rep":"R7","reason":"bad_timing","program":"timing_drip","lead":"L1","at":"2026-01-20T12:00:00Z"}"#,
    /// );
    /// ```
    pub fn disqualified(
        lead: impl Into<LeadId>,
        at: DateTime<Utc>,
        rep: impl Into<RepId>,
        reason: impl Into<String>,
    ) -> Self {
        let kind = EventKind::Disqualified {
            rep: rep.into(),
            reason: reason.into(),
            program: None,
        };
        Event::for_lead(lead, at, kind)
    }

    /// `recycled`: `rep` handed the lead back to marketing for `reason`. Optional:
    /// `with_program`.
    pub fn recycled(
        lead: impl Into<LeadId>,
        at: DateTime<Utc>,
        rep: impl Into<RepId>,
        reason: impl Into<String>,
    ) -> Self {
        let kind = EventKind::Recycled {
            rep: rep.into(),
            reason: reason.into(),
            program: None,
        };
        Event::for_lead(lead, at, kind)
    }

    /// `unsubscribed`: the lead asked not to be emailed.
    pub fn unsubscribed(lead: impl Into<LeadId>, at: DateTime<Utc>) -> Self {
        Event::for_lead(lead, at, EventKind::Unsubscribed {})
    }

    /// `contact_lost`: the contact can no longer be reached, for `cause`
    /// (`"bounced"`).
    pub fn contact_lost(
        lead: impl Into<LeadId>,
        at: DateTime<Utc>,
        cause: impl Into<String>,
    ) -> Self {
        let cause = cause.into();
        Event::for_lead(lead, at, EventKind::ContactLost { cause })
    }

    /// `merged`: this lead is a duplicate of `into`, which survives. Apply it with
    /// [`Engine::merge`](crate::Engine::merge) or a [`LeadBook`](crate::LeadBook).
    ///
    /// ```
    /// use leadcycle::{Engine, Event, LeadBook, Policy, Stage};
    /// let engine = Engine::new(Policy::default()).unwrap();
    /// let mut book = LeadBook::new();
    /// let at = "2026-01-05T10:00:00Z".parse().unwrap();
    /// book.apply(&engine, &Event::created("L1", at, "webinar"));
    /// book.apply(&engine, &Event::created("L4", at, "ebook"));
    /// book.apply(&engine, &Event::merged("L4", at, "L1"));
    /// assert_eq!(book.get("L4").unwrap().stage(), Stage::Removed);
    /// ```
    pub fn merged(lead: impl Into<LeadId>, at: DateTime<Utc>, into: impl Into<LeadId>) -> Self {
        let into = into.into();
        Event::for_lead(lead, at, EventKind::Merged { into })
    }
}

/// The optional fields. Each names the types that have the field; on an event of
/// another type it sets nothing and is remembered in
/// [`Event::unknown_fields`], exactly like an unknown key of a JSON line: ignored,
/// unless the policy sets `strict_events`, which refuses the event as `malformed`.
impl Event {
    /// The host's event id (any type): an id already applied to the lead is refused
    /// as `duplicate_event`.
    pub fn with_id(mut self, id: impl Into<EventId>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// `campaign`, of a `created` or `touch` event.
    pub fn with_campaign(mut self, campaign: impl Into<String>) -> Self {
        match &mut self.kind {
            EventKind::Created { campaign: slot, .. } | EventKind::Touch { campaign: slot, .. } => {
                *slot = Some(campaign.into())
            }
            _ => self.no_field(Field::campaign),
        }
        self
    }

    /// `channel`, of a `created`, `touch` or `sales_attempt` event.
    pub fn with_channel(mut self, channel: impl Into<String>) -> Self {
        match &mut self.kind {
            EventKind::Created { channel: slot, .. }
            | EventKind::Touch { channel: slot, .. }
            | EventKind::SalesAttempt { channel: slot, .. } => *slot = Some(channel.into()),
            _ => self.no_field(Field::channel),
        }
        self
    }

    /// `account`, of a `created` event.
    pub fn with_account(mut self, account: impl Into<String>) -> Self {
        match &mut self.kind {
            EventKind::Created { account: slot, .. } => *slot = Some(account.into()),
            _ => self.no_field(Field::account),
        }
        self
    }

    /// `profile`, of a `created` event (a `profile` event takes its attributes in
    /// [`Event::profile`]).
    pub fn with_profile(mut self, profile: Profile) -> Self {
        match &mut self.kind {
            EventKind::Created { profile: slot, .. } => *slot = profile,
            _ => self.no_field(Field::profile),
        }
        self
    }

    /// `content`, of a `touch` event: content the lead consumed, never sent to it again
    /// by a resuming program.
    pub fn with_content(mut self, content: impl Into<String>) -> Self {
        match &mut self.kind {
            EventKind::Touch { content: slot, .. } => *slot = Some(content.into()),
            _ => self.no_field(Field::content),
        }
        self
    }

    /// `outcome`, of a `sales_attempt` event (`"voicemail"`).
    pub fn with_outcome(mut self, outcome: impl Into<String>) -> Self {
        match &mut self.kind {
            EventKind::SalesAttempt { outcome: slot, .. } => *slot = Some(outcome.into()),
            _ => self.no_field(Field::outcome),
        }
        self
    }

    /// `amount`, of an `opportunity_opened` event.
    pub fn with_amount(mut self, amount: f64) -> Self {
        match &mut self.kind {
            EventKind::OpportunityOpened { amount: slot, .. } => *slot = Some(amount),
            _ => self.no_field(Field::amount),
        }
        self
    }

    /// `program`, of a `sales_rejected`, `opportunity_lost`, `disqualified` or
    /// `recycled` event: an extension program the rep chose instead of the reason's.
    pub fn with_program(mut self, program: impl Into<String>) -> Self {
        match &mut self.kind {
            EventKind::SalesRejected { program: slot, .. }
            | EventKind::OpportunityLost { program: slot, .. }
            | EventKind::Disqualified { program: slot, .. }
            | EventKind::Recycled { program: slot, .. } => *slot = Some(program.into()),
            _ => self.no_field(Field::program),
        }
        self
    }

    /// Remembers that the event was given `field`, which its type does not have.
    fn no_field(&mut self, field: Field) {
        let name = field.name();
        if let Err(at) = self
            .unknown_fields
            .binary_search_by(|known| known.as_str().cmp(name))
        {
            self.unknown_fields.insert(at, name.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventType;

    fn at() -> DateTime<Utc> {
        "2026-01-05T10:00:00Z".parse().unwrap()
    }

    /// An event of type `ty` with every optional field set.
    fn full(ty: EventType) -> Event {
        let t = at();
        let profile: Profile = [("seniority".to_owned(), "vp".into())].into();
        match ty {
            EventType::Created => Event::created("L1", t, "web")
                .with_campaign("c")
                .with_channel("ch")
                .with_account("a")
                .with_profile(profile),
            EventType::Touch => Event::touch("L1", t, "email_click")
                .with_campaign("c")
                .with_channel("ch")
                .with_content("x"),
            EventType::Profile => Event::profile("L1", t, profile),
            EventType::SalesAccepted => Event::sales_accepted("L1", t, "R1"),
            EventType::SalesRejected => {
                Event::sales_rejected("L1", t, "R1", "no_budget").with_program("p")
            }
            EventType::SalesAttempt => Event::sales_attempt("L1", t, "R1")
                .with_channel("call")
                .with_outcome("voicemail"),
            EventType::SalesQualified => Event::sales_qualified("L1", t, "R1"),
            EventType::OpportunityOpened => {
                Event::opportunity_opened("L1", t, "O1").with_amount(10.0)
            }
            EventType::OpportunityWon => Event::opportunity_won("L1", t, "O1"),
            EventType::OpportunityLost => {
                Event::opportunity_lost("L1", t, "O1", "lost").with_program("p")
            }
            EventType::Disqualified => {
                Event::disqualified("L1", t, "R1", "no_budget").with_program("p")
            }
            EventType::Recycled => Event::recycled("L1", t, "R1", "no_budget").with_program("p"),
            EventType::Unsubscribed => Event::unsubscribed("L1", t),
            EventType::ContactLost => Event::contact_lost("L1", t, "bounced"),
            EventType::Merged => Event::merged("L1", t, "L2"),
            EventType::Tick => Event::tick(t),
            EventType::AccountAlias => Event::account_alias(t, "amex", "American Express"),
        }
    }

    #[test]
    fn each_constructor_with_every_setter_of_its_type_writes_exactly_the_types_fields() {
        for &ty in EventType::ALL {
            let event = full(ty);
            assert_eq!(event.event_type(), ty);
            assert!(event.unknown_fields().is_empty(), "{ty}: {event:?}");
            assert_eq!(event.lead().is_none(), ty.is_leadless());
            let json = serde_json::to_value(&event).unwrap();
            let mut keys: Vec<&str> = json
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            keys.retain(|k| !["type", "lead", "at", "id"].contains(k));
            keys.sort_unstable();
            let mut fields = ty.fields().to_vec();
            fields.sort_unstable();
            assert_eq!(keys, fields, "{ty}");
        }
    }

    #[test]
    fn a_setter_for_a_field_the_type_does_not_have_sets_nothing_and_is_remembered() {
        let event = Event::sales_accepted("L1", at(), "R1")
            .with_program("timing_drip")
            .with_content("x")
            .with_program("again");
        assert_eq!(event.unknown_fields(), ["content", "program"]);
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            serde_json::to_value(Event::sales_accepted("L1", at(), "R1")).unwrap()
        );
    }
}
