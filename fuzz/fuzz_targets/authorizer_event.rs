//! `cargo fuzz run authorizer_event`: see `fuzz_harness::authorizer_event`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_harness::authorizer_event(data));
