//! `monban-bench`: measures a real `monban-authd` (started in a scratch
//! directory by the e2e harness) through its socket and through real libpam.
//!
//! ```text
//! monban-bench [--config-argon2 default|test] [--seconds N] [--clients N|N,N,...]
//! ```
//!
//! 1. Sequential login latency (connect + AuthStart + AuthAnswer) for a right
//!    password, a wrong password and an unknown user, interleaved so drift
//!    hits all three alike (SPEC §2: unknown users take the same time).
//! 2. Throughput and latency with N concurrent clients guessing wrong
//!    passwords for distinct users (lockout set out of reach).
//! 3. The daemon's RSS during the largest load against
//!    baseline + `hash_workers` × `memory_kib`.
//! 4. Wall time of `monban-pam-driver auth` runs (process spawn included).
//!
//! Must run as root (the harness and admin requests need it). Speed is
//! measured here, never asserted in a test.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use monban_e2e::{Harness, artefact};
use monban_proto::{
    AdminOp, AuthNext, AuthOutcome, Client, ClientError, CredentialKind, ErrorCode, FrameError,
    PamContext, Request, Response, Secret, Timeouts,
};

const USAGE: &str =
    "usage: monban-bench [--config-argon2 default|test] [--seconds N] [--clients N|N,N,...]";

/// Passwords that satisfy the default policy and contain no user name.
const RIGHT: &str = "Gatekeeper-42";
const WRONG: &str = "Intruder-guess-7";
const RIGHT_USER: &str = "benchright";
const WRONG_USER: &str = "benchwrong";
const UNKNOWN_USER: &str = "benchnobody";
const SERVICE: &str = "monban-bench";

/// At least this many samples per case, even past the time slice, so every
/// percentile has something under it.
const MIN_SEQUENTIAL: usize = 5;
const MIN_PAM: usize = 3;

