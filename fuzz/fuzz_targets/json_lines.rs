//! Fuzz target `json_lines`: see `harness::json_lines` for what it does with its input.
#![no_main]

// Each target uses one of the harness functions.
#[allow(dead_code)]
#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::json_lines(data));
