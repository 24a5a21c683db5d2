//! Fuzzes the data-only pickle reader the log receiver decodes every frame with: whatever the
//! bytes, it returns a value or an error (never panics, never runs away with memory or time),
//! and a value it returns can be printed (`repr`) and turned into a record the way the receiver
//! turns it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pylog_core::pickle::{Limits, read};
use pylog_core::receiver::check_payload;

fuzz_target!(|data: &[u8]| {
    let mut limits = Limits::default();
    // Small bounds find the limit checks' edges sooner.
    limits.max_values = 4096;
    limits.max_bytes = 1 << 20;
    if let Ok(value) = read(data, &limits) {
        let _ = value.py_repr();
        let _ = value.get("msg").map(|m| m.py_str());
    }
    let _ = check_payload(data, &limits);
});
