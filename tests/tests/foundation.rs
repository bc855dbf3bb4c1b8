//! Issue 2: the whole path — PAM module → socket → daemon → SQLite — through
//! real libpam, the real daemon and the real CLI: logins, sessions and
//! password changes, stacking with other modules, and the CLI's everyday
//! verbs. Callers other than root are in `authorisation.rs`; an absent
//! daemon, hostile traffic, limits and the daemon's own files in
//! `robustness.rs`.

use monban_e2e::{Harness, NOBODY, user_entry, users_in};

const ALICE_PW: &str = "Correct-Horse-1";
const BOB_PW: &str = "Battery-Staple-2";

// ---------------------------------------------------------------- login

#[test]
fn right_password_succeeds_for_auth_and_account() {
    let h = Harness::with_user("alice", ALICE_PW);
    let out = h.login("alice", ALICE_PW);
    out.expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
    assert_eq!(
        out.prompts_with_echo(),
        vec![("Password: ".to_string(), false)],
        "{}",
        out.transcript()
    );
    assert_eq!(out.exit_code(), 0);
}

#[test]
fn wrong_password_is_auth_err() {
    let h = Harness::with_user("alice", ALICE_PW);
    let out = h.login("alice", "Wrong-Horse-1");
    out.expect("auth", "PAM_AUTH_ERR").expect_not_run("acct");
    assert_eq!(out.prompts(), vec!["Password: "], "{}", out.transcript());
    assert_eq!(out.exit_code(), 1);
}

#[test]
fn empty_password_is_auth_err() {
    let h = Harness::with_user("alice", ALICE_PW);
    h.login("alice", "").expect("auth", "PAM_AUTH_ERR");
}

#[test]
fn unknown_user_is_user_unknown_after_a_password_prompt() {
    let h = Harness::with_user("alice", ALICE_PW);
    let out = h.login("mallory", "Whatever-123");
    out.expect("auth", "PAM_USER_UNKNOWN");
    assert_eq!(
        out.prompts_with_echo(),
        vec![("Password: ".to_string(), false)],
        "an unknown user must see the same prompt as a known one\n{}",
        out.transcript()
    );
}

#[test]
fn unknown_user_account_check_is_user_unknown() {
    let h = Harness::with_user("alice", ALICE_PW);
    h.account_check("mallory")
        .expect("acct", "PAM_USER_UNKNOWN");
}

#[test]
fn session_open_and_close_succeed_after_a_login() {
    let h = Harness::with_user("alice", ALICE_PW);
    h.pam("alice")
        .ops(&["auth", "acct", "setcred", "open", "close"])
        .tty("pts/7")
        .rhost("192.0.2.10")
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_SUCCESS")
        .expect("open", "PAM_SUCCESS")
        .expect("close", "PAM_SUCCESS")
        .expect("setcred", "PAM_SUCCESS");
}

#[test]
fn use_first_pass_reuses_the_password_of_an_earlier_module() {
    let h = Harness::with_user("alice", ALICE_PW);
    let stack = "auth optional {module} socket={socket}\n\
                 auth required {module} socket={socket} use_first_pass\n\
                 account required {module} socket={socket}\n";
    let ok = h.pam("alice").stack(stack).answers(&[ALICE_PW]).run();
    ok.expect("auth", "PAM_SUCCESS");
    assert_eq!(
        ok.prompts().len(),
        1,
        "one prompt for both modules\n{}",
        ok.transcript()
    );

    let bad = h
        .pam("alice")
        .stack(stack)
        .answers(&["Wrong-Horse-1", ALICE_PW])
        .run();
    bad.expect("auth", "PAM_AUTH_ERR");
    assert_eq!(
        bad.prompts().len(),
        1,
        "use_first_pass must not prompt again\n{}",
        bad.transcript()
    );
}

#[test]
fn unknown_module_arguments_are_ignored() {
    let h = Harness::with_user("alice", ALICE_PW);
    h.pam("alice")
        .module_args(&["no_such_option", "debug"])
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
}

#[test]
fn password_never_appears_in_the_daemon_log_or_the_database() {
    let h = Harness::with_user("alice", ALICE_PW);
    h.login("alice", ALICE_PW).expect("auth", "PAM_SUCCESS");
    h.login("alice", "Wrong-Guess-77")
        .expect("auth", "PAM_AUTH_ERR");
    let log = h.daemon_log();
    assert!(!log.contains(ALICE_PW), "password in daemon log:\n{log}");
    assert!(
        !log.contains("Wrong-Guess-77"),
        "guess in daemon log:\n{log}"
    );
    let db = h.db_raw();
    let hay = String::from_utf8_lossy(&db);
    assert!(
        !hay.contains(ALICE_PW),
        "plaintext password in the database"
    );
    assert!(
        hay.contains("$argon2id$"),
        "no Argon2id hash in the database"
    );
}

