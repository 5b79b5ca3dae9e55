//! Putting a lead into a book: the other half of [`LeadBook::remove`], for a lead that
//! moves between books (a host that partitions its leads across several books and
//! rebalances them, or brings a merge's two leads together).

use super::LeadBook;
use crate::lead::Lead;
use thiserror::Error;

impl LeadBook {
    /// Puts a lead into the book, after every other lead, and queues its next deadline:
    /// the book then treats it exactly as the book it came from would have. Refused,
    /// with the lead handed back in the error, when the book already holds a lead with
    /// its id; the book is then unchanged.
    ///
    /// The lead keeps its own clock, and the book keeps its watermark: a deadline of the
    /// lead that is already due fires at the next tick, or before the lead's next event,
    /// as every due deadline does. Insert a lead only into a book that runs under the
    /// same policy as the book it came from (the book does not re-score it) and whose
    /// watermark is the same: a lead moved between books that have seen the same ticks
    /// gives the same effects as if it had never moved.
    ///
    /// Under `[accounts]` the account roll-up is the book's, not the lead's: the lead
    /// joins its account's roll-up in this book at its next event, and the touches it
    /// counted in the book it left stay counted there until they age out. So move whole
    /// accounts between books, never single leads of an account (`docs/accounts.md`,
    /// partitioning).
    ///
    /// ```
    /// use leadcycle::{Engine, Event, LeadBook, Policy};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let engine = Engine::new(Policy::default())?;
    /// let created: Event = serde_json::from_str(
    ///     r#"{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar"}"#,
    /// )?;
    /// let mut here = LeadBook::new();
    /// here.apply(&engine, &created);
    ///
    /// let mut there = LeadBook::new();
    /// let lead = here.remove("L1").expect("the book holds L1");
    /// there.insert(lead)?;
    /// assert!(here.get("L1").is_none() && there.get("L1").is_some());
    /// // A second lead with the same id is refused, and handed back.
    /// let (lead, _effects) = engine.create(&created)?;
    /// assert!(there.insert(lead).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn insert(&mut self, lead: Lead) -> Result<(), InsertError> {
        if self.leads.contains_key(lead.id()) {
            return Err(InsertError::AlreadyHeld {
                lead: Box::new(lead),
            });
        }
        let id = lead.id().clone();
        let next = lead.next_deadline();
        // In the book before it is queued: a purge rebuilds the queue from the book's
        // leads, and would drop the new lead's deadline.
        self.leads.insert(lead);
        self.schedule(&id, None, next);
        Ok(())
    }
}

/// Why [`LeadBook::insert`] refused a lead. The book is unchanged.
#[derive(Clone, Debug, PartialEq, Error)]
#[non_exhaustive]
pub enum InsertError {
    /// The book already holds a lead with this id.
    #[error("the book already holds lead {}: a book holds each lead once; take the held one out first (LeadBook::remove), or insert the lead into a book that does not hold it", .lead.id())]
    AlreadyHeld {
        /// The lead that was not inserted, handed back so that it is not lost.
        lead: Box<Lead>,
    },
}
