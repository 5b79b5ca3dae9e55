//! Fuzz target `rhai_hook`: see `harness::rhai_hook` for what it does with its input.
#![no_main]

// Each target uses one of the harness functions.
#[allow(dead_code)]
#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::rhai_hook(data));
