//! The account roll-up a book keeps: per account, the distinct leads with a counting
//! touch within the window and their points, and whether the account is engaged.

use crate::accounts::{AccountNames, AliasAdded, AliasError};
use crate::day_points::{utc_day, window_start, DayPoints};
use crate::effect::{Effect, EffectKind};
use crate::engine::Engine;
use crate::event::{Event, EventKind};
use crate::id::LeadId;
use crate::lead::Lead;
use crate::policy::AccountsPolicy;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A book's account state, part of its [`Snapshot`](crate::Snapshot): the aliases
/// added by `account_alias` events, the account of each lead, and per account the
/// activity within the `[accounts]` window (one entry per lead and UTC day, so its
/// memory is bounded by the window) and whether it is engaged. Empty, and left out of
/// a snapshot's serde form, for a policy without `[accounts]` and no alias events.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountRollUp {
    /// The whole alias table (the policy's and the events'), once an `account_alias`
    /// event added to it; until then the engine's policy table is the table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    aliases: Option<AccountNames>,
    /// The account of each lead the roll-up has seen.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    leads: BTreeMap<LeadId, String>,
    /// Per account id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    accounts: BTreeMap<String, AccountState>,
}

/// One account's roll-up.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct AccountState {
    /// The account's leads in the book: the ones a crossing may lift.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    members: BTreeSet<LeadId>,
    /// Per lead, the points of its counting touches per UTC day, within the window.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    active: BTreeMap<LeadId, DayPoints>,
    /// Whether the account was at or over the thresholds when last evaluated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    engaged: bool,
}

/// What the book does after an account was evaluated.
pub(super) enum Lift {
    /// Nothing: the account is not engaged, or the policy lifts no grade.
    None,
    /// Judge the lead of the event.
    One,
    /// The account just crossed: judge every lead of the account, in id order.
    All(Vec<LeadId>),
}

