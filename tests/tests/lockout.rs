//! Issue 4: lockout and the confirmation password, end to end: suspension
//! after max_failures (also under parallel bursts), automatic release,
//! root's exemption, disabled accounts, the confirmation password's own
//! suspension, and the session notice of failures since the last login.
//! Administrators releasing, managing and auditing are in
//! `administration.rs`.

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use monban_e2e::{Harness, NOBODY, PamOutcome, sleep_until};
use serde_json::Value;

const PW: &str = "Correct-Horse-1";
const WRONG: &str = "Wrong-Horse-9";

// ---------------------------------------------------------------- suspension

#[test]
fn suspension_after_exactly_max_failures() {
    let h = Harness::with_config("[lockout]\nmax_failures = 3\n");
    h.add_user("alice", PW);
    h.fail_logins("alice", WRONG, 2);
    assert!(!h.locked("alice", "login"));
    // One short of the limit: still open, and a success resets the count.
    h.login("alice", PW).expect("auth", "PAM_SUCCESS");
    assert_eq!(h.failures("alice", "login"), 0);
    h.fail_logins("alice", WRONG, 3);
    assert!(h.locked("alice", "login"));
    h.assert_locked_out("alice", PW);
}

#[test]
fn a_suspended_credential_answers_the_same_to_right_and_wrong_passwords() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("alice", PW);
    h.fail_logins("alice", WRONG, 2);
    let right = h.login("alice", PW);
    let wrong = h.login("alice", WRONG);
    assert_eq!(right.result("auth"), wrong.result("auth"));
    right.assert_same_conversation(&wrong);
    assert_eq!(
        right.prompts(),
        vec!["Password: "],
        "the prompt is still shown"
    );
}

/// Lets `n` threads through together (each gives up waiting after
/// `limit`, so one that never arrives cannot hang the others).
struct Gate {
    arrived: Mutex<usize>,
    all_in: Condvar,
    n: usize,
}

impl Gate {
    fn new(n: usize) -> Self {
        Self {
            arrived: Mutex::new(0),
            all_in: Condvar::new(),
            n,
        }
    }

    fn wait(&self, limit: Duration) {
        let mut arrived = self.arrived.lock().unwrap_or_else(PoisonError::into_inner);
        *arrived += 1;
        if *arrived >= self.n {
            self.all_in.notify_all();
            return;
        }
        let _ = self
            .all_in
            .wait_timeout_while(arrived, limit, |a| *a < self.n);
    }
}

/// `n` logins of `user` at once, the i-th answering `answer(i)`: every
/// driver waits at its password prompt until all have reached theirs, so
/// the answers arrive together.
fn burst(
    h: &Harness,
    user: &str,
    n: usize,
    answer: impl Fn(usize) -> &'static str + Sync,
) -> Vec<PamOutcome> {
    let gate = Gate::new(n);
    std::thread::scope(|s| {
        let runs: Vec<_> = (0..n)
            .map(|i| {
                let (gate, answer) = (&gate, &answer);
                s.spawn(move || {
                    let mut answered = false;
                    h.pam(user).run_responding(|_| {
                        if answered {
                            return None;
                        }
                        answered = true;
                        gate.wait(Duration::from_secs(20));
                        Some(answer(i).to_string())
                    })
                })
            })
            .collect();
        runs.into_iter()
            .map(|t| t.join().expect("login thread"))
            .collect()
    })
}

/// The audit entries about `user` (`monban log --json`, as root).
fn audit_of(h: &Harness, user: &str) -> Vec<Value> {
    let out = h.cli(&["log", "--user", user]).json().run();
    out.assert_exit(0, "monban log");
    out.json()
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("log is a list: {}", out.stdout))
}

fn count_events(entries: &[Value], event: &str, credential: &str) -> usize {
    entries
        .iter()
        .filter(|e| e["event"] == event && e["credential"] == credential)
        .count()
}

#[test]
fn a_burst_against_a_suspended_login_is_refused_alike_even_with_the_right_password() {
    let h = Harness::with_config("[lockout]\nmax_failures = 3\n");
    h.add_user("alice", PW);
    h.fail_logins("alice", WRONG, 3);
    let outs = burst(&h, "alice", 10, |i| if i == 4 { PW } else { WRONG });
    let first = &outs[0];
    for out in &outs {
        out.expect("auth", "PAM_AUTH_ERR");
        assert!(
            out.messages().contains("suspended"),
            "every attempt is told of the suspension\n{}",
            out.transcript()
        );
        assert_eq!(out.prompts_with_echo(), first.prompts_with_echo());
        assert_eq!(out.infos(), first.infos(), "{}", out.transcript());
        assert_eq!(out.errors(), first.errors(), "{}", out.transcript());
    }
    assert!(
        h.locked("alice", "login"),
        "the right password released nothing"
    );
    h.assert_locked_out("alice", PW);
}

