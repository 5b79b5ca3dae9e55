//! What the command-line examples (`replay`, `what_if`, `timely`) share: failures said
//! on one line, flags given once, times, policy errors, input lines read as events, and
//! output files written atomically.
//! Each example includes this file with `#[path = "shared/cli.rs"] mod cli;` (a folder
//! without `main.rs` is not an example of its own).

use chrono::{DateTime, Utc};
use leadcycle::{Effect, Event, PolicyError};
use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

/// Why a run could not start or finish: a sentence for standard error.
#[derive(Debug)]
pub struct Failure(pub String);

/// The message on a single line: line breaks become spaces.
pub fn one_line(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join(" ")
}

/// Sets an option given at most once; `usage` is the command's usage line.
pub fn set_once<T>(slot: &mut Option<T>, flag: &str, value: T, usage: &str) -> Result<(), Failure> {
    if slot.is_some() {
        return Err(Failure(format!(
            "{flag} is given twice; give it once ({usage})"
        )));
    }
    *slot = Some(value);
    Ok(())
}

/// The value of `--until`: an RFC 3339 time, in any offset, as UTC.
pub fn parse_time(value: &OsString) -> Result<DateTime<Utc>, Failure> {
    let text = value.to_str().ok_or_else(|| {
        Failure(format!("--until {value:?} is not valid unicode; expected an RFC 3339 time such as 2026-03-01T00:00:00Z"))
    })?;
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            Failure(format!(
                "--until {text:?} is not an RFC 3339 time ({e}); expected a time such as 2026-03-01T00:00:00Z"
            ))
        })
}

/// A policy that cannot be used, on one line: what went wrong, and where.
pub fn policy_failure(shown: &str, e: PolicyError) -> Failure {
    Failure(match e {
        PolicyError::Read { message, .. } => format!("cannot read policy {shown}: {message}"),
        PolicyError::Parse { .. } => format!("cannot parse policy {shown}: {e}"),
        // Every problem, each after a `;`.
        _ => {
            let problems: Vec<String> = e.problems().iter().map(|p| p.to_string()).collect();
            format!("invalid policy {shown}: {}", problems.join("; "))
        }
    })
}

/// The UTF-8 byte-order mark some editors write at the start of a file.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The event on input line `line_no` (1-based), or the `rejected` effect (`malformed`)
/// that says why the line is not one. Bytes, not text: a line that is not UTF-8 is a
/// malformed line, not an I/O error.
pub fn event_of_line(line_no: u64, line: &[u8]) -> Result<Event, Effect> {
    serde_json::from_slice::<Event>(line)
        .map_err(|e| Effect::malformed_line(line_no, &json_error(&e), line))
}

/// A JSON error in one line of input: serde_json counts lines within the document,
/// which is always line 1 here, so only the column is kept.
fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&suffix) {
        Some(message) if e.line() == 1 => format!("{message} at column {}", e.column()),
        _ => text,
    }
}

/// An output file written whole or not at all: a temporary file beside it (in the same
/// directory, so the rename never crosses file systems), created before the run writes
/// anything else (so a path that cannot be written stops the run before it starts),
/// and by [`AtomicFile::commit`] written, flushed, synced to disk and renamed over it,
/// then the directory synced. Dropped without a commit, it removes the temporary file
/// and leaves the file as it was. A process killed before the rename leaves the file as
/// it was too (and its temporary file, `.NAME.PID.tmp`, behind); the next commit to the
/// same file removes such leftovers (see [`remove_stale_temporaries`]).
pub struct AtomicFile {
    /// What the file is, in messages (`state`, `--out`).
    what: &'static str,
    path: PathBuf,
    temp: PathBuf,
    file: Option<File>,
}

