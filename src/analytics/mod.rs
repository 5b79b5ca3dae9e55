//! Analytics from the journal: what a host fed the engine (events) and what it got
//! back (effects), read into a [`Report`] of the demand waterfall. They sit above the
//! engine and need no lead store, so they work for a host that keeps leads in its own
//! database as for a [`LeadBook`](crate::LeadBook).
//!
//! - [`Journal`] takes the events and effects ([`Journal::record_event`],
//!   [`Journal::record_effect`]); an effect that contradicts it is a
//!   [`JournalError`] and changes nothing.
//! - [`Journal::report`] gives the [`Report`]: leads per stage now and entries
//!   ([`StageFigures`]), conversion between consecutive stages **per pass** ([`Pass`]:
//!   a lead recycled and re-qualified counts in each pass), time in stage re-entry
//!   aware ([`TimeInStage`]), leads past a service level now, the SAL
//!   disqualification rate ([`SalExits`]), recycle and removal reasons, recycling
//!   yield ([`RecyclingYield`]), program effectiveness ([`ProgramEffect`]), content
//!   runway ([`Runway`]), persistence ([`Persistence`]), black-hole symptoms judged by
//!   [`Thresholds`] ([`BlackHoles`]) and attribution ([`Attribution`]).
//! - A report serializes with serde, renders as markdown ([`Report::to_markdown`]) and,
//!   with the cargo feature `svg`, draws the waterfall as an SVG chart
//!   (`Report::to_svg`). Reports of disjoint sets of leads combine
//!   ([`Report::merge`]).
//!
//! [`docs::analytics`](crate::docs::analytics) defines every figure and shows a worked
//! example on 5,000 leads.

mod accounts;
mod attribution;
mod black_holes;
mod distribution;
mod facts;
mod journal;
mod markdown;
mod persistence;
mod recycling;
mod report;
mod runway;
#[cfg(feature = "svg")]
mod svg;
#[cfg(feature = "svg")]
pub use svg::SvgError;
mod waterfall;

pub use accounts::AccountFigures;
pub use attribution::{Attribution, Credit, Credits, ModelCredit, W_SHAPED_ROLE};
pub use black_holes::{BlackHoles, Symptom, ThresholdError, Thresholds};
pub use distribution::{Distribution, Durations, Rate};
pub use journal::{Journal, JournalError};
pub use persistence::Persistence;
pub use recycling::{ProgramEffect, RecyclingYield};
pub use report::Report;
pub use runway::Runway;
pub use waterfall::{Conversion, Pass, SalExits, StageFigures, TimeInStage, FUNNEL};