impl AccountRollUp {
    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.aliases.is_none() && self.leads.is_empty() && self.accounts.is_empty()
    }

    /// The alias table in force: the events' if any, else the policy's.
    pub(super) fn names<'a>(&'a self, engine: &'a Engine) -> &'a AccountNames {
        self.aliases
            .as_ref()
            .unwrap_or_else(|| engine.account_names())
    }

    /// Applies an `account_alias` event: the alias joins the table, and any roll-up
    /// kept under the alias's own name moves into the account. Refused, changing
    /// nothing, as [`AccountNames::add`] refuses.
    pub(super) fn add_alias(
        &mut self,
        engine: &Engine,
        account: &str,
        alias: &str,
    ) -> Result<(), AliasError> {
        let mut names = self.names(engine).clone();
        let AliasAdded::New { account, alias } = names.add(account, alias)? else {
            return Ok(());
        };
        self.aliases = Some(names);
        let Some(moved) = self.accounts.remove(&alias) else {
            return Ok(());
        };
        for lead in &moved.members {
            self.leads.insert(lead.clone(), account.clone());
        }
        let into = self.accounts.entry(account).or_default();
        into.members.extend(moved.members);
        for (lead, days) in moved.active {
            into.active.entry(lead).or_default().absorb(days);
        }
        // The account keeps its own crossing state: if it was not engaged, the next
        // event of one of its leads judges the merged window and may report it.
        Ok(())
    }

    /// A lead's event was applied (or it was created): records a counting touch and
    /// evaluates its account at the event's time. Returns the `account_engaged` effect
    /// when the account crosses, and which leads the engine should judge for the lift.
    pub(super) fn observe(
        &mut self,
        engine: &Engine,
        policy: &AccountsPolicy,
        lead: &Lead,
        event: &Event,
    ) -> (Option<Effect>, Lift) {
        // Borrowed, not cloned, and looked up once: this runs on every event of a lead
        // with an account.
        let account = match self.leads.get(&lead.id) {
            Some(account) => account,
            None => {
                if self.register(engine, lead).is_none() {
                    return (None, Lift::None);
                }
                &self.leads[&lead.id]
            }
        };
        let Some(state) = self.accounts.get_mut(account.as_str()) else {
            return (None, Lift::None);
        };
        let at = event.at();
        let today = utc_day(at);
        let start = window_start(today, policy.window_days);
        if let EventKind::Touch { kind, .. } = event.kind() {
            if policy.counts(kind) {
                let points = engine.policy().scoring.engagement.get(kind).copied();
                let points = points.unwrap_or(0.0);
                match state.active.get_mut(&lead.id) {
                    Some(days) => days.add(today, points),
                    None => {
                        let mut days = DayPoints::default();
                        days.add(today, points);
                        state.active.insert(lead.id.clone(), days);
                    }
                }
            }
        }
        state.active.retain(|_, days| {
            days.forget_before(start);
            !days.is_empty()
        });
        let in_window = |days: &DayPoints| days.active_within(start, today);
        let contacts = state.active.values().filter(|d| in_window(d)).count();
        let points: f64 = state
            .active
            .values()
            .map(|days| days.total_within(start, today))
            .sum();
        let engaged = contacts >= policy.min_contacts as usize
            && policy.min_points.is_none_or(|min| points >= min);
        let crossed = engaged && !state.engaged;
        state.engaged = engaged;
        let lifts = !policy.lift_grades.is_empty();
        if !crossed {
            let lift = if engaged && lifts {
                Lift::One
            } else {
                Lift::None
            };
            return (None, lift);
        }
        let lift = if lifts {
            Lift::All(state.members.iter().cloned().collect())
        } else {
            Lift::None
        };
        let leads: Vec<LeadId> = state
            .active
            .iter()
            .filter(|(_, days)| in_window(days))
            .map(|(id, _)| id.clone())
            .collect();
        let effect = Effect::new(
            &lead.id,
            at,
            EffectKind::AccountEngaged {
                account: account.clone(),
                contacts,
                leads,
                points,
            },
        );
        (Some(effect), lift)
    }

    /// `duplicate` was merged into `survivor`: the duplicate leaves its account, and its
    /// touches in the window count for the survivor, in the survivor's account (a
    /// survivor without an account drops them).
    pub(super) fn merge(&mut self, engine: &Engine, duplicate: &Lead, survivor: &Lead) {
        let Some(from) = self.account_of(engine, duplicate) else {
            return;
        };
        let Some(state) = self.accounts.get_mut(&from) else {
            return;
        };
        state.members.remove(&duplicate.id);
        let moved = state.active.remove(&duplicate.id);
        self.leads.remove(&duplicate.id);
        if let (Some(days), Some(into)) = (moved, self.account_of(engine, survivor)) {
            self.accounts
                .entry(into)
                .or_default()
                .active
                .entry(survivor.id.clone())
                .or_default()
                .absorb(days);
        }
    }

    /// Forgets the membership of the leads `keep` refuses (leads evicted from the book);
    /// their touches keep counting until they leave the window.
    pub(super) fn retain_members(&mut self, keep: impl Fn(&LeadId) -> bool) {
        self.leads.retain(|id, _| keep(id));
        for state in self.accounts.values_mut() {
            state.members.retain(&keep);
        }
    }

    /// Forgets the membership of one lead taken out of the book; its touches keep
    /// counting until they leave the window.
    pub(super) fn forget(&mut self, id: &LeadId) {
        if let Some(account) = self.leads.remove(id) {
            if let Some(state) = self.accounts.get_mut(&account) {
                state.members.remove(id);
            }
        }
    }

    /// The account of a lead, registering the lead as a member the first time: the
    /// resolution of its `created` account through the alias table in force.
    fn account_of(&mut self, engine: &Engine, lead: &Lead) -> Option<String> {
        if let Some(account) = self.leads.get(&lead.id) {
            return Some(account.clone());
        }
        self.register(engine, lead)
    }

    /// Registers a lead the roll-up has not seen: the resolution of its `created`
    /// account through the alias table in force; `None` for a lead without one.
    fn register(&mut self, engine: &Engine, lead: &Lead) -> Option<String> {
        let account = self.names(engine).resolve(lead.account.as_deref()?)?;
        self.leads.insert(lead.id.clone(), account.clone());
        self.accounts
            .entry(account.clone())
            .or_default()
            .members
            .insert(lead.id.clone());
        Some(account)
    }
}
