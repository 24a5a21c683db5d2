//! Fuzzes the JSON loader and the dictConfig reader behind it.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod config_loaders;

fuzz_target!(|data: &[u8]| config_loaders::exercise(pylog_core::config::Format::Json, data));
