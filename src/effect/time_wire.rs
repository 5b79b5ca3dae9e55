//! An effect's time as its JSON line writes it, without chrono's formatter.
//!
//! chrono serializes a `DateTime<Utc>` through `collect_str`, one `write_char` at a
//! time, each escaped by the serializer: ~2,600 instructions an effect, more than the
//! rest of the effect together (callgrind of the replay, docs/performance.md, issue
//! 11). The usual time is written here into a buffer of bytes and handed over as one
//! string: the same text, byte for byte. Years outside 0..=9999 take chrono's path.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serializer;

/// The longest text [`rfc3339`] writes: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
const LONGEST: usize = 30;

/// Writes `value` in decimal, zero-padded to `digits` digits, into `buf` at `at`.
fn digits(buf: &mut [u8; LONGEST], at: usize, digits: usize, mut value: u32) {
    for slot in buf[at..at + digits].iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// The time as chrono's serde form writes it (RFC 3339, `Z`, the fraction in the
/// fewest of 0, 3, 6 or 9 digits that keep it exact, a leap second as `:60`), or
/// `None` for a year chrono writes with a sign.
fn rfc3339(at: &DateTime<Utc>, buf: &mut [u8; LONGEST]) -> Option<usize> {
    let year = u32::try_from(at.year()).ok().filter(|&y| y <= 9999)?;
    *buf = *b"0000-00-00T00:00:00.000000000Z";
    digits(buf, 0, 4, year);
    digits(buf, 5, 2, at.month());
    digits(buf, 8, 2, at.day());
    digits(buf, 11, 2, at.hour());
    digits(buf, 14, 2, at.minute());
    let (mut second, mut nano) = (at.second(), at.nanosecond());
    if nano >= 1_000_000_000 {
        // A leap second: chrono keeps it in the nanoseconds.
        second += 1;
        nano -= 1_000_000_000;
    }
    digits(buf, 17, 2, second);
    let fraction = match nano {
        0 => 0,
        n if n % 1_000_000 == 0 => 3,
        n if n % 1_000 == 0 => 6,
        _ => 9,
    };
    let mut end = 19;
    if fraction > 0 {
        digits(buf, 20, 9, nano);
        end = 20 + fraction;
    }
    buf[end] = b'Z';
    Some(end + 1)
}

/// `#[serde(serialize_with)]` for an effect's `at`: `null`, or the time as chrono
/// writes it.
pub(super) fn serialize_at<S: Serializer>(
    at: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let Some(at) = at else {
        return serializer.serialize_none();
    };
    let mut buf = [0; LONGEST];
    match rfc3339(at, &mut buf) {
        Some(len) => {
            let text = std::str::from_utf8(&buf[..len]).expect("digits and separators");
            serializer.serialize_some(text)
        }
        None => serializer.serialize_some(at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeDelta};
    use serde::Serialize;

    /// The JSON chrono itself writes, and the JSON `serialize_at` writes.
    fn both(at: DateTime<Utc>) -> (String, String) {
        #[derive(Serialize)]
        struct Ours(#[serde(serialize_with = "serialize_at")] Option<DateTime<Utc>>);
        (
            serde_json::to_string(&at).unwrap(),
            serde_json::to_string(&Ours(Some(at))).unwrap(),
        )
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nano: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_nano_opt(h, mi, s, nano)
            .unwrap()
            .and_utc()
    }

    #[test]
    fn every_fraction_width_a_leap_second_and_the_year_bounds_read_as_chrono_writes_them() {
        let cases = [
            utc(2026, 11, 26, 9, 5, 7, 0),
            utc(2026, 1, 2, 3, 4, 5, 120_000_000),
            utc(2026, 1, 2, 3, 4, 5, 123_456_000),
            utc(2026, 1, 2, 3, 4, 5, 123_456_789),
            utc(2026, 1, 2, 3, 4, 5, 1),
            utc(2016, 12, 31, 23, 59, 59, 1_000_000_000),
            utc(2016, 12, 31, 23, 59, 59, 1_500_000_000),
            utc(0, 1, 1, 0, 0, 0, 0),
            utc(9999, 12, 31, 23, 59, 59, 999_999_999),
            utc(-1, 6, 1, 0, 0, 0, 0),
            utc(10_000, 1, 1, 0, 0, 0, 0),
            utc(1969, 12, 31, 23, 59, 59, 0),
        ];
        for at in cases {
            let (chrono, ours) = both(at);
            assert_eq!(ours, chrono, "{at:?}");
        }
    }

    #[test]
    fn a_sweep_of_times_reads_as_chrono_writes_them() {
        // Steps that are prime numbers of seconds and nanoseconds visit every digit
        // position and every fraction width.
        let mut at = utc(1900, 1, 1, 0, 0, 0, 0);
        for i in 0..20_000u32 {
            at += TimeDelta::seconds(7_919_993) + TimeDelta::nanoseconds(i64::from(i) * 1_000_003);
            let (chrono, ours) = both(at);
            assert_eq!(ours, chrono);
        }
    }

    #[test]
    fn no_time_is_null() {
        #[derive(Serialize)]
        struct Ours(#[serde(serialize_with = "serialize_at")] Option<DateTime<Utc>>);
        assert_eq!(serde_json::to_string(&Ours(None)).unwrap(), "null");
    }
}
