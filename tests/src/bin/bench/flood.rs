//! Flood: a legitimate login (its own name, a host without failures)
//! idle, then while 48 connections guess wrong passwords — 24 for
//! registered accounts, 24 for unknown names, from six remote hosts —
//! at the shipped Argon2 cost (SPEC §10: the guesses wait in the low lane).

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use monban_e2e::Harness;
use monban_proto::{
    AuthNext, Client, CredentialKind, PamContext, Request, Response, Secret, Timeouts,
};

use crate::driver::{Target, monban_stack, service, successes, together};
use crate::report::{STATS_HEAD, stats_row};
use crate::stats::Stats;
use crate::{RIGHT, RIGHT_USER, WRONG, load};

const GUESSERS: usize = 48;
const HOSTS: usize = 6;

pub fn run(argon: &str, rounds: usize) -> Result<(), String> {
    println!(
        "## Flood: a legitimate login (auth + account, rhost 10.0.0.1) idle and during {GUESSERS} guessing connections; ms"
    );
    let h = Harness::with_config(&format!("{argon}[lockout]\nmax_failures = 1000000\n"));
    h.add_user(RIGHT_USER, RIGHT);
    load::add_users(h.socket(), GUESSERS / 2)?;
    let confdir = service(&h, "bench-flood", &monban_stack(&h))?;
    let answers = format!("{RIGHT}\n");
    let legit = Target {
        confdir: &confdir,
        service: "bench-flood",
        user: RIGHT_USER,
        answers: &answers,
        rhost: Some("10.0.0.1"),
        wrap: None,
    };
    together(&legit, 1, 2)?;
    let idle = successes(&together(&legit, 1, rounds)?).0;
    let stop = AtomicBool::new(false);
    let guesses = AtomicUsize::new(0);
    let during = std::thread::scope(|s| {
        for i in 0..GUESSERS {
            let (stop, guesses, socket) = (&stop, &guesses, h.socket());
            s.spawn(move || guess(socket, i, stop, guesses));
        }
        // Let every guesser get its first attempt in.
        std::thread::sleep(Duration::from_secs(2));
        let runs = together(&legit, 1, rounds);
        stop.store(true, Ordering::Relaxed);
        runs
    })?;
    let during = successes(&during).0;
    let (si, sd) = (
        Stats::of(&idle).ok_or("no idle login succeeded")?,
        Stats::of(&during).ok_or("no login succeeded during the flood")?,
    );
    println!("{STATS_HEAD}");
    println!("{}", stats_row("idle", &si));
    println!("{}", stats_row("during the flood", &sd));
    println!(
        "\nflood ÷ idle: p50 {:.1}×, p99 {:.1}×; {} wrong guesses answered meanwhile\n",
        sd.p50 / si.p50,
        sd.p99 / si.p99,
        guesses.load(Ordering::Relaxed)
    );
    Ok(())
}

/// Guesser `i` until `stop`: even ones a registered account, odd ones an
/// unknown name, hosts 192.0.2.1–6.
fn guess(socket: &Path, i: usize, stop: &AtomicBool, guesses: &AtomicUsize) {
    let user = if i.is_multiple_of(2) {
        load::bench_user(i / 2)
    } else {
        format!("benchnobody{i:02}")
    };
    let rhost = format!("192.0.2.{}", 1 + i % HOSTS);
    let timeouts = Timeouts {
        connect: Duration::from_secs(10),
        io: Duration::from_secs(300),
    };
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut c) = Client::connect(socket, timeouts) else {
            std::thread::sleep(load::BUSY_BACKOFF);
            continue;
        };
        let ctx = PamContext {
            user: user.clone(),
            service: "sshd".into(),
            tty: None,
            rhost: Some(rhost.clone()),
        };
        let started = c.call(&Request::AuthStart {
            ctx,
            credential: CredentialKind::Login,
        });
        if !matches!(started, Ok(Response::Auth(ref a)) if matches!(a.next, AuthNext::Prompt(_))) {
            std::thread::sleep(load::BUSY_BACKOFF);
            continue;
        }
        let answer = Request::AuthAnswer {
            answer: Secret::new(WRONG.into()),
        };
        if c.call(&answer).is_ok() {
            guesses.fetch_add(1, Ordering::Relaxed);
        }
    }
}
