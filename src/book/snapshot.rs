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
    /// The bytes are not a sealed snapshot ([`Snapshot::seal`]): they do not start with
    /// its header. Snapshots written before the sealed format (plain serde data) are
    /// refused this way too.
    #[error("it is not a leadcycle snapshot: it starts with \"{start}\", not with the header `leadcycle-snapshot 1 ...` (a snapshot written before leadcycle sealed them, or another file); replay the events to write a new one")]
    NotASnapshot {
        /// The first bytes, as text with anything unprintable escaped.
        start: String,
    },
    /// The header line of a sealed snapshot cannot be read.
    #[error("its header \"{header}\" cannot be read: {problem}")]
    BadHeader {
        /// The header line (its first 160 bytes), unprintable bytes escaped.
        header: String,
        /// What is wrong with it and what was expected.
        problem: &'static str,
    },
    /// The snapshot is in another version of the sealed format.
    #[error("it is in snapshot format {found}, but this leadcycle reads format {supported}: restore it with the leadcycle version that wrote it, or replay the events")]
    FormatVersion {
        /// The format version the header names.
        found: u32,
        /// The one this crate reads.
        supported: u32,
    },
    /// Another version of leadcycle wrote the snapshot: a lead's state may mean
    /// something else there, so a snapshot restores only in the version that wrote it.
    #[error("it was written by leadcycle {found}, but this is leadcycle {running}: a snapshot restores only in the version that wrote it; restore it there, or replay the events")]
    CrateVersion {
        /// The version that wrote it.
        found: String,
        /// This crate's version.
        running: String,
    },
    /// The body is shorter than its header says: the file was cut short.
    #[error("it is truncated: its header promises {expected} bytes of snapshot but {found} follow; the file was cut short, restore an intact copy")]
    Truncated {
        /// The length the header gives.
        expected: u64,
        /// The bytes that follow the header.
        found: u64,
    },
    /// The body is longer than its header says: something was appended.
    #[error("it has bytes after its end: its header promises {expected} bytes of snapshot but {found} follow; something was appended to the file, restore an intact copy")]
    TrailingBytes {
        /// The length the header gives.
        expected: u64,
        /// The bytes that follow the header.
        found: u64,
    },
    /// The checksum does not match: the snapshot (or its header) was edited or damaged.
    #[error("its checksum does not match: the header says fnv1a64:{expected} but the bytes give fnv1a64:{found}; the file was edited or damaged, restore an intact copy")]
    ChecksumMismatch {
        /// The checksum the header gives, 16 hexadecimal digits.
        expected: String,
        /// The checksum of the bytes, 16 hexadecimal digits.
        found: String,
    },
    /// The snapshot lists a lead twice.
    #[error("the snapshot lists lead {lead} twice: a book holds each lead once")]
    DuplicateLead {
        /// The lead.
        lead: LeadId,
    },
}
