//! `Policy::fingerprint`: equal policies have equal fingerprints however their files
//! are written; any changed value changes it. Policies are read from TOML, the form
//! hosts write them in.

use leadcycle::Policy;

const DEFAULT_POLICY: &str = include_str!("../examples/policies/default.toml");

fn policy(toml: &str) -> Policy {
    toml::from_str(toml).unwrap_or_else(|e| panic!("{toml}: {e}"))
}

#[test]
fn fingerprint_has_the_documented_form() {
    let fingerprint = Policy::default().fingerprint();
    let hex = fingerprint
        .strip_prefix("fnv1a64:")
        .unwrap_or_else(|| panic!("{fingerprint}"));
    assert_eq!(hex.len(), 16, "{fingerprint}");
    assert!(
        hex.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
        "{fingerprint}"
    );
}

#[test]
fn policies_that_read_the_same_have_the_same_fingerprint_however_they_are_written() {
    let default = Policy::default().fingerprint();
    // Empty, written out in full, keys and tables in another order, integers for floats.
    assert_eq!(policy("").fingerprint(), default);
    assert_eq!(policy(DEFAULT_POLICY).fingerprint(), default);
    assert_eq!(
        policy("[scoring]\nhysteresis = 10\nmql_threshold = 100.0\n").fingerprint(),
        default
    );
    let one_order = "[scoring]\nmql_threshold = 90\n[scoring.engagement]\nemail_open = 2\ndemo_request = 40\n[recycle]\ndefault_program = \"stalled\"\n";
    let other_order = "[recycle]\ndefault_program = \"stalled\"\n[scoring.engagement]\ndemo_request = 40.0\nemail_open = 2\n[scoring]\nmql_threshold = 90.0\n";
    assert_eq!(policy(one_order), policy(other_order));
    assert_eq!(
        policy(one_order).fingerprint(),
        policy(other_order).fingerprint()
    );
}

#[test]
fn any_changed_value_changes_the_fingerprint() {
    let changes = [
        "[scoring]\nmql_threshold = 101",
        "[scoring]\nhand_raisers = [\"demo_request\"]",
        "[scoring]\nhand_raisers = [\"contact_sales\", \"demo_request\"]",
        "[scoring.engagement]\nemail_open = 1",
        "[scoring.grades]\nA = 41\nB = 25\nC = 10",
        "[recycle]\npassive_program = \"general_nurture\"",
        "[programs.stalled]\ncadence_days = 10\nsteps = [\"still-interested\"]",
        "dedupe_window_days = 8",
    ];
    let mut seen = vec![Policy::default().fingerprint()];
    for toml in changes {
        let changed = policy(toml);
        assert_ne!(changed, Policy::default(), "{toml} changes nothing");
        let fingerprint = changed.fingerprint();
        assert!(
            !seen.contains(&fingerprint),
            "{toml} has a fingerprint seen before: {fingerprint}"
        );
        seen.push(fingerprint);
    }
}

#[test]
fn fingerprint_is_the_same_on_every_call_and_for_a_clone() {
    let policy = policy("[scoring]\nmql_threshold = 90");
    assert_eq!(policy.fingerprint(), policy.clone().fingerprint());
    assert_eq!(policy.fingerprint(), policy.fingerprint());
}
