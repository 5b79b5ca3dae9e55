//! A book's whole state as plain data, for checkpoint and restore, and why a restore
//! can be refused.

use super::AccountRollUp;
use crate::id::LeadId;
use crate::lead::Lead;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A book's whole state as plain data, for checkpoint and restore.
///
/// Leads are in the book's order (the order they entered it, see
/// [`LeadBook::iter`](crate::LeadBook::iter)), so the same book always serializes to
/// the same bytes and a restored book iterates as the original did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The time of the last tick.
    pub watermark: Option<DateTime<Utc>>,
    /// Every lead, removed ones included (but not evicted ones), in the book's order.
    pub leads: Vec<Lead>,
    /// The [fingerprint](crate::Policy::fingerprint) of the policy the book last
    /// changed under; `None` for a book that never changed, and in snapshots written
    /// before leadcycle recorded it. [`LeadBook::restore`](crate::LeadBook::restore)
    /// checks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_fingerprint: Option<String>,
    /// The account roll-up and the aliases of `account_alias` events; left out of the
    /// serde form when empty (no `[accounts]` and no alias event), so snapshots written
    /// before accounts existed restore, and write back unchanged.
    #[serde(default, skip_serializing_if = "AccountRollUp::is_empty")]
    pub accounts: AccountRollUp,
}

/// Why [`LeadBook::restore`](crate::LeadBook::restore) refused a snapshot. The book is
/// not built; nothing else changes.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The snapshot was taken under another policy than the engine runs: restoring it
    /// would apply new events to leads whose scores, deadlines and enrollments the
    /// other policy decided.
    #[error("the snapshot was taken under policy {snapshot}, but the engine runs policy {engine}: restore it with the engine of the policy it was taken under, or accept the change with LeadBook::from_snapshot")]
    PolicyMismatch {
        /// The fingerprint the snapshot records.
        snapshot: String,
        /// The fingerprint of the engine's policy.
        engine: String,
    },
    /// The snapshot lists a lead twice.
    #[error("the snapshot lists lead {lead} twice: a book holds each lead once")]
    DuplicateLead {
        /// The lead.
        lead: LeadId,
    },
}
