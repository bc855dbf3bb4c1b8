//! Issue 2: who may ask what. The daemon knows its caller by the peer's
//! uid (SO_PEERCRED): a non-root caller may check and change only its own
//! password, belonging to the admin group grants no right over another
//! user's password, and no one uid can take every connection.

use std::time::{Duration, Instant};

use monban_e2e::{DAEMON, Harness, NOBODY, user_entry, users_in};

monban_e2e::connection_holder!();

const ALICE_PW: &str = "Correct-Horse-1";
const BOB_PW: &str = "Battery-Staple-2";

// ---------------------------------------------------------------- peer credentials

#[test]
fn non_root_user_can_check_own_password() {
    let h = Harness::new();
    h.add_user("nobody", ALICE_PW);
    h.pam("nobody")
        .as_account(NOBODY)
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
    h.pam("nobody")
        .as_account(NOBODY)
        .answers(&["Wrong-Horse-1"])
        .run()
        .expect("auth", "PAM_AUTH_ERR");
}

#[test]
fn non_root_user_is_refused_for_another_users_password() {
    let h = Harness::with_user("alice", ALICE_PW);
    h.add_user("nobody", BOB_PW);
    // Even the right password must not be confirmed to another uid.
    h.pam("alice")
        .as_account(NOBODY)
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_PERM_DENIED");
    h.pam("alice")
        .as_account(NOBODY)
        .answers(&["Wrong-Horse-1"])
        .run()
        .expect("auth", "PAM_PERM_DENIED");
}

#[test]
fn non_root_user_is_refused_another_users_account_check_and_password_change() {
    let h = Harness::with_user("alice", ALICE_PW);
    h.pam("alice")
        .as_account(NOBODY)
        .ops(&["acct"])
        .run()
        .expect("acct", "PAM_PERM_DENIED");
    let out = h
        .pam("alice")
        .as_account(NOBODY)
        .ops(&["chauthtok"])
        .answers(&[ALICE_PW, "Fresh-Meadow-42", "Fresh-Meadow-42"])
        .run();
    assert_ne!(
        out.result("chauthtok").as_deref(),
        Some("PAM_SUCCESS"),
        "{}",
        out.transcript()
    );
    h.login("alice", ALICE_PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn non_root_user_is_refused_every_admin_verb() {
    let h = Harness::with_user("alice", ALICE_PW);
    h.add_user("nobody", BOB_PW);
    // Extra stdin lines so a CLI that asks for a step-up password still
    // reaches the daemon: the refusal must come from the peer credentials.
    let refused = |args: &[&str]| {
        let out = h
            .cli(args)
            .as_account(NOBODY)
            .stdin_lines(&[BOB_PW, "Some-New-Pass-1", "Some-New-Pass-1"])
            .run();
        out.assert_exit(1, &format!("`monban {}` as nobody", args.join(" ")));
        assert!(
            out.stderr.contains("permission denied"),
            "`monban {}` as nobody: the refusal says why: {}",
            args.join(" "),
            out.stderr
        );
    };
    refused(&["user", "add", "eve", "--password-stdin"]);
    refused(&["user", "list"]);
    refused(&["user", "remove", "alice"]);
    refused(&["status", "alice"]);

    // Nothing changed.
    let list = h.cli(&["user", "list"]).json().run();
    list.assert_exit(0, "user list as root");
    let users = users_in(&list.json());
    assert!(users.contains(&"alice".to_string()), "{users:?}");
    assert!(!users.contains(&"eve".to_string()), "{users:?}");
    h.login("alice", ALICE_PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn non_root_user_sees_own_status() {
    let h = Harness::new();
    h.add_user("nobody", BOB_PW);
    let out = h.cli(&["status"]).as_account(NOBODY).json().run();
    out.assert_exit(0, "own status as nobody");
    assert!(
        user_entry(&out.json(), "nobody").is_some(),
        "{}",
        out.stdout
    );
}

#[test]
fn admin_group_member_cannot_check_another_users_password() {
    let h = Harness::with_user("alice", ALICE_PW);
    h.add_user("daemon", BOB_PW);
    h.pam("alice")
        .as_account(DAEMON)
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_PERM_DENIED");
    h.pam("daemon")
        .as_account(DAEMON)
        .answers(&[BOB_PW])
        .run()
        .expect("auth", "PAM_SUCCESS");
}

// ---------------------------------------------------------------- one uid's share of the connections

#[test]
fn one_uid_cannot_take_every_connection() {
    let h = Harness::with_user("alice", ALICE_PW);
    h.add_user("nobody", BOB_PW);
    // The daemon's default per-uid share is 8 connections.
    let held = h.hold_connections(NOBODY, 8);
    assert_eq!(
        held.open(),
        8,
        "8 connections of nobody: {:?}",
        held.replies
    );

    let ninth = h.hold_connections(NOBODY, 1);
    assert_eq!(
        ninth.replies[0]["msg"]["error"]["code"], "busy",
        "a 9th connection of nobody is told the daemon is busy: {:?}",
        ninth.replies
    );
    ninth.release();

    // Root's PAM stacks still get in.
    h.assert_serves_login("alice", ALICE_PW, "nobody holding its 8 connections");
    // Several times: the refusal races the CLI's request (the daemon
    // answers Busy and closes without reading it), and the answer must
    // survive that race every time.
    for i in 0..30 {
        let status = h.cli(&["status"]).as_account(NOBODY).run();
        status.assert_exit(3, "monban status as nobody while it holds 8 connections");
        assert!(
            status.stderr.contains("busy"),
            "try {i}: the CLI says the daemon is busy: {}",
            status.stderr
        );
    }

    held.release();
    // The slots come back once the daemon has seen the connections close.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let out = h.cli(&["status"]).as_account(NOBODY).run();
        if out.code() == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "nobody's slots were not given back:\n{}",
            out.stderr
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
