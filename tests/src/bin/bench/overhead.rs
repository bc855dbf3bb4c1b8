//! Overhead: the same transaction (auth + account) through pam_monban at a
//! minimal Argon2 cost (8 KiB, one pass) and through a `pam_permit` stack;
//! the difference is what monban costs above the hash.

use std::time::{Duration, Instant};

use monban_e2e::Harness;

use crate::driver::{Target, monban_stack, service, successes, together};
use crate::report::{STATS_HEAD, fine_row};
use crate::stats::Stats;
use crate::{RIGHT, RIGHT_USER};

pub fn run(rounds: usize) -> Result<(), String> {
    println!(
        "## Overhead: one process, {rounds} transactions (auth + account) per case, interleaved in batches; ms"
    );
    let h = Harness::with_config(
        "[argon2]\nmemory_kib = 8\niterations = 1\nparallelism = 1\n[daemon]\nhash_workers = 2\n",
    );
    h.add_user(RIGHT_USER, RIGHT);
    let confdir = service(&h, "bench-overhead", &monban_stack(&h))?;
    service(
        &h,
        "bench-permit",
        "auth     required pam_permit.so\naccount  required pam_permit.so\n",
    )?;
    let answers = format!("{RIGHT}\n");
    let case = |svc: &'static str| Target {
        confdir: &confdir,
        service: svc,
        user: RIGHT_USER,
        answers: &answers,
        rhost: None,
        wrap: None,
    };
    let (monban, permit) = (case("bench-overhead"), case("bench-permit"));
    let (mut m, mut p) = (Vec::new(), Vec::new());
    // Batches alternate so drift in machine load hits both alike.
    let batch = 100.min(rounds);
    while m.len() < rounds {
        m.extend(successes(&together(&monban, 1, batch)?).0);
        p.extend(successes(&together(&permit, 1, batch)?).0);
    }
    let hash = argon2_alone(rounds);
    let (sm, sp) = (
        Stats::of(&m).ok_or("no monban login succeeded")?,
        Stats::of(&p).ok_or("no pam_permit run succeeded")?,
    );
    println!("{STATS_HEAD}");
    println!("{}", fine_row("pam_monban, Argon2id 8 KiB × 1", &sm));
    println!("{}", fine_row("pam_permit", &sp));
    println!(
        "\noverhead above the hash, p50: {:.2} ms (monban − pam_permit {:.2} ms, minus one Argon2id hash at this cost {:.3} ms)\n",
        sm.p50 - sp.p50 - hash,
        sm.p50 - sp.p50,
        hash
    );
    Ok(())
}

/// The p50 of one Argon2id hash at 8 KiB × 1 in this process, ms.
fn argon2_alone(rounds: usize) -> f64 {
    use argon2::{Algorithm, Argon2, Params, Version};
    let Ok(params) = Params::new(8, 1, 1, Some(32)) else {
        return 0.0;
    };
    let a = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut out = [0u8; 32];
    let mut t: Vec<Duration> = (0..rounds)
        .map(|_| {
            let t0 = Instant::now();
            let _ = a.hash_password_into(RIGHT.as_bytes(), b"bench-salt-16byt", &mut out);
            t0.elapsed()
        })
        .collect();
    t.sort();
    t[t.len() / 2].as_secs_f64() * 1e3
}