impl AtomicFile {
    pub fn create(path: &Path, what: &'static str) -> Result<Self, Failure> {
        let shown = path.display();
        let cannot = |why: String| Failure(format!("cannot write {what} {shown}: {why}"));
        if path.is_dir() {
            return Err(cannot("it is a directory; give a file path".to_owned()));
        }
        let name = path
            .file_name()
            .ok_or_else(|| cannot("it names no file; give a file path".to_owned()))?;
        let dir = directory_of(path);
        if !dir.is_dir() {
            return Err(cannot(format!(
                "directory {} does not exist",
                dir.display()
            )));
        }
        // The process id keeps two runs writing the same file from sharing a temporary.
        let mut temp_name = OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{}.tmp", std::process::id()));
        let temp = dir.join(temp_name);
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temp)
            .map_err(|e| cannot(format!("cannot create a file in {}: {e}", dir.display())))?;
        Ok(AtomicFile {
            what,
            path: path.to_owned(),
            temp,
            file: Some(file),
        })
    }

    /// Writes the content with `write` to the temporary file, flushes and syncs it, and
    /// renames it over the file; returns what `write` returned.
    pub fn commit<T>(
        mut self,
        write: impl FnOnce(&mut BufWriter<File>) -> io::Result<T>,
    ) -> Result<T, Failure> {
        let shown = self.path.display().to_string();
        let what = self.what;
        let cannot =
            |e: &dyn std::fmt::Display| Failure(format!("cannot write {what} {shown}: {e}"));
        let Some(file) = self.file.take() else {
            return Err(cannot(&"it was already written"));
        };
        let mut writer = BufWriter::new(file);
        let written = write(&mut writer).map_err(|e| cannot(&e))?;
        let file = writer.into_inner().map_err(|e| cannot(e.error()))?;
        file.sync_all().map_err(|e| cannot(&e))?;
        drop(file);
        std::fs::rename(&self.temp, &self.path).map_err(|e| cannot(&e))?;
        sync_directory(&self.path);
        remove_stale_temporaries(&self.path);
        Ok(written)
    }
}

/// Removes the temporary files that runs killed mid-write left beside `path`: exactly
/// the names an [`AtomicFile`] for `path` uses, `.NAME.PID.tmp` with `PID` all digits,
/// and nothing else (another file's temporaries, or a file a user named alike but
/// not so, stay). Called once the new file is in place, so that no temporary is
/// needed any more for this file; a run writing the same file at the same moment
/// would lose its temporary and fail with an error rather than overwrite this one
/// (two runs sharing one state file are not supported). Best effort: a leftover that
/// cannot be listed or removed is harmless, since nothing reads it.
fn remove_stale_temporaries(path: &Path) {
    let Some(name) = path.file_name() else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(directory_of(path)) else {
        return;
    };
    for entry in entries.flatten() {
        if is_temporary_of(&entry.file_name(), name) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether `candidate` is `.NAME.PID.tmp` for the file `name`, with `PID` one or more
/// ASCII digits (byte-wise, so that non-UTF-8 names are handled too).
fn is_temporary_of(candidate: &std::ffi::OsStr, name: &std::ffi::OsStr) -> bool {
    let pid = candidate
        .as_encoded_bytes()
        .strip_prefix(b".")
        .and_then(|rest| rest.strip_prefix(name.as_encoded_bytes()))
        .and_then(|rest| rest.strip_prefix(b"."))
        .and_then(|rest| rest.strip_suffix(b".tmp"));
    pid.is_some_and(|pid| !pid.is_empty() && pid.iter().all(u8::is_ascii_digit))
}

/// Syncs the directory that holds `path`, so that a rename into it survives a power
/// loss, not only a crash of the process. Best effort: the file is already whole
/// under its name, and not every platform or file system can sync a directory.
fn sync_directory(path: &Path) {
    if let Ok(dir) = File::open(directory_of(path)) {
        let _ = dir.sync_all();
    }
}

/// The directory that holds `path` (`.` for a bare file name).
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // Closed first, so that it can be removed on every platform. After a commit
        // the temporary file is the file, and there is nothing to remove.
        drop(self.file.take());
        let _ = std::fs::remove_file(&self.temp);
    }
}
