//! Issue 4: lockout, the confirmation password, administration and the
//! audit trail, end to end.

use std::collections::BTreeSet;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use monban_e2e::{DAEMON, Harness, NOBODY, Output, PamOutcome, sleep_until, user_entry, users_in};
use serde_json::Value;

const PW: &str = "Correct-Horse-1";
const WRONG: &str = "Wrong-Horse-9";
const ADMIN_PW: &str = "Admin-Login-Pass-1";
const ADMIN_CONFIRM: &str = "Admin-Confirm-Pass-2";

fn login(h: &Harness, user: &str, pw: &str) -> PamOutcome {
    h.pam(user).answers(&[pw]).run()
}

fn fail_times(h: &Harness, user: &str, n: usize) {
    for i in 0..n {
        let out = login(h, user, WRONG);
        assert_eq!(
            out.result("auth").as_deref(),
            Some("PAM_AUTH_ERR"),
            "wrong attempt {} of {n}\n{}",
            i + 1,
            out.transcript()
        );
    }
}

/// The status entry of one credential (`login`, `confirm`, `otp`).
fn cred(h: &Harness, user: &str, kind: &str) -> Value {
    let out = h.cli(&["status", user]).json().run();
    out.assert_exit(0, &format!("status {user}"));
    let v = out.json();
    let entry = user_entry(&v, user).unwrap_or_else(|| panic!("status of {user}: {v}"));
    entry["credentials"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["kind"].as_str() == Some(kind)))
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} credential in {entry}"))
}

fn failures(h: &Harness, user: &str, kind: &str) -> u64 {
    cred(h, user, kind)["failures"].as_u64().expect("failures")
}

fn locked(h: &Harness, user: &str, kind: &str) -> bool {
    cred(h, user, kind)["locked"].as_bool().expect("locked")
}

fn assert_locked_out(h: &Harness, user: &str, pw: &str) {
    let out = login(h, user, pw);
    out.expect("auth", "PAM_AUTH_ERR");
    let text = out.messages();
    assert!(
        text.contains("suspended") && text.contains("administrator"),
        "a suspended user is told so and who can release it\n{}",
        out.transcript()
    );
}

/// The `daemon` account as an administrator with both passwords set.
fn setup_admin(h: &Harness) {
    h.add_user("daemon", ADMIN_PW);
    h.cli(&["passwd", "--confirm"])
        .as_account(DAEMON)
        .stdin_lines(&[ADMIN_PW, ADMIN_CONFIRM, ADMIN_CONFIRM])
        .run()
        .assert_exit(0, "daemon sets a confirmation password");
}

/// An admin command run by `daemon`, step-up first.
fn as_admin(h: &Harness, args: &[&str], step_up: &str) -> Output {
    h.cli(args)
        .as_account(DAEMON)
        .stdin_lines(&[step_up])
        .json()
        .run()
}

// ---------------------------------------------------------------- suspension

#[test]
fn suspension_after_exactly_max_failures() {
    let h = Harness::with_config("[lockout]\nmax_failures = 3\n");
    h.add_user("alice", PW);
    fail_times(&h, "alice", 2);
    assert!(!locked(&h, "alice", "login"));
    // One short of the limit: still open, and a success resets the count.
    login(&h, "alice", PW).expect("auth", "PAM_SUCCESS");
    assert_eq!(failures(&h, "alice", "login"), 0);
    fail_times(&h, "alice", 3);
    assert!(locked(&h, "alice", "login"));
    assert_locked_out(&h, "alice", PW);
}

#[test]
fn a_suspended_credential_answers_the_same_to_right_and_wrong_passwords() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("alice", PW);
    fail_times(&h, "alice", 2);
    let right = login(&h, "alice", PW);
    let wrong = login(&h, "alice", WRONG);
    assert_eq!(right.result("auth"), wrong.result("auth"));
    assert_eq!(right.prompts_with_echo(), wrong.prompts_with_echo());
    assert_eq!(right.infos(), wrong.infos());
    assert_eq!(right.errors(), wrong.errors());
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
    fail_times(&h, "alice", 3);
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
        locked(&h, "alice", "login"),
        "the right password released nothing"
    );
    assert_locked_out(&h, "alice", PW);
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
    assert!(locked(&h, "alice", "login"));
}

