//! The receiver's pickle reader takes any bytes without panicking or running away: the fuzz
//! target's seed corpus (`fuzz/seeds/pickle_reader`) and a few thousand pseudo-random mutations
//! of it (bytes flipped, inserted, removed, lengths made huge) run here on stable Rust, through
//! `pickle::read` and `receiver::check_payload`, so `cargo test` covers what the fuzz target
//! explores further. Every seed of a record dict decodes.
#![cfg(feature = "socket")]

use std::path::Path;

use pylog_core::pickle::{Limits, PickleValue, read};
use pylog_core::receiver::check_payload;

fn seeds() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/pickle_reader");
    let mut seeds: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    seeds.sort();
    seeds
}

fn exercise(data: &[u8], limits: &Limits) {
    if let Ok(value) = read(data, limits) {
        let _ = value.py_repr();
    }
    let _ = check_payload(data, limits);
}

/// A small deterministic generator (xorshift64*), so the inputs are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn the_seeds_decode_or_are_refused_as_expected() {
    let limits = Limits::default();
    for (name, data) in seeds() {
        let result = read(&data, &limits);
        if name.starts_with("record_protocol_") {
            let value = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(matches!(value, PickleValue::Dict(_)), "{name}");
            assert_eq!(check_payload(&data, &limits), Ok(()), "{name}");
        } else {
            let err = result.expect_err(&name);
            let reason = err.reason();
            assert!(
                ["forbidden", "too-deep"].contains(&reason),
                "{name}: {reason}: {err}"
            );
        }
    }
}

#[test]
fn mutated_seeds_never_panic() {
    let mut limits = Limits::default();
    limits.max_values = 4096;
    limits.max_bytes = 1 << 20;
    let seeds = seeds();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..4000 {
        let (_, seed) = &seeds[rng.below(seeds.len())];
        let mut data = seed.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(data.len() + 1);
            match rng.below(5) {
                0 if at < data.len() => data[at] = rng.next() as u8,
                1 => data.insert(at, rng.next() as u8),
                2 if at < data.len() => {
                    data.remove(at);
                }
                3 if at + 4 <= data.len() => {
                    data[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes())
                }
                _ => data.truncate(at),
            }
        }
        exercise(&data, &limits);
    }
}
