//! The clients: adding the load users, one login as the PAM module does it,
//! and the sequential and concurrent login loops (parts 1 and 2).

use std::path::Path;
use std::time::{Duration, Instant};

use monban_proto::{
    AdminOp, AuthNext, AuthOutcome, Client, ClientError, CredentialKind, ErrorCode, FrameError,
    PamContext, Request, Response, Secret, Timeouts,
};

use crate::procfs::{CpuSnap, Sampler};
use crate::stats::Stats;
use crate::{MIN_SEQUENTIAL, RIGHT, RIGHT_USER, SERVICE, UNKNOWN_USER, WRONG, WRONG_USER, report};

fn timeouts() -> Timeouts {
    // Generous: with 64 clients and the unoptimised build a login waits in
    // the hashing queue for many seconds; the bench measures that wait.
    Timeouts {
        connect: Duration::from_secs(10),
        io: Duration::from_secs(300),
    }
}

pub fn bench_user(i: usize) -> String {
    format!("benchload{i:03}")
}

/// Adds the load users through the protocol, as root, several at a time
/// (the daemon hashes at most `hash_workers` at once anyway).
pub fn add_users(socket: &Path, n: usize) -> Result<(), String> {
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
                                language: None,
                                email: None,
                                invite: false,
                                account: false,
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
pub const BUSY_BACKOFF: Duration = Duration::from_millis(20);

/// Retries `Busy` (only the sequential parts use this; they expect none).
pub fn login_retrying(
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
            AuthNext::Prompt(p) => Err(format!(
                "{user}: unexpected second prompt {:?}",
                p.message.text
            )),
        },
        other => Err(format!("AuthAnswer for {user}: unexpected {other:?}")),
    }
}

/// Part 1. Returns the median login time with the right password.
pub fn sequential(socket: &Path, pid: i32, slice: Duration) -> Result<Duration, String> {
    report::sequential_heading(slice);
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
    let labels = cases.map(|(label, ..)| label);
    let stats = report::sequential(&labels, &samples, cpu, pid);
    Ok(stats
        .first()
        .map_or(Duration::ZERO, |s| Duration::from_secs_f64(s.p50 / 1e3)))
}

/// What one load level of part 2 came to.
pub struct Level {
    pub clients: usize,
    /// Verified logins and `Busy` refusals over all clients.
    pub logins: usize,
    pub busy: usize,
    pub wall: Duration,
    /// Steady-state login latency.
    pub latency: Stats,
    pub peak_rss_kib: u64,
    pub peak_threads: u64,
    /// Cores busy on average: the daemon, and processes other than the
    /// daemon and this bench (NaN when /proc/stat is unreadable).
    pub daemon_cores: f64,
    pub other_cores: f64,
}

/// Part 2: each level of concurrent clients in turn.
pub fn concurrent(
    socket: &Path,
    pid: i32,
    levels: &[usize],
    slice: Duration,
    login_time: Duration,
    hash_workers: usize,
) -> Result<Vec<Level>, String> {
    // A level needs two logins per client (the first is the burst), which
    // takes about 2 × clients × login time / hashes in parallel; each level
    // gets that plus an equal share of the rest of the slice.
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parallel = hash_workers.min(cpus).max(1) as f64;
    let needed = |c: usize| login_time.mul_f64(2.0 * (c as f64 / parallel).max(1.0));
    let spare =
        slice.saturating_sub(levels.iter().map(|&c| needed(c)).sum()) / levels.len().max(1) as u32;
    report::concurrent_heading(slice);
    let mut out = Vec::new();
    for &clients in levels {
        let sampler = Sampler::start(pid);
        let cpu = CpuSnap::take(pid);
        let start = Instant::now();
        let deadline = start + needed(clients) + spare;
        // Past the slice only to reach two logins per client, and never
        // past this.
        let hard_stop = deadline + Duration::from_secs(300);
        let results = hammer(socket, clients, deadline, hard_stop);
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
        let level = Level {
            clients,
            logins,
            busy,
            wall,
            latency: Stats::of(&steady).ok_or("no samples")?,
            peak_rss_kib,
            peak_threads,
            daemon_cores,
            other_cores,
        };
        report::level_row(&level);
        out.push(level);
    }
    println!();
    Ok(out)
}

/// One client's login times and `Busy` count.
type ClientResult = Result<(Vec<Duration>, usize), String>;

/// `clients` threads guessing wrong passwords, each for its own user,
/// until `deadline` once it has two logins, and never past `hard_stop`.
fn hammer(
    socket: &Path,
    clients: usize,
    deadline: Instant,
    hard_stop: Instant,
) -> Vec<ClientResult> {
    std::thread::scope(|s| {
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
    })
}
