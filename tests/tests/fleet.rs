//! Issue 12: fleet mode (SPEC §9). Two real daemons, each with its own
//! socket and host name, on one real PostgreSQL: what one host commits
//! holds on the other, failures are counted exactly across hosts, an OTP
//! step is accepted once in the fleet; PostgreSQL stopped fails closed in
//! seconds and the same daemon serves again when it returns; a single-host
//! SQLite store moves in with `--import-sqlite`.
//!
//! Needs `MONBAN_TEST_POSTGRES` (`.ci/run` starts a cluster with
//! tests/pg/cluster); without it each test says it was skipped, and in CI
//! fails.

use std::path::PathBuf;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use monban_e2e::pg::{self, PrivateCluster};
use monban_e2e::{Harness, NOBODY, fresh_step, totp};

const PW: &str = "Correct-Horse-1";
const WRONG: &str = "Wrong-Horse-9";

/// Two started hosts, "host-a" and "host-b", on a new schema.
fn two_hosts(extra: &str) -> Option<(Harness, Harness)> {
    let (url, password) = pg::shared()?;
    let schema = pg::new_schema(&url, &password);
    let mut a = Harness::fleet_host(&schema, &password, &PathBuf::new(), "host-a", extra);
    a.start();
    let mut b = Harness::fleet_host(&schema, &password, &a.secret_key(), "host-b", extra);
    b.start();
    Some((a, b))
}

#[test]
fn what_one_host_commits_holds_on_the_other() {
    let Some((a, b)) = two_hosts("[lockout]\nmax_failures = 4\n") else {
        return;
    };
    a.add_user("alice", PW);
    b.login("alice", PW).expect("auth", "PAM_SUCCESS");
    // Failures on both add up to one suspension.
    a.fail_logins("alice", WRONG, 2);
    b.fail_logins("alice", WRONG, 1);
    assert_eq!(a.failures("alice", "login"), 3);
    assert!(!b.locked("alice", "login"));
    a.fail_logins("alice", WRONG, 1);
    assert!(
        b.locked("alice", "login"),
        "suspended on the other host too"
    );
    b.assert_locked_out("alice", PW);
    // A release on one holds on the other.
    a.cli(&["user", "unlock", "alice"])
        .run()
        .assert_exit(0, "unlock on host-a");
    b.login("alice", PW).expect("auth", "PAM_SUCCESS");
    // Each host's audit trail shows the other's events with its name.
    let out = a.cli(&["log", "--user", "alice"]).json().run();
    out.assert_exit(0, "monban log on host-a");
    let entries = out.json();
    let hosts: Vec<&str> = entries
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|e| e["host"].as_str())
        .collect();
    assert!(
        hosts.contains(&"host-a") && hosts.contains(&"host-b"),
        "{hosts:?}"
    );
    let table = a.cli(&["log", "--user", "alice"]).run();
    assert!(table.stdout.contains("host-b"), "{}", table.stdout);
    // The last session, opened on host-b, as host-a's status shows it.
    b.pam("alice")
        .ops(&["auth", "acct", "open"])
        .answers(&[PW])
        .run()
        .expect("auth", "PAM_SUCCESS");
    let status = a.cli(&["status", "alice"]).run();
    assert!(
        status.stdout.contains("on host host-b"),
        "{}",
        status.stdout
    );
}

/// `n` wrong guesses at once, alternating between the hosts.
fn parallel_wrong_guesses(a: &Harness, b: &Harness, n: usize) {
    let gate = Arc::new(Barrier::new(n));
    std::thread::scope(|s| {
        for i in 0..n {
            let gate = Arc::clone(&gate);
            let h = if i % 2 == 0 { a } else { b };
            s.spawn(move || {
                gate.wait();
                h.login("alice", WRONG);
            });
        }
    });
}

