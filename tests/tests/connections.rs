//! Issue 9 item 2: connections belong to the person behind them, and the
//! account phase fails closed while the daemon is down (SPEC §13).

use std::time::Duration;

use monban_e2e::{DAEMON, Harness, NOBODY, Proc};

monban_e2e::connection_holder!();

const PW: &str = "Correct-Horse-1";
const DAEMON_PW: &str = "Admin-Login-Pass-1";
const SMALL: &str = "[daemon]\nmax_connections = 8\nmax_connections_per_user = 2\n";

/// What a driver left at its password prompt did first: `Some(true)` when
/// it reached the prompt (and so holds a connection), `Some(false)` when it
/// finished without one.
fn reached_prompt(p: &mut Proc) -> Option<bool> {
    while let Some(line) = p.recv_line(Duration::from_secs(30)) {
        let Ok(ev) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        match ev["event"].as_str() {
            Some("prompt") => return Some(true),
            Some("result") => return Some(false),
            _ => {}
        }
    }
    None
}

// ---------------------------------------------------------------- connections by real uid

#[test]
fn setuid_prompts_started_by_one_user_hold_only_that_users_share() {
    let h = Harness::with_config(SMALL);
    h.add_user("alice", PW);
    h.add_user("daemon", DAEMON_PW);

    // The attack: nobody starts more `su`-like programs (effective uid 0,
    // real uid nobody) than the daemon has connections, each left at its
    // password prompt.
    let mut attackers: Vec<Proc> = (0..10)
        .map(|_| h.pam("alice").ops(&["auth"]).spawn_setuid_from(NOBODY))
        .collect();
    let reached: Vec<Option<bool>> = attackers.iter_mut().map(reached_prompt).collect();
    let held = reached.iter().filter(|r| **r == Some(true)).count();
    assert_eq!(
        held,
        2,
        "nobody's setuid prompts hold nobody's share only: {reached:?}\n{}",
        h.daemon_log()
    );
    assert!(
        h.daemon_log().contains("too many connections"),
        "the extra ones were refused at once\n{}",
        h.daemon_log()
    );

    // Control: root's own login (real uid 0) and another user's request
    // are still served while nobody's prompts wait.
    h.assert_serves_login("alice", PW, "nobody's setuid prompts took their share");
    let own = h
        .pam("daemon")
        .ops(&["auth"])
        .as_account(DAEMON)
        .answers(&[DAEMON_PW])
        .run();
    own.expect("auth", "PAM_SUCCESS");
    // nobody's own plain connection is over nobody's share: Busy.
    let extra = h.hold_connections(NOBODY, 1);
    assert_eq!(
        extra.replies[0]["msg"]["error"]["code"].as_str(),
        Some("busy"),
        "nobody has no slot left, and is told Busy at once: {:?}",
        extra.replies
    );
    extra.release();

    for p in attackers {
        p.finish(Duration::from_secs(30));
    }
    // Once nobody's prompts are gone, nobody is served again.
    let again = h.hold_connections(NOBODY, 1);
    assert_eq!(again.open(), 1, "{:?}", again.replies);
}
