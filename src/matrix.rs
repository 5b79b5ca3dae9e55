//! The lead-scoring matrix: fit grade A-D by engagement band 1-4, e.g. cell `A1`, and
//! the policy tables of points that set the grades and bands. Both the policy and the
//! scoring use these values, so they sit below both.

use crate::error::ParseNameError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A fit grade, A (best) to D.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    /// At least `grades.A` points.
    A,
    /// At least `grades.B` points.
    B,
    /// At least `grades.C` points.
    C,
    /// Below `grades.C`.
    D,
}

impl Grade {
    /// Every grade, best first.
    pub const ALL: [Grade; 4] = [Grade::A, Grade::B, Grade::C, Grade::D];

    /// The grade for `points` under the policy's grade table.
    pub fn of(points: f64, grades: &Grades) -> Grade {
        if points >= grades.a {
            Grade::A
        } else if points >= grades.b {
            Grade::B
        } else if points >= grades.c {
            Grade::C
        } else {
            Grade::D
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

/// Reads `A`, `B`, `C` or `D`, the text [`Display`](fmt::Display) writes.
impl FromStr for Grade {
    type Err = ParseNameError;

    fn from_str(s: &str) -> Result<Grade, ParseNameError> {
        match s {
            "A" => Ok(Grade::A),
            "B" => Ok(Grade::B),
            "C" => Ok(Grade::C),
            "D" => Ok(Grade::D),
            _ => Err(ParseNameError::expected("a grade", s, "A, B, C or D")),
        }
    }
}

/// An engagement band, 1 (most engaged) to 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Band {
    /// At least `bands.1` engagement points.
    One,
    /// At least `bands.2`.
    Two,
    /// At least `bands.3`.
    Three,
    /// Below `bands.3`.
    Four,
}

impl Band {
    /// Every band, most engaged first.
    pub const ALL: [Band; 4] = [Band::One, Band::Two, Band::Three, Band::Four];

    /// The band for `engagement` points under the policy's band table.
    pub fn of(engagement: f64, bands: &Bands) -> Band {
        if engagement >= bands.one {
            Band::One
        } else if engagement >= bands.two {
            Band::Two
        } else if engagement >= bands.three {
            Band::Three
        } else {
            Band::Four
        }
    }

    /// 1 to 4.
    pub fn number(self) -> u8 {
        match self {
            Band::One => 1,
            Band::Two => 2,
            Band::Three => 3,
            Band::Four => 4,
        }
    }
}

impl From<Band> for u8 {
    fn from(b: Band) -> u8 {
        b.number()
    }
}

impl TryFrom<u8> for Band {
    type Error = String;

    fn try_from(n: u8) -> Result<Band, String> {
        match n {
            1 => Ok(Band::One),
            2 => Ok(Band::Two),
            3 => Ok(Band::Three),
            4 => Ok(Band::Four),
            _ => Err(format!("invalid band {n}: expected 1, 2, 3 or 4")),
        }
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

/// Reads `1`, `2`, `3` or `4`, the text [`Display`](fmt::Display) writes.
impl FromStr for Band {
    type Err = ParseNameError;

    fn from_str(s: &str) -> Result<Band, ParseNameError> {
        match s {
            "1" => Ok(Band::One),
            "2" => Ok(Band::Two),
            "3" => Ok(Band::Three),
            "4" => Ok(Band::Four),
            _ => Err(ParseNameError::expected("a band", s, "1, 2, 3 or 4")),
        }
    }
}

/// A cell of the matrix: a grade and a band, written `A1`..`D4`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Cell {
    /// The fit grade.
    pub grade: Grade,
    /// The engagement band.
    pub band: Band,
}

impl Cell {
    /// Every cell, `A1` first, `D4` last.
    pub fn all() -> impl Iterator<Item = Cell> {
        Grade::ALL
            .into_iter()
            .flat_map(|grade| Band::ALL.into_iter().map(move |band| Cell { grade, band }))
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.grade, self.band)
    }
}

/// Reads a grade then a band (`A1`), the text [`Display`](fmt::Display) writes.
impl FromStr for Cell {
    type Err = ParseNameError;

    fn from_str(s: &str) -> Result<Cell, ParseNameError> {
        let bad =
            || ParseNameError::expected("a cell", s, "a grade A-D then a band 1-4, like `A1`");
        // Split after the first character (a grade is one ASCII letter), so that text
        // of any length or script is refused rather than sliced mid-character.
        let mut chars = s.chars();
        let grade = chars.next().ok_or_else(bad)?;
        let grade = grade.to_string().parse().map_err(|_| bad())?;
        let band = chars.as_str().parse().map_err(|_| bad())?;
        Ok(Cell { grade, band })
    }
}

impl From<Cell> for String {
    fn from(c: Cell) -> String {
        c.to_string()
    }
}

impl TryFrom<String> for Cell {
    type Error = ParseNameError;

    fn try_from(s: String) -> Result<Cell, ParseNameError> {
        s.parse()
    }
}

/// Fit points needed for grades A, B and C; anything below C is D.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Grades {
    /// Points for A.
    #[serde(rename = "A")]
    pub a: f64,
    /// Points for B.
    #[serde(rename = "B")]
    pub b: f64,
    /// Points for C.
    #[serde(rename = "C")]
    pub c: f64,
}

impl Default for Grades {
    fn default() -> Self {
        Grades {
            a: 40.0,
            b: 25.0,
            c: 10.0,
        }
    }
}

/// Engagement points needed for bands 1, 2 and 3; anything below band 3 is band 4.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Bands {
    /// Points for band 1, the most engaged.
    #[serde(rename = "1")]
    pub one: f64,
    /// Points for band 2.
    #[serde(rename = "2")]
    pub two: f64,
    /// Points for band 3.
    #[serde(rename = "3")]
    pub three: f64,
}

impl Default for Bands {
    fn default() -> Self {
        Bands {
            one: 60.0,
            two: 30.0,
            three: 10.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_parse_and_print() {
        for cell in Cell::all() {
            assert_eq!(cell.to_string().parse::<Cell>(), Ok(cell));
        }
        for bad in ["E1", "A5", "A12", "a1", "", "A", "Ä1"] {
            let err = bad.parse::<Cell>().unwrap_err();
            assert!(err.to_string().contains("like `A1`"), "{bad}: {err}");
        }
    }

    #[test]
    fn every_grade_parses_from_the_name_it_displays() {
        for grade in Grade::ALL {
            assert_eq!(grade.to_string().parse::<Grade>(), Ok(grade));
        }
        for bad in ["a", "E", "AA", ""] {
            let err = bad.parse::<Grade>().unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("`{bad}` is not a grade: expected A, B, C or D")
            );
        }
    }

    #[test]
    fn every_band_parses_from_the_number_it_displays() {
        for band in Band::ALL {
            assert_eq!(band.to_string().parse::<Band>(), Ok(band));
        }
        for bad in ["0", "5", "one", "01", ""] {
            let err = bad.parse::<Band>().unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("`{bad}` is not a band: expected 1, 2, 3 or 4")
            );
        }
    }
}