// ---------------------------------------------------------------- password change

#[test]
fn root_changes_a_password_through_pam_chauthtok_without_the_current_one() {
    let h = Harness::with_user("alice", ALICE_PW);
    let new = "Fresh-Meadow-42";
    let out = h
        .pam("alice")
        .ops(&["chauthtok"])
        .answers(&[new, new])
        .run();
    out.expect("chauthtok", "PAM_SUCCESS");
    assert_eq!(
        out.prompts(),
        vec!["New password: ", "Retype new password: "],
        "root is not asked the current password\n{}",
        out.transcript()
    );
    h.login("alice", new).expect("auth", "PAM_SUCCESS");
    h.login("alice", ALICE_PW).expect("auth", "PAM_AUTH_ERR");
}

#[test]
fn user_changes_own_password_through_pam_chauthtok_with_the_current_one() {
    let h = Harness::new();
    h.add_user("nobody", ALICE_PW);
    let new = "Fresh-Meadow-42";
    let out = h
        .pam("nobody")
        .as_account(NOBODY)
        .ops(&["chauthtok"])
        .answers(&[ALICE_PW, new, new])
        .run();
    out.expect("chauthtok", "PAM_SUCCESS");
    assert_eq!(
        out.prompts(),
        vec![
            "Current password: ",
            "New password: ",
            "Retype new password: "
        ],
        "{}",
        out.transcript()
    );
    let login = |pw: &str| h.pam("nobody").as_account(NOBODY).answers(&[pw]).run();
    login(new).expect("auth", "PAM_SUCCESS");
    login(ALICE_PW).expect("auth", "PAM_AUTH_ERR");
}

#[test]
fn pam_chauthtok_with_a_wrong_current_password_is_refused() {
    let h = Harness::new();
    h.add_user("nobody", ALICE_PW);
    let new = "Fresh-Meadow-42";
    let out = h
        .pam("nobody")
        .as_account(NOBODY)
        .ops(&["chauthtok"])
        .answers(&["Not-The-Current-1", new, new])
        .run();
    let r = out.result("chauthtok");
    assert!(
        matches!(
            r.as_deref(),
            Some("PAM_AUTH_ERR" | "PAM_AUTHTOK_ERR" | "PAM_PERM_DENIED")
        ),
        "wrong current password: {r:?}\n{}",
        out.transcript()
    );
    h.pam("nobody")
        .as_account(NOBODY)
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_SUCCESS");
    h.pam("nobody")
        .as_account(NOBODY)
        .answers(&[new])
        .run()
        .expect("auth", "PAM_AUTH_ERR");
}

