//! What the side-by-side benches with a custom harness share: the size of a run, read from the
//! command line and the environment, and interleaved rounds with a median per case.

use std::path::Path;

/// A positive number from the environment variable `name`, or `default`.
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&v| v > 0)
        .unwrap_or(default)
}

/// How many records a case logs in a round, and how many rounds run.
pub struct Plan {
    pub records: u64,
    pub rounds: usize,
}

impl Plan {
    /// `<prefix>_RECORDS` and `<prefix>_ROUNDS`, or the defaults. `cargo bench` passes `--bench`;
    /// `cargo test --benches` passes nothing and gets a smoke pass: 1000 records, one round.
    pub fn from_env(prefix: &str, records: u64, rounds: u64) -> Plan {
        if !std::env::args().any(|a| a == "--bench") {
            return Plan {
                records: 1000,
                rounds: 1,
            };
        }
        Plan {
            records: env_number(&format!("{prefix}_RECORDS"), records),
            rounds: env_number(&format!("{prefix}_ROUNDS"), rounds) as usize,
        }
    }
}

/// The parts of the environment variable `name` split at `separator`: the cases to run (all
/// when it is unset).
pub fn only(name: &str, separator: char) -> Vec<String> {
    std::env::var(name)
        .map(|v| v.split(separator).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Runs `cases` cases for `rounds` rounds, each round in an order rotated by one case (so that
/// the drift of a shared machine's cores reaches every case alike), each run in a fresh
/// temporary directory named with `prefix`. `run(case, round, dir)` returns the nanoseconds per
/// call of one run; the result is each case's median.
pub fn interleaved_medians(
    cases: usize,
    rounds: usize,
    prefix: &str,
    mut run: impl FnMut(usize, usize, &Path) -> f64,
) -> Vec<f64> {
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); cases];
    for round in 0..rounds {
        for k in 0..cases {
            let index = (k + round) % cases;
            let dir = tempfile::Builder::new()
                .prefix(prefix)
                .tempdir()
                .expect("create a temp dir");
            times[index].push(run(index, round, dir.path()));
        }
    }
    times
        .iter_mut()
        .map(|runs| {
            runs.sort_by(f64::total_cmp);
            runs.get(runs.len() / 2).copied().unwrap_or(f64::NAN)
        })
        .collect()
}
