//! `--parts fleet --database URL`: fleet mode (SPEC §9) against the
//! embedded store. The same concurrent password logins (each client its
//! own user, right password) on one daemon with SQLite, one daemon on the
//! PostgreSQL at URL, and two daemons sharing it (clients split between
//! them); logins/s and p50/p99. Then the PostgreSQL round trips one login
//! costs, as the daemon itself counts them (a trace event per statement);
//! with MONBAN_BENCH_STATEMENTS set, the statements of the last login of
//! each case go to stderr (how unknown user and wrong password were made
//! to match).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use monban_e2e::{Harness, pg};

use crate::load::{bench_user, login_retrying};
use crate::stats::Stats;
use crate::{RIGHT, WRONG};

const ROUND_TRIP_LOG: &str = "info,monban_authd::store::postgres::tx=trace";
const ROUND_TRIP_EVENT: &str = "postgres round trip";

/// The PostgreSQL (URL, password file), or None for SQLite.
type Backend<'a> = Option<(&'a str, &'a Path)>;

fn start_hosts(backend: Backend<'_>, daemons: usize, extra: &str) -> Result<Vec<Harness>, String> {
    let Some((url, password)) = backend else {
        let mut h = Harness::sqlite_configured(extra);
        h.try_start()?;
        return Ok(vec![h]);
    };
    let schema = pg::new_schema(url, password);
    let mut hosts: Vec<Harness> = Vec::new();
    for i in 0..daemons {
        let key = hosts.first().map_or_else(PathBuf::new, Harness::secret_key);
        let mut h = Harness::fleet_host(&schema, password, &key, &format!("bench-{i}"), extra);
        h.try_start()?;
        hosts.push(h);
    }
    Ok(hosts)
}

/// `clients` threads logging in until `slice` is over, client i on host
/// i mod hosts; (logins, wall time, latencies).
fn load(
    hosts: &[Harness],
    clients: usize,
    slice: Duration,
) -> Result<(usize, Duration, Vec<Duration>), String> {
    let t0 = Instant::now();
    let deadline = t0 + slice;
    let samples = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|i| {
                let socket = hosts[i % hosts.len()].socket().to_path_buf();
                s.spawn(move || -> Result<Vec<Duration>, String> {
                    let user = bench_user(i);
                    let mut took = Vec::new();
                    while Instant::now() < deadline {
                        took.push(login_retrying(&socket, &user, RIGHT)?.1);
                    }
                    Ok(took)
                })
            })
            .collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().map_err(|_| "a client thread panicked")??);
        }
        Ok::<_, String>(all)
    })?;
    Ok((samples.len(), t0.elapsed(), samples))
}

pub fn run(
    database: Option<&(String, PathBuf)>,
    clients: usize,
    slice: Duration,
    extra: &str,
) -> Result<(), String> {
    let Some((url, password)) = database else {
        return Err(
            "--parts fleet needs --database URL (and --database-password-file FILE)".into(),
        );
    };
    println!(
        "## Fleet mode: one store on PostgreSQL ({clients} clients, {} s each)\n",
        slice.as_secs()
    );
    println!("| store | daemons | logins | logins/s | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    let cases: [(&str, Backend<'_>, usize); 3] = [
        ("SQLite", None, 1),
        ("PostgreSQL", Some((url, password)), 1),
        ("PostgreSQL", Some((url, password)), 2),
    ];
    for (label, backend, daemons) in cases {
        let hosts = start_hosts(backend, daemons, extra)?;
        crate::load::add_users(hosts[0].socket(), clients)?;
        // Untimed: connections, statement caches.
        load(&hosts, clients, Duration::from_secs(1))?;
        let (n, wall, samples) = load(&hosts, clients, slice)?;
        let stats = Stats::of(&samples).ok_or("no logins completed")?;
        println!(
            "| {label} | {daemons} | {n} | {:.1} | {:.1} | {:.1} |",
            n as f64 / wall.as_secs_f64(),
            stats.p50,
            stats.p99
        );
    }
    println!();
    round_trips(url, password, extra)
}

/// Statements one daemon sends PostgreSQL per login, counted from its
/// trace log over a few sequential logins after a warm-up.
fn round_trips(url: &str, password: &Path, extra: &str) -> Result<(), String> {
    const LOGINS: usize = 20;
    let schema = pg::new_schema(url, password);
    let mut h = Harness::fleet_host(&schema, password, &PathBuf::new(), "bench-rt", extra);
    h.set_daemon_env("MONBAN_LOG", ROUND_TRIP_LOG);
    h.try_start()?;
    let user = bench_user(0);
    crate::load::add_users(h.socket(), 1)?;
    let count = |h: &Harness| h.daemon_log().matches(ROUND_TRIP_EVENT).count();
    println!("| login ({LOGINS} each, after one untimed) | round trips per login |\n|---|---:|");
    let unknown = crate::UNKNOWN_USER.to_string();
    for (label, user, pw) in [
        ("right password", &user, RIGHT),
        ("wrong password", &user, WRONG),
        ("unknown user", &unknown, WRONG),
    ] {
        login_retrying(h.socket(), user, pw)?;
        std::thread::sleep(Duration::from_millis(200));
        let before = count(&h);
        for _ in 0..LOGINS {
            login_retrying(h.socket(), user, pw)?;
        }
        std::thread::sleep(Duration::from_millis(200));
        let per = (count(&h) - before) as f64 / LOGINS as f64;
        if std::env::var_os("MONBAN_BENCH_STATEMENTS").is_some() {
            let log = h.daemon_log();
            let lines: Vec<&str> = log
                .lines()
                .filter(|l| l.contains(ROUND_TRIP_EVENT))
                .collect();
            let n = (per as usize).max(1);
            eprintln!("-- {label}");
            for l in &lines[lines.len() - n..] {
                eprintln!("{l}");
            }
        }
        println!("| {label} | {per:.1} |");
        if pw == WRONG && user != &unknown {
            // Back to a clean counter for the next case.
            login_retrying(h.socket(), user, RIGHT)?;
        }
    }
    println!();
    Ok(())
}
