//! The engine: the compiled policy and the pure step function at the centre.
//!
//! One step, for every caller (a host stepping its own leads, or a [`LeadBook`]):
//! [`refusal`](Engine::refusal) judges the refusals that come before the lead's due
//! deadlines, the deadlines fire (and stand), `refusal` judges the rest against the
//! stage the lead is really in, and the event is applied. The decisions a rule may
//! change each live in one function: [`disposition`](Engine::disposition),
//! [`qualification`](Engine::qualification), and the touch table; every stage change,
//! with its entry and exit actions, goes through [`move_to`](Engine::move_to).
//!
//! [`LeadBook`]: crate::LeadBook

mod account_lift;
mod alerts;
mod apply;
mod disposition;
mod merge;
mod nurture;
mod qualify;
mod refusal;
mod timers;
mod touch_kinds;
mod transition;

pub use disposition::Disposition;
pub(crate) use refusal::{Phase, Subject};

use crate::accounts::AccountNames;
use crate::content_seen::ContentSeen;
use crate::effect::{Cause, Effect, EffectKind};
use crate::error::{PolicyError, Rejection, StepError};
use crate::event::{Event, EventKind};
use crate::held_parts::HeldParts;
use crate::lead::{Lead, Touch};
use crate::name::Name;
use crate::policy::Policy;
use crate::rare_parts::Rare;
use crate::rules::{CompiledRules, Hook, HookError};
use crate::scoring::{fit_entries, Band, Bounds, Cell, Grade, ScoreState};
use crate::stage::Stage;
use crate::touch_counts::TouchCounts;
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Arc;
use touch_kinds::TouchKinds;

/// Applies events to leads under one validated [`Policy`].
///
/// An `Engine` is immutable, `Send + Sync` and cheap to share across threads. Its
/// methods are pure: they read no clock, do no I/O, and return the effects instead of
/// performing them.
#[derive(Clone, Debug)]
pub struct Engine {
    /// Shared: cloning an engine (one per thread, say) copies a pointer.
    inner: Arc<Compiled>,
}

/// Everything an engine derives from its policy when it is built.
#[derive(Debug)]
struct Compiled {
    policy: Policy,
    /// [`Policy::fingerprint`], computed once: a book records it on every change.
    fingerprint: String,
    /// The policy's facts per touch kind (points, group and cap, hand-raiser).
    touch_kinds: TouchKinds,
    /// `dedupe_window_days`, to the millisecond.
    dedupe_window: TimeDelta,
    /// The `[rules]` hooks, compiled into their sandbox.
    rules: CompiledRules,
    /// `[accounts.aliases]`, resolved once (empty without `[accounts]`).
    account_names: AccountNames,
}

impl Engine {
    /// Builds an engine, validating the policy ([`Policy::validate`]: every program it
    /// names must be defined, every duration positive, the grade table in order) and
    /// compiling its `[rules]` hooks once (a hook that does not compile is a
    /// [`PolicyProblem::HookSyntax`](crate::PolicyProblem::HookSyntax) with its line and
    /// column). A refused policy's [`PolicyError::Invalid`] lists every problem at once.
    pub fn new(policy: Policy) -> Result<Self, PolicyError> {
        let mut problems = match policy.validate() {
            Ok(()) => Vec::new(),
            Err(e) => e.problems().to_vec(),
        };
        let rules = match CompiledRules::compile(&policy.rules) {
            Ok(rules) => Some(rules),
            Err(mut found) => {
                problems.append(&mut found);
                None
            }
        };
        let Some(rules) = rules.filter(|_| problems.is_empty()) else {
            return Err(PolicyError::Invalid { problems });
        };
        let touch_kinds = TouchKinds::compile(&policy.scoring);
        let fingerprint = policy.fingerprint();
        let dedupe_window = days(policy.dedupe_window_days);
        let account_names = policy
            .accounts
            .as_ref()
            .and_then(|a| AccountNames::from_table(&a.aliases).ok())
            .unwrap_or_default();
        Ok(Engine {
            inner: Arc::new(Compiled {
                policy,
                fingerprint,
                touch_kinds,
                dedupe_window,
                rules,
                account_names,
            }),
        })
    }

    /// The policy this engine runs.
    pub fn policy(&self) -> &Policy {
        &self.inner.policy
    }

    /// The [fingerprint](Policy::fingerprint) of the policy this engine runs, computed
    /// once when the engine was built.
    pub fn policy_fingerprint(&self) -> &str {
        &self.inner.fingerprint
    }