#[test]
fn failure_count_survives_a_daemon_restart() {
    let mut h = Harness::with_config("[lockout]\nmax_failures = 3\n");
    h.add_user("alice", PW);
    fail_times(&h, "alice", 2);
    h.restart();
    assert_eq!(failures(&h, "alice", "login"), 2);
    fail_times(&h, "alice", 1);
    assert_locked_out(&h, "alice", PW);
    h.restart();
    assert_locked_out(&h, "alice", PW);
}

#[test]
fn parallel_wrong_attempts_are_counted_exactly() {
    let h = Harness::with_config("[lockout]\nmax_failures = 9\n");
    h.add_user("alice", PW);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| login(&h, "alice", WRONG)))
            .collect();
        for t in handles {
            let out = t.join().expect("attempt thread");
            out.expect("auth", "PAM_AUTH_ERR");
        }
    });
    assert_eq!(failures(&h, "alice", "login"), 8, "no lost updates");
    assert!(!locked(&h, "alice", "login"));
    fail_times(&h, "alice", 1);
    assert!(locked(&h, "alice", "login"));
    assert_locked_out(&h, "alice", PW);
}

#[test]
fn automatic_release_after_unlock_after() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\nunlock_after = \"3s\"\n");
    h.add_user("alice", PW);
    fail_times(&h, "alice", 2);
    assert_locked_out(&h, "alice", PW);
    let at = cred(&h, "alice", "login")["unlocks_at"]
        .as_i64()
        .expect("status shows when the suspension ends");
    sleep_until(at, Duration::from_millis(1200));
    login(&h, "alice", PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn no_automatic_release_by_default() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("alice", PW);
    fail_times(&h, "alice", 2);
    assert!(cred(&h, "alice", "login")["unlocks_at"].is_null());
    std::thread::sleep(Duration::from_secs(2));
    assert_locked_out(&h, "alice", PW);
}

#[test]
fn root_is_exempt_by_default() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("root", PW);
    fail_times(&h, "root", 3);
    login(&h, "root", PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn root_can_be_suspended_with_include_root() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\ninclude_root = true\n");
    h.add_user("root", PW);
    fail_times(&h, "root", 2);
    assert_locked_out(&h, "root", PW);
}

#[test]
fn account_check_refuses_a_suspended_user_without_an_auth_step() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("alice", PW);
    h.pam("alice")
        .ops(&["acct"])
        .run()
        .expect("acct", "PAM_SUCCESS");
    fail_times(&h, "alice", 2);
    // As sshd does after a public-key login: no pam_authenticate.
    h.pam("alice")
        .ops(&["acct"])
        .run()
        .expect("acct", "PAM_PERM_DENIED");
}

#[test]
fn disabled_account_is_refused_and_enable_restores_it() {
    let h = Harness::new();
    h.add_user("alice", PW);
    h.cli(&["user", "disable", "alice"])
        .run()
        .assert_exit(0, "user disable");
    h.pam("alice")
        .ops(&["acct"])
        .run()
        .expect("acct", "PAM_ACCT_EXPIRED");
    let out = login(&h, "alice", PW);
    assert_ne!(
        out.exit_code(),
        0,
        "a disabled user cannot log in\n{}",
        out.transcript()
    );
    h.cli(&["user", "enable", "alice"])
        .run()
        .assert_exit(0, "user enable");
    login(&h, "alice", PW)
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
}

