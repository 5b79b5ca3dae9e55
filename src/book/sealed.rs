//! A snapshot sealed for storage: one header line that names the format, the crate
//! version and the policy, and checks the bytes, before the snapshot in the host's own
//! serde format. A snapshot file that was cut short, edited, or written by another
//! version or under another policy is refused when it is read, before anything is
//! restored from it.

use super::{Snapshot, SnapshotError};
use crate::engine::Engine;
use crate::policy::{fnv1a64_continue, FNV1A64_OFFSET};
use serde::{Deserialize, Serialize};

/// The first word of every sealed snapshot.
const FORMAT: &str = "leadcycle-snapshot";
/// The version of the sealed format this crate writes and reads. Version 1 is the
/// first with a header: snapshots written before it (plain serde data) are refused.
const FORMAT_VERSION: u32 = 1;
/// The version of this crate: a snapshot restores only in the version that wrote it.
const CRATE_VERSION: &str = env!("CARGO_PKG_VERSION");
/// A header is one short line; a file without a line break this early is not one.
const MAX_HEADER: usize = 512;
/// The last field of the header, which the checksum does not cover.
const CHECKSUM_FIELD: &str = " checksum=fnv1a64:";

/// The header line of a sealed snapshot ([`Snapshot::seal`]), as
/// [`SnapshotHeader::read`] finds it.
///
/// On disk it is one line of text before the snapshot's own bytes:
///
/// ```text
/// leadcycle-snapshot 1 leadcycle-0.1.0 policy=fnv1a64:58c2… bytes=20417 checksum=fnv1a64:0f3e…
/// ```
///
/// The checksum is FNV-1a (64 bits) of everything before ` checksum=` and then the
/// body: an edit anywhere in the file, the header included, is caught. It guards
/// against accidents (a truncated copy, a hand edit, a disk error), not an adversary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SnapshotHeader {
    /// The version of the sealed format (1).
    pub format_version: u32,
    /// The version of leadcycle that wrote the snapshot.
    pub crate_version: String,
    /// The [fingerprint](crate::Policy::fingerprint) of the policy the book last
    /// changed under, as in [`Snapshot::policy_fingerprint`]; `None` for a book that
    /// never changed.
    pub policy_fingerprint: Option<String>,
    /// The length of the body in bytes.
    pub length: u64,
    /// The checksum, FNV-1a (64 bits) of the header before it and the body.
    pub checksum: u64,
}

impl SnapshotHeader {
    /// Reads the header at the start of a sealed snapshot, and returns it with the body
    /// that follows it, unchecked ([`Snapshot::unseal`] checks it). Refused when the
    /// bytes do not start with a snapshot header, or with one of another format
    /// version, or the header cannot be read.
    pub fn read(bytes: &[u8]) -> Result<(SnapshotHeader, &[u8]), SnapshotError> {
        let (header, _covered, body) = split(bytes)?;
        Ok((header, body))
    }
}

impl Snapshot {
    /// The header line (with its line break) that seals `body`, this snapshot in the
    /// host's serde format: write it, then `body`. [`Snapshot::seal`] joins them.
    pub fn sealed_header(&self, body: &[u8]) -> String {
        let policy = self.policy_fingerprint.as_deref().unwrap_or("none");
        let covered = format!(
            "{FORMAT} {FORMAT_VERSION} leadcycle-{CRATE_VERSION} policy={policy} bytes={}",
            body.len()
        );
        let checksum = fnv1a64_continue(fnv1a64_continue(FNV1A64_OFFSET, covered.as_bytes()), body);
        format!("{covered}{CHECKSUM_FIELD}{checksum:016x}\n")
    }

    /// This snapshot sealed for storage: its header line, then `body`, the snapshot
    /// serialized in the host's serde format. [`Snapshot::unseal`] gives the body back
    /// once it has checked it.
    ///
    /// ```
    /// use leadcycle::{Engine, Event, LeadBook, Policy, Snapshot, SnapshotError};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let engine = Engine::new(Policy::default())?;
    /// let mut book = LeadBook::new();
    /// book.apply(&engine, &Event::tick("2026-01-05T00:00:00Z".parse()?));
    /// let snapshot = book.snapshot();
    /// let sealed = snapshot.seal(&serde_json::to_vec(&snapshot)?);
    ///
    /// let body = Snapshot::unseal(&sealed, &engine)?;
    /// let restored = LeadBook::restore(serde_json::from_slice(body)?, &engine)?;
    /// assert_eq!(restored.snapshot(), snapshot);
    ///
    /// // Cut short: refused, and the error says so.
    /// let cut = &sealed[..sealed.len() - 1];
    /// assert!(matches!(Snapshot::unseal(cut, &engine), Err(SnapshotError::Truncated { .. })));
    /// # Ok(())
    /// # }
    /// ```
    pub fn seal(&self, body: &[u8]) -> Vec<u8> {
        let header = self.sealed_header(body);
        let mut sealed = Vec::with_capacity(header.len() + body.len());
        sealed.extend_from_slice(header.as_bytes());
        sealed.extend_from_slice(body);
        sealed
    }

