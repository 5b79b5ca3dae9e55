//! The waterfall as an SVG chart (cargo feature `svg`): bars per stage and pass with
//! their counts, conversion percentages per pass between stages, and the recycle flow
//! back into the funnel. Drawn with `plotters`' SVG backend (no system libraries).

use super::report::Report;
use super::waterfall::FUNNEL;
use crate::stage::Stage;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use thiserror::Error;

/// The chart could not be drawn.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SvgError {
    /// The charting crate failed while drawing.
    #[error(
        "cannot draw the waterfall chart: {0}; expected plotters' SVG backend to draw into memory"
    )]
    Draw(String),
}

const WIDTH: u32 = 1200;
const HEIGHT: u32 = 680;
/// The plot's left and right edges, its top and its baseline, in pixels.
const LEFT: i32 = 100;
const RIGHT: i32 = 1180;
const TOP: i32 = 150;
const BASE: i32 = 500;
/// Passes drawn apart; later ones are summed into the last ("pass 3+").
const PASSES_SHOWN: usize = 3;
const PASS_COLORS: [RGBColor; PASSES_SHOWN] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
];
const GREY: RGBColor = RGBColor(90, 90, 90);
const RECYCLE: RGBColor = RGBColor(214, 39, 40);

/// One column of the chart: a funnel stage, or `recycled` at the end.
fn columns() -> Vec<Stage> {
    let mut c = FUNNEL.to_vec();
    c.push(Stage::Recycled);
    c
}

/// Per shown pass: leads that reached each column's stage (for `recycled`, entries
/// into it in that pass).
fn bars(report: &Report) -> Vec<Vec<u64>> {
    let mut shown = vec![vec![0; columns().len()]; PASSES_SHOWN];
    for pass in &report.passes {
        let row = &mut shown[(pass.pass as usize).clamp(1, PASSES_SHOWN) - 1];
        for (i, stage) in columns().iter().enumerate() {
            let map = if *stage == Stage::Recycled {
                &pass.entered
            } else {
                &pass.reached
            };
            row[i] += map.get(stage).copied().unwrap_or(0);
        }
    }
    // Drop trailing passes that hold nothing.
    while shown.len() > 1 && shown.last().is_some_and(|r| r.iter().all(|n| *n == 0)) {
        shown.pop();
    }
    shown
}