struct Args {
    argon2_default: bool,
    seconds: u64,
    levels: Vec<usize>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        argon2_default: true,
        seconds: 60,
        levels: vec![1, 2, 8, 64],
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--config-argon2" => match value("--config-argon2")?.as_str() {
                "default" => args.argon2_default = true,
                "test" => args.argon2_default = false,
                other => return Err(format!("--config-argon2: default or test, not {other:?}")),
            },
            "--seconds" => {
                args.seconds = value("--seconds")?
                    .parse()
                    .ok()
                    .filter(|&s| s > 0)
                    .ok_or("--seconds: a positive whole number")?;
            }
            "--clients" => {
                let v = value("--clients")?;
                let list: Vec<usize> = v
                    .split(',')
                    .map(|s| {
                        s.trim()
                            .parse::<usize>()
                            .ok()
                            .filter(|&n| (1..=1000).contains(&n))
                    })
                    .collect::<Option<_>>()
                    .ok_or("--clients: numbers from 1 to 1000, comma-separated")?;
                // A single N means the ladder 1, 2, 8, N (as far as it goes).
                let mut levels = if let [n] = list[..] {
                    [1, 2, 8, n].into_iter().filter(|&l| l <= n).collect()
                } else {
                    list
                };
                levels.sort_unstable();
                levels.dedup();
                args.levels = levels;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("monban-bench: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if !nix::unistd::geteuid().is_root() {
        eprintln!("monban-bench: run as root (it starts the daemon and adds users as root)");
        return ExitCode::from(2);
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("monban-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

struct Argon2 {
    memory_kib: u64,
    iterations: u32,
    parallelism: u32,
    hash_workers: usize,
}

fn run(args: &Args) -> Result<(), String> {
    let started = Instant::now();
    let argon = if args.argon2_default {
        // monban-config's defaults (OWASP): what a real install runs.
        Argon2 {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
            hash_workers: 2,
        }
    } else {
        // The e2e harness's cheap parameters.
        Argon2 {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
            hash_workers: 2,
        }
    };
    // Lockout out of reach so wrong guesses are verified, not refused as
    // locked; the failure counter is still written on every guess.
    let extra = format!(
        "[daemon]\nhash_workers = {}\n[argon2]\nmemory_kib = {}\niterations = {}\nparallelism = {}\n[lockout]\nmax_failures = 1000000\n",
        argon.hash_workers, argon.memory_kib, argon.iterations, argon.parallelism
    );
    let max_clients = args.levels.iter().copied().max().unwrap_or(1);

    print_header(args, &argon);
    let load_before = loadavg();
    let h = Harness::with_config(&extra);
    let pid = daemon_pid(h.socket())?;
    // Idle, before any user exists (the start-up timing-equaliser hash has
    // already run once).
    let status = || read_status(pid).ok_or("cannot read the daemon's /proc status");
    // Idle, before any user exists (the start-up timing-equaliser hash has
    // already run once).
    let idle = status()?;

    let setup = Instant::now();
    h.add_user(RIGHT_USER, RIGHT);
    h.add_user(WRONG_USER, RIGHT);
    add_users(h.socket(), max_clients)?;
    let setup = setup.elapsed();
    let after_setup = status()?;
    println!(
        "setup: daemon pid {pid}, {} users added (2 via `monban user add`, {max_clients} via the protocol) in {:.1} s\n",
        max_clients + 2,
        setup.as_secs_f64()
    );

    // Each part takes its share of what is left, so time a part spends
    // past its slice (to reach its minimum samples) comes out of the next.
    let end = started + Duration::from_secs(args.seconds);
    let left = || end.saturating_duration_since(Instant::now());
    let login_time = sequential(h.socket(), pid, left().mul_f64(0.30))?;
    let before_load = status()?;
    let levels = concurrent(
        h.socket(),
        pid,
        &args.levels,
        left().mul_f64(0.75),
        login_time,
        argon.hash_workers,
    )?;
    let after_load = status()?;
    memory(
        pid,
        &argon,
        &[
            ("idle after start", idle),
            ("after setup (user adds)", after_setup),
            ("after the sequential logins = baseline", before_load),
            ("after the concurrent load", after_load),
        ],
        &levels,
    );
    pam(&h, pid, left())?;

    println!(
        "load average (1/5/15 min): {load_before} at the start, {} at the end",
        loadavg()
    );
    println!(
        "total wall time: {:.1} s (budget {} s; a slice runs past its share only to reach its minimum samples)",
        started.elapsed().as_secs_f64(),
        args.seconds
    );
    Ok(())
}

fn print_header(args: &Args, a: &Argon2) {
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

/// The daemon's pid from SO_PEERCRED on a connection to its socket.
fn daemon_pid(socket: &Path) -> Result<i32, String> {
    let s = UnixStream::connect(socket).map_err(|e| format!("connect: {e}"))?;
    let cred = nix::sys::socket::getsockopt(&s, nix::sys::socket::sockopt::PeerCredentials)
        .map_err(|e| format!("SO_PEERCRED: {e}"))?;
    Ok(cred.pid())
}

fn timeouts() -> Timeouts {
    // Generous: with 64 clients and the unoptimised build a login waits in
    // the hashing queue for many seconds; the bench measures that wait.
    Timeouts {
        connect: Duration::from_secs(10),
        io: Duration::from_secs(300),
    }
}

fn bench_user(i: usize) -> String {
    format!("benchload{i:03}")
}

/// Adds the load users through the protocol, as root, several at a time
/// (the daemon hashes at most `hash_workers` at once anyway).
fn add_users(socket: &Path, n: usize) -> Result<(), String> {
    let threads = 4.min(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || -> Result<(), String> {
                    for i in (t..n).step_by(threads) {
                        let user = bench_user(i);
                        let mut c =
                            Client::connect(socket, timeouts()).map_err(|e| e.to_string())?;
                        let req = Request::Admin {
                            step_up: None,
                            op: AdminOp::UserAdd {
                                user: user.clone(),
                                password: Some(Secret::new(RIGHT.into())),
                                temporary: false,
                                require_otp: false,
                            },
                        };
                        c.call(&req).map_err(|e| format!("adding {user}: {e}"))?;
                    }
                    Ok(())
                })
            })
            .collect();
        for h in handles {
            h.join().map_err(|_| "a user-adding thread panicked")??;
        }
        Ok(())
    })
}