/// Refusals that do not depend on the password are given before it is
/// checked: the answer tells nothing about the guess and counts nothing.
#[test]
fn a_disabled_account_answers_the_same_to_right_and_wrong_passwords_and_counts_nothing() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("alice", PW);
    h.cli(&["user", "disable", "alice"])
        .run()
        .assert_exit(0, "user disable");
    let right = login(&h, "alice", PW);
    let wrong = login(&h, "alice", WRONG);
    for out in [&right, &wrong] {
        out.expect("auth", "PAM_AUTH_ERR");
        assert!(
            out.messages().contains("disabled"),
            "the refusal says the account is disabled\n{}",
            out.transcript()
        );
    }
    assert_eq!(right.prompts_with_echo(), wrong.prompts_with_echo());
    assert_eq!(right.infos(), wrong.infos());
    assert_eq!(
        right.errors(),
        wrong.errors(),
        "right:\n{}\nwrong:\n{}",
        right.transcript(),
        wrong.transcript()
    );
    login(&h, "alice", WRONG).expect("auth", "PAM_AUTH_ERR");
    assert_eq!(failures(&h, "alice", "login"), 0, "no attempt was counted");
    assert!(!locked(&h, "alice", "login"));
    h.cli(&["user", "enable", "alice"])
        .run()
        .assert_exit(0, "user enable");
    login(&h, "alice", PW).expect("auth", "PAM_SUCCESS");
}

// ---------------------------------------------------------------- release by administrators

#[test]
fn root_releases_one_user_then_several() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    for u in ["alice", "bob", "carol"] {
        h.add_user(u, PW);
        fail_times(&h, u, 2);
    }
    let locked_list = h.cli(&["user", "list", "--locked"]).json().run();
    locked_list.assert_exit(0, "user list --locked");
    let names: BTreeSet<_> = users_in(&locked_list.json()).into_iter().collect();
    assert!(
        ["alice", "bob", "carol"].iter().all(|u| names.contains(*u)),
        "{names:?}"
    );

    h.cli(&["user", "unlock", "alice"])
        .run()
        .assert_exit(0, "unlock alice");
    login(&h, "alice", PW).expect("auth", "PAM_SUCCESS");
    assert_locked_out(&h, "bob", PW);

    h.cli(&["user", "unlock", "bob", "carol"])
        .run()
        .assert_exit(0, "unlock bob carol");
    login(&h, "bob", PW).expect("auth", "PAM_SUCCESS");
    login(&h, "carol", PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn unlock_all_releases_everyone_but_the_calling_administrator() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    setup_admin(&h);
    for u in ["alice", "bob"] {
        h.add_user(u, PW);
        fail_times(&h, u, 2);
    }
    fail_times(&h, "daemon", 2);
    assert!(locked(&h, "daemon", "login"));

    as_admin(&h, &["user", "unlock", "--all"], ADMIN_CONFIRM).assert_exit(0, "unlock --all");
    login(&h, "alice", PW).expect("auth", "PAM_SUCCESS");
    login(&h, "bob", PW).expect("auth", "PAM_SUCCESS");
    assert!(locked(&h, "daemon", "login"), "the caller stays suspended");

    as_admin(&h, &["user", "unlock", "daemon"], ADMIN_CONFIRM)
        .assert_exit(1, "an administrator unlocking themself");
    assert!(locked(&h, "daemon", "login"));

    // Root on the machine recovers the last administrator.
    h.cli(&["user", "unlock", "daemon"])
        .run()
        .assert_exit(0, "root unlocks daemon");
    login(&h, "daemon", ADMIN_PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn unlock_can_select_one_credential() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("nobody", PW);
    h.cli(&["passwd", "--confirm"])
        .as_account(NOBODY)
        .stdin_lines(&[PW, "Second-Secret-4", "Second-Secret-4"])
        .run()
        .assert_exit(0, "nobody sets a confirmation password");
    fail_times(&h, "nobody", 2);
    for _ in 0..2 {
        h.pam("nobody")
            .module_args(&["credential=confirm"])
            .answers(&[WRONG])
            .run()
            .expect("auth", "PAM_AUTH_ERR");
    }
    assert!(locked(&h, "nobody", "login") && locked(&h, "nobody", "confirm"));
    h.cli(&["user", "unlock", "nobody", "--credential", "confirm"])
        .run()
        .assert_exit(0, "unlock --credential confirm");
    assert!(locked(&h, "nobody", "login"), "login stays suspended");
    assert!(!locked(&h, "nobody", "confirm"));
}

#[test]
fn non_admin_user_cannot_unlock_anyone_including_themself() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("alice", PW);
    h.add_user("nobody", PW);
    fail_times(&h, "alice", 2);
    fail_times(&h, "nobody", 2);
    for target in ["alice", "nobody"] {
        h.cli(&["user", "unlock", target])
            .as_account(NOBODY)
            .stdin_lines(&[PW])
            .run()
            .assert_exit(1, &format!("nobody unlocking {target}"));
    }
    h.cli(&["user", "unlock", "--all"])
        .as_account(NOBODY)
        .stdin_lines(&[PW])
        .run()
        .assert_exit(1, "nobody unlocking --all");
    assert_locked_out(&h, "alice", PW);
    assert_locked_out(&h, "nobody", PW);
}