fn pass_name(i: usize, shown: usize) -> String {
    if i + 1 == PASSES_SHOWN && shown == PASSES_SHOWN {
        format!("pass {}+", i + 1)
    } else {
        format!("pass {}", i + 1)
    }
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".to_owned()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

impl Report {
    /// The waterfall as an SVG document (cargo feature `svg`): for each stage, one bar
    /// per pass (leads that reached it; passes after the third summed), its count
    /// above it; the conversion to the next stage per pass in a strip under the
    /// stage names; and the recycle flow from `recycled` back to `mql` with how many
    /// leads re-qualified and were won.
    pub fn to_svg(&self) -> Result<String, SvgError> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
            self.draw(&root)
                .map_err(|e| SvgError::Draw(e.to_string()))?;
            root.present().map_err(|e| SvgError::Draw(e.to_string()))?;
        }
        Ok(svg)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        root.fill(&WHITE)?;
        let font = |size: u32| ("sans-serif", size).into_font();
        let at = |h: HPos, v: VPos| Pos::new(h, v);
        let style = |size: u32, color: RGBColor, pos: Pos| TextStyle {
            font: font(size),
            color: color.to_backend_color(),
            pos,
        };
        let title = format!(
            "Demand waterfall per pass: {} leads, {} recycled, {} re-qualified, {} won after recycling",
            self.leads,
            self.recycling.recycled,
            self.recycling.requalified,
            self.recycling.won_after_recycle
        );
        root.draw_text(
            &title,
            &style(22, BLACK, at(HPos::Left, VPos::Top)),
            (LEFT, 16),
        )?;

        let bars = bars(self);
        let cols = columns();
        let col_w = (RIGHT - LEFT) / cols.len() as i32;
        let bar_w = ((col_w - 30) / bars.len() as i32).min(44);
        let max = bars.iter().flatten().copied().max().unwrap_or(0).max(1);
        let y = |n: u64| BASE - ((BASE - TOP) as f64 * n as f64 / max as f64).round() as i32;
        let bar_x = |col: usize, pass: usize| {
            let group = bar_w * bars.len() as i32;
            LEFT + col_w * col as i32 + (col_w - group) / 2 + bar_w * pass as i32
        };

        // Legend.
        for (p, _) in bars.iter().enumerate() {
            let x = LEFT + 150 * p as i32;
            root.draw(&Rectangle::new(
                [(x, 52), (x + 16, 68)],
                PASS_COLORS[p].filled(),
            ))?;
            root.draw_text(
                &pass_name(p, bars.len()),
                &style(15, BLACK, at(HPos::Left, VPos::Center)),
                (x + 22, 60),
            )?;
        }
        root.draw_text(
            "bars: leads that reached the stage in the pass (recycled: moves into it)",
            &style(13, GREY, at(HPos::Left, VPos::Center)),
            (LEFT + 150 * bars.len() as i32, 60),
        )?;

        // Bars and counts.
        for (p, row) in bars.iter().enumerate() {
            for (c, n) in row.iter().enumerate() {
                let x = bar_x(c, p);
                let color = if cols[c] == Stage::Recycled && p == 0 {
                    PASS_COLORS[0]
                } else {
                    PASS_COLORS[p]
                };
                root.draw(&Rectangle::new(
                    [(x, y(*n)), (x + bar_w - 3, BASE)],
                    color.filled(),
                ))?;
                if *n == 0 {
                    continue;
                }
                root.draw_text(
                    &n.to_string(),
                    &style(12, BLACK, at(HPos::Center, VPos::Bottom)),
                    (x + (bar_w - 3) / 2, y(*n) - 3),
                )?;
            }
        }
        root.draw(&PathElement::new(vec![(LEFT, BASE), (RIGHT, BASE)], BLACK))?;
        for (c, stage) in cols.iter().enumerate() {
            let cx = LEFT + col_w * c as i32 + col_w / 2;
            let color = if *stage == Stage::Recycled {
                RECYCLE
            } else {
                BLACK
            };
            root.draw_text(
                stage.as_str(),
                &style(17, color, at(HPos::Center, VPos::Top)),
                (cx, BASE + 8),
            )?;
            // Entries, every pass: a stage skipped on the way up shows fewer entries
            // than leads that passed it.
            let entered = self.stages.get(stage).map_or(0, |f| f.entered);
            root.draw_text(
                &format!("entered {entered}"),
                &style(12, GREY, at(HPos::Center, VPos::Top)),
                (cx, BASE + 30),
            )?;
        }

        // Conversion per pass, in a strip between the stage names.
        root.draw_text(
            "conversion to the next stage",
            &style(13, GREY, at(HPos::Left, VPos::Top)),
            (LEFT, BASE + 54),
        )?;
        for (p, row) in bars.iter().enumerate() {
            let ty = BASE + 76 + 22 * p as i32;
            root.draw_text(
                &pass_name(p, bars.len()),
                &style(13, PASS_COLORS[p], at(HPos::Left, VPos::Center)),
                (LEFT - 90, ty),
            )?;
            for c in 0..FUNNEL.len() - 1 {
                if row[c] == 0 {
                    continue;
                }
                let bx = LEFT + col_w * (c as i32 + 1);
                root.draw_text(
                    &format!("{} →", percent(row[c + 1], row[c])),
                    &style(14, PASS_COLORS[p], at(HPos::Center, VPos::Center)),
                    (bx, ty),
                )?;
            }
        }

        // The recycle flow: from the recycled column back into the funnel at mql.
        let r = &self.recycling;
        let from_x = LEFT + col_w * (cols.len() as i32 - 1) + col_w / 2;
        let to_x = LEFT + col_w + col_w / 2;
        let top = TOP - 40;
        let flow = RECYCLE.stroke_width(3);
        root.draw(&PathElement::new(
            vec![
                (from_x, TOP - 12),
                (from_x, top),
                (to_x, top),
                (to_x, TOP - 12),
            ],
            flow,
        ))?;
        root.draw(&Polygon::new(
            vec![(to_x - 8, TOP - 24), (to_x + 8, TOP - 24), (to_x, TOP - 10)],
            RECYCLE.filled(),
        ))?;
        root.draw_text(
            &format!(
                "recycled {} leads -> {} re-qualified ({}) -> {} SQL again -> {} won ({})",
                r.recycled,
                r.requalified,
                percent(r.requalified, r.recycled),
                r.sql_after_recycle,
                r.won_after_recycle,
                percent(r.won_after_recycle, r.recycled)
            ),
            &style(15, RECYCLE, at(HPos::Center, VPos::Bottom)),
            ((from_x + to_x) / 2, top - 6),
        )?;
        Ok(())
    }
}