/// What one attempt came to.
enum Attempt {
    /// Verified: the outcome and the time from connect to the final answer.
    Done(AuthOutcome, Duration),
    /// Refused at once because every connection slot was taken.
    Busy,
}

/// Pause after a `Busy` before the next attempt, as a client would.
const BUSY_BACKOFF: Duration = Duration::from_millis(20);

/// Retries `Busy` (only the sequential parts use this; they expect none).
fn login_retrying(
    socket: &Path,
    user: &str,
    password: &str,
) -> Result<(AuthOutcome, Duration), String> {
    for _ in 0..500 {
        match login(socket, user, password)? {
            Attempt::Done(outcome, took) => return Ok((outcome, took)),
            Attempt::Busy => std::thread::sleep(BUSY_BACKOFF),
        }
    }
    Err(format!("{user}: the daemon stayed busy"))
}

/// One password login over a fresh connection, as the PAM module does it.
fn login(socket: &Path, user: &str, password: &str) -> Result<Attempt, String> {
    let t0 = Instant::now();
    let mut c = Client::connect(socket, timeouts()).map_err(|e| e.to_string())?;
    let ctx = PamContext {
        user: user.into(),
        service: SERVICE.into(),
        tty: None,
        rhost: None,
    };
    match c.call(&Request::AuthStart {
        ctx,
        credential: CredentialKind::Login,
    }) {
        Ok(Response::Auth(step)) if matches!(step.next, AuthNext::Prompt(_)) => {}
        Err(e) if e.code() == Some(ErrorCode::Busy) => return Ok(Attempt::Busy),
        // The daemon answers `Busy` and closes at once; when it closes
        // before our request is written, the write fails instead. (Were the
        // daemon gone, the next connect would fail and stop the bench.)
        Err(ClientError::Protocol(FrameError::Io(e)))
            if matches!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
            ) =>
        {
            return Ok(Attempt::Busy);
        }
        other => return Err(format!("AuthStart for {user}: unexpected {other:?}")),
    }
    let answer = Request::AuthAnswer {
        answer: Secret::new(password.into()),
    };
    match c.call(&answer) {
        Ok(Response::Auth(step)) => match step.next {
            AuthNext::Finished(outcome) => Ok(Attempt::Done(outcome, t0.elapsed())),
            AuthNext::Prompt(p) => Err(format!("{user}: unexpected second prompt {:?}", p.text)),
        },
        other => Err(format!("AuthAnswer for {user}: unexpected {other:?}")),
    }
}

/// Percentiles and friends of a sample, in milliseconds.
struct Stats {
    n: usize,
    min: f64,
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
    mean: f64,
    sd: f64,
}

impl Stats {
    fn of(samples: &[Duration]) -> Option<Self> {
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
            p95: rank(95.0),
            p99: rank(99.0),
            max: ms[n - 1],
            mean,
            sd: var.sqrt(),
        })
    }

    fn row(&self, label: &str) -> String {
        format!(
            "| {label} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
            self.n, self.min, self.p50, self.p95, self.p99, self.max, self.mean, self.sd
        )
    }
}

const STATS_HEAD: &str = "| case | n | min | p50 | p95 | p99 | max | mean | sd |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|";

