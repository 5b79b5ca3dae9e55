//! How the replay example reads its input lines (CONTRACT.md, "The replay example";
//! docs/semantics.md): a byte-order mark at the start is skipped, and a line that
//! cannot be read becomes a `malformed` effect that says why (a bad time names the
//! field and the value) and repeats the start of the line, so that a person reading
//! standard input can find it. The rest of the command line is tested in
//! `tests/replay.rs`.

#[allow(dead_code)]
#[path = "../examples/replay.rs"]
mod replay;

use serde_json::Value;
use std::ffi::OsString;

const CREATED: &str = r#"{"type":"created","lead":"A","at":"2026-01-05T10:00:00Z","source":"web"}"#;
const TOUCH: &str =
    r#"{"type":"touch","lead":"A","at":"2026-01-06T10:00:00Z","kind":"demo_request"}"#;

/// Runs replay over `input` with `args`; the effects printed, after asserting exit 0.
fn effects(args: &[&str], input: &[u8]) -> Vec<Value> {
    let args: Vec<OsString> = args.iter().map(OsString::from).collect();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = replay::run(args, input, &mut stdout, &mut stderr);
    let stdout = String::from_utf8(stdout).expect("stdout is UTF-8");
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&stderr));
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn lines(lines: &[&str]) -> Vec<u8> {
    lines
        .iter()
        .flat_map(|l| [l.as_bytes(), b"\n"].concat())
        .collect()
}

/// A path for a scratch file of this test binary.
fn scratch(name: &str, bytes: &[u8]) -> String {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("replay-input-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn byte_order_mark_at_the_start_of_standard_input_is_skipped() {
    let plain = effects(&[], &lines(&[CREATED, TOUCH]));
    let with_bom = effects(
        &[],
        &[b"\xEF\xBB\xBF".as_slice(), &lines(&[CREATED, TOUCH])].concat(),
    );
    assert_eq!(with_bom, plain);
    assert_eq!(plain.len(), 2);
    assert!(plain.iter().all(|e| e["type"] == "transition"));
}

#[test]
fn byte_order_mark_at_the_start_of_an_events_file_is_skipped() {
    let path = scratch(
        "bom.jsonl",
        &[b"\xEF\xBB\xBF".as_slice(), &lines(&[CREATED])].concat(),
    );
    let effects = effects(&["--events", &path], b"");
    assert_eq!(effects.len(), 1, "{effects:?}");
    assert_eq!(effects[0]["to"], "inquiry");
}

#[test]
fn byte_order_mark_alone_on_the_first_line_is_a_blank_line() {
    let effects = effects(
        &[],
        &[b"\xEF\xBB\xBF\n".as_slice(), &lines(&[CREATED])].concat(),
    );
    assert_eq!(effects.len(), 1, "{effects:?}");
    assert_eq!(effects[0]["type"], "transition");
}

#[test]
fn byte_order_mark_after_the_first_line_is_not_skipped() {
    let input = [lines(&[CREATED]), b"\xEF\xBB\xBF".to_vec(), lines(&[TOUCH])].concat();
    let effects = effects(&[], &input);
    assert_eq!(effects.len(), 2, "{effects:?}");
    assert_eq!(effects[1]["kind"], "malformed");
    assert_eq!(effects[1]["line"], 2);
}

#[test]
fn malformed_line_carries_the_start_of_the_raw_line() {
    let short = r#"{"type":"touch" "lead":"A"}"#;
    let long = format!(
        r#"{{"type":"touch","lead":"A","at":"2026-01-06T10:00:00Z","kind":"demo_request","note":"{}"#,
        "x".repeat(100)
    );
    let effects = effects(&[], &lines(&[CREATED, short, &long]));
    assert_eq!(effects.len(), 3, "{effects:?}");
    assert_eq!(effects[1]["line"], 2);
    assert_eq!(effects[1]["input"], short);
    // A long line is cut after 80 characters, and says so.
    assert_eq!(effects[2]["line"], 3);
    let input = effects[2]["input"].as_str().unwrap();
    assert_eq!(input, format!("{}...", &long[..80]));
}

#[test]
fn effects_follow_the_input_lines_in_order_across_the_replays_parse_batches() {
    // The example parses lines 32 at a time before it applies them: line numbers and
    // the order of effects must not show it. 100 lines, some blank, some malformed,
    // the rest leads of their own; the last line has no newline.
    let mut input = String::new();
    let mut expected = Vec::new();
    for i in 1..=100u64 {
        if i % 7 == 0 {
            input.push_str("  ");
        } else if i % 5 == 0 {
            input.push_str(&format!("{{not an event {i}}}"));
            expected.push(i);
        } else {
            input.push_str(&format!(
                r#"{{"type":"created","lead":"L{i}","at":"2026-01-05T10:{:02}:{:02}Z","source":"web"}}"#,
                i / 60,
                i % 60
            ));
            expected.push(i);
        }
        if i < 100 {
            input.push('\n');
        }
    }
    // The line each effect belongs to: a malformed line's number, or its lead's.
    let mut seen: Vec<u64> = effects(&[], input.as_bytes())
        .iter()
        .map(|e| match e["kind"].as_str() {
            Some("malformed") => e["line"].as_u64().expect("a line number"),
            _ => e["lead"].as_str().expect("a lead")[1..]
                .parse()
                .expect("L<n>"),
        })
        .collect();
    assert!(seen.is_sorted(), "effects out of line order: {seen:?}");
    seen.dedup();
    assert_eq!(seen, expected);
}

#[test]
fn malformed_line_that_is_not_utf8_carries_its_start_with_replacement_characters() {
    let effects = effects(&[], b"\xff\xfe garbage\n");
    assert_eq!(effects[0]["kind"], "malformed");
    assert_eq!(effects[0]["input"], "\u{fffd}\u{fffd} garbage");
}

#[test]
fn rejected_event_that_could_be_read_carries_no_input() {
    // An event refused by the engine echoes the event itself instead.
    let effects = effects(&[], &lines(&[TOUCH]));
    assert_eq!(effects[0]["kind"], "unknown_lead");
    assert!(effects[0].get("input").is_none());
    assert_eq!(effects[0]["event"]["type"], "touch");
}

#[test]
fn bad_time_is_a_malformed_line_naming_the_field_and_the_value() {
    let line = r#"{"type":"touch","lead":"A","at":"2026-02-30","kind":"email_open"}"#;
    let effects = effects(&[], &lines(&[CREATED, line]));
    assert_eq!(effects[1]["kind"], "malformed");
    let message = effects[1]["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            r#"line 2 is not a valid event: at: "2026-02-30" is not an RFC 3339 time"#
        ),
        "{message}"
    );
    assert!(message.contains("at column"), "{message}");
}

