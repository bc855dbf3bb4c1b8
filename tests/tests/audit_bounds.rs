//! SPEC §13 "Session events" and "The audit trail cannot be flooded":
//! session events count only from root's PAM stacks, a user's own writes
//! are rate-limited, the trail is pruned, and logins never wait on audit
//! reads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use monban_e2e::{FloodPlan, Harness, NOBODY, now};

monban_e2e::flooder!();

const PW: &str = "Correct-Horse-1";
const WRONG: &str = "Wrong-Horse-9";

fn plan(sessions: usize, logins: usize) -> FloodPlan {
    FloodPlan {
        user: "nobody".into(),
        sessions,
        rhost: "203.0.113.66".into(),
        tty: "forged-tty".into(),
        logins,
        password: PW.into(),
    }
}

/// A root-stack login with a session, as sshd or login would run it.
fn session_login(h: &Harness, user: &str) -> monban_e2e::PamOutcome {
    let out = h
        .pam(user)
        .ops(&["auth", "acct", "open", "close"])
        .answers(&[PW])
        .tty("pts/7")
        .rhost("192.0.2.1")
        .run();
    out.expect("auth", "PAM_SUCCESS")
        .expect("open", "PAM_SUCCESS");
    out
}

#[test]
fn a_users_own_session_events_are_ignored_and_root_stacks_are_recorded() {
    let h = Harness::with_user("nobody", PW);
    // Control: root's PAM stack records the login and the guesses after it.
    session_login(&h, "nobody");
    h.fail_logins("nobody", WRONG, 2);
    let before = h.audit_rows();

    // The attack: nobody's own process sends session events, thousands.
    let report = h.flood(NOBODY, &plan(2000, 0));
    assert_eq!(
        report.count("done"),
        4000,
        "answered harmlessly: {report:?}"
    );
    assert_eq!(h.audit_rows(), before, "no row written for nobody's events");

    // The next real login shows the real previous login and the guesses.
    let out = session_login(&h, "nobody");
    let text = out.messages();
    assert!(
        text.contains("Last login:") && text.contains("from 192.0.2.1"),
        "{text}"
    );
    assert!(
        !text.contains("203.0.113.66") && !text.contains("forged"),
        "{text}"
    );
    assert!(
        text.contains("There were 2 failed login attempts"),
        "{text}"
    );
    // And that login was recorded: the one after shows no failures.
    let again = session_login(&h, "nobody").messages();
    assert!(again.contains("from 192.0.2.1 on pts/7"), "{again}");
    assert!(!again.contains("failed login"), "{again}");
}

#[test]
fn a_users_own_logins_are_rate_limited_but_a_person_retyping_is_not() {
    let h = Harness::with_user("nobody", PW);
    // Control: a person mistyping a few times, then getting it right.
    for _ in 0..5 {
        h.pam("nobody")
            .as_account(NOBODY)
            .answers(&[WRONG])
            .run()
            .expect("auth", "PAM_AUTH_ERR");
    }
    h.cli(&["user", "unlock", "nobody"])
        .run()
        .assert_exit(0, "unlock");
    h.pam("nobody")
        .as_account(NOBODY)
        .answers(&[PW])
        .run()
        .expect("auth", "PAM_SUCCESS");
    let before = h.audit_rows();

    // The attack: nobody's own client authenticating as fast as it can.
    let report = h.flood(NOBODY, &plan(0, 400));
    let written = h.audit_rows() - before;
    assert!(written <= 80, "{written} rows for 400 attempts: {report:?}");
    assert!(report.count("error:busy") >= 300, "{report:?}");
    let msg = report.first_error.clone().unwrap_or_default();
    assert!(msg.contains("try again in"), "the refusal says when: {msg}");

    // Root's PAM stack is not limited by nobody's flood.
    for _ in 0..3 {
        session_login(&h, "nobody");
    }
}

/// `n` audit rows for `user` at `at`, written behind the daemon's back.
fn prefill(h: &Harness, user: &str, at: i64, n: usize) {
    let mut db = rusqlite::Connection::open(h.database()).expect("open the database");
    let tx = db.transaction().expect("transaction");
    {
        let mut st = tx
            .prepare(
                "INSERT INTO audit (at, event, actor, user, service) \
                 VALUES (?1, ?2, ?3, ?3, 'sshd')",
            )
            .expect("prepare");
        for i in 0..n {
            let event = ["auth_failure", "session_open", "session_close"][i % 3];
            st.execute(rusqlite::params![at + (i as i64 % 1000), event, user])
                .expect("insert");
        }
    }
    tx.commit().expect("commit");
}

#[test]
fn logins_never_wait_on_audit_reads_of_a_million_row_trail() {
    let mut h = Harness::with_user("alice", PW);
    h.add_user("mallory", PW);
    h.stop();
    prefill(&h, "mallory", now() - 3600, 1_000_000);
    h.start();

    let stop = AtomicBool::new(false);
    // Stops the readers however the logins end, a failed assertion included.
    struct Stop<'a>(&'a AtomicBool);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let timings = std::thread::scope(|s| {
        for i in 0..6 {
            let (h, stop) = (&h, &stop);
            s.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if i % 2 == 0 {
                        h.cli(&["log", "--user", "alice"]).run();
                    } else {
                        h.cli(&["status", "mallory"]).run();
                    }
                }
            });
        }
        let _stop = Stop(&stop);
        let mut timings = Vec::new();
        for _ in 0..10 {
            let t = Instant::now();
            let out = h
                .pam("alice")
                .ops(&["auth", "acct", "open"])
                .answers(&[PW])
                .run();
            timings.push(t.elapsed());
            out.expect("auth", "PAM_SUCCESS")
                .expect("acct", "PAM_SUCCESS")
                .expect("open", "PAM_SUCCESS");
        }
        timings
    });
    eprintln!("login times under audit reads: {timings:?}");
    // The reads themselves still answer.
    h.cli(&["log", "--user", "alice"])
        .run()
        .assert_exit(0, "log");
    h.cli(&["status", "mallory"]).run().assert_exit(0, "status");
}

#[test]
fn audit_keep_prunes_old_entries_at_start() {
    let mut h = Harness::with_config("[audit]\nkeep = \"1h\"\n");
    h.add_user("alice", PW);
    h.stop();
    prefill(&h, "old", now() - 2 * 86_400, 3000);
    prefill(&h, "recent", now() - 60, 30);
    h.start();
    let count = |user: &str| -> i64 {
        let db = rusqlite::Connection::open(h.database()).expect("open");
        db.query_row("SELECT COUNT(*) FROM audit WHERE user = ?1", [user], |r| {
            r.get(0)
        })
        .expect("count")
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while count("old") > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        count("old"),
        0,
        "entries past [audit] keep are pruned at start"
    );
    assert_eq!(count("recent"), 30, "entries within it stay");
    assert!(count("alice") > 0, "the user_added entry stays");
    h.assert_serves_login("alice", PW, "after pruning");
}

#[test]
fn the_old_retention_key_is_refused_with_the_new_name() {
    let h = Harness::configured("[daemon]\naudit_retention = \"30d\"\n");
    let cfg = h.config_path().display().to_string();
    let out = h.authd(&["--config", &cfg, "--check-config"]);
    assert_ne!(out.code(), 0, "{out:?}");
    assert!(out.stderr.contains("[audit] keep"), "{}", out.stderr);
}