/// Returns the median login time with the right password.
fn sequential(socket: &Path, pid: i32, slice: Duration) -> Result<Duration, String> {
    println!(
        "## 1. Sequential logins, one client (connect + AuthStart + AuthAnswer), ms; slice {:.0} s",
        slice.as_secs_f64()
    );
    let cases = [
        ("right password", RIGHT_USER, RIGHT, AuthOutcome::Success),
        ("wrong password", WRONG_USER, WRONG, AuthOutcome::Denied),
        (
            "unknown user",
            UNKNOWN_USER,
            WRONG,
            AuthOutcome::UserUnknown,
        ),
    ];
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); cases.len()];
    // One untimed round first: page cache, SQLite statement cache, threads.
    for (label, user, pw, want) in cases {
        let (got, _) = login_retrying(socket, user, pw)?;
        if got != want {
            return Err(format!("{label}: expected {want:?}, got {got:?}"));
        }
    }
    let cpu = CpuSnap::take(pid);
    let deadline = Instant::now() + slice;
    // Interleaved so slow drift (thermal, neighbours) affects all cases alike.
    while Instant::now() < deadline || samples.iter().any(|s| s.len() < MIN_SEQUENTIAL) {
        for (i, (label, user, pw, want)) in cases.iter().enumerate() {
            let (got, took) = login_retrying(socket, user, pw)?;
            if got != *want {
                return Err(format!("{label}: expected {want:?}, got {got:?}"));
            }
            samples[i].push(took);
        }
    }
    println!("{STATS_HEAD}");
    let stats: Vec<Stats> = samples.iter().filter_map(|s| Stats::of(s)).collect();
    for ((label, ..), s) in cases.iter().zip(&stats) {
        println!("{}", s.row(label));
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
    // Rounds are interleaved, so a round's cases saw the same machine
    // load: the per-round difference cancels most of the drift.
    // unknown − wrong is what a name prober compares: they do not know
    // the right password.
    for (i, j, label) in [
        (1, 0, "wrong − right"),
        (2, 0, "unknown − right"),
        (2, 1, "unknown − wrong"),
    ] {
        let d: Vec<f64> = samples[i]
            .iter()
            .zip(&samples[j])
            .map(|(x, r)| (x.as_secs_f64() - r.as_secs_f64()) * 1e3)
            .collect();
        let n = d.len() as f64;
        let mean = d.iter().sum::<f64>() / n;
        let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
        let half = 1.96 * sd / n.sqrt();
        println!(
            "paired per-round difference {label}: mean {mean:+.1} ms, 95 % CI [{:+.1}, {:+.1}] ms over {} rounds",
            mean - half,
            mean + half,
            d.len()
        );
    }
    println!("{}\n", cpu_line(cpu, pid));
    Ok(stats
        .first()
        .map_or(Duration::ZERO, |s| Duration::from_secs_f64(s.p50 / 1e3)))
}

/// Peak readings of one load level.
struct LevelRss {
    clients: usize,
    peak_rss_kib: u64,
    peak_threads: u64,
}