// ---------------------------------------------------------------- step-up

#[test]
fn administrator_needs_a_step_up() {
    let h = Harness::new();
    setup_admin(&h);
    h.add_user("alice", PW);
    let none = h.cli(&["user", "list"]).as_account(DAEMON).run();
    none.assert_exit(1, "user list as daemon without a step-up");
    assert!(
        none.stderr.to_lowercase().contains("confirmation"),
        "the refusal names the confirmation password: {}",
        none.stderr
    );
    let ok = as_admin(&h, &["user", "list"], ADMIN_CONFIRM);
    ok.assert_exit(0, "user list with the step-up");
    assert!(users_in(&ok.json()).contains(&"alice".into()));
}

#[test]
fn administrator_can_manage_users_after_step_up() {
    let h = Harness::new();
    setup_admin(&h);
    h.cli(&["user", "add", "eve", "--password-stdin"])
        .as_account(DAEMON)
        .stdin_lines(&[ADMIN_CONFIRM, PW])
        .run()
        .assert_exit(0, "daemon adds eve");
    login(&h, "eve", PW).expect("auth", "PAM_SUCCESS");
    as_admin(&h, &["status", "eve"], ADMIN_CONFIRM).assert_exit(0, "status eve");
    as_admin(&h, &["user", "disable", "eve"], ADMIN_CONFIRM).assert_exit(0, "disable eve");
    h.pam("eve")
        .ops(&["acct"])
        .run()
        .expect("acct", "PAM_ACCT_EXPIRED");
}

#[test]
fn a_wrong_step_up_counts_against_the_administrators_confirmation_password() {
    let h = Harness::with_config("[lockout]\nmax_failures = 3\n");
    setup_admin(&h);
    as_admin(&h, &["user", "list"], WRONG).assert_exit(1, "wrong step-up");
    assert_eq!(failures(&h, "daemon", "confirm"), 1);
    assert_eq!(
        failures(&h, "daemon", "login"),
        0,
        "login counter untouched"
    );
    as_admin(&h, &["user", "list"], WRONG).assert_exit(1, "wrong step-up");
    as_admin(&h, &["user", "list"], WRONG).assert_exit(1, "wrong step-up");
    assert!(locked(&h, "daemon", "confirm"));
    as_admin(&h, &["user", "list"], ADMIN_CONFIRM)
        .assert_exit(1, "a suspended confirmation password cannot step up");
    // Their everyday login is not suspended by it.
    login(&h, "daemon", ADMIN_PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn administrator_cannot_reset_their_own_password_through_the_admin_path() {
    let h = Harness::new();
    setup_admin(&h);
    h.cli(&["user", "reset", "daemon", "--password-stdin"])
        .as_account(DAEMON)
        .stdin_lines(&[ADMIN_CONFIRM, "Self-Reset-Pass-3"])
        .run()
        .assert_exit(1, "an administrator resetting themself");
    login(&h, "daemon", ADMIN_PW).expect("auth", "PAM_SUCCESS");
}

// ---------------------------------------------------------------- accounts only root may manage

fn assert_only_root_may_manage(out: &Output, what: &str) {
    out.assert_exit(1, what);
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(
        text.contains("only root may manage"),
        "{what}: the refusal says why:\n{text}"
    );
}

#[test]
fn an_administrator_cannot_manage_root() {
    let h = Harness::new();
    setup_admin(&h);
    let add = h
        .cli(&["user", "add", "root", "--password-stdin"])
        .as_account(DAEMON)
        .stdin_lines(&[ADMIN_CONFIRM, "Chosen-By-Admin-5"])
        .run();
    assert_only_root_may_manage(&add, "daemon adding root");
    h.pam("root")
        .answers(&["Chosen-By-Admin-5"])
        .run()
        .expect("auth", "PAM_USER_UNKNOWN");

    h.add_user("root", PW);
    for args in [
        &["user", "reset", "root"][..],
        &["user", "disable", "root"],
        &["user", "remove", "root"],
        &["otp", "reset", "root"],
    ] {
        let out = as_admin(&h, args, ADMIN_CONFIRM);
        assert_only_root_may_manage(&out, &format!("daemon: monban {}", args.join(" ")));
    }
    let reset = h
        .cli(&["user", "reset", "root", "--password-stdin"])
        .as_account(DAEMON)
        .stdin_lines(&[ADMIN_CONFIRM, "Chosen-By-Admin-5"])
        .run();
    assert_only_root_may_manage(&reset, "daemon resetting root to a chosen password");
    login(&h, "root", PW)
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
}

/// A group (by name) whose members, primary or listed, include `nobody`
/// and at least one other account: (group, another member).
fn group_of_nobody_with_another_member() -> Option<(String, String)> {
    let group = nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(NOBODY.gid))
        .ok()
        .flatten()?;
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    let by_primary = passwd.lines().filter_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 3 && f[3] == NOBODY.gid.to_string()).then(|| f[0].to_string())
    });
    let other = by_primary
        .chain(group.mem.iter().cloned())
        .find(|u| u != NOBODY.name && u != "root")?;
    Some((group.name, other))
}

