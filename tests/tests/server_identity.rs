//! SPEC §13 "The module trusts only the real daemon" and "The daemon's
//! memory stays in the daemon": a genuine monban-authd started by an
//! ordinary user at the socket path the module uses receives no secret,
//! and the daemon is non-dumpable however it was started.

use monban_e2e::{Harness, NOBODY};

/// A user name that no store here knows: an attempt for it that reached
/// a daemon leaves an audit row naming it.
const VICTIM: &str = "identity-victim";

/// A daemon run by `nobody` in its own scratch directory.
fn impostor() -> Harness {
    let mut h = Harness::configured("");
    h.set_daemon_account(NOBODY);
    h.start();
    h
}

#[test]
fn the_module_sends_nothing_to_a_daemon_run_by_an_ordinary_user() {
    let h = impostor();
    let out = h.pam(VICTIM).answers(&["Secret-guess-1"]).run();
    out.expect("auth", "PAM_AUTHINFO_UNAVAIL");
    assert!(
        out.prompts().is_empty(),
        "no prompt may come from an untrusted listener: {}",
        out.transcript()
    );
    assert!(
        !h.db_values().contains(VICTIM),
        "the impostor recorded the attempt: the request reached it"
    );
    // Control: naming its user as the daemon user makes it trusted, and the
    // same attempt then reaches it (and is recorded).
    let out = h
        .pam(VICTIM)
        .module_args(&["server_user=nobody"])
        .answers(&["Secret-guess-1"])
        .run();
    out.expect("auth", "PAM_USER_UNKNOWN");
    assert!(h.db_values().contains(VICTIM), "{}", out.transcript());
}

#[test]
fn the_cli_refuses_a_daemon_run_by_an_ordinary_user() {
    let h = impostor();
    let out = h.cli(&["status"]).run();
    assert_eq!(out.code(), 3, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("refusing to talk to"), "{}", out.stderr);
    let out = h.cli(&["status"]).env("MONBAN_SERVER_USER", "nobody").run();
    assert_ne!(out.code(), 3, "{}\n{}", out.stdout, out.stderr);
}

#[test]
fn a_root_daemon_is_trusted_whatever_server_user_says() {
    let h = Harness::with_user("alice", "Tsubaki-2026");
    h.pam("alice")
        .module_args(&["server_user=no-such-daemon-user"])
        .answers(&["Tsubaki-2026"])
        .run()
        .expect("auth", "PAM_SUCCESS");
}

/// Owner uid of /proc/PID/status: the process's uid while it is dumpable,
/// root once it is not.
fn proc_owner(pid: u32) -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(format!("/proc/{pid}/status"))
        .expect("stat /proc/PID/status")
        .uid()
}

fn core_limit(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/limits"))
        .expect("read limits")
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .expect("core line")
        .split_whitespace()
        .skip(4)
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_daemon_turns_core_dumps_off_itself() {
    let h = impostor();
    let pid = h.daemon_pid().expect("running");
    assert_eq!(core_limit(pid), "0 0", "RLIMIT_CORE soft and hard");
    assert_eq!(
        proc_owner(pid),
        0,
        "a non-dumpable process's /proc is root's"
    );
    // Control: an ordinary process of the same uid, started the same way,
    // is dumpable.
    let mut sleeper = std::process::Command::new("sleep");
    sleeper.arg("30");
    std::os::unix::process::CommandExt::uid(&mut sleeper, NOBODY.uid);
    std::os::unix::process::CommandExt::gid(&mut sleeper, NOBODY.gid);
    let mut child = sleeper.spawn().expect("spawn sleep");
    let owner = proc_owner(child.id());
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(owner, NOBODY.uid);
}