fn concurrent(
    socket: &Path,
    pid: i32,
    levels: &[usize],
    slice: Duration,
    login_time: Duration,
    hash_workers: usize,
) -> Result<Vec<LevelRss>, String> {
    // A level needs two logins per client (the first is the burst), which
    // takes about 2 × clients × login time / hashes in parallel; each level
    // gets that plus an equal share of the rest of the slice.
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parallel = hash_workers.min(cpus).max(1) as f64;
    let needed = |c: usize| login_time.mul_f64(2.0 * (c as f64 / parallel).max(1.0));
    let spare =
        slice.saturating_sub(levels.iter().map(|&c| needed(c)).sum()) / levels.len().max(1) as u32;
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
    let mut out = Vec::new();
    for &clients in levels {
        let sampler = Sampler::start(pid);
        let cpu = CpuSnap::take(pid);
        let start = Instant::now();
        let deadline = start + needed(clients) + spare;
        // Past the slice only to reach two logins per client, and never
        // past this.
        let hard_stop = deadline + Duration::from_secs(300);
        type ClientResult = Result<(Vec<Duration>, usize), String>;
        let results: Vec<ClientResult> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..clients)
                .map(|i| {
                    s.spawn(move || -> ClientResult {
                        let user = bench_user(i);
                        let (mut took, mut busy) = (Vec::new(), 0);
                        loop {
                            let now = Instant::now();
                            if now >= hard_stop || (now >= deadline && took.len() >= 2) {
                                return Ok((took, busy));
                            }
                            match login(socket, &user, WRONG)? {
                                Attempt::Done(AuthOutcome::Denied, t) => took.push(t),
                                Attempt::Done(got, _) => {
                                    return Err(format!("{user}: expected Denied, got {got:?}"));
                                }
                                Attempt::Busy => {
                                    busy += 1;
                                    std::thread::sleep(BUSY_BACKOFF);
                                }
                            }
                        }
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("a client thread panicked".into()))
                })
                .collect()
        });
        let wall = start.elapsed();
        let (peak_rss_kib, peak_threads) = sampler.stop();
        let (daemon_cores, _, other_cores) =
            cpu.and_then(|c| c.cores_since(pid))
                .unwrap_or((f64::NAN, f64::NAN, f64::NAN));
        let (mut steady, mut logins, mut busy) = (Vec::new(), 0, 0);
        for r in results {
            let (took, b) = r?;
            logins += took.len();
            busy += b;
            steady.extend_from_slice(took.get(1..).unwrap_or_default());
        }
        let s = Stats::of(&steady).ok_or("no samples")?;
        println!(
            "| {clients} | {logins} | {busy} | {:.1} | {:.2} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {peak_threads} | {daemon_cores:.2} | {other_cores:.2} |",
            wall.as_secs_f64(),
            logins as f64 / wall.as_secs_f64(),
            s.p50,
            s.p95,
            s.p99,
            s.max,
            peak_rss_kib as f64 / 1024.0
        );
        out.push(LevelRss {
            clients,
            peak_rss_kib,
            peak_threads,
        });
    }
    println!();
    Ok(out)
}

/// `readings`: named snapshots in time order; the one before the
/// concurrent load (third) is the baseline of the bound.
fn memory(pid: i32, a: &Argon2, readings: &[(&str, Status)], levels: &[LevelRss]) {
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

fn pam(h: &Harness, pid: i32, slice: Duration) -> Result<(), String> {
    println!(
        "## 4. End to end through libpam: `monban-pam-driver ... auth`, wall time per run including process spawn, libpam start-up and module load, ms; slice {:.0} s",
        slice.as_secs_f64()
    );
    let module = artefact("libpam_monban.so");
    let confdir = h.dir().join("pam.d");
    let mut text = String::new();
    for kind in ["auth", "account", "password", "session"] {
        text.push_str(&format!(
            "{kind:<8} required {} socket={}\n",
            module.display(),
            h.socket().display()
        ));
    }
    let file = confdir.join(SERVICE);
    std::fs::write(&file, text).map_err(|e| format!("write {}: {e}", file.display()))?;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644))
        .map_err(|e| format!("chmod {}: {e}", file.display()))?;
    let driver = artefact("monban-pam-driver");
    let cases = [
        ("right password", RIGHT_USER, RIGHT, "PAM_SUCCESS"),
        ("wrong password", WRONG_USER, WRONG, "PAM_AUTH_ERR"),
        ("unknown user", UNKNOWN_USER, WRONG, "PAM_USER_UNKNOWN"),
    ];
    let once = |user: &str, pw: &str, want: &str| -> Result<Duration, String> {
        let mut cmd = Command::new(&driver);
        cmd.arg("--confdir")
            .arg(&confdir)
            .args(["--service", SERVICE, "--user", user, "auth"]);
        let t0 = Instant::now();
        let out = monban_e2e::run(cmd, format!("{pw}\n").as_bytes(), monban_e2e::PROCESS_LIMIT);
        let took = t0.elapsed();
        let line = format!("pam_authenticate: {want}");
        if !out.stdout.lines().any(|l| l.trim() == line) {
            return Err(format!(
                "pam driver for {user}: expected {want}\n{}{}",
                out.stdout, out.stderr
            ));
        }
        Ok(took)
    };
    for (_, user, pw, want) in cases {
        once(user, pw, want)?;
    }
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); cases.len()];
    let cpu = CpuSnap::take(pid);
    let deadline = Instant::now() + slice;
    while Instant::now() < deadline || samples.iter().any(|s| s.len() < MIN_PAM) {
        for (i, (_, user, pw, want)) in cases.iter().enumerate() {
            samples[i].push(once(user, pw, want)?);
        }
    }
    println!("{STATS_HEAD}");
    for ((label, ..), s) in cases.iter().zip(&samples) {
        if let Some(st) = Stats::of(s) {
            println!("{}", st.row(label));
        }
    }
    println!("{}\n", cpu_line(cpu, pid));
    Ok(())
}

