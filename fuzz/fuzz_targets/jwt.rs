//! `cargo fuzz run jwt`: see `fuzz_harness::jwt`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_harness::jwt(data));
