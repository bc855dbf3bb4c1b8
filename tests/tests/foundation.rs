//! Issue 2: the whole path — PAM module → socket → daemon → SQLite — through
//! real libpam, the real daemon and the real CLI.

use std::io::{Read, Write};
use std::os::unix::net::UnixListener;
use std::time::{Duration, Instant};

use monban_e2e::{DAEMON, Harness, NOBODY, frame, read_raw_frame, user_entry, users_in};
use monban_proto::{AdminOp, Client, PamContext, Request, Response, Secret, Timeouts};

monban_e2e::connection_holder!();

const ALICE_PW: &str = "Correct-Horse-1";
const BOB_PW: &str = "Battery-Staple-2";
/// Longest a failing-closed PAM call may take before we call it a hang. The
/// module's own bounds are 3 s connect and 10 s per read.
const HANG_GUARD: Duration = Duration::from_secs(15);

fn harness_with_alice() -> Harness {
    let h = Harness::new();
    h.add_user("alice", ALICE_PW);
    h
}

// ---------------------------------------------------------------- login

#[test]
fn right_password_succeeds_for_auth_and_account() {
    let h = harness_with_alice();
    let out = h.pam("alice").answers(&[ALICE_PW]).run();
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
    let h = harness_with_alice();
    let out = h.pam("alice").answers(&["Wrong-Horse-1"]).run();
    out.expect("auth", "PAM_AUTH_ERR").expect_not_run("acct");
    assert_eq!(out.prompts(), vec!["Password: "], "{}", out.transcript());
    assert_eq!(out.exit_code(), 1);
}

#[test]
fn empty_password_is_auth_err() {
    let h = harness_with_alice();
    h.pam("alice")
        .answers(&[""])
        .run()
        .expect("auth", "PAM_AUTH_ERR");
}

#[test]
fn unknown_user_is_user_unknown_after_a_password_prompt() {
    let h = harness_with_alice();
    let out = h.pam("mallory").answers(&["Whatever-123"]).run();
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
    let h = harness_with_alice();
    h.pam("mallory")
        .ops(&["acct"])
        .run()
        .expect("acct", "PAM_USER_UNKNOWN");
}

#[test]
fn session_open_and_close_succeed_after_a_login() {
    let h = harness_with_alice();
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
    let h = harness_with_alice();
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
    let h = harness_with_alice();
    h.pam("alice")
        .module_args(&["no_such_option", "debug"])
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
}

#[test]
fn password_never_appears_in_the_daemon_log_or_the_database() {
    let h = harness_with_alice();
    h.pam("alice")
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_SUCCESS");
    h.pam("alice")
        .answers(&["Wrong-Guess-77"])
        .run()
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

// ---------------------------------------------------------------- daemon unavailable

#[test]
fn daemon_stopped_gives_authinfo_unavail_within_bounded_time() {
    let mut h = harness_with_alice();
    h.stop();
    let t = Instant::now();
    let out = h.pam("alice").answers(&[ALICE_PW]).run();
    out.expect("auth", "PAM_AUTHINFO_UNAVAIL");
    assert!(t.elapsed() < HANG_GUARD, "took {:?}", t.elapsed());
}

#[test]
fn daemon_stopped_account_check_is_authinfo_unavail() {
    let mut h = harness_with_alice();
    h.stop();
    h.pam("alice")
        .ops(&["acct"])
        .run()
        .expect("acct", "PAM_AUTHINFO_UNAVAIL");
}

#[test]
fn daemon_stopped_password_change_fails() {
    let mut h = harness_with_alice();
    h.stop();
    let out = h
        .pam("alice")
        .ops(&["chauthtok"])
        .answers(&["Brand-New-Pass-9", "Brand-New-Pass-9"])
        .run();
    let r = out.result("chauthtok");
    assert!(
        matches!(r.as_deref(), Some("PAM_TRY_AGAIN" | "PAM_AUTHINFO_UNAVAIL")),
        "chauthtok without a daemon: {r:?}\n{}",
        out.transcript()
    );
}

#[test]
fn daemon_back_after_restart_serves_logins_again() {
    let mut h = harness_with_alice();
    h.stop();
    h.pam("alice")
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_AUTHINFO_UNAVAIL");
    h.start();
    h.pam("alice")
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_SUCCESS");
}

/// A peer that accepts connections and never answers: the module must give
/// up by its `timeout=` and fail closed.
#[test]
fn silent_socket_gives_authinfo_unavail_after_the_timeout() {
    let h = Harness::configured("");
    let path = h.dir().join("silent.sock");
    let listener = UnixListener::bind(&path).expect("bind");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let stack = format!(
        "auth required {{module}} socket={} timeout=2\naccount required {{module}} socket={} timeout=2\n",
        path.display(),
        path.display()
    );
    let t = Instant::now();
    let out = h.pam("alice").stack(&stack).answers(&[ALICE_PW]).run();
    out.expect("auth", "PAM_AUTHINFO_UNAVAIL");
    assert!(t.elapsed() < HANG_GUARD, "took {:?}", t.elapsed());
}

/// A peer that answers garbage: never success, AUTHINFO_UNAVAIL.
#[test]
fn garbage_answer_gives_authinfo_unavail() {
    let h = Harness::configured("");
    let path = h.dir().join("garbage.sock");
    let listener = UnixListener::bind(&path).expect("bind");
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(&frame(b"\x00\xffthis is not monban"));
        }
    });
    let stack = format!(
        "auth required {{module}} socket={p} timeout=2\naccount required {{module}} socket={p} timeout=2\n",
        p = path.display()
    );
    let t = Instant::now();
    let out = h.pam("alice").stack(&stack).answers(&[ALICE_PW]).run();
    out.expect("auth", "PAM_AUTHINFO_UNAVAIL");
    assert!(t.elapsed() < HANG_GUARD, "took {:?}", t.elapsed());
    h.pam("alice")
        .stack(&stack)
        .ops(&["acct"])
        .run()
        .expect("acct", "PAM_AUTHINFO_UNAVAIL");
}

