//! SPEC §10: simultaneous logins of one account (parallel ssh, Ansible
//! forks) through real libpam. Right answers are never refused as
//! "suspended"; wrong ones are still verified at most `max_failures` times.

use std::collections::BTreeMap;

use monban_e2e::{Harness, PamOutcome};

const PW: &str = "Correct-Horse-1";
const WRONG: &str = "Wrong-Horse-9";

/// `max_failures = 5`, and an Argon2 cost high enough (tens of ms a hash,
/// two workers) that the logins really are in flight together.
fn lab() -> Harness {
    let h = Harness::with_config(
        "[lockout]\nmax_failures = 5\n[argon2]\nmemory_kib = 8192\niterations = 1\n",
    );
    h.add_user("alice", PW);
    h
}

/// Starts one login per password, all at once; their outcomes in order.
fn at_once(h: &Harness, passwords: &[&str]) -> Vec<PamOutcome> {
    std::thread::scope(|s| {
        let running: Vec<_> = passwords
            .iter()
            .map(|pw| s.spawn(move || h.login("alice", pw)))
            .collect();
        running.into_iter().map(|t| t.join().unwrap()).collect()
    })
}

/// How many audit entries of each event alice has.
fn events(h: &Harness) -> BTreeMap<String, usize> {
    let log = h
        .cli(&["log", "--user", "alice", "--limit", "10000"])
        .json()
        .run();
    log.assert_exit(0, "log --user alice");
    let mut counts = BTreeMap::new();
    for e in log.json().as_array().expect("entries") {
        *counts
            .entry(e["event"].as_str().unwrap_or("").to_string())
            .or_default() += 1;
    }
    counts
}

fn count(events: &BTreeMap<String, usize>, name: &str) -> usize {
    events.get(name).copied().unwrap_or(0)
}

#[test]
fn twenty_simultaneous_right_password_logins_all_succeed() {
    let h = lab();
    let outcomes = at_once(&h, &[PW; 20]);
    for (i, out) in outcomes.iter().enumerate() {
        assert_eq!(
            out.result("auth").as_deref(),
            Some("PAM_SUCCESS"),
            "login {i} of 20\n{}",
            out.transcript()
        );
        assert!(
            !out.messages().contains("suspended"),
            "{}",
            out.transcript()
        );
    }
    assert!(!h.locked("alice", "login"));
    assert_eq!(
        h.failures("alice", "login"),
        0,
        "every right answer cleared"
    );
    assert_eq!(count(&events(&h), "auth_success"), 20);
}

#[test]
fn twenty_simultaneous_wrong_passwords_verify_at_most_max_failures_and_suspend() {
    let h = lab();
    let outcomes = at_once(&h, &[WRONG; 20]);
    for out in &outcomes {
        out.expect("auth", "PAM_AUTH_ERR");
    }
    assert!(h.locked("alice", "login"));
    let ev = events(&h);
    assert_eq!(count(&ev, "auth_failure"), 5, "verified: {ev:?}");
    assert_eq!(
        count(&ev, "auth_refused_locked"),
        15,
        "refused unverified: {ev:?}"
    );
    assert_eq!(count(&ev, "locked"), 1, "{ev:?}");
    // And now the right password is refused too, with the real reason.
    h.assert_locked_out("alice", PW);
}

#[test]
fn right_answers_among_fewer_wrong_ones_never_suspend() {
    let h = lab();
    let mut passwords = vec![PW; 12];
    passwords.extend([WRONG; 4]);
    let outcomes = at_once(&h, &passwords);
    for (i, out) in outcomes.iter().enumerate() {
        let expected = if i < 12 {
            "PAM_SUCCESS"
        } else {
            "PAM_AUTH_ERR"
        };
        assert_eq!(
            out.result("auth").as_deref(),
            Some(expected),
            "login {i}\n{}",
            out.transcript()
        );
        assert!(
            !out.messages().contains("suspended"),
            "{}",
            out.transcript()
        );
    }
    assert!(!h.locked("alice", "login"), "4 wrong answers of 5 allowed");
    h.login("alice", PW).expect("auth", "PAM_SUCCESS");
}
