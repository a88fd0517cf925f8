//! `cargo fuzz run policy`: see `fuzz_harness::policy`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_harness::policy(data));
