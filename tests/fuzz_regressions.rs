//! Every input the fuzzers found a crash, hang or out-of-memory with
//! (`tests/fuzz_regressions/TARGET/`), and every seed they start from
//! (`fuzz/seeds/TARGET/`), replayed on stable through the fuzz targets' own code
//! (fuzz/harness.rs): each must run through without a panic. docs/testing.md,
//! "Fuzzing", says how the fuzzers run and what they found.

#[allow(dead_code)]
#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

/// The files of `dir` in name order (none when it does not exist).
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a directory entry reads").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `target` on every kept input and seed of its fuzz target, and returns how many
/// there were; a panic names the file.
fn replay(name: &str, target: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = inputs(&root.join("tests/fuzz_regressions").join(name));
    files.extend(inputs(&root.join("fuzz/seeds").join(name)));
    for file in &files {
        let data = std::fs::read(file).expect("a kept input reads");
        let outcome = std::panic::catch_unwind(|| target(&data));
        assert!(
            outcome.is_ok(),
            "fuzz target {name} panics on {}",
            file.display()
        );
    }
    files.len()
}

#[test]
fn json_lines_inputs_kept_from_fuzzing_apply_without_a_panic_and_their_books_restore() {
    assert!(replay("json_lines", harness::json_lines) > 0);
}

#[test]
fn policy_files_kept_from_fuzzing_are_refused_or_run_and_read_back_as_themselves() {
    assert!(replay("policy_toml", harness::policy_toml) > 0);
}

#[test]
fn rhai_hooks_kept_from_fuzzing_are_refused_or_fall_back_without_a_panic() {
    assert!(replay("rhai_hook", harness::rhai_hook) > 0);
}

#[test]
fn snapshots_kept_from_fuzzing_are_refused_or_restore_and_run_without_a_panic() {
    assert!(replay("snapshot", harness::snapshot) > 0);
}
