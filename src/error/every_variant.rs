//! Every error path exercised: one input per variant of [`StepError`], [`PolicyError`],
//! [`PolicyProblem`] and [`SnapshotError`](crate::SnapshotError), each checked to give
//! exactly that variant. Each list of variants is written once, in a macro that makes
//! both an exhaustive `match` (so a new variant does not compile until it is listed)
//! and the list the test compares with the variants its inputs produced (so a listed
//! variant fails the test until an input produces it). Inside the crate, where
//! `#[non_exhaustive]` does not allow a wildcard to be left out.

use super::{PolicyError, PolicyProblem, StepError};
use crate::{Engine, Event, LeadBook, Policy, Snapshot, SnapshotError};
use std::collections::BTreeSet;

/// `fn $name(&$ty) -> &'static str`, an exhaustive match on the variants, and
/// `const $all`, every variant's name.
macro_rules! variants {
    ($name:ident, $all:ident, $ty:ident { $($variant:ident),* $(,)? }) => {
        fn $name(error: &$ty) -> &'static str {
            match error {
                $($ty::$variant { .. } => stringify!($variant),)*
            }
        }
        const $all: &[&str] = &[$(stringify!($variant)),*];
    };
}

variants!(
    step_variant,
    STEP_VARIANTS,
    StepError {
        UnknownLead,
        DuplicateLead,
        DuplicateEvent,
        IllegalTransition,
        OutOfOrder,
        UnknownProgram,
        RemovedLead,
        Malformed,
        EmptyField,
        UnknownField,
        UnknownReason,
    }
);

variants!(
    policy_variant,
    POLICY_VARIANTS,
    PolicyError {
        Invalid,
        Parse,
        Read
    }
);

variants!(
    problem_variant,
    PROBLEM_VARIANTS,
    PolicyProblem {
        UnknownProgram,
        BranchToItself,
        EmptyBranchContent,
        InvalidValue,
        GradesOutOfOrder,
        BandsOutOfOrder,
        KindInTwoGroups,
        MissingSetting,
        HookSyntax,
        HookUnknownField,
        FitRuleConditions,
        EmptyName,
        DuplicateSalesRule,
        InquiryMilestone,
        NotAnOutcome,
        AccountAlias,
    }
);

variants!(
    snapshot_variant,
    SNAPSHOT_VARIANTS,
    SnapshotError {
        PolicyMismatch,
        NotASnapshot,
        BadHeader,
        FormatVersion,
        CrateVersion,
        Truncated,
        TrailingBytes,
        ChecksumMismatch,
        DuplicateLead,
    }
);

/// Two events every `StepError` case starts from: L1 created, then accepted by R7.
const L1_IN_SAL: &str = r#"
{"type":"created","lead":"L1","at":"2026-01-05T10:00:00Z","source":"webinar"}
{"type":"sales_accepted","lead":"L1","at":"2026-01-06T10:00:00Z","rep":"R7","id":"e1"}
"#;

/// The policy that refuses unknown fields and reasons.
const STRICT: &str = "strict_events = true\n";

/// Per `StepError` variant: the policy (TOML), and the event refused after
/// [`L1_IN_SAL`].
const STEP_CASES: &[(&str, &str, &str)] = &[
    (
        "UnknownLead",
        "",
        r#"{"type":"touch","lead":"L9","at":"2026-01-07T10:00:00Z","kind":"email_open"}"#,
    ),
    (
        "DuplicateLead",
        "",
        r#"{"type":"created","lead":"L1","at":"2026-01-07T10:00:00Z","source":"webinar"}"#,
    ),
    (
        "DuplicateEvent",
        "",
        r#"{"type":"sales_attempt","lead":"L1","at":"2026-01-07T10:00:00Z","rep":"R7","id":"e1"}"#,
    ),
    (
        "IllegalTransition",
        "",
        r#"{"type":"opportunity_won","lead":"L1","at":"2026-01-07T10:00:00Z","opportunity":"O1"}"#,
    ),
    (
        "OutOfOrder",
        "",
        r#"{"type":"touch","lead":"L1","at":"2026-01-05T09:00:00Z","kind":"email_open"}"#,
    ),
    (
        "UnknownProgram",
        "",
        r#"{"type":"disqualified","lead":"L1","at":"2026-01-07T10:00:00Z","rep":"R7","reason":"bad_timing","program":"no_such_program"}"#,
    ),
    (
        "RemovedLead",
        "",
        r#"{"type":"touch","lead":"L1","at":"2026-03-01T10:00:00Z","kind":"email_open"}"#,
    ),
    (
        "Malformed",
        "",
        r#"{"type":"merged","lead":"L1","at":"2026-01-07T10:00:00Z","into":"L1"}"#,
    ),
    (
        "EmptyField",
        "",
        r#"{"type":"sales_attempt","lead":"L1","at":"2026-01-07T10:00:00Z","rep":""}"#,
    ),
    (
        "UnknownField",
        STRICT,
        r#"{"type":"disqualified","lead":"L1","at":"2026-01-07T10:00:00Z","rep":"R7","reason":"bad_timing","programme":"timing_drip"}"#,
    ),
    (
        "UnknownReason",
        STRICT,
        r#"{"type":"disqualified","lead":"L1","at":"2026-01-07T10:00:00Z","rep":"R7","reason":"no_such_reason"}"#,
    ),
];

