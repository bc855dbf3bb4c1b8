//! Issue 2: failing closed and staying up. Without a daemon, or with a
//! silent or garbling one, the module refuses within its bounds; malformed,
//! oversized and hostile traffic leaves the daemon serving and is never
//! echoed; large answers arrive whole; the daemon's own life (restart,
//! SIGTERM, config checks) and files (socket, database, key).

use std::io::{Read, Write};
use std::os::unix::net::UnixListener;
use std::time::{Duration, Instant};

use monban_e2e::{Harness, frame, read_raw_frame, users_in};
use monban_proto::{AdminOp, Client, PamContext, Request, Response, Secret, Timeouts};

const ALICE_PW: &str = "Correct-Horse-1";
/// Longest a failing-closed PAM call may take before we call it a hang. The
/// module's own bounds are 3 s connect and 10 s per read.
const HANG_GUARD: Duration = Duration::from_secs(15);

// ---------------------------------------------------------------- daemon unavailable

#[test]
fn daemon_stopped_gives_authinfo_unavail_within_bounded_time() {
    let mut h = Harness::with_user("alice", ALICE_PW);
    h.stop();
    let t = Instant::now();
    let out = h.login("alice", ALICE_PW);
    out.expect("auth", "PAM_AUTHINFO_UNAVAIL");
    assert!(t.elapsed() < HANG_GUARD, "took {:?}", t.elapsed());
}

#[test]
fn daemon_stopped_account_check_is_authinfo_unavail() {
    let mut h = Harness::with_user("alice", ALICE_PW);
    h.stop();
    h.account_check("alice")
        .expect("acct", "PAM_AUTHINFO_UNAVAIL");
}

#[test]
fn daemon_stopped_password_change_fails() {
    let mut h = Harness::with_user("alice", ALICE_PW);
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
    let mut h = Harness::with_user("alice", ALICE_PW);
    h.stop();
    h.login("alice", ALICE_PW)
        .expect("auth", "PAM_AUTHINFO_UNAVAIL");
    h.start();
    h.login("alice", ALICE_PW).expect("auth", "PAM_SUCCESS");
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

// ---------------------------------------------------------------- malformed and hostile traffic

fn assert_still_serving(h: &Harness, what: &str) {
    h.assert_serves_login("alice", ALICE_PW, what);
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
fn garbage_bytes_leave_the_daemon_serving() {
    let h = Harness::with_user("alice", ALICE_PW);
    send_and_drain(&h, b"GET / HTTP/1.1\r\nHost: monban\r\n\r\n");
    send_and_drain(&h, &frame(b"\xff\xfe\x00 not json at all"));
    send_and_drain(&h, &frame(br#"{"v":2,"msg":{"nonsense":1}}"#));
    assert_still_serving(&h, "garbage");
}

#[test]
fn truncated_frame_leaves_the_daemon_serving() {
    let h = Harness::with_user("alice", ALICE_PW);
    let mut partial = 100u32.to_be_bytes().to_vec();
    partial.extend_from_slice(br#"{"v":2,"#);
    send_and_drain(&h, &partial);
    send_and_drain(&h, &[0u8, 0]);
    assert_still_serving(&h, "a truncated frame");
}

#[test]
fn oversized_length_prefix_leaves_the_daemon_serving() {
    let h = Harness::with_user("alice", ALICE_PW);
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
    let h = Harness::with_user("alice", ALICE_PW);
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
    let h = Harness::with_user("alice", ALICE_PW);
    let held: Vec<_> = (0..16).map(|_| h.raw()).collect();
    assert_still_serving(&h, "16 idle connections");
    drop(held);
}

#[test]
fn a_login_left_half_way_does_not_block_others() {
    let h = Harness::with_user("alice", ALICE_PW);
    // Starts a conversation over the wire and walks away from it.
    let mut s = h.raw();
    let start = br#"{"v":2,"msg":{"auth_start":{"ctx":{"user":"alice","service":"raw"},"credential":"login"}}}"#;
    s.write_all(&frame(start)).expect("write");
    let reply = read_raw_frame(&mut s).expect("first step");
    let v: serde_json::Value = serde_json::from_slice(&reply).expect("JSON");
    assert!(v["msg"]["auth"]["next"]["prompt"].is_object(), "{v}");
    assert_still_serving(&h, "an abandoned conversation");
    drop(s);
}

#[test]
fn hostile_pam_items_are_bounded_and_never_reach_a_terminal() {
    let h = Harness::with_user("alice", ALICE_PW);
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
    let h = Harness::with_user("alice", ALICE_PW);
    let bodies: [&[u8]; 5] = [
        br#"{"v":2,"msg":{"auth_answer":"hunter2-secret"}}"#,
        br#"{"v":2,"msg":{"hunter2-secret":{}}}"#,
        br#"{"v":"hunter2-secret","msg":"ping"}"#,
        br#"{"v":2,"msg":{"admin":{"step_up":null,"op":{"user_add":{"user":"eve","password":"x","temporary":"hunter2-secret"}}}}}"#,
        br#"{"v":2,"msg":{"auth_answer":{"answer":"x","answer":"hunter2-secret"}}}"#,
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

// ---------------------------------------------------------------- limits

#[test]
fn a_large_audit_trail_and_user_list_are_answered_whole() {
    let h = Harness::with_user("alice", ALICE_PW);
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
            language: None,
            email: None,
            invite: false,
            account: false,
        };
        match c.call(&Request::Admin { step_up: None, op }) {
            Ok(Response::Done { .. }) => {}
            other => panic!("adding bulk-user-{i:03}: {other:?}"),
        }
    }
    // Both answers outgrow a request-sized frame.
    for (what, op) in [
        (
            "user list",
            AdminOp::UserList {
                locked_only: false,
                after: None,
            },
        ),
        (
            "audit log",
            AdminOp::AuditLog {
                user: None,
                since: None,
                limit: None,
                before: None,
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

// ---------------------------------------------------------------- daemon life and files

#[test]
fn users_survive_a_daemon_restart() {
    let mut h = Harness::with_user("alice", ALICE_PW);
    h.restart();
    h.login("alice", ALICE_PW).expect("auth", "PAM_SUCCESS");
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