#[test]
fn an_administrator_cannot_manage_another_administrator_but_may_unlock_users() {
    // nobody's own group as admin_group: nobody and every other member of
    // it are administrators, with no change to /etc.
    let Some((group, peer)) = group_of_nobody_with_another_member() else {
        eprintln!("skipped: no group with nobody and another member on this machine");
        return;
    };
    let h = Harness::with_config(&format!(
        "[daemon]\nadmin_group = \"{group}\"\n[lockout]\nmax_failures = 2\n"
    ));
    h.add_user("nobody", PW);
    h.cli(&["passwd", "--confirm"])
        .as_account(NOBODY)
        .stdin_lines(&[PW, ADMIN_CONFIRM, ADMIN_CONFIRM])
        .run()
        .assert_exit(0, "nobody sets a confirmation password");
    let as_nobody = |args: &[&str], extra: &[&str]| {
        let mut lines = vec![ADMIN_CONFIRM];
        lines.extend_from_slice(extra);
        h.cli(args).as_account(NOBODY).stdin_lines(&lines).run()
    };
    let add = as_nobody(&["user", "add", &peer, "--password-stdin"], &[WRONG]);
    assert_only_root_may_manage(&add, &format!("nobody adding the administrator {peer}"));

    h.add_user(&peer, PW);
    h.add_user("alice", PW);
    for args in [
        &["user", "reset", &peer][..],
        &["user", "disable", &peer],
        &["user", "remove", &peer],
        &["otp", "reset", &peer],
    ] {
        let out = as_nobody(args, &[]);
        assert_only_root_may_manage(&out, &format!("nobody: monban {}", args.join(" ")));
    }
    login(&h, &peer, PW)
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");

    // Ordinary users remain the administrator's to manage.
    fail_times(&h, "alice", 2);
    assert!(locked(&h, "alice", "login"));
    as_nobody(&["user", "unlock", "alice"], &[]).assert_exit(0, "nobody unlocks alice");
    login(&h, "alice", PW).expect("auth", "PAM_SUCCESS");
    as_nobody(&["user", "disable", "alice"], &[]).assert_exit(0, "nobody disables alice");
}

// ---------------------------------------------------------------- confirmation password

