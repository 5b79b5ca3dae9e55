//! # leadcycle
//!
//! A deterministic rules engine for the B2B lead lifecycle, built so that **no lead is
//! left behind**. Feed it events (created, touches, sales actions, ticks of the clock);
//! get back effects: stage transitions, nurture assignments and steps, routing back to
//! the original rep, SLA breaches. Leads that sales rejects or ignores are recycled
//! into the right nurture program, resume where they left off, and come back to their
//! original rep when they are ready to buy.
//!
//! ```
//! use leadcycle::{Engine, Event, LeadBook, Policy, Stage};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let engine = Engine::new(Policy::default())?;
//! let mut book = LeadBook::new();
//! let lines = [
//!     r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar","profile":{"seniority":"vp","employees":350}}"#,
//!     r#"{"type":"touch","lead":"L1","at":"2026-01-06T09:00:00Z","kind":"demo_request"}"#,
//!     r#"{"type":"sales_accepted","lead":"L1","at":"2026-01-08T12:00:00Z","rep":"R7"}"#,
//!     r#"{"type":"disqualified","lead":"L1","at":"2026-01-20T12:00:00Z","rep":"R7","reason":"bad_timing"}"#,
//! ];
//! for line in lines {
//!     let event: Event = serde_json::from_str(line)?;
//!     for effect in book.apply(&engine, &event) {
//!         println!("{}", serde_json::to_string(&effect)?);
//!     }
//! }
//! let lead = book.get("L1").unwrap();
//! assert_eq!(lead.stage(), Stage::Recycled);
//! assert_eq!(lead.nurture().unwrap().program, "timing_drip");
//! assert_eq!(lead.original_rep().unwrap().as_str(), "R7");
//! # Ok(())
//! # }
//! ```
//!
//! ## Concepts
//!
//! - [`Event`] is the input and [`Effect`] the output; their serde forms are the JSON
//!   lines of the public contract ([`docs::contract`], "Events" and "Effects"). Build
//!   an event in Rust with the constructor of its type ([`Event::touch`],
//!   [`Event::tick`], ...), which cannot make one the engine would refuse for its
//!   shape; an effect's `Display` is one line for a person.
//! - [`Lead`] is one lead's whole state, plain serde data a host may store anywhere.
//! - [`Policy`] is the configuration (thresholds, service levels, nurture programs,
//!   reason maps, scoring tables), plain serde data written as a TOML file
//!   ([`docs::contract`], "Policy file"), with [`Policy::default`] as the embedded
//!   default; [`Engine::new`] validates it. `Policy::from_toml_str` /
//!   `Policy::from_toml_file` read and validate it, every key left out keeping its
//!   default ([`policy`] says how). [`Policy::fingerprint`] identifies it.
//! - [`Engine::step`] applies one event to one lead: pure and deterministic. The lead's
//!   due deadlines fire first; a refused event ([`Rejection`]) changes nothing itself,
//!   and the deadlines it passed stand. [`Lead::next_deadline`] tells a host when to
//!   wake a lead with [`Engine::advance`].
//! - [`LeadBook`] holds many leads with a deadline queue, handles `tick`, merges,
//!   idempotency and ordering, and snapshots to serde; it iterates, evicts removed
//!   leads, and refuses to restore a snapshot under another policy.
//! - Accounts: with the policy's `[accounts]`, the [`LeadBook`] rolls engagement up per
//!   account and reports an account that crosses its thresholds (`account_engaged`),
//!   which may lift the account's leads to MQL; [`accounts`] normalises company names
//!   and resolves aliases. With `[alerts]`, a lead's owner hears when it heats up
//!   (`owner_alert`). See [`docs::accounts`].
//! - [`scoring`] is the scoring the engine runs: fit grades, engagement bands with
//!   decay, the grade x band matrix and the score ledger.
//! - [`calibrate`] sits above the engine: [`calibrate::evaluate`] checks a scoring
//!   policy against leads whose outcome is known, and [`calibrate::learn`] learns one
//!   from them.
//! - [`what_if()`] sits above the book too: it replays the same history under two
//!   engines (the policy of today and a changed one) and reports every lead that would
//!   end differently, and the stage, program and effect counts that change
//!   ([`docs::what_if`]).
//!
//! - [`analytics`] sits above the engine too: it reads the journal (the events fed and
//!   the effects given back) into a [`analytics::Report`] of the waterfall per pass,
//!   time in stage, recycling yield, program effectiveness, content runway,
//!   persistence, black-hole symptoms and attribution, as serde data, markdown and an
//!   SVG chart ([`docs::analytics`]).
//!
//! Time is always an input: the library reads no clock, uses no randomness, and never
//! lets hash-map order reach its output.
//!
//! ## Cargo features
//!
//! - `toml` (on by default): `Policy::from_toml_str`, `Policy::from_toml_file` and
//!   `Policy::to_toml_string`. A host that keeps policies in another format turns it off
//!   (`default-features = false`) and deserializes a [`Policy`] with serde.
//! - `svg` (off by default): `analytics::Report::to_svg` draws the waterfall as an SVG
//!   chart with `plotters` (its SVG backend only, no system libraries).
//! - `testing` (off by default; for a host's dev-dependencies): `leadcycle::testing`,
//!   proptest strategies that generate event streams in a policy's own vocabulary and
//!   a checker of the design's invariants over their replay, so a host property-tests
//!   its own policy (the guide is `docs/testing.md`, and `docs::testing` with the
//!   feature on).
//!
//! ## Reference
//!
//! - [`docs::contract`]: the public contract (events, effects, the policy file in TOML,
//!   the replay command line).
//! - [`docs::semantics`]: how the engine reads the points the contract leaves open.
//! - [`docs::scoring`]: the scoring model and calibration.
//! - [`docs::what_if`]: what-if replays under two policies, and the `what_if` example.
//! - [`docs::accounts`]: the account roll-up, aliases, the lift, alerts to the owner,
//!   and partitioning accounts across books.
//! - [`docs::analytics`]: every figure of an analytics report, the report files, and a
//!   worked example on 5,000 leads.
//! - [`docs::rules`]: the rhai hooks of `[rules]`: what each decides, the views they
//!   read, the sandbox and its limits, and what happens when one fails.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod accounts;
pub mod analytics;
mod applied_ids;
mod book;
pub mod calibrate;
mod content_seen;
mod day_points;
pub mod docs;
mod effect;
mod engine;
mod error;
mod event;
mod fit_rule;
mod held_parts;
mod id;
mod inline_str;
mod lead;
mod lead_wire;
mod matrix;
mod name;
mod name_map;
pub mod policy;
mod profile;
mod program_positions;
mod rare_parts;
pub mod rules;
pub mod scoring;
mod stage;
#[cfg(feature = "testing")]
pub mod testing;
mod touch_counts;
mod what_if;

