//! Peers: the same transaction (auth + account) through `pam_unix.so` for a
//! local user hashed with yescrypt (Debian's default) and sha512crypt, and
//! through pam_monban at the shipped Argon2 cost; one and two processes.
//! pam_unix reads copies of /etc/passwd and /etc/shadow bind-mounted in a
//! private mount namespace: the real files are never touched.

use std::process::Command;
use std::time::Instant;

use monban_e2e::{Harness, artefact};

use crate::driver::{Target, monban_stack, service, successes, together};
use crate::stats::Stats;
use crate::{RIGHT, RIGHT_USER};

const UNIX_USER: &str = "benchunix";

pub fn run(argon: &str, rounds: usize) -> Result<(), String> {
    println!(
        "## Peers: {rounds} transactions (auth + account) per process; p50 ms and logins/s over the wall time"
    );
    let h = Harness::with_config(argon);
    h.add_user(RIGHT_USER, RIGHT);
    let confdir = service(&h, "bench-peer-monban", &monban_stack(&h))?;
    service(
        &h,
        "bench-peer-unix",
        "auth     required pam_unix.so\naccount  required pam_unix.so\n",
    )?;
    let passwd = h.dir().join("passwd");
    let mut lines =
        std::fs::read_to_string("/etc/passwd").map_err(|e| format!("/etc/passwd: {e}"))?;
    lines.push_str(&format!(
        "{UNIX_USER}:x:64999:64999::/nonexistent:/usr/sbin/nologin\n"
    ));
    std::fs::write(&passwd, lines).map_err(|e| format!("{}: {e}", passwd.display()))?;
    let real_shadow =
        std::fs::read_to_string("/etc/shadow").map_err(|e| format!("/etc/shadow: {e}"))?;
    let mut wraps = Vec::new();
    for (label, setting) in [
        ("pam_unix, yescrypt", "$y$j9T$benchsaltbenchsaltbe$"),
        ("pam_unix, sha512crypt", "$6$benchsaltbench$"),
    ] {
        let hash = crypt(RIGHT, setting)?;
        let shadow = h.dir().join(format!("shadow-{}", wraps.len()));
        let text = format!("{real_shadow}{UNIX_USER}:{hash}:20000:0:99999:7:::\n");
        std::fs::write(&shadow, text).map_err(|e| format!("{}: {e}", shadow.display()))?;
        let wrap = format!(
            "mount --bind '{}' /etc/passwd && mount --bind '{}' /etc/shadow",
            passwd.display(),
            shadow.display()
        );
        wraps.push((label, wrap));
    }
    let answers = format!("{RIGHT}\n");
    let mut cases = vec![(
        "pam_monban",
        Target {
            confdir: &confdir,
            service: "bench-peer-monban",
            user: RIGHT_USER,
            answers: &answers,
            rhost: None,
            wrap: None,
        },
    )];
    for (label, wrap) in &wraps {
        cases.push((
            label,
            Target {
                confdir: &confdir,
                service: "bench-peer-unix",
                user: UNIX_USER,
                answers: &answers,
                rhost: None,
                wrap: Some(wrap),
            },
        ));
    }
    println!("| stack | processes | succeeded | p50 ms | p99 ms | logins/s |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut figures = Vec::new();
    for processes in [1, 2] {
        for (label, target) in &cases {
            together(target, 1, 2)?;
            let t0 = Instant::now();
            let runs = together(target, processes, rounds)?;
            let wall = t0.elapsed().as_secs_f64();
            let (ok, n) = successes(&runs);
            let s = Stats::of(&ok).ok_or_else(|| format!("{label}: no login succeeded"))?;
            let rate = n as f64 / wall;
            println!(
                "| {label} | {processes} | {n} of {} | {:.1} | {:.1} | {rate:.1} |",
                runs.len(),
                s.p50,
                s.p99
            );
            figures.push((processes, *label, s.p50, rate));
        }
    }
    println!();
    for processes in [1, 2] {
        let of = |l: &str| figures.iter().find(|f| f.0 == processes && f.1 == l);
        let Some(m) = of(cases[0].0) else { continue };
        for (label, _) in &wraps {
            if let Some(u) = of(label) {
                println!(
                    "{processes} process(es): monban ÷ {label}: p50 {:.2}×, logins/s {:.2}×",
                    m.2 / u.2,
                    m.3 / u.3
                );
            }
        }
    }
    println!();
    Ok(())
}

/// crypt(3) of `password` with `setting`, by the system's libcrypt.
fn crypt(password: &str, setting: &str) -> Result<String, String> {
    let out = Command::new(artefact("monban-test-crypt"))
        .args([password, setting])
        .output()
        .map_err(|e| format!("monban-test-crypt: {e}"))?;
    let hash = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || !hash.starts_with(&setting[..3]) {
        return Err(format!(
            "monban-test-crypt {setting}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(hash)
}
