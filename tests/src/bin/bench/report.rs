//! Everything the bench prints: the header, each part's heading and
//! Markdown tables, the memory bounds and the CPU lines.

use std::time::Duration;

use monban_e2e::artefact;

use crate::load::{BUSY_BACKOFF, Level};
use crate::procfs::{CpuSnap, Status};
use crate::stats::{Paired, Stats};
use crate::{Argon2, Args};

pub fn header(args: &Args, a: &Argon2) {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let profile = if cfg!(debug_assertions) {
        "debug (unoptimised)"
    } else {
        "release"
    };
    println!("# monban-bench");
    println!(
        "argon2id memory_kib={} iterations={} parallelism={}, hash_workers={}, lockout max_failures=1000000",
        a.memory_kib, a.iterations, a.parallelism, a.hash_workers
    );
    println!(
        "build profile: {profile} (binaries from {}), CPUs available: {cpus}, budget: {} s, client levels: {:?}",
        artefact("monban-authd")
            .parent()
            .map_or_else(String::new, |p| p.display().to_string()),
        args.seconds,
        args.levels
    );
    println!();
}

pub const STATS_HEAD: &str = "| case | n | min | p50 | p95 | p99 | max | mean | sd |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|";

pub fn stats_row(label: &str, s: &Stats) -> String {
    format!(
        "| {label} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
        s.n, s.min, s.p50, s.p95, s.p99, s.max, s.mean, s.sd
    )
}

/// Like `stats_row` with two decimals, for sub-millisecond figures.
pub fn fine_row(label: &str, s: &Stats) -> String {
    format!(
        "| {label} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
        s.n, s.min, s.p50, s.p95, s.p99, s.max, s.mean, s.sd
    )
}

pub fn cpu_line(start: Option<CpuSnap>, pid: i32) -> String {
    match start.and_then(|s| s.cores_since(pid)) {
        Some((d, m, o)) => format!(
            "CPU during this part, in cores busy on average: daemon {d:.2}, monban-bench and its children {m:.2}, other processes {o:.2}"
        ),
        None => "CPU use: /proc/stat unreadable".into(),
    }
}

pub fn sequential_heading(slice: Duration) {
    println!(
        "## 1. Sequential logins, one client (connect + AuthStart + AuthAnswer), ms; slice {:.0} s",
        slice.as_secs_f64()
    );
}

/// Part 1's results: `samples[k]` are the interleaved times of case
/// `labels[k]`, right password first, then wrong password, unknown user.
/// Returns the per-case statistics.
pub fn sequential(
    labels: &[&str],
    samples: &[Vec<Duration>],
    cpu: Option<CpuSnap>,
    pid: i32,
) -> Vec<Stats> {
    println!("{STATS_HEAD}");
    let stats: Vec<Stats> = samples.iter().filter_map(|s| Stats::of(s)).collect();
    for (label, s) in labels.iter().zip(&stats) {
        println!("{}", stats_row(label, s));
    }
    if let [right, wrong, unknown] = &stats[..] {
        let diff = |s: &Stats| {
            format!(
                "{:+.1} ms ({:+.1} %)",
                s.p50 - right.p50,
                (s.p50 / right.p50 - 1.0) * 100.0
            )
        };
        println!(
            "\nmedian vs right password: wrong {}, unknown {}",
            diff(wrong),
            diff(unknown)
        );
    }
    // unknown − wrong is what a name prober compares: they do not know
    // the right password.
    for (i, j, label) in [
        (1, 0, "wrong − right"),
        (2, 0, "unknown − right"),
        (2, 1, "unknown − wrong"),
    ] {
        let d = Paired::of(&samples[i], &samples[j]);
        println!(
            "paired per-round difference {label}: mean {:+.1} ms, 95 % CI [{:+.1}, {:+.1}] ms over {} rounds",
            d.mean, d.low, d.high, d.rounds
        );
    }
    println!("{}\n", cpu_line(cpu, pid));
    stats
}

