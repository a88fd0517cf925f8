//! `cargo fuzz run arn_glob`: see `fuzz_harness::arn_glob`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_harness::arn_glob(data));