fn with_confirm(extra: &str) -> Harness {
    let h = Harness::with_config(extra);
    h.add_user("nobody", PW);
    h.cli(&["passwd", "--confirm"])
        .as_account(NOBODY)
        .stdin_lines(&[PW, "Second-Secret-4", "Second-Secret-4"])
        .run()
        .assert_exit(0, "nobody sets a confirmation password");
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
    login(&h, "nobody", "Second-Secret-4").expect("auth", "PAM_AUTH_ERR");
    login(&h, "nobody", PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn confirmation_password_has_its_own_suspension() {
    let h = with_confirm("[lockout]\nmax_failures = 2\n");
    confirm_login(&h, WRONG).expect("auth", "PAM_AUTH_ERR");
    confirm_login(&h, WRONG).expect("auth", "PAM_AUTH_ERR");
    let out = confirm_login(&h, "Second-Secret-4");
    out.expect("auth", "PAM_AUTH_ERR");
    assert!(out.messages().contains("suspended"), "{}", out.transcript());
    login(&h, "nobody", PW).expect("auth", "PAM_SUCCESS");

    fail_times(&h, "nobody", 2);
    assert_locked_out(&h, "nobody", PW);
    assert!(locked(&h, "nobody", "confirm") && locked(&h, "nobody", "login"));
}

#[test]
fn login_suspension_leaves_the_confirmation_password_working() {
    let h = with_confirm("[lockout]\nmax_failures = 2\n");
    fail_times(&h, "nobody", 2);
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
    fail_times(&h, "alice", 2);
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
    login(&h, "alice", PW).expect("auth", "PAM_SUCCESS");
    let out = h
        .pam("alice")
        .ops(&["auth", "open"])
        .silent()
        .answers(&[PW])
        .run();
    out.expect("open", "PAM_SUCCESS");
    assert!(out.infos().is_empty(), "{}", out.transcript());
}

// ---------------------------------------------------------------- audit trail

#[test]
fn audit_trail_records_logins_suspensions_and_admin_actions() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("alice", PW);
    h.pam("alice")
        .rhost("203.0.113.5")
        .answers(&[PW])
        .run()
        .expect("auth", "PAM_SUCCESS");
    fail_times(&h, "alice", 2);
    h.cli(&["user", "unlock", "alice"])
        .run()
        .assert_exit(0, "unlock");
    h.cli(&["user", "reset", "alice", "--password-stdin"])
        .stdin_lines(&["Reset-Pass-77"])
        .run()
        .assert_exit(0, "reset");
    h.cli(&["user", "disable", "alice"])
        .run()
        .assert_exit(0, "disable");

    let out = h.cli(&["log", "--user", "alice"]).json().run();
    out.assert_exit(0, "monban log");
    let entries = out.json();
    let entries = entries
        .as_array()
        .unwrap_or_else(|| panic!("log is a list: {}", out.stdout));
    let events: BTreeSet<&str> = entries.iter().filter_map(|e| e["event"].as_str()).collect();
    for want in ["auth_success", "auth_failure", "locked", "unlocked"] {
        assert!(events.contains(want), "no {want} in {events:?}");
    }
    let success = entries
        .iter()
        .find(|e| e["event"] == "auth_success")
        .expect("auth_success");
    assert_eq!(success["rhost"], "203.0.113.5", "{success}");
    assert!(
        success["service"]
            .as_str()
            .is_some_and(|s| s.starts_with("monban-test-")),
        "{success}"
    );
    let by_root = entries.iter().filter(|e| e["actor"] == "root").count();
    assert!(
        by_root >= 3,
        "unlock, reset and disable by root: {}",
        out.stdout
    );
    for secret in [PW, WRONG, "Reset-Pass-77"] {
        assert!(!out.stdout.contains(secret), "a secret in the audit log");
    }
    assert!(!h.daemon_log().contains("Reset-Pass-77"));
}

#[test]
fn audit_log_is_for_administrators_only() {
    let h = Harness::new();
    h.add_user("nobody", PW);
    h.cli(&["log"])
        .as_account(NOBODY)
        .stdin_lines(&[PW])
        .run()
        .assert_exit(1, "log as nobody");
}