/// Attempts are counted before the secret is verified: however many arrive
/// at once, no guess beyond `max_failures` is ever checked.
#[test]
fn parallel_wrong_attempts_verify_no_guess_beyond_the_limit() {
    let h = Harness::with_config("[lockout]\nmax_failures = 5\n");
    h.add_user("alice", PW);
    let outs = burst(&h, "alice", 20, |_| WRONG);
    for out in &outs {
        out.expect("auth", "PAM_AUTH_ERR");
    }
    let entries = audit_of(&h, "alice");
    let verified = count_events(&entries, "auth_failure", "login");
    let refused = count_events(&entries, "auth_refused_locked", "login");
    assert_eq!(
        (verified, refused),
        (5, 15),
        "(guesses verified, refused unverified) of 20 at once with max_failures = 5:\n{}",
        serde_json::to_string_pretty(&entries).unwrap_or_default()
    );
    assert_eq!(count_events(&entries, "locked", "login"), 1);
    let told = outs
        .iter()
        .filter(|o| o.messages().contains("suspended"))
        .count();
    assert!(
        told >= 15,
        "{told} of the refused attempts were told of the suspension"
    );
    assert!(h.locked("alice", "login"));
}

#[test]
fn failure_count_survives_a_daemon_restart() {
    let mut h = Harness::with_config("[lockout]\nmax_failures = 3\n");
    h.add_user("alice", PW);
    h.fail_logins("alice", WRONG, 2);
    h.restart();
    assert_eq!(h.failures("alice", "login"), 2);
    h.fail_logins("alice", WRONG, 1);
    h.assert_locked_out("alice", PW);
    h.restart();
    h.assert_locked_out("alice", PW);
}

#[test]
fn parallel_wrong_attempts_are_counted_exactly() {
    let h = Harness::with_config("[lockout]\nmax_failures = 9\n");
    h.add_user("alice", PW);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| h.login("alice", WRONG)))
            .collect();
        for t in handles {
            let out = t.join().expect("attempt thread");
            out.expect("auth", "PAM_AUTH_ERR");
        }
    });
    assert_eq!(h.failures("alice", "login"), 8, "no lost updates");
    assert!(!h.locked("alice", "login"));
    h.fail_logins("alice", WRONG, 1);
    assert!(h.locked("alice", "login"));
    h.assert_locked_out("alice", PW);
}

#[test]
fn automatic_release_after_unlock_after() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\nunlock_after = \"3s\"\n");
    h.add_user("alice", PW);
    h.fail_logins("alice", WRONG, 2);
    h.assert_locked_out("alice", PW);
    let at = h.credential("alice", "login")["unlocks_at"]
        .as_i64()
        .expect("status shows when the suspension ends");
    sleep_until(at, Duration::from_millis(1200));
    h.login("alice", PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn no_automatic_release_by_default() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("alice", PW);
    h.fail_logins("alice", WRONG, 2);
    assert!(h.credential("alice", "login")["unlocks_at"].is_null());
    std::thread::sleep(Duration::from_secs(2));
    h.assert_locked_out("alice", PW);
}

#[test]
fn root_is_exempt_by_default() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("root", PW);
    h.fail_logins("root", WRONG, 3);
    h.login("root", PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn root_can_be_suspended_with_include_root() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\ninclude_root = true\n");
    h.add_user("root", PW);
    h.fail_logins("root", WRONG, 2);
    h.assert_locked_out("root", PW);
}

#[test]
fn account_check_refuses_a_suspended_user_without_an_auth_step() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("alice", PW);
    h.account_check("alice").expect("acct", "PAM_SUCCESS");
    h.fail_logins("alice", WRONG, 2);
    // As sshd does after a public-key login: no pam_authenticate.
    h.account_check("alice").expect("acct", "PAM_PERM_DENIED");
}

#[test]
fn disabled_account_is_refused_and_enable_restores_it() {
    let h = Harness::new();
    h.add_user("alice", PW);
    h.cli(&["user", "disable", "alice"])
        .run()
        .assert_exit(0, "user disable");
    h.account_check("alice").expect("acct", "PAM_ACCT_EXPIRED");
    let out = h.login("alice", PW);
    assert_ne!(
        out.exit_code(),
        0,
        "a disabled user cannot log in\n{}",
        out.transcript()
    );
    h.cli(&["user", "enable", "alice"])
        .run()
        .assert_exit(0, "user enable");
    h.login("alice", PW)
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
}

// ---------------------------------------------------------------- confirmation password

fn with_confirm(extra: &str) -> Harness {
    let h = Harness::with_config(extra);
    h.add_user("nobody", PW);
    h.set_confirmation_password(NOBODY, PW, "Second-Secret-4");
    h
}

fn confirm_login(h: &Harness, pw: &str) -> PamOutcome {
    h.pam("nobody")
        .module_args(&["credential=confirm"])
        .answers(&[pw])
        .run()
}