#[test]
fn twenty_parallel_guesses_over_two_hosts_suspend_at_exactly_twenty() {
    for (n, suspended) in [(19, false), (20, true)] {
        let Some((a, b)) = two_hosts("[lockout]\nmax_failures = 20\n") else {
            return;
        };
        a.add_user("alice", PW);
        parallel_wrong_guesses(&a, &b, n);
        assert_eq!(a.failures("alice", "login"), n as u64, "{n} guesses");
        assert_eq!(b.locked("alice", "login"), suspended, "{n} guesses");
        if !suspended {
            b.login("alice", PW).expect("auth", "PAM_SUCCESS");
        }
    }
}

#[test]
fn an_otp_code_accepted_on_one_host_is_refused_on_the_other() {
    let Some((a, b)) = two_hosts("[otp]\nperiod = 5\nskew = 1\n") else {
        return;
    };
    a.add_user("nobody", PW);
    let token = a.enroll_otp(NOBODY, PW, 6, 5);
    let step = fresh_step(5, token.step);
    let code = totp(&token.secret, 6, 5, step * 5);
    a.pam("nobody")
        .answers(&[PW, &code])
        .run()
        .expect("auth", "PAM_SUCCESS");
    let again = b.pam("nobody").answers(&[PW, &code]).run();
    assert_eq!(
        again.result("auth").as_deref(),
        Some("PAM_AUTH_ERR"),
        "{}",
        again.transcript()
    );
}

#[test]
fn postgresql_down_fails_closed_in_seconds_and_the_same_daemon_serves_again() {
    if pg::shared().is_none() {
        return;
    }
    let cluster = PrivateCluster::start();
    let mut h = Harness::fleet_host(
        &cluster.url,
        &cluster.password_file(),
        &PathBuf::new(),
        "host-a",
        "",
    );
    h.start();
    h.add_user("alice", PW);
    h.login("alice", PW).expect("auth", "PAM_SUCCESS");
    cluster.stop();
    let started = Instant::now();
    let down = h.login("alice", PW);
    let took = started.elapsed();
    down.expect("auth", "PAM_AUTHINFO_UNAVAIL");
    assert!(took < Duration::from_secs(5), "answered in {took:?}");
    assert!(
        h.daemon_log().contains("PostgreSQL"),
        "the log says why: {}",
        h.daemon_log()
    );
    cluster.resume();
    // The pool reconnects by itself: no restart of the daemon.
    let pid = h.daemon_pid();
    h.login("alice", PW).expect("auth", "PAM_SUCCESS");
    assert_eq!(h.daemon_pid(), pid);
}

