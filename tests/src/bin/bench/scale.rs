//! Scale: the store filled to N users through the daemon's own admin
//! requests over one root connection; a login's p50 at 10 users and at N,
//! then `monban user list --locked` and `monban log --limit 100` through
//! the real CLI. The fill uses a cheap Argon2 cost (8 KiB × 1) so it takes
//! minutes, not hours; the login's hash is the same cost at both sizes.

use std::time::{Duration, Instant};

use monban_e2e::Harness;
use monban_proto::{AdminOp, Client, Request, Response, Secret, Timeouts};

use crate::driver::{Target, monban_stack, service, successes, together};
use crate::report::{STATS_HEAD, fine_row};
use crate::stats::Stats;
use crate::{RIGHT, RIGHT_USER};

pub fn run(users: usize, rounds: usize) -> Result<(), String> {
    println!("## Scale: login p50 at 10 and at {users} users; CLI reads at {users} users");
    let h = Harness::with_config(
        "[argon2]\nmemory_kib = 8\niterations = 1\nparallelism = 1\n[lockout]\nmax_failures = 3\n",
    );
    h.add_user(RIGHT_USER, RIGHT);
    let t0 = Instant::now();
    fill(&h, 1, 10)?;
    let confdir = service(&h, "bench-scale", &monban_stack(&h))?;
    let answers = format!("{RIGHT}\n");
    let login = Target {
        confdir: &confdir,
        service: "bench-scale",
        user: RIGHT_USER,
        answers: &answers,
        rhost: None,
        wrap: None,
    };
    together(&login, 1, 2)?;
    let small = successes(&together(&login, 1, rounds)?).0;
    fill(&h, 10, users)?;
    let filled = t0.elapsed();
    // A few suspended accounts, so `--locked` has something to find.
    for i in 1..=5 {
        h.fail_logins(&scale_user(i), "Wrong-guess-1", 3);
    }
    together(&login, 1, 2)?;
    let large = successes(&together(&login, 1, rounds)?).0;
    let (ss, sl) = (
        Stats::of(&small).ok_or("no login at 10 users")?,
        Stats::of(&large).ok_or("no login at full size")?,
    );
    println!(
        "fill: {users} users in {:.1} s ({:.0} per s)\n",
        filled.as_secs_f64(),
        users as f64 / filled.as_secs_f64()
    );
    println!("{STATS_HEAD}");
    println!("{}", fine_row("login (auth + account), 10 users", &ss));
    println!(
        "{}",
        fine_row(&format!("login (auth + account), {users} users"), &sl)
    );
    println!("\nlogin p50 at {users} ÷ at 10: {:.3}×\n", sl.p50 / ss.p50);
    for args in [
        &["--json", "user", "list", "--locked"][..],
        &["--json", "log", "--limit", "100"][..],
    ] {
        let t = Instant::now();
        let out = h.cli(args).run();
        let took = t.elapsed();
        if out.code() != 0 {
            return Err(format!(
                "monban {}: {}{}",
                args.join(" "),
                out.stdout,
                out.stderr
            ));
        }
        println!(
            "`monban {}`: {:.0} ms, {} bytes of output",
            args.join(" "),
            took.as_secs_f64() * 1e3,
            out.stdout.len()
        );
    }
    println!();
    Ok(())
}

fn scale_user(i: usize) -> String {
    format!("scale{i:07}")
}

/// Adds users `from..to` over one root connection (a new one if the
/// daemon closes it, e.g. its idle limit between batches).
fn fill(h: &Harness, from: usize, to: usize) -> Result<(), String> {
    let timeouts = Timeouts {
        connect: Duration::from_secs(10),
        io: Duration::from_secs(60),
    };
    let mut client = None;
    for i in from..to {
        let req = Request::Admin {
            step_up: None,
            op: AdminOp::UserAdd {
                user: scale_user(i),
                password: Some(Secret::new(RIGHT.into())),
                temporary: false,
                require_otp: false,
                language: None,
                email: None,
                invite: false,
                account: false,
            },
        };
        let mut tries = 0;
        loop {
            let c = match &mut client {
                Some(c) => c,
                None => {
                    client.insert(Client::connect(h.socket(), timeouts).map_err(|e| e.to_string())?)
                }
            };
            match c.call(&req) {
                Ok(Response::Error(e)) => return Err(format!("adding {}: {e:?}", scale_user(i))),
                Ok(_) => break,
                Err(e) if tries < 3 => {
                    tries += 1;
                    client = None;
                    eprintln!("monban-bench: reconnecting after {e}");
                }
                Err(e) => return Err(format!("adding {}: {e}", scale_user(i))),
            }
        }
    }
    Ok(())
}