#[test]
fn credential_confirm_accepts_only_the_confirmation_password() {
    let h = with_confirm("");
    let ok = confirm_login(&h, "Second-Secret-4");
    ok.expect("auth", "PAM_SUCCESS");
    assert_eq!(
        ok.prompts(),
        vec!["Confirmation password: "],
        "{}",
        ok.transcript()
    );
    confirm_login(&h, PW).expect("auth", "PAM_AUTH_ERR");
    h.login("nobody", "Second-Secret-4")
        .expect("auth", "PAM_AUTH_ERR");
    h.login("nobody", PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn confirmation_password_has_its_own_suspension() {
    let h = with_confirm("[lockout]\nmax_failures = 2\n");
    confirm_login(&h, WRONG).expect("auth", "PAM_AUTH_ERR");
    confirm_login(&h, WRONG).expect("auth", "PAM_AUTH_ERR");
    let out = confirm_login(&h, "Second-Secret-4");
    out.expect("auth", "PAM_AUTH_ERR");
    assert!(out.messages().contains("suspended"), "{}", out.transcript());
    h.login("nobody", PW).expect("auth", "PAM_SUCCESS");

    h.fail_logins("nobody", WRONG, 2);
    h.assert_locked_out("nobody", PW);
    assert!(h.locked("nobody", "confirm") && h.locked("nobody", "login"));
}

#[test]
fn login_suspension_leaves_the_confirmation_password_working() {
    let h = with_confirm("[lockout]\nmax_failures = 2\n");
    h.fail_logins("nobody", WRONG, 2);
    confirm_login(&h, "Second-Secret-4").expect("auth", "PAM_SUCCESS");
}

#[test]
fn user_without_a_confirmation_password_is_told_how_to_set_one() {
    let h = Harness::new();
    h.add_user("alice", PW);
    let out = h
        .pam("alice")
        .module_args(&["credential=confirm"])
        .answers(&[PW, PW])
        .run();
    assert_ne!(out.result("auth").as_deref(), Some("PAM_SUCCESS"));
    assert!(
        out.messages().contains("monban passwd --confirm"),
        "{}",
        out.transcript()
    );
}

#[test]
fn confirmation_password_must_differ_from_the_login_password() {
    let h = Harness::new();
    h.add_user("nobody", PW);
    h.cli(&["passwd", "--confirm"])
        .as_account(NOBODY)
        .stdin_lines(&[PW, PW, PW])
        .run()
        .assert_exit(1, "a confirmation password equal to the login password");
}

#[test]
fn changing_the_confirmation_password_needs_the_current_one() {
    let h = with_confirm("");
    h.cli(&["passwd", "--confirm"])
        .as_account(NOBODY)
        .stdin_lines(&[WRONG, "Third-Secret-5", "Third-Secret-5"])
        .run()
        .assert_exit(1, "wrong current confirmation password");
    h.cli(&["passwd", "--confirm"])
        .as_account(NOBODY)
        .stdin_lines(&["Second-Secret-4", "Third-Secret-5", "Third-Secret-5"])
        .run()
        .assert_exit(0, "change of the confirmation password");
    confirm_login(&h, "Third-Secret-5").expect("auth", "PAM_SUCCESS");
}

// ---------------------------------------------------------------- session notice

#[test]
fn session_open_shows_the_last_login_and_the_failures_since() {
    let h = Harness::new();
    h.add_user("alice", PW);
    h.pam("alice")
        .ops(&["auth", "acct", "open", "close"])
        .rhost("192.0.2.7")
        .tty("pts/3")
        .answers(&[PW])
        .run()
        .expect("open", "PAM_SUCCESS");
    h.fail_logins("alice", WRONG, 2);
    let out = h
        .pam("alice")
        .ops(&["auth", "acct", "open"])
        .rhost("198.51.100.9")
        .answers(&[PW])
        .run();
    out.expect("open", "PAM_SUCCESS");
    let infos = out.infos().join("\n");
    assert!(
        infos.contains("192.0.2.7"),
        "the last login and where from\n{}",
        out.transcript()
    );
    let lower = infos.to_lowercase();
    assert!(
        lower.contains("2 failed")
            || lower.contains("failed attempts: 2")
            || lower.contains("2 unsuccessful"),
        "the number of failures since\n{}",
        out.transcript()
    );
}

#[test]
fn silent_session_shows_no_notice() {
    let h = Harness::new();
    h.add_user("alice", PW);
    h.login("alice", PW).expect("auth", "PAM_SUCCESS");
    let out = h
        .pam("alice")
        .ops(&["auth", "open"])
        .silent()
        .answers(&[PW])
        .run();
    out.expect("open", "PAM_SUCCESS");
    assert!(out.infos().is_empty(), "{}", out.transcript());
}
