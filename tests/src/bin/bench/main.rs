//! `monban-bench`: measures a real `monban-authd` (started in a scratch
//! directory by the e2e harness) through its socket and through real libpam.
//!
//! ```text
//! monban-bench [--config-argon2 default|test] [--parts LIST] [--rounds N] [--users N]
//!              [--seconds N] [--clients N|N,N,...]
//! monban-bench [--config-argon2 default|test] --otp-prompt ROUNDS
//! ```
//!
//! The parts of SPEC §10 (the default), each timed inside
//! `monban-pam-driver --repeat` so process start-up is not in the figures:
//! - `fanout`: N = 1, 8, 32 simultaneous right-password logins of one
//!   account with `max_failures = 5` (`fanout`);
//! - `flood`: a legitimate login idle and during 48 guessing connections
//!   (`flood`);
//! - `peers`: monban against `pam_unix` with yescrypt and sha512crypt
//!   (`peers`);
//! - `overhead`: monban at a near-zero Argon2 cost against `pam_permit`
//!   (`overhead`);
//! - `scale`: a login at 10 and at `--users` users, and the CLI's paged
//!   reads (`scale`).
//!
//! `classic` runs the older parts: sequential latency of right, wrong and
//! unknown (SPEC §2), concurrent wrong guesses, the daemon's RSS against
//! baseline + `hash_workers` × `memory_kib`, and `monban-pam-driver auth`
//! runs with process spawn. `--otp-prompt N` measures only the time to the
//! code prompt after a right and a wrong password (SPEC §13).
//!
//! Must run as root (the harness and admin requests need it). Speed is
//! measured here, never asserted in a test.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod driver;
mod fanout;
mod fleet;
mod flood;
mod load;
mod otp_prompt;
mod overhead;
mod pam;
mod peers;
mod procfs;
mod report;
mod scale;
mod stats;

use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use monban_e2e::Harness;

use procfs::{loadavg, read_status};

const USAGE: &str = "usage: monban-bench [--config-argon2 default|test] [--parts LIST] [--rounds N] [--users N] [--seconds N] [--clients N|N,N,...] [--otp-prompt ROUNDS]
       monban-bench --parts fleet --database URL --database-password-file FILE [--clients N] [--seconds N]
  LIST: comma-separated, of fanout flood peers overhead scale classic fleet (default: the first five)";