#[test]
fn a_standby_promoted_behind_a_multi_host_url_is_picked_up_without_a_restart() {
    if pg::shared().is_none() {
        return;
    }
    let primary = PrivateCluster::start();
    let standby = PrivateCluster::standby_of(&primary);
    let url = format!(
        "postgresql://monban@127.0.0.1:{},127.0.0.1:{}/monban?target_session_attrs=read-write",
        primary.port, standby.port
    );
    let mut h = Harness::fleet_host(
        &url,
        &primary.password_file(),
        &PathBuf::new(),
        "host-a",
        "",
    );
    h.start();
    h.add_user("alice", PW);
    h.login("alice", PW).expect("auth", "PAM_SUCCESS");
    let pid = h.daemon_pid();
    primary.stop();
    // The standby answers, but it is read-only: no verdict, never success.
    h.login("alice", PW).expect("auth", "PAM_AUTHINFO_UNAVAIL");
    standby.promote();
    let promoted = Instant::now();
    loop {
        let out = h.login("alice", PW);
        if out.result("auth").as_deref() == Some("PAM_SUCCESS") {
            break;
        }
        out.expect("auth", "PAM_AUTHINFO_UNAVAIL");
        assert!(
            promoted.elapsed() < Duration::from_secs(20),
            "the promoted standby is not used: {}",
            h.daemon_log()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    assert_eq!(h.daemon_pid(), pid, "no restart");
    // What the old primary held came along, and the new one takes writes.
    h.fail_logins("alice", WRONG, 1);
    assert_eq!(h.failures("alice", "login"), 1);
}

#[test]
fn a_daemon_starting_while_postgresql_is_away_waits_for_it() {
    if pg::shared().is_none() {
        return;
    }
    let cluster = PrivateCluster::start();
    let mut h = Harness::fleet_host(
        &cluster.url,
        &cluster.password_file(),
        &PathBuf::new(),
        "host-a",
        "",
    );
    cluster.stop();
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_secs(3));
            cluster.resume();
        });
        h.start();
    });
    assert!(
        h.daemon_log().contains("trying again"),
        "{}",
        h.daemon_log()
    );
    h.add_user("alice", PW);
    h.login("alice", PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn import_sqlite_carries_everything_and_refuses_a_non_empty_target() {
    let Some((url, password)) = pg::shared() else {
        return;
    };
    // The single-host store: a user with failures, one suspended, one
    // with OTP, and their audit trail.
    let mut old =
        Harness::sqlite_configured("[lockout]\nmax_failures = 3\n[otp]\nperiod = 5\nskew = 1\n");
    old.start();
    old.add_user("alice", PW);
    old.add_user("bob", PW);
    old.add_user("nobody", PW);
    old.fail_logins("alice", WRONG, 2);
    old.fail_logins("bob", WRONG, 3);
    let token = old.enroll_otp(NOBODY, PW, 6, 5);
    old.stop();

    let schema = pg::new_schema(&url, &password);
    let mut new = Harness::fleet_host(
        &schema,
        &password,
        &old.secret_key(),
        "host-new",
        "[lockout]\nmax_failures = 3\n[otp]\nperiod = 5\nskew = 1\n",
    );
    let config = new.config_path().display().to_string();
    let source = old.database().display().to_string();
    let out = new.authd(&["--config", &config, "--import-sqlite", &source]);
    assert!(out.status.success(), "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("users: 3"), "{}", out.stdout);
    let again = new.authd(&["--config", &config, "--import-sqlite", &source]);
    assert!(!again.status.success());
    assert!(again.stderr.contains("not empty"), "{}", again.stderr);

    new.start();
    assert_eq!(new.failures("alice", "login"), 2);
    assert!(new.locked("bob", "login"));
    new.login("alice", PW).expect("auth", "PAM_SUCCESS");
    let step = fresh_step(5, token.step);
    new.pam("nobody")
        .answers(&[PW, &totp(&token.secret, 6, 5, step * 5)])
        .run()
        .expect("auth", "PAM_SUCCESS");
    let log = new.cli(&["log", "--user", "bob"]).json().run();
    let entries = log.json();
    assert!(
        entries
            .as_array()
            .expect("a list")
            .iter()
            .any(|e| e["event"] == "auth_failure"),
        "the old trail came along: {}",
        log.stdout
    );
}

#[test]
fn a_host_without_the_fleets_secret_key_is_refused() {
    let Some((url, password)) = pg::shared() else {
        return;
    };
    let schema = pg::new_schema(&url, &password);
    let mut a = Harness::fleet_host(&schema, &password, &PathBuf::new(), "host-a", "");
    a.start();
    // A key of its own (made by a single-host daemon), not the fleet's.
    let mut stranger = Harness::sqlite_configured("");
    stranger.start();
    let mut c = Harness::fleet_host(&schema, &password, &stranger.secret_key(), "host-c", "");
    let refused = c.try_start();
    assert!(refused.is_err(), "started with another key");
    assert!(
        c.daemon_log().contains("does not belong to the database"),
        "{}",
        c.daemon_log()
    );
    // No key at all: refused too, never a new key made silently.
    let mut d = Harness::fleet_host(&schema, &password, &PathBuf::new(), "host-d", "");
    assert!(d.try_start().is_err());
    assert!(d.daemon_log().contains("is missing"), "{}", d.daemon_log());
    assert!(!d.secret_key().exists());
    // The control: the fleet's key works.
    let mut b = Harness::fleet_host(&schema, &password, &a.secret_key(), "host-b", "");
    b.start();
    assert!(b.ping());
}