#[test]
fn empty_lead_is_malformed_naming_the_field_not_an_unknown_lead() {
    let line = r#"{"type":"touch","lead":"","at":"2026-01-06T10:00:00Z","kind":"email_open"}"#;
    let effects = effects(&[], &lines(&[CREATED, line]));
    assert_eq!(effects[1]["kind"], "malformed");
    assert_eq!(effects[1]["lead"], "");
    assert!(
        effects[1]["message"]
            .as_str()
            .unwrap()
            .contains("has an empty `lead`"),
        "{}",
        effects[1]
    );
}

#[test]
fn unknown_field_is_malformed_when_the_policy_sets_strict_events() {
    let policy = scratch("strict.toml", b"strict_events = true\n");
    let line = r#"{"type":"touch","lead":"A","at":"2026-01-06T10:00:00Z","kind":"email_open","campaing":"w-17"}"#;
    let strict = effects(&["--policy", &policy], &lines(&[CREATED, line]));
    assert_eq!(strict[1]["kind"], "malformed");
    assert!(
        strict[1]["message"]
            .as_str()
            .unwrap()
            .contains("no field `campaing`"),
        "{}",
        strict[1]
    );
    // The echoed event keeps the contract's shape.
    assert!(strict[1]["event"].get("campaing").is_none());
    let lax = effects(&[], &lines(&[CREATED, line]));
    assert_eq!(
        lax.len(),
        1,
        "without strict_events the touch applies: {lax:?}"
    );
}
