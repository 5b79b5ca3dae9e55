//! A report as markdown tables, for a person or a wiki page.

use super::distribution::{Distribution, Durations, Rate};
use super::report::Report;
use super::Symptom;
use crate::id::LeadId;
use std::fmt::Write as _;

/// How many leads a table cell names before it says how many more.
const LEADS_SHOWN: usize = 5;

fn pct(rate: &Rate) -> String {
    match rate.rate {
        Some(r) => format!("{:.1}% ({}/{})", r * 100.0, rate.part, rate.whole),
        None => "-".to_owned(),
    }
}

fn days(d: Option<f64>) -> String {
    d.map_or("-".to_owned(), |d| format!("{d:.1}"))
}

fn durations(d: &Durations) -> String {
    format!("{} / {}", days(d.median_days), days(d.p90_days))
}

fn counts(d: &Distribution) -> String {
    let show = |v: Option<u64>| v.map_or("-".to_owned(), |v| v.to_string());
    format!("{} / {}", show(d.median), show(d.p90))
}

fn leads(list: &[LeadId]) -> String {
    let mut shown: Vec<&str> = list.iter().take(LEADS_SHOWN).map(|l| l.as_str()).collect();
    let more = list.len().saturating_sub(LEADS_SHOWN);
    let more_text = format!("and {more} more");
    if more > 0 {
        shown.push(&more_text);
    }
    if shown.is_empty() {
        "-".to_owned()
    } else {
        shown.join(", ")
    }
}

