//! What the `report` and `replay` examples share for analytics: a progress bar on a
//! terminal for long inputs, and writing a report's three files into a directory.
//! Included with `#[path = "shared/report.rs"] mod report_files;`.

use super::cli::{AtomicFile, Failure};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use leadcycle::analytics::{Journal, Report, Thresholds};
use leadcycle::Policy;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a run goes before it shows a progress bar: short inputs show none.
const QUIET_FOR: Duration = Duration::from_secs(2);

/// How many bytes are read between two updates of the bar. Updating it per line (an
/// atomic add and a clock read) was 1.3% of a replay's `perf` samples.
const UPDATE_EVERY: u64 = 1 << 20;

/// A progress bar over the bytes of an input, drawn on standard error only when it is
/// a terminal and only once the run has taken longer than [`QUIET_FOR`].
pub struct Progress {
    bar: ProgressBar,
    /// Bytes read and not yet added to the bar.
    pending: u64,
    started: Instant,
    shown: bool,
    terminal: bool,
}

impl Progress {
    /// A hidden bar for `total` bytes (unknown for standard input).
    pub fn new(total: Option<u64>) -> Self {
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template(
            "{spinner} {msg} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} (eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message("reading events");
        Progress {
            bar,
            pending: 0,
            started: Instant::now(),
            shown: false,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// `bytes` more were read.
    pub fn advance(&mut self, bytes: u64) {
        self.pending += bytes;
        if self.pending < UPDATE_EVERY {
            return;
        }
        self.bar.inc(std::mem::take(&mut self.pending));
        if !self.shown && self.terminal && self.started.elapsed() > QUIET_FOR {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.shown = true;
        }
    }

    /// A new phase of the run (`writing the report`).
    pub fn say(&mut self, message: &'static str) {
        self.bar.inc(std::mem::take(&mut self.pending));
        self.bar.set_message(message);
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The three files a report is written to in `dir`.
pub struct ReportFiles {
    json: AtomicFile,
    markdown: AtomicFile,
    svg: AtomicFile,
}

impl ReportFiles {
    /// Creates `dir` if needed and checks that the three files can be written there,
    /// before anything else is done.
    pub fn create(dir: &Path) -> Result<Self, Failure> {
        std::fs::create_dir_all(dir).map_err(|e| {
            Failure(format!(
                "cannot create report directory {}: {e}",
                dir.display()
            ))
        })?;
        Ok(ReportFiles {
            json: AtomicFile::create(&dir.join("report.json"), "report")?,
            markdown: AtomicFile::create(&dir.join("report.md"), "report")?,
            svg: AtomicFile::create(&dir.join("waterfall.svg"), "report")?,
        })
    }

    /// The journal's report under `policy` and the default thresholds, written as
    /// `report.json`, `report.md` and `waterfall.svg`.
    pub fn write(self, journal: &Journal, policy: &Policy) -> Result<Report, Failure> {
        let report = journal
            .report(policy, &Thresholds::default())
            .map_err(|e| Failure(format!("cannot make the report: {e}")))?;
        let svg = report
            .to_svg()
            .map_err(|e| Failure(format!("cannot draw the waterfall: {e}")))?;
        self.json.commit(|w| {
            serde_json::to_writer_pretty(&mut *w, &report)?;
            w.write_all(b"\n")
        })?;
        self.markdown
            .commit(|w| w.write_all(report.to_markdown().as_bytes()))?;
        self.svg.commit(|w| w.write_all(svg.as_bytes()))?;
        Ok(report)
    }
}
