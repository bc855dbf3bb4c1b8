//! Summaries of timing samples: percentiles and the paired difference of
//! two interleaved cases.

use std::time::Duration;

/// Percentiles and friends of a sample, in milliseconds.
pub struct Stats {
    pub n: usize,
    pub min: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
    pub sd: f64,
}

impl Stats {
    pub fn of(samples: &[Duration]) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        ms.sort_by(f64::total_cmp);
        let n = ms.len();
        // Nearest rank: the smallest value with at least p% of the sample at or below it.
        let rank = |p: f64| ms[((p / 100.0 * n as f64).ceil() as usize).clamp(1, n) - 1];
        let mean = ms.iter().sum::<f64>() / n as f64;
        let var = ms.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n.max(2) - 1) as f64;
        Some(Self {
            n,
            min: ms[0],
            p50: rank(50.0),
            p90: rank(90.0),
            p95: rank(95.0),
            p99: rank(99.0),
            max: ms[n - 1],
            mean,
            sd: var.sqrt(),
        })
    }
}

/// Mean of the per-round differences `a[k] − b[k]` with its 95 %
/// confidence interval, in milliseconds.
pub struct Paired {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
    pub rounds: usize,
}

impl Paired {
    /// Rounds are interleaved, so a round's cases saw the same machine
    /// load: the per-round difference cancels most of the drift.
    pub fn of(a: &[Duration], b: &[Duration]) -> Self {
        let d: Vec<f64> = a
            .iter()
            .zip(b)
            .map(|(x, r)| (x.as_secs_f64() - r.as_secs_f64()) * 1e3)
            .collect();
        let n = d.len() as f64;
        let mean = d.iter().sum::<f64>() / n;
        let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
        let half = 1.96 * sd / n.sqrt();
        Self {
            mean,
            low: mean - half,
            high: mean + half,
            rounds: d.len(),
        }
    }
}
