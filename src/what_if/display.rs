//! The what-if report for a person: the counts that changed, and the first leads that
//! differ, one line each.

use super::{CountChange, LeadDiff, LeadOutcome, OutcomeField, WhatIf};
use crate::error::rfc3339;
use std::fmt;

/// How many differing leads `Display` lists.
const SHOWN_LEADS: usize = 20;

impl WhatIf {
    /// The summary `Display` prints, listing at most `leads` of the differing leads
    /// (`Display` lists 20; the rest are counted as `... and N more`). Every count that
    /// changed is printed whatever `leads` is.
    pub fn summary(&self, leads: usize) -> impl fmt::Display + '_ {
        Summary {
            report: self,
            leads,
        }
    }
}

/// A summary of several lines, ending with a line break (the sample history under a
/// policy in which `bad_timing` removes a lead, from `docs/what_if.md`):
///
/// ```text
/// what-if: 20 events, then the clock advanced to 2026-06-01T00:00:00Z
/// policies: before fnv1a64:211a7eb6dc43069d, after fnv1a64:b1c447a6b6980116
/// leads: 4 compared, 2 differ
/// effects: 54 -> 36 (-18)
///
/// stages (leads per stage):
///   inquiry   0 -> 1  (+1)
///   recycled  2 -> 1  (-1)
///
/// programs (leads enrolled):
///   general_nurture  2 -> 1  (-1)
///
/// effects by type:
///   transition        16 -> 13  (-3)
///   ...
///   rejected           3 ->  5  (+2)
///
/// leads that differ: 2
///   L1: stage recycled -> removed; program general_nurture -> -; step 2 -> -; ...
///   L4: stage removed -> inquiry; removed_reason merged -> -; effects differ (2 each)
/// ```
///
/// A section with nothing that changed is one line (`stages (leads per stage): no
/// count changed`, `leads that differ: none`). It lists the first 20 leads that
/// differ; [`WhatIf::summary`] lists another number.
impl fmt::Display for WhatIf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.summary(SHOWN_LEADS).fmt(f)
    }
}

struct Summary<'a> {
    report: &'a WhatIf,
    leads: usize,
}

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.report;
        let totals = &r.totals;
        write!(f, "what-if: {} events", totals.events)?;
        if let Some(until) = &r.until {
            write!(f, ", then the clock advanced to {}", rfc3339(until))?;
        }
        writeln!(f)?;
        if r.before_policy == r.after_policy {
            writeln!(f, "policies: the same ({})", r.before_policy)?;
        } else {
            writeln!(
                f,
                "policies: before {}, after {}",
                r.before_policy, r.after_policy
            )?;
        }
        writeln!(
            f,
            "leads: {} compared, {} {}",
            totals.leads_compared,
            totals.leads_changed,
            if totals.leads_changed == 1 {
                "differs"
            } else {
                "differ"
            }
        )?;
        writeln!(f, "effects: {}", Delta(totals.effects))?;
        write_table(
            f,
            "stages (leads per stage)",
            r.stages.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        )?;
        write_table(
            f,
            "programs (leads enrolled)",
            r.programs.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        )?;
        write_table(
            f,
            "effects by type",
            r.effects.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        )?;
        writeln!(f)?;
        if r.leads.is_empty() {
            return writeln!(f, "leads that differ: none");
        }
        writeln!(f, "leads that differ: {}", r.leads.len())?;
        for diff in r.leads.iter().take(self.leads) {
            writeln!(f, "  {diff}")?;
        }
        let rest = r.leads.len().saturating_sub(self.leads);
        if rest > 0 {
            writeln!(f, "  ... and {rest} more")?;
        }
        Ok(())
    }
}

/// `title:` and one aligned row per count (`  name  before -> after  (+delta)`), after
/// a blank line; `title: no count changed` when there is none.
fn write_table(
    f: &mut fmt::Formatter<'_>,
    title: &str,
    rows: Vec<(String, CountChange)>,
) -> fmt::Result {
    writeln!(f)?;
    if rows.is_empty() {
        return writeln!(f, "{title}: no count changed");
    }
    writeln!(f, "{title}:")?;
    let name = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let before = rows
        .iter()
        .map(|(_, c)| c.before.to_string().len())
        .max()
        .unwrap_or(0);
    let after = rows
        .iter()
        .map(|(_, c)| c.after.to_string().len())
        .max()
        .unwrap_or(0);
    for (n, c) in &rows {
        writeln!(
            f,
            "  {n:<name$}  {:>before$} -> {:>after$}  ({:+})",
            c.before,
            c.after,
            c.delta()
        )?;
    }
    Ok(())
}

/// `before -> after (+delta)`.
struct Delta(CountChange);

impl fmt::Display for Delta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.0;
        write!(f, "{} -> {} ({:+})", c.before, c.after, c.delta())
    }
}

/// One line: the lead, then each field that differs as `field before -> after`,
/// separated by `; `, e.g. `L1: stage recycled -> mql; routed_to - -> R7; effects 9 ->
/// 12`. A value that is not set prints as `-`; a lead in one book only prints as
/// `L9: exists only after (inquiry)`.
impl fmt::Display for LeadDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.lead)?;
        let (before, after) = match (&self.before, &self.after) {
            (Some(before), Some(after)) => (before, after),
            (Some(only), None) => return write!(f, "exists only before ({})", only.stage),
            (None, Some(only)) => return write!(f, "exists only after ({})", only.stage),
            (None, None) => return write!(f, "exists in neither book"),
        };
        for (i, field) in self.changed.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write_field(f, *field, before, after)?;
        }
        Ok(())
    }
}

/// `field before -> after` for one field of two outcomes.
fn write_field(
    f: &mut fmt::Formatter<'_>,
    field: OutcomeField,
    before: &LeadOutcome,
    after: &LeadOutcome,
) -> fmt::Result {
    let name = field.as_str();
    let (b, a) = match field {
        OutcomeField::Stage => (before.stage.to_string(), after.stage.to_string()),
        OutcomeField::Program => (shown(&before.program), shown(&after.program)),
        OutcomeField::Step => (shown(&before.step), shown(&after.step)),
        OutcomeField::Owner => (shown(&before.owner), shown(&after.owner)),
        OutcomeField::RoutedTo => (shown(&before.routed_to), shown(&after.routed_to)),
        OutcomeField::RemovedReason => {
            (shown(&before.removed_reason), shown(&after.removed_reason))
        }
        OutcomeField::TimesRecycled => (
            before.times_recycled.to_string(),
            after.times_recycled.to_string(),
        ),
        OutcomeField::Effects if before.effects == after.effects => {
            return write!(f, "{name} differ ({} each)", before.effects);
        }
        OutcomeField::Effects => (before.effects.to_string(), after.effects.to_string()),
        OutcomeField::Exists => return f.write_str(name),
    };
    write!(f, "{name} {b} -> {a}")
}

/// A value, or `-` when it is not set.
fn shown<T: fmt::Display>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "-".to_owned(), ToString::to_string)
}

impl fmt::Display for OutcomeField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