impl Report {
    /// The report as markdown: one table per metric, lead lists cut to their first
    /// five (the JSON form has them all).
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = self.write_markdown(&mut out);
        out
    }

    fn write_markdown(&self, out: &mut String) -> std::fmt::Result {
        let until = self.until.map_or("-".to_owned(), |t| {
            t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        });
        writeln!(out, "# Waterfall report\n")?;
        writeln!(
            out,
            "{} leads, {} rejected events, until {until}.\n",
            self.leads, self.rejected
        )?;
        writeln!(out, "## Stages\n")?;
        writeln!(out, "| stage | now | entered | re-entered | past SLA now | time in stage, days: median / p90 (first pass; later passes) | open stays |")?;
        writeln!(out, "|---|---:|---:|---:|---:|---|---:|")?;
        for (stage, f) in &self.stages {
            let t = &f.time_in_stage;
            writeln!(
                out,
                "| {stage} | {} | {} | {} | {} | {} ({}; {}) | {} |",
                f.now,
                f.entered,
                f.re_entered,
                f.past_sla_now.len(),
                durations(&t.all),
                durations(&t.first_pass),
                durations(&t.later_passes),
                t.open
            )?;
        }
        writeln!(out, "\n## Conversion per pass\n")?;
        writeln!(out, "| pass | from | to | conversion |")?;
        writeln!(out, "|---:|---|---|---:|")?;
        for pass in &self.passes {
            for c in &pass.conversions {
                writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    pass.pass,
                    c.from,
                    c.to,
                    pct(&c.rate)
                )?;
            }
        }
        let s = &self.sal_exits;
        writeln!(out, "\n## How SALs leave\n")?;
        writeln!(
            out,
            "| progressed | disqualified | idled out | other | SAL disqualification rate |"
        )?;
        writeln!(out, "|---:|---:|---:|---:|---:|")?;
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            s.progressed,
            s.disqualified,
            s.idled_out,
            s.other,
            pct(&s.disqualification)
        )?;
        for (title, map) in [
            ("Recycle reasons", &self.recycle_reasons),
            ("Removal reasons", &self.removal_reasons),
        ] {
            writeln!(out, "\n## {title}\n\n| reason | leads moved |\n|---|---:|")?;
            for (reason, n) in map {
                writeln!(out, "| {reason} | {n} |")?;
            }
        }
        let r = &self.recycling;
        writeln!(out, "\n## Recycling yield\n")?;
        writeln!(out, "| recycled | re-qualified | SQL again | won after recycle | days to re-qualify: median / p90 | days to win: median / p90 |")?;
        writeln!(out, "|---:|---:|---:|---:|---|---|")?;
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            r.recycled,
            pct(&r.requalified_rate),
            pct(&r.sql_rate),
            pct(&r.won_rate),
            durations(&r.time_to_requalify),
            durations(&r.time_to_win)
        )?;
        writeln!(out, "\n## Program effectiveness\n")?;
        writeln!(out, "| reason | program | recycled | re-qualified | won | days to re-qualify: median / p90 |")?;
        writeln!(out, "|---|---|---:|---:|---:|---|")?;
        for p in &self.programs {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                p.reason,
                p.program,
                p.recycled,
                pct(&p.requalified_rate),
                p.won,
                durations(&p.time_to_requalify)
            )?;
        }
        writeln!(out, "\n## Content runway\n")?;
        writeln!(
            out,
            "| program | steps | enrolled now | exhausted now | exhausted leads |"
        )?;
        writeln!(out, "|---|---:|---:|---:|---|")?;
        for (program, r) in &self.content_runway {
            let steps = r.steps.map_or("?".to_owned(), |n| n.to_string());
            writeln!(
                out,
                "| {program} | {steps} | {} | {} | {} |",
                r.enrolled_now,
                r.exhausted_now.len(),
                leads(&r.exhausted_now)
            )?;
        }
        writeln!(out, "\n## Persistence (touches)\n")?;
        writeln!(out, "| seniority | qualified | touches to qualify: median / p90 | won | touches to win: median / p90 |")?;
        writeln!(out, "|---|---:|---|---:|---|")?;
        for (seniority, p) in &self.persistence {
            writeln!(
                out,
                "| {seniority} | {} | {} | {} | {} |",
                p.touches_to_qualify.count,
                counts(&p.touches_to_qualify),
                p.touches_to_win.count,
                counts(&p.touches_to_win)
            )?;
        }
        let b = &self.black_holes;
        writeln!(out, "\n## Black-hole symptoms\n")?;
        writeln!(out, "| symptom | observed | threshold | verdict | leads |")?;
        writeln!(out, "|---|---:|---:|---|---|")?;
        let rows: [(&str, &Symptom, &str); 4] = [
            ("MQLs accepted by sales", &b.mql_acceptance, "above"),
            ("SAL -> SQL conversion", &b.sal_to_sql, "below"),
            ("SAL disqualifications", &b.sal_disqualification, "below"),
            ("SALs past their SLA", &b.sal_past_sla, "above"),
        ];
        for (name, s, side) in rows {
            let verdict = if s.symptom { "SYMPTOM" } else { "ok" };
            writeln!(
                out,
                "| {name} | {} | {side} {:.0}% | {verdict} | {} |",
                pct(&s.observed),
                s.threshold * 100.0,
                leads(&s.leads)
            )?;
        }
        let a = &self.attribution;
        writeln!(
            out,
            "\n## Attribution\n\n{} opportunities, {} wins. Credit in deals (W-shaped: first touch, MQL-creating and opportunity-creating touches 30% each, the other touches 10%).\n",
            a.opportunities, a.wins
        )?;
        for (title, table) in [("campaign", &a.campaigns), ("channel", &a.channels)] {
            writeln!(out, "| {title} | opp. first | opp. last | opp. linear | opp. W | won first | won last | won linear | won W |")?;
            writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")?;
            for (name, c) in table {
                let (o, w) = (&c.opportunities, &c.wins);
                writeln!(
                    out,
                    "| {name} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
                    o.first_touch.deals(),
                    o.last_touch.deals(),
                    o.linear.deals(),
                    o.w_shaped.deals(),
                    w.first_touch.deals(),
                    w.last_touch.deals(),
                    w.linear.deals(),
                    w.w_shaped.deals()
                )?;
            }
            writeln!(out)?;
        }
        writeln!(out, "| channels before the win | wins |\n|---|---:|")?;
        let mut mixes: Vec<(&String, &u64)> = a.channel_mixes.iter().collect();
        mixes.sort_by(|x, y| y.1.cmp(x.1).then(x.0.cmp(y.0)));
        for (mix, n) in mixes {
            writeln!(out, "| {mix} | {n} |")?;
        }
        if !self.accounts.is_empty() {
            writeln!(
                out,
                "\n## Accounts\n\n{} accounts (aliases applied); the 20 with the most leads:\n",
                self.accounts.len()
            )?;
            writeln!(
                out,
                "| account | leads | opportunities | customers | engaged |"
            )?;
            writeln!(out, "|---|---:|---:|---:|---:|")?;
            let mut rows: Vec<_> = self.accounts.iter().collect();
            rows.sort_by(|x, y| y.1.leads.cmp(&x.1.leads).then(x.0.cmp(y.0)));
            for (name, f) in rows.into_iter().take(20) {
                writeln!(
                    out,
                    "| {name} | {} | {} | {} | {} |",
                    f.leads, f.opportunities, f.customers, f.engaged
                )?;
            }
        }
        Ok(())
    }
}
