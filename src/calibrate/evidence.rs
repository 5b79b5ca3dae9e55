//! Evidence from history: labelled leads replayed through an engine and scored as of
//! their last event, then checked against whether they converted.

use super::metrics::{conversion_rate, deciles, roc_auc, Bucket, Decile};
use crate::engine::Engine;
use crate::error::PolicyError;
use crate::event::{Event, EventKind, EventType};
use crate::id::LeadId;
use crate::lead::Lead;
use crate::matrix::{Band, Cell, Grade};
use crate::policy::OUTCOME_EVENTS;
use crate::stage::Stage;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// One lead's history and its outcome: the training and test unit of
/// [`evaluate`](super::evaluate) and [`learn`](super::learn).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelledLead {
    /// The lead's events in the order they happened (CONTRACT.md's format), starting
    /// with its `created` event. Only this lead's events belong here: an event naming
    /// another lead is refused (and counted), like any other refused event.
    pub events: Vec<Event>,
    /// Whether the lead converted (for example, became a customer or an opportunity
    /// later than these events).
    pub converted: bool,
}

/// Why labelled leads could not be evaluated or learned from.
#[derive(Clone, Debug, PartialEq, Error)]
#[non_exhaustive]
pub enum EvidenceError {
    /// There were no leads where some were needed.
    #[error("no labelled leads in {what}: expected at least one lead with its events and label")]
    NoLeads {
        /// Which set was empty (`"the train split"`).
        what: &'static str,
    },
    /// Every lead of a split has the same label, so nothing can be learned or ranked.
    #[error("{what} has {leads} leads and {} of them converted: expected both converted and unconverted leads", if *.converted { "all" } else { "none" })]
    OneClass {
        /// Which split (`"the test split"`).
        what: &'static str,
        /// How many leads it has.
        leads: usize,
        /// The one label they all share.
        converted: bool,
    },
    /// A lead's events hold no `created` event the engine accepted, so there is no lead.
    #[error("labelled lead #{index}{} has no `created` event the engine accepts: expected its events to include the `created` event that starts the lead", lead_phrase(.lead))]
    NoCreatedEvent {
        /// The lead's 0-based position in the input.
        index: usize,
        /// The lead its first event names, if any.
        lead: Option<LeadId>,
    },
    /// A learning option is out of its range.
    #[error("learn option `{option}` = {value} is invalid: expected {expected}")]
    InvalidOption {
        /// The option (`"l2"`).
        option: &'static str,
        /// The value given.
        value: f64,
        /// What was expected.
        expected: &'static str,
    },
    /// The learned scoring section was refused by [`Engine::new`].
    #[error("the learned scoring section is not a valid policy: {0}")]
    Policy(#[from] PolicyError),
    /// The regression could not be solved (a non-finite value or a singular system).
    #[error("the logistic regression failed: {problem}; expected finite feature values (try a larger `l2`)")]
    Numerical {
        /// What went wrong.
        problem: String,
    },
}

fn lead_phrase(lead: &Option<LeadId>) -> String {
    lead.as_ref()
        .map_or_else(String::new, |l| format!(" ({l})"))
}

/// One labelled lead as the engine scored it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoredLead {
    /// The lead (from its `created` event).
    pub lead: LeadId,
    /// Its label.
    pub converted: bool,
    /// When it was scored: the time of its last applied event.
    pub at: DateTime<Utc>,
    /// Its score at `at` (`Lead::score_at`).
    pub score: f64,
    /// Its fit points.
    pub fit: f64,
    /// Its engagement decayed to `at`.
    pub engagement: f64,
    /// Its fit grade.
    pub grade: Grade,
    /// Its engagement band at `at`.
    pub band: Band,
    /// Its matrix cell at `at`.
    pub cell: Cell,
    /// Its stage after the last event.
    pub stage: Stage,
    /// How many of its events the engine refused (and the replay skipped).
    pub refused_events: usize,
}

