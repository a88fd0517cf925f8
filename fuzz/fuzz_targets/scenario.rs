//! `cargo fuzz run scenario`: see `fuzz_harness::scenario`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_harness::scenario(data));