// ---------------------------------------------------------------- password change

#[test]
fn root_changes_a_password_through_pam_chauthtok_without_the_current_one() {
    let h = harness_with_alice();
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
    h.pam("alice")
        .answers(&[new])
        .run()
        .expect("auth", "PAM_SUCCESS");
    h.pam("alice")
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_AUTH_ERR");
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
    let h = harness_with_alice();
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
    h.pam("alice")
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_SUCCESS");
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
    let h = harness_with_alice();
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
    let h = harness_with_alice();
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
    h.pam("alice")
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_SUCCESS");
}

#[test]
fn non_root_user_is_refused_every_admin_verb() {
    let h = harness_with_alice();
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
    h.pam("alice")
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_SUCCESS");
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
    let h = harness_with_alice();
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

// ---------------------------------------------------------------- malformed traffic

fn assert_still_serving(h: &Harness, what: &str) {
    let out = h.pam("alice").answers(&[ALICE_PW]).run();
    assert_eq!(
        out.result("auth").as_deref(),
        Some("PAM_SUCCESS"),
        "after {what} the daemon must still serve a login\n{}",
        out.transcript()
    );
}

/// Sends bytes, half-closes, and waits (bounded) for the daemon to close.
fn send_and_drain(h: &Harness, bytes: &[u8]) -> Vec<u8> {
    let mut s = h.raw();
    let _ = s.write_all(bytes);
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    got
}

#[test]
fn garbage_bytes_leave_the_daemon_serving() {
    let h = harness_with_alice();
    send_and_drain(&h, b"GET / HTTP/1.1\r\nHost: monban\r\n\r\n");
    send_and_drain(&h, &frame(b"\xff\xfe\x00 not json at all"));
    send_and_drain(&h, &frame(br#"{"v":1,"msg":{"nonsense":1}}"#));
    assert_still_serving(&h, "garbage");
}

#[test]
fn truncated_frame_leaves_the_daemon_serving() {
    let h = harness_with_alice();
    let mut partial = 100u32.to_be_bytes().to_vec();
    partial.extend_from_slice(br#"{"v":1,"#);
    send_and_drain(&h, &partial);
    send_and_drain(&h, &[0u8, 0]);
    assert_still_serving(&h, "a truncated frame");
}

#[test]
fn oversized_length_prefix_leaves_the_daemon_serving() {
    let h = harness_with_alice();
    send_and_drain(&h, &u32::MAX.to_be_bytes());
    let just_over = (monban_proto::MAX_FRAME_LEN as u32 + 1).to_be_bytes();
    let t = Instant::now();
    // The daemon must refuse on the prefix alone, without waiting for a body.
    let mut s = h.raw();
    s.write_all(&just_over).expect("write prefix");
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    assert!(
        t.elapsed() < Duration::from_secs(9),
        "the daemon waited for an oversized body ({:?})",
        t.elapsed()
    );
    send_and_drain(&h, &0u32.to_be_bytes());
    assert_still_serving(&h, "an oversized length prefix");
}

#[test]
fn wrong_protocol_version_gets_a_coded_error_and_leaves_the_daemon_serving() {
    let h = harness_with_alice();
    let mut s = h.raw();
    s.write_all(&frame(br#"{"v":99,"msg":"ping"}"#))
        .expect("write");
    let reply = read_raw_frame(&mut s).expect("the daemon answers a version mismatch");
    let v: serde_json::Value = serde_json::from_slice(&reply).expect("reply is JSON");
    assert_eq!(
        v["msg"]["error"]["code"].as_str(),
        Some("unsupported_version"),
        "reply: {v}"
    );
    drop(s);
    assert_still_serving(&h, "a wrong protocol version");
}

#[test]
fn idle_connections_do_not_block_a_login() {
    let h = harness_with_alice();
    let held: Vec<_> = (0..16).map(|_| h.raw()).collect();
    assert_still_serving(&h, "16 idle connections");
    drop(held);
}

#[test]
fn a_login_left_half_way_does_not_block_others() {
    let h = harness_with_alice();
    // Starts a conversation over the wire and walks away from it.
    let mut s = h.raw();
    let start = br#"{"v":1,"msg":{"auth_start":{"ctx":{"user":"alice","service":"raw"},"credential":"login"}}}"#;
    s.write_all(&frame(start)).expect("write");
    let reply = read_raw_frame(&mut s).expect("first step");
    let v: serde_json::Value = serde_json::from_slice(&reply).expect("JSON");
    assert!(v["msg"]["auth"]["next"]["prompt"].is_object(), "{v}");
    assert_still_serving(&h, "an abandoned conversation");
    drop(s);
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
    h.pam("alice")
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_USER_UNKNOWN");
    h.pam("bob")
        .answers(&[BOB_PW])
        .run()
        .expect("auth", "PAM_SUCCESS");
}

#[test]
fn cli_user_add_twice_is_refused() {
    let h = harness_with_alice();
    h.cli(&["user", "add", "alice", "--password-stdin"])
        .stdin_lines(&[BOB_PW])
        .run()
        .assert_exit(1, "adding alice again");
    h.pam("alice")
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_SUCCESS");
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
    let mut h = harness_with_alice();
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

// ---------------------------------------------------------------- daemon life

#[test]
fn users_survive_a_daemon_restart() {
    let mut h = harness_with_alice();
    h.restart();
    h.pam("alice")
        .answers(&[ALICE_PW])
        .run()
        .expect("auth", "PAM_SUCCESS");
}

#[test]
fn sigterm_stops_the_daemon_cleanly() {
    let mut h = Harness::new();
    let status = h.stop();
    assert!(
        status.success(),
        "exit after SIGTERM: {status}\n{}",
        h.daemon_log()
    );
}

#[test]
fn socket_is_connectable_by_every_local_user() {
    use std::os::unix::fs::PermissionsExt;
    let h = Harness::new();
    let mode = std::fs::metadata(h.socket())
        .expect("socket exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o666, "socket mode {:o}", mode & 0o777);
}

#[test]
fn daemon_creates_the_socket_directory_if_missing() {
    let mut h = Harness::configured("");
    let sock = h.dir().join("run/monban/authd.sock");
    h.set_config(&format!("[daemon]\nsocket = \"{}\"\n", sock.display()));
    // The harness pings its own socket path, so check this one by hand.
    let log = std::fs::File::create(h.dir().join("other.log")).expect("log");
    let mut child = std::process::Command::new(monban_e2e::artefact("monban-authd"))
        .arg("--config")
        .arg(h.config_path())
        .stdout(log.try_clone().expect("dup"))
        .stderr(log)
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !sock.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(25));
    }
    let exists = sock.exists();
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    let _ = child.wait();
    assert!(
        exists,
        "socket not created in a missing directory:\n{}",
        std::fs::read_to_string(h.dir().join("other.log")).unwrap_or_default()
    );
}

#[test]
fn check_config_accepts_the_test_config() {
    let h = Harness::configured("");
    let cfg = h.config_path().display().to_string();
    h.authd(&["--config", &cfg, "--check-config"])
        .assert_exit(0, "--check-config on a valid config");
}

#[test]
fn check_config_on_an_unknown_key_names_file_and_line() {
    let h = Harness::configured("");
    let bad = h.dir().join("bad.toml");
    std::fs::write(
        &bad,
        "[daemon]\nadmin_group = \"daemon\"\n\n[password]\nmin_length = 8\nfavourite_colour = \"blue\"\n",
    )
    .expect("write");
    let out = h.authd(&["--config", &bad.display().to_string(), "--check-config"]);
    assert_ne!(
        out.code(),
        0,
        "bad config accepted:\n{}{}",
        out.stdout,
        out.stderr
    );
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(
        text.contains(&format!("{}:6", bad.display())),
        "message must name file:line ({}:6):\n{text}",
        bad.display()
    );
    assert!(text.contains("favourite_colour"), "and the key:\n{text}");
}

#[test]
fn check_config_on_a_bad_value_names_file_and_line() {
    let h = Harness::configured("");
    let bad = h.dir().join("bad-value.toml");
    std::fs::write(
        &bad,
        "[lockout]\nmax_failures = 5\nunlock_after = \"soon\"\n",
    )
    .expect("write");
    let out = h.authd(&["--config", &bad.display().to_string(), "--check-config"]);
    assert_ne!(out.code(), 0);
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(text.contains(&format!("{}:3", bad.display())), "{text}");
}

#[test]
fn daemon_refuses_to_start_on_a_bad_config_naming_file_and_line() {
    let h = Harness::configured("");
    let bad = h.dir().join("broken.toml");
    std::fs::write(&bad, "[argon2]\niterations = 0\n").expect("write");
    let out = h.authd(&["--config", &bad.display().to_string()]);
    assert_ne!(out.code(), 0, "daemon started on a bad config");
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(text.contains(&format!("{}:2", bad.display())), "{text}");
}

// ---------------------------------------------------------------- stacking

/// SPEC §2: `[user_unknown=ignore]` lets a user monban does not manage fall
/// through to the next module, while a managed user's wrong password stops.
#[test]
fn user_unknown_ignore_stacks_with_a_following_module() {
    let h = harness_with_alice();
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
    let h = harness_with_alice();
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
    let h = harness_with_alice();
    let new = "Fresh-Meadow-42";
    h.pam("alice")
        .module_args(&["retry=2"])
        .ops(&["chauthtok"])
        .answers(&[new, "Typo-Meadow-42", new, new])
        .run()
        .expect("chauthtok", "PAM_SUCCESS");
    h.pam("alice")
        .answers(&[new])
        .run()
        .expect("auth", "PAM_SUCCESS");
}

// ---------------------------------------------------------------- review fixes

/// One connection as root for many requests.
fn root_client(h: &Harness) -> Client {
    Client::connect(h.socket(), Timeouts::default()).expect("connect as root")
}

fn open_session(c: &mut Client, ctx: PamContext) {
    match c.call(&Request::OpenSession { ctx }) {
        Ok(Response::Done { .. }) => {}
        other => panic!("OpenSession: {other:?}"),
    }
}

fn ctx(user: &str, service: &str, tty: Option<String>) -> PamContext {
    PamContext {
        user: user.into(),
        service: service.into(),
        tty,
        rhost: None,
    }
}

#[test]
fn one_uid_cannot_take_every_connection() {
    let h = harness_with_alice();
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
    assert_still_serving(&h, "nobody holding its 8 connections");
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

#[test]
fn a_large_audit_trail_and_user_list_are_answered_whole() {
    let h = harness_with_alice();
    let mut c = root_client(&h);
    for i in 0..600 {
        open_session(&mut c, ctx("alice", "bulk", Some(format!("pts/{i}"))));
    }
    for i in 0..150 {
        let op = AdminOp::UserAdd {
            user: format!("bulk-user-{i:03}"),
            password: Some(Secret::new(format!("Bulk-Password-{i:03}"))),
            temporary: false,
            require_otp: false,
        };
        match c.call(&Request::Admin { step_up: None, op }) {
            Ok(Response::Done { .. }) => {}
            other => panic!("adding bulk-user-{i:03}: {other:?}"),
        }
    }
    // Both answers outgrow a request-sized frame.
    for (what, op) in [
        ("user list", AdminOp::UserList { locked_only: false }),
        (
            "audit log",
            AdminOp::AuditLog {
                user: None,
                since: None,
                limit: None,
            },
        ),
    ] {
        let reply = c
            .call(&Request::Admin { step_up: None, op })
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let size = serde_json::to_vec(&reply).map(|v| v.len()).unwrap_or(0);
        assert!(
            size > monban_proto::MAX_FRAME_LEN,
            "the {what} is only {size} bytes: make it exceed a request frame"
        );
    }
    drop(c);

    let log = h.cli(&["log"]).run();
    log.assert_exit(0, "monban log with 600 entries");
    let log = h.cli(&["log"]).json().run();
    log.assert_exit(0, "monban log --json with 600 entries");
    let entries = log.json();
    let sessions = entries
        .as_array()
        .map(|a| a.iter().filter(|e| e["event"] == "session_open").count());
    assert_eq!(sessions, Some(600), "every session_open entry is listed");

    let list = h.cli(&["user", "list"]).run();
    list.assert_exit(0, "monban user list with 151 users");
    let list = h.cli(&["user", "list"]).json().run();
    list.assert_exit(0, "monban user list --json with 151 users");
    let users = users_in(&list.json());
    assert_eq!(users.len(), 151, "every user is listed");
}

#[test]
fn hostile_pam_items_are_bounded_and_never_reach_a_terminal() {
    let h = harness_with_alice();
    let mut c = root_client(&h);
    let mut hostile = ctx("alice", "sshd\u{1b}[2K\r", Some("x".repeat(10_000)));
    hostile.rhost = Some("h\r\nroot  login_success".into());
    open_session(&mut c, hostile);
    drop(c);

    let log = h.cli(&["log"]).run();
    log.assert_exit(0, "monban log");
    for (byte, name) in [(0x1b_u8, "ESC"), (b'\r', "CR")] {
        assert!(
            !log.stdout.as_bytes().contains(&byte),
            "{name} in the human log output: {:?}",
            log.stdout
        );
    }
    let log = h.cli(&["log", "--user", "alice"]).json().run();
    log.assert_exit(0, "monban log --json");
    let entries = log.json();
    let entry = entries
        .as_array()
        .and_then(|a| a.iter().find(|e| e["event"] == "session_open"))
        .unwrap_or_else(|| panic!("a session_open entry: {entries}"))
        .clone();
    let tty = entry["tty"].as_str().unwrap_or_default();
    assert!(
        (1..=256).contains(&tty.chars().count()),
        "stored tty of {} chars",
        tty.chars().count()
    );
    for field in ["service", "rhost", "tty"] {
        let v = entry[field].as_str().unwrap_or_default();
        assert!(
            !v.chars().any(char::is_control),
            "{field} stored with control characters: {v:?}"
        );
    }
}

#[test]
fn malformed_requests_never_echo_their_values() {
    let h = harness_with_alice();
    let bodies: [&[u8]; 5] = [
        br#"{"v":1,"msg":{"auth_answer":"hunter2-secret"}}"#,
        br#"{"v":1,"msg":{"hunter2-secret":{}}}"#,
        br#"{"v":"hunter2-secret","msg":"ping"}"#,
        br#"{"v":1,"msg":{"admin":{"step_up":null,"op":{"user_add":{"user":"eve","password":"x","temporary":"hunter2-secret"}}}}}"#,
        br#"{"v":1,"msg":{"auth_answer":{"answer":"x","answer":"hunter2-secret"}}}"#,
    ];
    for body in bodies {
        let mut s = h.raw();
        s.write_all(&frame(body)).expect("write");
        let reply = read_raw_frame(&mut s).expect("the daemon answers a malformed request");
        let text = String::from_utf8_lossy(&reply);
        assert!(
            !text.contains("hunter2"),
            "the reply quotes the request: {text}\nrequest: {}",
            String::from_utf8_lossy(body)
        );
        let v: serde_json::Value = serde_json::from_slice(&reply).expect("reply is JSON");
        assert!(v["msg"]["error"]["code"].is_string(), "a coded error: {v}");
    }
    assert_still_serving(&h, "malformed requests");
    let log = h.daemon_log();
    assert!(
        !log.contains("hunter2"),
        "the daemon log quotes a request:\n{log}"
    );
}

#[test]
fn database_and_key_are_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let mut h = Harness::configured("");
    h.set_daemon_umask(0o022);
    h.start();
    h.add_user("alice", ALICE_PW);
    let mut files = vec![h.database(), h.secret_key()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let p = std::path::PathBuf::from(format!("{}{suffix}", h.database().display()));
        if p.exists() {
            files.push(p);
        }
    }
    for f in files {
        let mode = std::fs::metadata(&f)
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()))
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "{} has mode {:o} under umask 022",
            f.display(),
            mode & 0o777
        );
    }
}
