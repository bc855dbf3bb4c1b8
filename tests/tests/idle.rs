//! Issue 16: logout after inactivity (SPEC §12), as far as it runs
//! without systemd: sessions opened through real libpam on real
//! terminals (pseudo-terminals this test opens), watched by the real
//! daemon, warned on the terminal, and — logind being absent here — the
//! failure to end them audited. The ending itself is in the real-system
//! lab (tests/vm, scenario o).

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

use monban_e2e::{Harness, user_entry};

const PW: &str = "Reading-Room-2026";
const IDLE: &str = "[session]\nidle_logout = \"20s\"\nidle_warning = \"10s\"\n";

/// A pseudo-terminal: (master, the slave's path, the slave kept open as
/// the session's shell would).
fn pty() -> (File, String, File) {
    let p = nix::pty::openpty(None, None).expect("openpty");
    let path = std::fs::read_link(format!("/proc/self/fd/{}", p.slave.as_raw_fd()))
        .expect("the slave's path")
        .display()
        .to_string();
    let master: OwnedFd = p.master;
    let master = File::from(master);
    nix::fcntl::fcntl(
        master.as_raw_fd(),
        nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
    )
    .unwrap();
    (master, path, File::from(p.slave))
}

/// What the terminal showed within `limit` (non-blocking reads).
fn screen(master: &mut File, limit: Duration, until: &str) -> String {
    let deadline = Instant::now() + limit;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match master.read(&mut buf) {
            Ok(n) if n > 0 => seen.extend_from_slice(&buf[..n]),
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
        if String::from_utf8_lossy(&seen).contains(until) {
            break;
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}

fn open_session(h: &Harness, user: &str, tty: &str) {
    h.pam(user)
        .ops(&["open"])
        .tty(tty)
        .rhost("192.0.2.7")
        .run()
        .expect("open", "PAM_SUCCESS");
}

fn watched(h: &Harness) -> Vec<serde_json::Value> {
    let out = h.cli(&["session", "list"]).json().run();
    out.assert_exit(0, "monban session list");
    out.json().as_array().cloned().unwrap_or_default()
}

#[test]
fn an_idle_terminal_is_warned_and_its_ending_audited() {
    let h = Harness::with_config(IDLE);
    h.add_user("alice", PW);
    let (mut master, tty, _slave) = pty();
    let t0 = Instant::now();
    open_session(&h, "alice", &tty);
    let list = watched(&h);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["tty"], tty.as_str());
    // monban status shows the session to its user's administrator.
    let status = h.cli(&["status", "alice"]).json().run();
    let v = status.json();
    assert_eq!(
        user_entry(&v, "alice").unwrap()["sessions"][0]["service"]
            .as_str()
            .map(|s| s.starts_with("monban-test")),
        Some(true),
        "{v}"
    );
    let warned = screen(&mut master, Duration::from_secs(25), "logged out at");
    assert!(
        warned.contains("nothing has been typed in this session for"),
        "{warned:?}"
    );
    let at = t0.elapsed();
    assert!(at >= Duration::from_secs(9), "warned after {at:?}");
    let ended = screen(&mut master, Duration::from_secs(25), "without input");
    assert!(
        ended.contains("this session is being logged out"),
        "{ended:?}"
    );
    assert!(
        t0.elapsed() >= Duration::from_secs(19),
        "{:?}",
        t0.elapsed()
    );
    // No logind here: the daemon says it could not end it, and stops
    // watching.
    let log = h.cli(&["log", "--user", "alice"]).json().run();
    let events: Vec<String> = log
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["event"].as_str().map(String::from))
        .collect();
    assert!(events.contains(&"session_idle_warned".into()), "{events:?}");
    assert!(
        events.contains(&"session_idle_end_failed".into()),
        "{events:?}"
    );
    assert!(watched(&h).is_empty());
}

#[test]
fn typing_keeps_a_session_and_terminal_less_and_root_sessions_are_not_watched() {
    let h = Harness::with_config(IDLE);
    h.add_user("alice", PW);
    let (mut master, tty, mut slave) = pty();
    open_session(&h, "alice", &tty);
    // No terminal (what sshd says for scp or `ssh host cmd`), and root.
    open_session(&h, "alice", "ssh");
    let (_m2, root_tty, _s2) = pty();
    h.pam("root").ops(&["open"]).tty(&root_tty).run();
    let list = watched(&h);
    assert_eq!(list.len(), 1, "only alice's terminal session: {list:?}");
    // Someone types a key every 2 s for 30 s (the shell reads it).
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut shown = String::new();
    let mut buf = [0u8; 256];
    while Instant::now() < deadline {
        master.write_all(b"x\n").unwrap();
        std::thread::sleep(Duration::from_millis(200));
        let _ = slave.read(&mut buf);
        shown.push_str(&screen(&mut master, Duration::from_millis(1800), "\u{7}"));
    }
    assert!(
        !shown.contains("monban"),
        "a working session was warned: {shown:?}"
    );
    assert_eq!(watched(&h).len(), 1, "and is still watched");
    // Control: the same terminal left alone is warned.
    let warned = screen(&mut master, Duration::from_secs(25), "logged out at");
    assert!(warned.contains("nothing has been typed"), "{warned:?}");
}

#[test]
fn a_closed_session_is_no_longer_watched() {
    let h = Harness::with_config(IDLE);
    h.add_user("alice", PW);
    let (_master, tty, _slave) = pty();
    open_session(&h, "alice", &tty);
    assert_eq!(watched(&h).len(), 1);
    h.pam("alice")
        .ops(&["close"])
        .tty(&tty)
        .run()
        .expect("close", "PAM_SUCCESS");
    assert!(watched(&h).is_empty());
}