/// How well an engine's scoring ranks labelled leads: the report of
/// [`evaluate`](super::evaluate).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// How many leads were scored.
    pub leads: usize,
    /// How many of them converted.
    pub conversions: usize,
    /// `conversions / leads`.
    pub base_rate: f64,
    /// ROC AUC of the score (see [`roc_auc`](super::roc_auc)); `None` when the leads all
    /// converted or none did.
    pub auc: Option<f64>,
    /// Events the engine refused, over all leads; they were skipped.
    pub refused_events: usize,
    /// Conversion per fit grade, A to D (every grade listed, empty ones too).
    pub by_grade: Vec<Bucket<Grade>>,
    /// Conversion per engagement band, 1 to 4 (every band listed).
    pub by_band: Vec<Bucket<Band>>,
    /// Conversion per matrix cell, `A1` to `D4` (all 16 listed).
    pub by_cell: Vec<Bucket<Cell>>,
    /// Conversion and lift by score decile, highest scores first; ties in score are
    /// ranked by lead id, then by input position.
    pub deciles: Vec<Decile>,
    /// Every lead as scored, in input order.
    pub scored: Vec<ScoredLead>,
}

/// Replays each lead's events alone through `engine` and reports how well its score,
/// read as of the lead's last event, ranks the leads that converted.
///
/// Each lead starts at its first `created` event the engine accepts ([`Engine::create`])
/// and takes the rest through [`Engine::step`]. Refused events (out of order, illegal
/// from the lead's stage, before its `created`, naming another lead, `merged`...) are
/// skipped and counted in [`Evaluation::refused_events`], never fatal. The lead is then
/// scored at the time `t` of its last applied event: score [`Lead::score_at`]`(t)`,
/// grade [`Engine::grade`], band [`Engine::band`]`(t)` and cell [`Engine::cell`]`(t)`.
///
/// Errors: [`EvidenceError::NoLeads`] for no leads, [`EvidenceError::NoCreatedEvent`]
/// for a lead without an accepted `created` event.
pub fn evaluate(engine: &Engine, leads: &[LabelledLead]) -> Result<Evaluation, EvidenceError> {
    if leads.is_empty() {
        return Err(EvidenceError::NoLeads { what: "evaluate" });
    }
    let replayed = replay_all(engine, leads)?;
    Ok(summarize(engine, &replayed))
}

/// The value of each feature on one lead replayed alone through `engine` (as
/// [`evaluate`] replays it), as of its last applied event, with touches and sales
/// attempts decayed at `half_life_days`. With the half-life of a section
/// [`learn`](super::learn) wrote back, `sum(points x value)` over the learned weights
/// is the score that section gives the lead, exactly.
///
/// Errors: [`EvidenceError::NoCreatedEvent`] for a lead without an accepted
/// `created` event.
pub fn measure(
    engine: &Engine,
    lead: &LabelledLead,
    features: &[super::Feature],
    half_life_days: f64,
) -> Result<Vec<f64>, EvidenceError> {
    let r = replay(engine, 0, lead)?;
    Ok(features
        .iter()
        .map(|f| super::feature::value(f, &r, half_life_days))
        .collect())
}

/// One lead after its replay, with what the features are built from.
#[derive(Clone, Debug)]
pub(crate) struct Replayed {
    pub lead: Lead,
    pub converted: bool,
    /// The time of the last applied event.
    pub at: DateTime<Utc>,
    /// The applied touches: kind and time.
    pub touches: Vec<(String, DateTime<Utc>)>,
    /// The applied sales attempts: channel, outcome and time.
    pub attempts: Vec<(Option<String>, Option<String>, DateTime<Utc>)>,
    /// The types of the applied sales outcome events (`scoring.outcomes`).
    pub outcomes: Vec<EventType>,
    pub refused: usize,
}

pub(crate) fn replay_all(
    engine: &Engine,
    leads: &[LabelledLead],
) -> Result<Vec<Replayed>, EvidenceError> {
    leads
        .iter()
        .enumerate()
        .map(|(index, l)| replay(engine, index, l))
        .collect()
}