pub use applied_ids::{AppliedId, AppliedIds};
pub use book::{
    AccountRollUp, InsertError, LeadBook, LeadIter, Snapshot, SnapshotError, SnapshotHeader,
};
pub use content_seen::ContentSeen;
pub use effect::{
    AlertCause, Cause, Effect, EffectKind, EffectType, NurtureEnd, Reason, RejectKind, RouteReason,
    SlaKind,
};
pub use engine::{Disposition, Engine};
pub use error::{ParseNameError, PolicyError, PolicyProblem, Rejection, StepError};
pub use event::{Event, EventKind, EventType};
pub use id::{EventId, LeadId, RepId};
pub use inline_str::InlineStr;
pub use lead::{Enrollment, Lead, SlaClock, Touch};
pub use name::Name;
pub use policy::Policy;
pub use profile::{Profile, ProfileIter, ProfileValue};
pub use program_positions::ProgramPositions;
pub use stage::{legal_from, moves, Moves, Stage};
pub use touch_counts::TouchCounts;
pub use what_if::{
    what_if, what_if_until, CountChange, LeadDiff, LeadOutcome, OutcomeField, WhatIf, WhatIfReplay,
    WhatIfTotals,
};

/// The `chrono` crate, whose `DateTime<Utc>` every event and effect carries: a host
/// builds times without a dependency of its own, at the version leadcycle uses.
pub use chrono;

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
struct ReadmeDoctests;