const PARTS: [&str; 7] = [
    "fanout", "flood", "peers", "overhead", "scale", "classic", "fleet",
];

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
    /// Only the OTP prompt timing, this many rounds.
    otp_prompt: Option<usize>,
    parts: Vec<String>,
    /// Transactions per case and process in the libpam parts.
    rounds: usize,
    /// Store size of the scale part.
    users: usize,
    /// The PostgreSQL of the fleet part (URL, password file).
    database: Option<String>,
    database_password_file: Option<std::path::PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        argon2_default: true,
        seconds: 60,
        levels: vec![1, 2, 8, 64],
        otp_prompt: None,
        parts: PARTS[..5].iter().map(|p| p.to_string()).collect(),
        rounds: 300,
        users: 100_000,
        database: None,
        database_password_file: None,
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
            "--otp-prompt" => {
                args.otp_prompt = Some(
                    value("--otp-prompt")?
                        .parse()
                        .ok()
                        .filter(|&n| n > 1)
                        .ok_or("--otp-prompt: a whole number of rounds above 1")?,
                );
            }
            "--parts" => {
                let v = value("--parts")?;
                let parts: Vec<String> = v.split(',').map(|p| p.trim().to_string()).collect();
                if let Some(bad) = parts.iter().find(|p| !PARTS.contains(&p.as_str())) {
                    return Err(format!("--parts: unknown part {bad:?}"));
                }
                args.parts = parts;
            }
            "--rounds" => {
                args.rounds = value("--rounds")?
                    .parse()
                    .ok()
                    .filter(|&n| n >= 5)
                    .ok_or("--rounds: a whole number, at least 5")?;
            }
            "--users" => {
                args.users = value("--users")?
                    .parse()
                    .ok()
                    .filter(|&n| n >= 20)
                    .ok_or("--users: a whole number, at least 20")?;
            }
            "--database" => {
                let url = value("--database")?;
                if !url.starts_with("postgresql://") && !url.starts_with("postgres://") {
                    return Err("--database: a postgresql:// URL".into());
                }
                args.database = Some(url);
            }
            "--database-password-file" => {
                args.database_password_file = Some(value("--database-password-file")?.into());
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
    if let Some(rounds) = args.otp_prompt {
        report::header(args, &argon);
        let h = Harness::with_config(&format!("{extra}[otp]\nmax_failures = 1000000\n"));
        return otp_prompt::run(&h, rounds);
    }
    report::header(args, &argon);
    let shipped = format!(
        "[daemon]\nhash_workers = {}\n[argon2]\nmemory_kib = {}\niterations = {}\nparallelism = {}\n",
        argon.hash_workers, argon.memory_kib, argon.iterations, argon.parallelism
    );
    println!(
        "pam_monban's Argon2id in fanout, flood and peers: {} KiB × {} pass(es), {} hashing workers\n",
        argon.memory_kib, argon.iterations, argon.hash_workers
    );
    for part in &args.parts {
        let t0 = Instant::now();
        match part.as_str() {
            "fanout" => fanout::run(&shipped, args.rounds / 10)?,
            "flood" => flood::run(&shipped, args.rounds / 5)?,
            "peers" => peers::run(&shipped, args.rounds / 5)?,
            "overhead" => overhead::run(args.rounds * 3)?,
            "scale" => scale::run(args.users, args.rounds)?,
            "fleet" => {
                let database = match (&args.database, &args.database_password_file) {
                    (Some(url), Some(pw)) => Some((url.clone(), pw.clone())),
                    _ => None,
                };
                let clients = args.levels.iter().copied().max().unwrap_or(8);
                fleet::run(
                    database.as_ref(),
                    clients,
                    Duration::from_secs(args.seconds),
                    &extra,
                )?
            }
            _ => classic(args, &argon, &extra)?,
        }
        println!("({part}: {:.1} s)\n", t0.elapsed().as_secs_f64());
    }
    println!("total wall time: {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Parts 1–4 of the earlier bench: sequential and concurrent protocol
/// logins, memory, and libpam from outside the process.
fn classic(args: &Args, argon: &Argon2, extra: &str) -> Result<(), String> {
    let started = Instant::now();
    let max_clients = args.levels.iter().copied().max().unwrap_or(1);

    let load_before = loadavg();
    let h = Harness::with_config(extra);
    let pid = daemon_pid(h.socket())?;
    let status = || read_status(pid).ok_or("cannot read the daemon's /proc status");
    // Idle, before any user exists (the start-up timing-equaliser hash has
    // already run once).
    let idle = status()?;

    let setup = Instant::now();
    h.add_user(RIGHT_USER, RIGHT);
    h.add_user(WRONG_USER, RIGHT);
    load::add_users(h.socket(), max_clients)?;
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
    let login_time = load::sequential(h.socket(), pid, left().mul_f64(0.30))?;
    let before_load = status()?;
    let levels = load::concurrent(
        h.socket(),
        pid,
        &args.levels,
        left().mul_f64(0.75),
        login_time,
        argon.hash_workers,
    )?;
    let after_load = status()?;
    report::memory(
        pid,
        argon,
        &[
            ("idle after start", idle),
            ("after setup (user adds)", after_setup),
            ("after the sequential logins = baseline", before_load),
            ("after the concurrent load", after_load),
        ],
        &levels,
    );
    pam::pam(&h, pid, left())?;

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

/// The daemon's pid from SO_PEERCRED on a connection to its socket.
fn daemon_pid(socket: &Path) -> Result<i32, String> {
    let s = UnixStream::connect(socket).map_err(|e| format!("connect: {e}"))?;
    let cred = nix::sys::socket::getsockopt(&s, nix::sys::socket::sockopt::PeerCredentials)
        .map_err(|e| format!("SO_PEERCRED: {e}"))?;
    Ok(cred.pid())
}