    /// The account names of the policy's `[accounts.aliases]` table (empty without
    /// one): [`AccountNames::resolve`] gives the account a company name or email domain
    /// belongs to. A [`LeadBook`](crate::LeadBook) adds the aliases of `account_alias`
    /// events to these ([`LeadBook::account_names`](crate::LeadBook::account_names)).
    pub fn account_names(&self) -> &AccountNames {
        &self.inner.account_names
    }

    /// `dedupe_window_days`, to the millisecond: how long before its clock a lead
    /// remembers an applied event's id.
    #[cfg(feature = "testing")]
    pub(crate) fn dedupe_window(&self) -> TimeDelta {
        self.inner.dedupe_window
    }

    /// Creates a lead from its `created` event: the lead enters `inquiry` (and may
    /// qualify at once by fit).
    pub fn create(&self, event: &Event) -> Result<(Lead, Vec<Effect>), StepError> {
        self.create_after(event, None)
    }

    /// [`Engine::create`] in a book whose last tick was at `watermark`.
    pub(crate) fn create_after(
        &self,
        event: &Event,
        watermark: Option<DateTime<Utc>>,
    ) -> Result<(Lead, Vec<Effect>), StepError> {
        self.refusal(Phase::BeforeDeadlines, Subject::New, event, watermark)?;
        let EventKind::Created {
            source,
            campaign,
            channel,
            account,
            profile,
        } = event.kind()
        else {
            unreachable!("refusal lets only a `created` event create a lead")
        };
        let id = event
            .lead()
            .cloned()
            .expect("an Event of any type but `tick` names its lead");
        let at = event.at();
        let touch = Touch {
            source: Name::from(source.as_str()),
            campaign: campaign.as_deref().map(Name::from),
            channel: channel.as_deref().map(Name::from),
            at,
        };
        let mut lead = Lead {
            id,
            stage: Stage::Inquiry,
            entered_stage_at: at,
            clock: at,
            first_touch: touch,
            last_touch: touch,
            touch_counts: TouchCounts::default(),
            score: ScoreState::new(at, self.inner.policy.scoring.half_life_days),
            profile: profile.clone(),
            account: account.as_deref().map(Name::from),
            armed: true,
            do_not_email: false,
            held: HeldParts::default(),
            content_seen: ContentSeen::default(),
            applied_events: Default::default(),
            rare: Rare::default(),
        };
        if let Some(id) = event.id() {
            lead.remember_id(id, at);
        }
        let changes = fit_entries(&self.inner.policy.scoring.fit, profile);
        lead.score
            .set_fit(&changes, at, self.inner.policy.scoring.ledger_size);
        let mut out = vec![Effect::new(
            &lead.id,
            at,
            EffectKind::Transition {
                from: None,
                to: Stage::Inquiry,
                cause: Cause::Created,
                reason: None,
            },
        )];
        self.qualify(&mut lead, event, false, &mut out);
        Ok((lead, out))
    }

    /// Applies one event to one lead and returns what happened.
    ///
    /// The lead's own deadlines at or before the event's time fire first (their effects
    /// are stamped with the deadline's time), then the event is applied. A `tick` only
    /// fires deadlines, like [`Engine::advance`].
    ///
    /// A refused event changes nothing itself, but the time it carries has passed: when
    /// it is refused for the lead's stage (`illegal_transition`, `unknown_program`, or
    /// `removed_lead` because a deadline removed the lead), the deadlines that fell due
    /// before it have fired, the lead has moved on by them, and their effects are in
    /// [`Rejection::fired`]. A refusal judged before the deadlines (`malformed`,
    /// `duplicate_event`, `duplicate_lead`, `out_of_order`, `removed_lead` for a lead
    /// already removed) leaves the lead exactly as it was.
    pub fn step(&self, lead: &mut Lead, event: &Event) -> Result<Vec<Effect>, Rejection> {
        let mut out = Vec::new();
        match self.step_into(lead, event, &mut out) {
            Ok(()) => Ok(out),
            Err(error) => Err(Rejection { error, fired: out }),
        }
    }

    /// Like [`Engine::step`], appending the effects to `out`; reusing one buffer saves
    /// an allocation per step. On error, `out` holds the effects of the deadlines that
    /// fired before the refusal (none for a refusal judged before them).
    pub fn step_into(
        &self,
        lead: &mut Lead,
        event: &Event,
        out: &mut Vec<Effect>,
    ) -> Result<(), StepError> {
        if let EventKind::AccountAlias { .. } = event.kind() {
            return Err(StepError::Malformed {
                lead: None,
                problem: "`account_alias` names an account, not a lead: apply it to the LeadBook that keeps the accounts (LeadBook::apply), not to one lead".to_owned(),
            });
        }
        if event.lead().is_none() {
            // A tick: it fires the lead's deadlines.
            self.refusal(Phase::BeforeDeadlines, Subject::Tick, event, None)?;
            self.advance_into(lead, event.at(), out);
            return Ok(());
        }
        self.step_after(lead, None, event, None, out)
    }