pub fn concurrent_heading(slice: Duration) {
    println!(
        "## 2. Concurrent wrong-password logins, distinct users; each level runs its share of {:.0} s and until every client has completed 2 logins",
        slice.as_secs_f64()
    );
    println!(
        "logins: verified (Denied) answers; busy: attempts refused at once with `Busy` (connection slots full; or closed before the request was written), retried after {} ms; \
         logins/s = logins / wall; latency: steady state (each client's first login, which starts in the initial burst, is left out), ms\n",
        BUSY_BACKOFF.as_millis()
    );
    println!(
        "| clients | logins | busy | wall s | logins/s | p50 | p95 | p99 | max | daemon peak RSS MiB | daemon threads | daemon CPU cores | others' CPU cores |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
}

pub fn level_row(l: &Level) {
    let s = &l.latency;
    println!(
        "| {} | {} | {} | {:.1} | {:.2} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {:.2} | {:.2} |",
        l.clients,
        l.logins,
        l.busy,
        l.wall.as_secs_f64(),
        l.logins as f64 / l.wall.as_secs_f64(),
        s.p50,
        s.p95,
        s.p99,
        s.max,
        l.peak_rss_kib as f64 / 1024.0,
        l.peak_threads,
        l.daemon_cores,
        l.other_cores
    );
}

/// Part 3. `readings`: named snapshots in time order; the one before the
/// concurrent load (third) is the baseline of the bound.
pub fn memory(pid: i32, a: &Argon2, readings: &[(&str, Status)], levels: &[Level]) {
    let mib = |k: u64| k as f64 / 1024.0;
    let Some((_, baseline)) = readings.get(2) else {
        return;
    };
    let per_hash = a.hash_workers as u64 * a.memory_kib;
    let bound = baseline.rss_kib + per_hash;
    println!("## 3. Daemon memory (/proc/{pid}/status; peaks sampled every 20 ms)\n");
    println!("| reading | VmRSS MiB | VmHWM MiB | threads |\n|---|---:|---:|---:|");
    for (label, s) in readings {
        println!(
            "| {label} | {:.1} | {:.1} | {} |",
            mib(s.rss_kib),
            mib(s.hwm_kib),
            s.threads
        );
    }
    for l in levels {
        println!(
            "| peak while {} clients hammer | {:.1} | | {} |",
            l.clients,
            mib(l.peak_rss_kib),
            l.peak_threads
        );
    }
    let (Some((_, cold)), Some((_, end))) = (readings.first(), readings.last()) else {
        return;
    };
    let top = levels.last().map_or(0, |l| l.clients);
    let peak_load = levels.iter().map(|l| l.peak_rss_kib).max().unwrap_or(0);
    let cold_bound = cold.rss_kib + per_hash;
    let verdict = |peak: u64, bound: u64| {
        if peak <= bound {
            "within".to_string()
        } else {
            format!("over it by {:.1} MiB", mib(peak - bound))
        }
    };
    println!(
        "\n- cold bound = VmRSS idle after start + hash_workers × memory_kib = {:.1} + {} × {:.1} = {:.1} MiB; \
         all-time peak VmHWM = {:.1} MiB: {}",
        mib(cold.rss_kib),
        a.hash_workers,
        mib(a.memory_kib),
        mib(cold_bound),
        mib(end.hwm_kib),
        verdict(end.hwm_kib, cold_bound)
    );
    println!(
        "- load bound = baseline before the load + hash_workers × memory_kib = {:.1} + {:.1} = {:.1} MiB; \
         peak VmRSS with up to {top} clients = {:.1} MiB: {}\n",
        mib(baseline.rss_kib),
        mib(per_hash),
        mib(bound),
        mib(peak_load),
        verdict(peak_load, bound)
    );
}

pub fn pam_heading(slice: Duration) {
    println!(
        "## 4. End to end through libpam: `monban-pam-driver ... auth`, wall time per run including process spawn, libpam start-up and module load, ms; slice {:.0} s",
        slice.as_secs_f64()
    );
}

/// Part 4's table: one row per case with samples, then the CPU line.
pub fn pam(labels: &[&str], samples: &[Vec<Duration>], cpu: Option<CpuSnap>, pid: i32) {
    println!("{STATS_HEAD}");
    for (label, s) in labels.iter().zip(samples) {
        if let Some(st) = Stats::of(s) {
            println!("{}", stats_row(label, &st));
        }
    }
    println!("{}\n", cpu_line(cpu, pid));
}