#[derive(Debug, Clone, Copy)]
struct Status {
    rss_kib: u64,
    hwm_kib: u64,
    threads: u64,
}

fn read_status(pid: i32) -> Option<Status> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|l| l.starts_with(name))?;
        line[name.len()..].split_whitespace().next()?.parse().ok()
    };
    Some(Status {
        rss_kib: field("VmRSS:")?,
        hwm_kib: field("VmHWM:")?,
        threads: field("Threads:")?,
    })
}

/// CPU time from /proc: the whole machine, the daemon, this process.
#[derive(Clone, Copy)]
struct CpuSnap {
    /// Jiffies summed over every CPU: all, and not idle.
    total: u64,
    busy: u64,
    daemon: u64,
    me: u64,
}

fn proc_cpu(pid: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces): utime is the
    // 12th, stime the 13th; cutime/cstime (14th, 15th) count waited-for
    // children (the CLI and PAM driver runs).
    let rest = text.get(text.rfind(')')? + 2..)?;
    let f: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(4)
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    Some(f.iter().sum())
}

impl CpuSnap {
    fn take(pid: i32) -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let cpu: Vec<u64> = stat
            .lines()
            .next()?
            .split_whitespace()
            .skip(1)
            .map(|x| x.parse().unwrap_or(0))
            .collect();
        // user nice system idle iowait irq softirq steal (guest is inside user).
        let total: u64 = cpu.iter().take(8).sum();
        let idle = cpu.get(3).copied().unwrap_or(0) + cpu.get(4).copied().unwrap_or(0);
        Some(Self {
            total,
            busy: total.saturating_sub(idle),
            daemon: proc_cpu(&pid.to_string())?,
            me: proc_cpu("self")?,
        })
    }

    /// (daemon, this bench and its children, everything else) in cores
    /// busy on average since `self`.
    fn cores_since(self, pid: i32) -> Option<(f64, f64, f64)> {
        let now = Self::take(pid)?;
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        let per_cpu = (now.total.saturating_sub(self.total)) as f64 / cpus;
        if per_cpu <= 0.0 {
            return None;
        }
        let cores = |d: u64| d as f64 / per_cpu;
        let daemon = cores(now.daemon.saturating_sub(self.daemon));
        let me = cores(now.me.saturating_sub(self.me));
        let busy = cores(now.busy.saturating_sub(self.busy));
        Some((daemon, me, (busy - daemon - me).max(0.0)))
    }
}

fn cpu_line(start: Option<CpuSnap>, pid: i32) -> String {
    match start.and_then(|s| s.cores_since(pid)) {
        Some((d, m, o)) => format!(
            "CPU during this part, in cores busy on average: daemon {d:.2}, monban-bench and its children {m:.2}, other processes {o:.2}"
        ),
        None => "CPU use: /proc/stat unreadable".into(),
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Polls the daemon's RSS and thread count in the background.
struct Sampler {
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<(u64, u64)>,
}

impl Sampler {
    fn start(pid: i32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = std::thread::spawn(move || {
            let (mut rss, mut threads) = (0, 0);
            loop {
                if let Some(s) = read_status(pid) {
                    rss = rss.max(s.rss_kib);
                    threads = threads.max(s.threads);
                }
                if flag.load(Ordering::Relaxed) {
                    return (rss, threads);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        Self { stop, handle }
    }

    fn stop(self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or((0, 0))
    }
}