fn replay(
    engine: &Engine,
    index: usize,
    labelled: &LabelledLead,
) -> Result<Replayed, EvidenceError> {
    let mut state: Option<Replayed> = None;
    let mut refused = 0;
    let mut effects = Vec::new();
    for event in &labelled.events {
        effects.clear();
        let Some(r) = state.as_mut() else {
            if let Ok((lead, _)) = engine.create(event) {
                let r = Replayed {
                    lead,
                    converted: labelled.converted,
                    at: event.at(),
                    touches: Vec::new(),
                    attempts: Vec::new(),
                    outcomes: Vec::new(),
                    refused: 0,
                };
                state = Some(r);
            } else {
                refused += 1;
            }
            continue;
        };
        if engine.step_into(&mut r.lead, event, &mut effects).is_err() {
            refused += 1;
            continue;
        }
        r.at = r.at.max(event.at());
        if OUTCOME_EVENTS.contains(&event.event_type()) {
            r.outcomes.push(event.event_type());
        }
        match event.kind() {
            EventKind::Touch { kind, .. } => r.touches.push((kind.clone(), event.at())),
            EventKind::SalesAttempt {
                channel, outcome, ..
            } => r
                .attempts
                .push((channel.clone(), outcome.clone(), event.at())),
            _ => {}
        }
    }
    let mut r = state.ok_or_else(|| EvidenceError::NoCreatedEvent {
        index,
        lead: labelled.events.first().and_then(|e| e.lead().cloned()),
    })?;
    r.refused = refused;
    Ok(r)
}

/// Scores replayed leads under `engine` and summarizes them.
pub(crate) fn summarize(engine: &Engine, replayed: &[Replayed]) -> Evaluation {
    let scored: Vec<ScoredLead> = replayed
        .iter()
        .map(|r| ScoredLead {
            lead: r.lead.id().clone(),
            converted: r.converted,
            at: r.at,
            score: r.lead.score_at(r.at),
            fit: r.lead.fit_points(),
            engagement: r.lead.score().engagement_at(r.at),
            grade: engine.grade(&r.lead),
            band: engine.band(&r.lead, r.at),
            cell: engine.cell(&r.lead, r.at),
            stage: r.lead.stage(),
            refused_events: r.refused,
        })
        .collect();
    let leads = scored.len();
    let conversions = scored.iter().filter(|s| s.converted).count();
    let base_rate = conversion_rate(leads, conversions).unwrap_or(0.0);
    let pairs: Vec<(f64, bool)> = scored.iter().map(|s| (s.score, s.converted)).collect();
    let bucket = |matches: &dyn Fn(&ScoredLead) -> bool| {
        let members = scored.iter().filter(|s| matches(s));
        let (n, c) = members.fold((0, 0), |(n, c), s| (n + 1, c + usize::from(s.converted)));
        (n, c)
    };
    let by_grade = Grade::ALL
        .into_iter()
        .map(|g| {
            let (n, c) = bucket(&|s| s.grade == g);
            Bucket::new(g, n, c)
        })
        .collect();
    let by_band = Band::ALL
        .into_iter()
        .map(|b| {
            let (n, c) = bucket(&|s| s.band == b);
            Bucket::new(b, n, c)
        })
        .collect();
    let by_cell = Cell::all()
        .map(|cell| {
            let (n, c) = bucket(&|s| s.cell == cell);
            Bucket::new(cell, n, c)
        })
        .collect();
    let mut order: Vec<usize> = (0..leads).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&scored[a], &scored[b]);
        y.score
            .total_cmp(&x.score)
            .then_with(|| x.lead.cmp(&y.lead))
            .then(a.cmp(&b))
    });
    let ranked: Vec<(f64, bool)> = order.iter().map(|&i| pairs[i]).collect();
    Evaluation {
        leads,
        conversions,
        base_rate,
        auc: roc_auc(&pairs),
        refused_events: scored.iter().map(|s| s.refused_events).sum(),
        by_grade,
        by_band,
        by_cell,
        deciles: deciles(&ranked, base_rate),
        scored,
    }
}