fn event(line: &str) -> Event {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

/// The error of the last event of a run of `policy` over [`L1_IN_SAL`], `extra` (for
/// `RemovedLead`: the lead's removal) and `refused`; every earlier event is applied.
fn step_error(policy: &str, refused: &str, extra: &str) -> StepError {
    let engine = Engine::new(Policy::from_toml_str(policy).expect("the policy reads"))
        .expect("the policy is valid");
    let mut book = LeadBook::new();
    let mut out = Vec::new();
    for line in L1_IN_SAL.lines().chain(extra.lines()) {
        if !line.trim().is_empty() {
            book.try_apply(&engine, &event(line), &mut out)
                .unwrap_or_else(|e| panic!("{line} applies: {e}"));
        }
    }
    let before = book.snapshot();
    let error = book
        .try_apply(&engine, &event(refused), &mut out)
        .expect_err("the last event is refused");
    assert_eq!(
        book.snapshot(),
        before,
        "{error}: the refused event changed nothing"
    );
    error
}

#[test]
fn every_step_error_variant_is_produced_by_its_own_event() {
    let mut produced = BTreeSet::new();
    for &(variant, policy, refused) in STEP_CASES {
        let extra = match variant {
            "RemovedLead" => {
                r#"{"type":"contact_lost","lead":"L1","at":"2026-02-01T10:00:00Z","cause":"bounced"}"#
            }
            _ => "",
        };
        let error = step_error(policy, refused, extra);
        assert_eq!(step_variant(&error), variant, "{refused} gives {error:?}");
        assert!(!error.to_string().contains('\n'), "one line: {error}");
        produced.insert(variant);
    }
    assert_eq!(produced, STEP_VARIANTS.iter().copied().collect());
}

/// Per `PolicyProblem` variant: a policy file with that one problem.
const PROBLEM_CASES: &[(&str, &str)] = &[
    ("UnknownProgram", "[recycle]\ndefault_program = \"no_such_program\"\n"),
    ("BranchToItself", "BRANCH case-study general_nurture"),
    ("EmptyBranchContent", "BRANCH  timing_drip"),
    ("InvalidValue", "[scoring]\nhalf_life_days = 0\n"),
    ("GradesOutOfOrder", "[scoring.grades]\nA = 10\nB = 25\nC = 5\n"),
    ("BandsOutOfOrder", "[scoring.bands]\n1 = 10\n2 = 30\n3 = 5\n"),
    ("KindInTwoGroups", "[scoring.groups.a]\nkinds = [\"email_open\"]\ncap = 5\n[scoring.groups.b]\nkinds = [\"email_open\"]\ncap = 5\n"),
    ("MissingSetting", "[sla.mql]\nattempts = 4\n"),
    ("HookSyntax", "[rules]\nroute = \"if {\"\n"),
    ("HookUnknownField", "[rules]\nroute = \"lead.no_such_field\"\n"),
    ("FitRuleConditions", "[[scoring.fit]]\nattr = \"region\"\npoints = 5\n"),
    ("EmptyName", "[[scoring.sales]]\noutcome = \" \"\npoints = 1\n"),
    ("DuplicateSalesRule", "[[scoring.sales]]\nchannel = \"call\"\npoints = 1\n[[scoring.sales]]\nchannel = \"call\"\npoints = 2\n"),
    ("InquiryMilestone", "[scoring.milestones]\ninquiry = 5\n"),
    ("NotAnOutcome", "[scoring.outcomes]\ntouch = 5\n"),
    ("AccountAlias", "[accounts.aliases]\namex = [\"Centurion\"]\nvisa = [\"centurion inc\"]\n"),
];

/// The problems of a policy file that reads but is refused, by `Policy::from_toml_str`
/// or, for a hook that does not compile, by `Engine::new`. `BRANCH CONTENT PROGRAM`
/// is the default policy with that branch in `general_nurture` (a `[programs]` table
/// in TOML replaces the default programs whole).
fn problems(text: &str) -> Vec<PolicyProblem> {
    if let Some(branch) = text.strip_prefix("BRANCH ") {
        let (content, program) = branch.split_once(' ').expect("CONTENT PROGRAM");
        let mut policy = Policy::default();
        let general = policy
            .programs
            .get_mut("general_nurture")
            .expect("a default program");
        general
            .branches
            .insert(content.to_owned(), program.to_owned());
        let error = Engine::new(policy).expect_err("the policy is refused");
        return error.problems().to_vec();
    }
    let error = match Policy::from_toml_str(text) {
        Err(e) => e,
        Ok(policy) => Engine::new(policy).expect_err("the policy is refused"),
    };
    assert_eq!(policy_variant(&error), "Invalid", "{text}: {error:?}");
    error.problems().to_vec()
}

#[test]
fn every_policy_problem_variant_is_produced_by_its_own_policy_file() {
    let mut produced = BTreeSet::new();
    for &(variant, text) in PROBLEM_CASES {
        let found = problems(text);
        assert_eq!(found.len(), 1, "{text}: one problem, got {found:?}");
        assert_eq!(problem_variant(&found[0]), variant, "{text}: {found:?}");
        produced.insert(variant);
    }
    assert_eq!(produced, PROBLEM_VARIANTS.iter().copied().collect());
}

#[test]
fn every_policy_error_variant_is_produced_by_its_own_input() {
    let missing = std::env::temp_dir().join("leadcycle-no-such-dir/policy.toml");
    let cases: [(&str, PolicyError); 3] = [
        (
            "Invalid",
            Policy::from_toml_str("[scoring]\nhysteresis = -1\n").unwrap_err(),
        ),
        (
            "Parse",
            Policy::from_toml_str("[scoring]\nmql_treshold = 90\n").unwrap_err(),
        ),
        ("Read", Policy::from_toml_file(&missing).unwrap_err()),
    ];
    let mut produced = BTreeSet::new();
    for (variant, error) in &cases {
        assert_eq!(policy_variant(error), *variant, "{error:?}");
        produced.insert(*variant);
    }
    assert_eq!(produced, POLICY_VARIANTS.iter().copied().collect());
}

/// A sealed snapshot of a book that saw L1 created, under `engine`, and its JSON body.
fn sealed(engine: &Engine) -> (Vec<u8>, Vec<u8>) {
    let mut book = LeadBook::new();
    book.apply(engine, &event(L1_IN_SAL.lines().nth(1).expect("a line")));
    let snapshot = book.snapshot();
    let body = serde_json::to_vec(&snapshot).expect("a snapshot is JSON");
    (snapshot.seal(&body), body)
}

/// `bytes` with every occurrence of `from` replaced by `to` (in the header).
fn replaced(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let (header, body) = bytes.split_at(bytes.iter().position(|&b| b == b'\n').expect("a header"));
    let mut out = String::from_utf8(header.to_vec())
        .expect("UTF-8")
        .replace(from, to)
        .into_bytes();
    out.extend_from_slice(body);
    out
}

/// `replaced`, with the checksum computed again: what another version would write.
fn resealed(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    use crate::policy::{fnv1a64_continue, FNV1A64_OFFSET};
    let edited = replaced(bytes, from, to);
    let end = edited.iter().position(|&b| b == b'\n').expect("a header");
    let header = std::str::from_utf8(&edited[..end]).expect("UTF-8");
    let covered = &header[..header.find(" checksum=").expect("a checksum")];
    let body = &edited[end + 1..];
    let checksum = fnv1a64_continue(fnv1a64_continue(FNV1A64_OFFSET, covered.as_bytes()), body);
    let mut out = format!("{covered} checksum=fnv1a64:{checksum:016x}\n").into_bytes();
    out.extend_from_slice(body);
    out
}

#[test]
fn every_snapshot_error_variant_is_produced_by_its_own_damaged_snapshot() {
    let engine = Engine::new(Policy::default()).expect("valid");
    let mut other = Policy::default();
    other.scoring.mql_threshold += 1.0;
    let other = Engine::new(other).expect("valid");
    let (good, body) = sealed(&engine);
    assert!(Snapshot::unseal(&good, &engine).is_ok());
    let version = env!("CARGO_PKG_VERSION");
    let mut edited = good.clone();
    let last = edited.len() - 2;
    edited[last] ^= 1;
    let mut appended = good.clone();
    appended.push(b'\n');
    let mut twice: Snapshot = serde_json::from_slice(&body).expect("reads");
    twice.leads.push(twice.leads[0].clone());

    let unseal = |bytes: &[u8], engine: &Engine| Snapshot::unseal(bytes, engine).unwrap_err();
    let cases: Vec<(&str, SnapshotError)> = vec![
        ("PolicyMismatch", unseal(&good, &other)),
        ("NotASnapshot", unseal(&body, &engine)),
        ("BadHeader", unseal(&good[..40], &engine)),
        (
            "FormatVersion",
            unseal(&replaced(&good, "snapshot 1 ", "snapshot 2 "), &engine),
        ),
        (
            "CrateVersion",
            unseal(&resealed(&good, version, "0.0.1"), &engine),
        ),
        ("Truncated", unseal(&good[..good.len() - 10], &engine)),
        ("TrailingBytes", unseal(&appended, &engine)),
        ("ChecksumMismatch", unseal(&edited, &engine)),
        (
            "DuplicateLead",
            LeadBook::restore(twice, &engine).unwrap_err(),
        ),
    ];
    let mut produced = BTreeSet::new();
    for (variant, error) in &cases {
        assert_eq!(snapshot_variant(error), *variant, "{error:?}");
        assert!(!error.to_string().contains('\n'), "one line: {error}");
        produced.insert(*variant);
    }
    assert_eq!(produced, SNAPSHOT_VARIANTS.iter().copied().collect());
}
