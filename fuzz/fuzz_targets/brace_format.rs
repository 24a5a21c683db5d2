//! Fuzzes the `{`-style format parser and renderer: any text, as a format of that style.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod exercise;

fuzz_target!(|data: &[u8]| exercise::exercise(pylog_core::Style::Brace, data));
