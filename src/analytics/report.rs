//! The report: every metric of a journal, as serde data that combines.

use super::accounts::{account_figures, merge_accounts, AccountFigures};
use super::attribution::Attribution;
use super::black_holes::{BlackHoles, ThresholdError, Thresholds};
use super::facts::lead_facts;
use super::journal::Journal;
use super::persistence::{Persistence, PersistenceBySeniority};
use super::recycling::{ProgramEffect, Programs, RecyclingYield};
use super::runway::{ContentRunway, Runway};
use super::waterfall::{Pass, SalExits, StageFigures, Waterfall};
use crate::policy::Policy;
use crate::stage::Stage;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every metric of a journal: the waterfall per pass, time in stage, service levels,
/// recycling yield, program effectiveness, content runway, persistence, black-hole
/// symptoms, attribution and accounts.
///
/// Plain serde data (`report.json` of the `report` example is its JSON form); every
/// map is sorted, so the same journal gives the same bytes. Reports of journals of
/// disjoint sets of leads combine: [`Report::merge`] gives the report of the whole.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// The latest time in the journal: "now" for every figure that says now.
    pub until: Option<DateTime<Utc>>,
    /// Leads that entered the waterfall.
    pub leads: u64,
    /// Events the engine refused (`rejected` effects).
    pub rejected: u64,
    /// Each stage (every stage of the waterfall, `recycled` and `removed` included).
    pub stages: BTreeMap<Stage, StageFigures>,
    /// The funnel per pass, pass 1 first.
    pub passes: Vec<Pass>,
    /// How SAL stays ended, and the SAL disqualification rate.
    pub sal_exits: SalExits,
    /// Moves into `recycled`, per reason (`sla_idle` for passive recycling).
    pub recycle_reasons: BTreeMap<String, u64>,
    /// Moves into `removed`, per reason.
    pub removal_reasons: BTreeMap<String, u64>,
    /// Recycling yield.
    pub recycling: RecyclingYield,
    /// Program effectiveness: one row per (recycle reason, program), sorted.
    pub programs: Vec<ProgramEffect>,
    /// Content runway per program.
    pub content_runway: BTreeMap<String, Runway>,
    /// Touches before qualification and before a win, per seniority.
    pub persistence: BTreeMap<String, Persistence>,
    /// The black-hole symptoms.
    pub black_holes: BlackHoles,
    /// Attribution of opportunities and wins.
    pub attribution: Attribution,
    /// Each account's leads and how far they went, by canonical name (aliases
    /// applied); empty when no lead names an account.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub accounts: BTreeMap<String, AccountFigures>,
}

impl Journal {
    /// The report of this journal. `policy` gives each program's length (content
    /// runway); `thresholds` judge the black-hole symptoms, and are refused when one
    /// is not a share from 0 to 1.
    pub fn report(
        &self,
        policy: &Policy,
        thresholds: &Thresholds,
    ) -> Result<Report, ThresholdError> {
        thresholds.validate()?;
        let mut waterfall = Waterfall::new();
        let mut recycling = RecyclingYield::default();
        let mut programs = Programs::default();
        let mut runway = ContentRunway::new(policy);
        let mut persistence = PersistenceBySeniority::default();
        let mut black_holes = BlackHoles::default();
        let mut attribution = Attribution::default();
        let facts = lead_facts(self);
        for lead in &facts {
            waterfall.tally(lead);
            recycling.tally(lead);
            programs.tally(lead);
            runway.tally(lead);
            persistence.tally(lead);
            black_holes.tally(lead);
            attribution.tally(lead);
        }
        let mut report = Report {
            until: self.until,
            leads: facts.len() as u64,
            rejected: self.rejected,
            recycling,
            black_holes,
            attribution,
            accounts: account_figures(self, policy),
            ..Report::default()
        };
        report.put(waterfall, programs, runway, persistence);
        report.finish(*thresholds);
        Ok(report)
    }
}

impl Report {
    /// Adds `other`, the report of a journal of other leads: the result is the report
    /// of both journals together (counts add, distributions and lead lists unite,
    /// rates and symptoms are recomputed; `until` is the later). The thresholds stay
    /// this report's.
    pub fn merge(&mut self, other: &Report) {
        let (mut waterfall, mut programs, mut runway, mut persistence) = self.take();
        let (w, p, r, s) = other.clone().take();
        waterfall.merge(&w);
        programs.merge(&p);
        runway.merge(&r);
        persistence.merge(&s);
        self.put(waterfall, programs, runway, persistence);
        self.until = match (self.until, other.until) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.leads += other.leads;
        self.rejected += other.rejected;
        self.recycling.merge(&other.recycling);
        self.black_holes.merge(&other.black_holes);
        self.attribution.merge(&other.attribution);
        merge_accounts(&mut self.accounts, &other.accounts);
        let thresholds = self.black_holes.thresholds;
        self.finish(thresholds);
    }

    fn take(&mut self) -> (Waterfall, Programs, ContentRunway, PersistenceBySeniority) {
        let waterfall = Waterfall {
            stages: std::mem::take(&mut self.stages),
            passes: std::mem::take(&mut self.passes),
            sal_exits: std::mem::take(&mut self.sal_exits),
            recycle_reasons: std::mem::take(&mut self.recycle_reasons),
            removal_reasons: std::mem::take(&mut self.removal_reasons),
        };
        let programs = Programs(
            std::mem::take(&mut self.programs)
                .into_iter()
                .map(|row| ((row.reason.clone(), row.program.clone()), row))
                .collect(),
        );
        (
            waterfall,
            programs,
            ContentRunway(std::mem::take(&mut self.content_runway)),
            PersistenceBySeniority(std::mem::take(&mut self.persistence)),
        )
    }

    fn put(
        &mut self,
        mut waterfall: Waterfall,
        programs: Programs,
        runway: ContentRunway,
        persistence: PersistenceBySeniority,
    ) {
        // Passes past the last one with any entry carry nothing.
        while waterfall
            .passes
            .last()
            .is_some_and(|p| p.entered.is_empty())
        {
            waterfall.passes.pop();
        }
        self.stages = waterfall.stages;
        self.passes = waterfall.passes;
        self.sal_exits = waterfall.sal_exits;
        self.recycle_reasons = waterfall.recycle_reasons;
        self.removal_reasons = waterfall.removal_reasons;
        self.programs = programs.0.into_values().collect();
        self.content_runway = runway.0;
        self.persistence = persistence.0;
    }

    /// Recomputes every derived figure (rates, medians, symptoms) from the counts.
    fn finish(&mut self, thresholds: Thresholds) {
        let (mut waterfall, mut programs, runway, mut persistence) = self.take();
        waterfall.finish();
        programs.finish();
        persistence.finish();
        self.put(waterfall, programs, runway, persistence);
        self.recycling.finish();
        self.black_holes.finish(thresholds);
    }

    /// Transitions into `stage`, every pass counted, summed over the passes: equal to
    /// `stages[stage].entered`.
    pub fn entered_over_passes(&self, stage: Stage) -> u64 {
        self.passes
            .iter()
            .map(|p| p.entered.get(&stage).copied().unwrap_or(0))
            .sum()
    }
}