    /// The one step path: every refusal judged by [`Engine::refusal`], the lead's (and,
    /// for a merge, the survivor's) due deadlines fired between the two phases, then the
    /// event applied. `watermark` is the time of a book's last tick.
    pub(crate) fn step_after(
        &self,
        lead: &mut Lead,
        mut survivor: Option<&mut Lead>,
        event: &Event,
        watermark: Option<DateTime<Utc>>,
        out: &mut Vec<Effect>,
    ) -> Result<(), StepError> {
        let subject = Subject::Lead {
            lead,
            survivor: survivor.as_deref(),
        };
        self.refusal(Phase::BeforeDeadlines, subject, event, watermark)?;
        match survivor.as_deref_mut() {
            Some(survivor) => self.fire_both(lead, survivor, event.at(), out),
            None => self.advance_into(lead, event.at(), out),
        }
        let subject = Subject::Lead {
            lead,
            survivor: survivor.as_deref(),
        };
        self.refusal(Phase::AfterDeadlines, subject, event, watermark)?;
        match survivor {
            Some(survivor) => self.absorb(lead, survivor, event, out),
            None => self.apply(lead, event, out),
        }
        Ok(())
    }

    /// The lead's fit grade under this policy's grade table.
    pub fn grade(&self, lead: &Lead) -> Grade {
        Grade::of(lead.score.fit, &self.inner.policy.scoring.grades)
    }

    /// The lead's engagement band at time `t` under this policy's band table.
    pub fn band(&self, lead: &Lead, t: DateTime<Utc>) -> Band {
        Band::of(
            lead.score.engagement_at(t),
            &self.inner.policy.scoring.bands,
        )
    }

    /// The lead's matrix cell (`A1`..`D4`) at time `t`.
    pub fn cell(&self, lead: &Lead, t: DateTime<Utc>) -> Cell {
        Cell {
            grade: self.grade(lead),
            band: self.band(lead, t),
        }
    }

    /// The bounds engagement is kept within, and the ledger's size.
    fn bounds(&self) -> Bounds {
        let s = &self.inner.policy.scoring;
        Bounds {
            floor: s.engagement_floor,
            cap: s.engagement_cap,
            ledger_size: s.ledger_size,
        }
    }

    /// Brings the lead's score to time `t` (decay), under this policy.
    fn decay(&self, lead: &mut Lead, t: DateTime<Utc>) {
        lead.score
            .decay_to(t, self.inner.policy.scoring.half_life_days, self.bounds());
    }

    /// Moves the lead's clock to `t` if that is later, and forgets the event ids that
    /// fall out of the dedupe window before it. The ids are trimmed even when the clock
    /// stays, so after every step a lead holds exactly the ids within the window of
    /// the policy that stepped it (a shorter window takes effect at once).
    fn set_clock(&self, lead: &mut Lead, t: DateTime<Utc>) {
        lead.clock = lead.clock.max(t);
        lead.forget_ids(self.inner.dedupe_window);
    }

    /// An event was applied to the lead at `at`: its clock moves on and its id is
    /// remembered.
    fn applied(&self, lead: &mut Lead, event: &Event) {
        if let Some(id) = event.id() {
            lead.remember_id(id, event.at());
        }
        self.set_clock(lead, event.at());
    }
}

impl Engine {
    /// Reports a hook that failed, and the policy's decision applied instead.
    fn rule_failed(
        &self,
        lead: &Lead,
        at: DateTime<Utc>,
        hook: Hook,
        error: &HookError,
        fallback: String,
        out: &mut Vec<Effect>,
    ) {
        out.push(Effect::new(
            &lead.id,
            at,
            EffectKind::RuleFailed {
                hook: hook.as_str().to_owned(),
                error: error.to_string(),
                fallback,
            },
        ));
    }
}

/// A policy duration in days, to the millisecond (policies cap durations at 100 years).
fn days(d: f64) -> TimeDelta {
    TimeDelta::try_milliseconds((d * 86_400_000.0).round() as i64).unwrap_or(TimeDelta::MAX)
}

/// `d` days (a policy duration, to the millisecond) after `at`. A deadline past the
/// end of representable time saturates there: it never fires, and never panics.
pub(crate) fn after(at: DateTime<Utc>, d: f64) -> DateTime<Utc> {
    at.checked_add_signed(days(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}
