//! Fan-out: N simultaneous right-password logins of one account through
//! real libpam, at the shipped `max_failures = 5` (SPEC §10: parallel
//! logins are never refused as suspended).

use monban_e2e::Harness;

use crate::driver::{Target, monban_stack, service, successes, together};
use crate::report::{STATS_HEAD, fine_row};
use crate::stats::Stats;
use crate::{RIGHT, RIGHT_USER};

pub const LEVELS: [usize; 3] = [1, 8, 32];

pub fn run(argon: &str, rounds: usize) -> Result<(), String> {
    println!(
        "## Fan-out: N drivers at once, each {rounds} transactions (auth + account) of one account, right password, max_failures = 5; ms"
    );
    let h = Harness::with_config(&format!("{argon}[lockout]\nmax_failures = 5\n"));
    h.add_user(RIGHT_USER, RIGHT);
    let confdir = service(&h, "bench-fanout", &monban_stack(&h))?;
    let target = Target {
        confdir: &confdir,
        service: "bench-fanout",
        user: RIGHT_USER,
        answers: &format!("{RIGHT}\n"),
        rhost: None,
        wrap: None,
    };
    together(&target, 1, 2)?;
    println!("{}", STATS_HEAD.replace("| case |", "| N: succeeded |"));
    let mut p50 = Vec::new();
    for n in LEVELS {
        let runs = together(&target, n, rounds)?;
        let (ok, count) = successes(&runs);
        let s = Stats::of(&ok).ok_or("no successful login to time")?;
        println!(
            "{}",
            fine_row(&format!("{n}: {count} of {}", runs.len()), &s)
        );
        p50.push((n, s.p50));
    }
    if let [(_, base), rest @ ..] = &p50[..] {
        let ratios: Vec<String> = rest
            .iter()
            .map(|(n, p)| format!("N={n} {:.1}×", p / base))
            .collect();
        println!("\np50 against N=1: {}\n", ratios.join(", "));
    }
    Ok(())
}