#[test]
fn pam_chauthtok_with_a_mismatched_retype_changes_nothing() {
    let h = Harness::with_user("alice", ALICE_PW);
    let out = h
        .pam("alice")
        .ops(&["chauthtok"])
        .answers(&["Fresh-Meadow-42", "Fresh-Meadow-43"])
        .run();
    assert_ne!(out.result("chauthtok").as_deref(), Some("PAM_SUCCESS"));
    assert!(
        out.errors()
            .iter()
            .any(|e| e.contains("Passwords do not match.")),
        "{}",
        out.transcript()
    );
    h.login("alice", ALICE_PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn user_changes_own_password_with_monban_passwd() {
    let h = Harness::new();
    h.add_user("nobody", ALICE_PW);
    let new = "Fresh-Meadow-42";
    h.cli(&["passwd"])
        .as_account(NOBODY)
        .stdin_lines(&[ALICE_PW, new, new])
        .run()
        .assert_exit(0, "monban passwd");
    let login = |pw: &str| h.pam("nobody").as_account(NOBODY).answers(&[pw]).run();
    login(new).expect("auth", "PAM_SUCCESS");
    login(ALICE_PW).expect("auth", "PAM_AUTH_ERR");
}

#[test]
fn monban_passwd_with_a_wrong_current_password_changes_nothing() {
    let h = Harness::new();
    h.add_user("nobody", ALICE_PW);
    let new = "Fresh-Meadow-42";
    h.cli(&["passwd"])
        .as_account(NOBODY)
        .stdin_lines(&["Not-The-Current-1", new, new])
        .run()
        .assert_exit(1, "monban passwd with a wrong current password");
    h.pam("nobody")
        .as_account(NOBODY)
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_SUCCESS");
}

// ---------------------------------------------------------------- stacking

/// SPEC §2: `[user_unknown=ignore]` lets a user monban does not manage fall
/// through to the next module, while a managed user's wrong password stops.
#[test]
fn user_unknown_ignore_stacks_with_a_following_module() {
    let h = Harness::with_user("alice", ALICE_PW);
    let stack = "auth [success=done user_unknown=ignore default=die] {module} socket={socket}\n\
                 auth required /usr/lib/x86_64-linux-gnu/security/pam_permit.so\n";
    h.pam("mallory")
        .stack(stack)
        .ops(&["auth"])
        .answers(&["Whatever-123"])
        .run()
        .expect("auth", "PAM_SUCCESS");
    h.pam("alice")
        .stack(stack)
        .ops(&["auth"])
        .answers(&["Wrong-Horse-1"])
        .run()
        .expect("auth", "PAM_AUTH_ERR");
}

/// As pam_unix: the earlier module's password when there is one (no second
/// prompt), a prompt of its own when there is none.
#[test]
fn try_first_pass_uses_an_earlier_password_or_prompts() {
    let h = Harness::with_user("alice", ALICE_PW);
    let stacked = "auth optional {module} socket={socket}\n\
                   auth required {module} socket={socket} try_first_pass\n";
    let ok = h
        .pam("alice")
        .stack(stacked)
        .ops(&["auth"])
        .answers(&[ALICE_PW])
        .run();
    ok.expect("auth", "PAM_SUCCESS");
    assert_eq!(ok.prompts().len(), 1, "{}", ok.transcript());
    let alone = "auth required {module} socket={socket} try_first_pass\n";
    let own = h
        .pam("alice")
        .stack(alone)
        .ops(&["auth"])
        .answers(&[ALICE_PW])
        .run();
    own.expect("auth", "PAM_SUCCESS");
    assert_eq!(own.prompts(), vec!["Password: "], "{}", own.transcript());
}

#[test]
fn chauthtok_retry_allows_another_attempt_after_a_mismatch() {
    let h = Harness::with_user("alice", ALICE_PW);
    let new = "Fresh-Meadow-42";
    h.pam("alice")
        .module_args(&["retry=2"])
        .ops(&["chauthtok"])
        .answers(&[new, "Typo-Meadow-42", new, new])
        .run()
        .expect("chauthtok", "PAM_SUCCESS");
    h.login("alice", new).expect("auth", "PAM_SUCCESS");
}

// ---------------------------------------------------------------- CLI

#[test]
fn cli_user_add_list_status_remove_happy_path() {
    let h = Harness::new();
    h.cli(&["user", "add", "alice", "--password-stdin"])
        .json()
        .stdin_lines(&[ALICE_PW])
        .run()
        .assert_exit(0, "user add alice");
    h.cli(&["user", "add", "bob", "--password-stdin"])
        .json()
        .stdin_lines(&[BOB_PW])
        .run()
        .assert_exit(0, "user add bob");

    let list = h.cli(&["user", "list"]).json().run();
    list.assert_exit(0, "user list");
    let users = users_in(&list.json());
    assert!(
        users.contains(&"alice".into()) && users.contains(&"bob".into()),
        "{users:?}"
    );

    let status = h.cli(&["status", "alice"]).json().run();
    status.assert_exit(0, "status alice");
    let st = status.json();
    let alice = user_entry(&st, "alice").unwrap_or_else(|| panic!("status names alice: {st}"));
    assert_eq!(alice["disabled"], serde_json::Value::Bool(false), "{st}");

    h.cli(&["user", "remove", "alice"])
        .json()
        .run()
        .assert_exit(0, "user remove alice");
    let users = users_in(&h.cli(&["user", "list"]).json().run().json());
    assert!(
        !users.contains(&"alice".into()) && users.contains(&"bob".into()),
        "{users:?}"
    );
    h.login("alice", ALICE_PW)
        .expect("auth", "PAM_USER_UNKNOWN");
    h.login("bob", BOB_PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn cli_user_add_twice_is_refused() {
    let h = Harness::with_user("alice", ALICE_PW);
    h.cli(&["user", "add", "alice", "--password-stdin"])
        .stdin_lines(&[BOB_PW])
        .run()
        .assert_exit(1, "adding alice again");
    h.login("alice", ALICE_PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn cli_status_of_an_unknown_user_fails() {
    let h = Harness::new();
    h.cli(&["status", "mallory"])
        .run()
        .assert_exit(1, "status of an unknown user");
}

#[test]
fn cli_remove_of_an_unknown_user_fails() {
    let h = Harness::new();
    h.cli(&["user", "remove", "mallory"])
        .run()
        .assert_exit(1, "removing an unknown user");
}

#[test]
fn cli_usage_error_exits_2() {
    let h = Harness::configured("");
    h.cli(&["no-such-verb"])
        .run()
        .assert_exit(2, "unknown verb");
}

#[test]
fn cli_exits_3_when_the_daemon_is_down() {
    let mut h = Harness::with_user("alice", ALICE_PW);
    h.stop();
    h.cli(&["status"])
        .run()
        .assert_exit(3, "status without a daemon");
    h.cli(&["user", "list"])
        .run()
        .assert_exit(3, "user list without a daemon");
    h.cli(&["user", "add", "bob", "--password-stdin"])
        .stdin_lines(&[BOB_PW])
        .run()
        .assert_exit(3, "user add without a daemon");
}