    /// The body of a sealed snapshot ([`Snapshot::seal`]), checked: refused unless it
    /// is a snapshot of this format version written by this version of leadcycle, whole
    /// and unedited (its length and checksum), and taken under the engine's policy (or
    /// by a book that never changed). Deserialize the body with the host's serde format,
    /// then restore it with [`LeadBook::restore`](crate::LeadBook::restore).
    pub fn unseal<'a>(bytes: &'a [u8], engine: &Engine) -> Result<&'a [u8], SnapshotError> {
        let (header, covered, body) = split(bytes)?;
        let found = body.len() as u64;
        if found < header.length {
            return Err(SnapshotError::Truncated {
                expected: header.length,
                found,
            });
        }
        if found > header.length {
            return Err(SnapshotError::TrailingBytes {
                expected: header.length,
                found,
            });
        }
        let checksum = fnv1a64_continue(fnv1a64_continue(FNV1A64_OFFSET, covered), body);
        if checksum != header.checksum {
            return Err(SnapshotError::ChecksumMismatch {
                expected: format!("{:016x}", header.checksum),
                found: format!("{checksum:016x}"),
            });
        }
        if header.crate_version != CRATE_VERSION {
            return Err(SnapshotError::CrateVersion {
                found: header.crate_version,
                running: CRATE_VERSION.to_owned(),
            });
        }
        if let Some(recorded) = header.policy_fingerprint {
            if recorded != engine.policy_fingerprint() {
                return Err(SnapshotError::PolicyMismatch {
                    snapshot: recorded,
                    engine: engine.policy_fingerprint().to_owned(),
                });
            }
        }
        Ok(body)
    }
}

/// The header, the bytes the checksum covers in it, and the body.
fn split(bytes: &[u8]) -> Result<(SnapshotHeader, &[u8], &[u8]), SnapshotError> {
    let magic = format!("{FORMAT} ");
    if !bytes.starts_with(magic.as_bytes()) {
        return Err(SnapshotError::NotASnapshot {
            start: shown(&bytes[..bytes.len().min(32)]),
        });
    }
    let bad = |problem: &'static str, line: &[u8]| SnapshotError::BadHeader {
        header: shown(&line[..line.len().min(160)]),
        problem,
    };
    let Some(end) = bytes.iter().take(MAX_HEADER).position(|&b| b == b'\n') else {
        return Err(bad(
            "it has no line break in its first 512 bytes: the file was cut short inside its header, or the header was edited",
            bytes,
        ));
    };
    let (line, body) = (&bytes[..end], &bytes[end + 1..]);
    let Ok(text) = std::str::from_utf8(line) else {
        return Err(bad("it is not UTF-8 text", line));
    };
    let fields: Vec<&str> = text.split(' ').collect();
    // The version first: another version may lay out the rest of its header otherwise.
    let version = fields.get(1).and_then(|v| v.parse::<u32>().ok());
    let Some(format_version) = version else {
        return Err(bad("its second word is not a format version number", line));
    };
    if format_version != FORMAT_VERSION {
        return Err(SnapshotError::FormatVersion {
            found: format_version,
            supported: FORMAT_VERSION,
        });
    }
    let Some(at) = text.find(CHECKSUM_FIELD) else {
        return Err(bad("it has no `checksum=fnv1a64:` field at its end", line));
    };
    let checksum = &text[at + CHECKSUM_FIELD.len()..];
    let checksum = (checksum.len() == 16)
        .then(|| u64::from_str_radix(checksum, 16).ok())
        .flatten()
        .ok_or_else(|| bad("its checksum is not 16 hexadecimal digits", line))?;
    let layout = "its words are not `leadcycle-snapshot 1 leadcycle-VERSION policy=FINGERPRINT bytes=LENGTH checksum=fnv1a64:HEX`";
    let covered: Vec<&str> = text[..at].split(' ').collect();
    let [_, _, crate_version, policy, length] = covered[..] else {
        return Err(bad(layout, line));
    };
    let crate_version = crate_version.strip_prefix("leadcycle-");
    let policy = policy.strip_prefix("policy=");
    let length = length
        .strip_prefix("bytes=")
        .and_then(|n| n.parse::<u64>().ok());
    let (Some(crate_version), Some(policy), Some(length)) = (crate_version, policy, length) else {
        return Err(bad(layout, line));
    };
    let header = SnapshotHeader {
        format_version,
        crate_version: crate_version.to_owned(),
        policy_fingerprint: (policy != "none").then(|| policy.to_owned()),
        length,
        checksum,
    };
    Ok((header, &line[..at], body))
}

/// Bytes shown in a message: text, with anything unprintable escaped.
fn shown(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).escape_debug().to_string()
}
