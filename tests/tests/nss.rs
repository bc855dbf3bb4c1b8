//! Issue 15: accounts that exist only in monban, through real glibc NSS
//! (SPEC §11). Every lookup runs in a private mount namespace
//! (`NssNamespace`): our own nsswitch.conf reading `files monban`, the
//! library through LD_LIBRARY_PATH, the real /etc untouched.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::time::Duration;

use monban_e2e::{Harness, NssNamespace, user_entry};

const PW: &str = "Reading-Room-2026";
const LIMIT: Duration = Duration::from_secs(20);

/// A harness with one account, `hanako`, added with `--account`.
fn with_account(extra: &str) -> Harness {
    let h = Harness::with_config(extra);
    h.cli(&["user", "add", "hanako", "--account", "--password-stdin"])
        .stdin_lines(&[PW])
        .run()
        .assert_exit(0, "user add hanako --account");
    h
}

#[test]
fn getent_and_id_answer_for_an_account_only_monban_knows() {
    let h = with_account("[accounts]\nhome = \"/srv/reading-room/{user}\"\n");
    let ns = NssNamespace::new(&h, h.socket());
    let by_name = ns.run(&["getent", "passwd", "hanako"], LIMIT);
    by_name.assert_exit(0, "getent passwd hanako");
    assert_eq!(
        by_name.stdout.trim(),
        "hanako:*:200000:200000::/srv/reading-room/hanako:/bin/bash"
    );
    let by_uid = ns.run(&["getent", "passwd", "200000"], LIMIT);
    by_uid.assert_exit(0, "getent passwd 200000");
    assert_eq!(by_uid.stdout, by_name.stdout);
    let id = ns.run(&["id", "hanako"], LIMIT);
    id.assert_exit(0, "id hanako");
    assert_eq!(
        id.stdout.trim(),
        "uid=200000(hanako) gid=200000(monban-users) groups=200000(monban-users)"
    );
    for key in ["monban-users", "200000"] {
        let group = ns.run(&["getent", "group", key], LIMIT);
        group.assert_exit(0, &format!("getent group {key}"));
        assert_eq!(group.stdout.trim(), "monban-users:*:200000:");
    }
    // files still answers first, and for everyone else.
    let root = ns.run(&["getent", "passwd", "root"], LIMIT);
    assert!(root.stdout.starts_with("root:x:0:0:"), "{root:?}");
    // Control: outside the namespace (the system's own nsswitch.conf)
    // nobody has heard of hanako; nothing of the system was changed.
    let outside = monban_e2e::run(
        {
            let mut c = std::process::Command::new("getent");
            c.args(["passwd", "hanako"]);
            c
        },
        b"",
        LIMIT,
    );
    outside.assert_exit(2, "getent passwd hanako outside the namespace");
}

#[test]
fn unknown_names_and_managed_local_users_are_not_answered() {
    let h = with_account("");
    h.add_user("daemon", PW);
    let ns = NssNamespace::new(&h, h.socket());
    ns.run(&["getent", "passwd", "nobody-at-all"], LIMIT)
        .assert_exit(2, "an unknown name");
    ns.run(&["getent", "passwd", "200001"], LIMIT)
        .assert_exit(2, "an unallocated uid");
    ns.run(&["getent", "group", "wheel-of-monban"], LIMIT)
        .assert_exit(2, "another group");
    // daemon is managed by monban but lives in /etc/passwd: one line only.
    let d = ns.run(&["getent", "passwd", "daemon"], LIMIT);
    d.assert_exit(0, "getent passwd daemon");
    assert_eq!(d.stdout.lines().count(), 1, "{d:?}");
    assert!(d.stdout.starts_with("daemon:x:1:"), "{d:?}");
}

#[test]
fn enumeration_lists_accounts_only_when_configured() {
    let h = with_account("");
    let ns = NssNamespace::new(&h, h.socket());
    let all = ns.run(&["getent", "passwd"], LIMIT);
    all.assert_exit(0, "getent passwd");
    assert!(all.stdout.starts_with("root:"), "{all:?}");
    assert!(!all.stdout.contains("hanako"), "{all:?}");

    let h = with_account("[accounts]\nenumerate = true\n");
    let ns = NssNamespace::new(&h, h.socket());
    let all = ns.run(&["getent", "passwd"], LIMIT);
    all.assert_exit(0, "getent passwd");
    assert!(all.stdout.contains("\nhanako:*:200000:200000:"), "{all:?}");
    let groups = ns.run(&["getent", "group"], LIMIT);
    assert!(
        groups.stdout.contains("\nmonban-users:*:200000:"),
        "{groups:?}"
    );
}

#[test]
fn with_the_daemon_stopped_or_hung_files_answers_at_once_and_monban_within_a_second() {
    let mut h = with_account("");
    h.stop();
    let ns = NssNamespace::new(&h, h.socket());
    let root = ns.run(&["getent", "passwd", "root"], LIMIT);
    root.assert_exit(0, "getent passwd root, daemon stopped");
    let gone = ns.run(&["getent", "passwd", "hanako"], LIMIT);
    gone.assert_exit(2, "getent passwd hanako, daemon stopped");
    assert!(gone.elapsed < Duration::from_secs(1), "{:?}", gone.elapsed);

    // A listener that never answers (root's, so the module trusts it).
    let hung_path = h.dir().join("hung.sock");
    let _hung = UnixListener::bind(&hung_path).unwrap();
    let ns = NssNamespace::new(&h, &hung_path);
    let root = ns.run(&["getent", "passwd", "root"], LIMIT);
    root.assert_exit(0, "getent passwd root, daemon hung");
    assert!(root.elapsed < Duration::from_secs(1), "{:?}", root.elapsed);
    let hung = ns.run(&["getent", "passwd", "hanako"], LIMIT);
    hung.assert_exit(2, "getent passwd hanako, daemon hung");
    assert!(hung.elapsed < Duration::from_secs(1), "{:?}", hung.elapsed);
}

/// A listener that answers every lookup with a forged entry for hanako
/// (uid 4242), run as `uid`; returns once it listens.
fn forger(uid: u32, path: &std::path::Path) -> std::process::Child {
    let script = format!(
        r#"
import json, socket, struct
reply = json.dumps({{"v": 2, "msg": {{"lookup": {{"user": {{"name": "hanako",
    "uid": 4242, "gid": 4242, "home": "/root", "shell": "/bin/bash"}}}}}}}}).encode()
s = socket.socket(socket.AF_UNIX)
s.bind({path:?})
s.listen(8)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    head = c.recv(4)
    if len(head) < 4:  # a client that looked at us and left
        c.close()
        continue
    n = struct.unpack(">I", head)[0]
    while n > 0:
        n -= len(c.recv(n))
    c.sendall(struct.pack(">I", len(reply)) + reply)
    c.close()
"#,
        path = path.display().to_string()
    );
    let mut child = std::process::Command::new("setpriv")
        .args([
            &format!("--reuid={uid}"),
            &format!("--regid={uid}"),
            "--clear-groups",
            "/usr/bin/python3",
            "-c",
            &script,
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready", "the forger did not start");
    child
}

#[test]
fn an_impostor_at_the_socket_is_not_believed() {
    let h = with_account("");
    // nobody's listener in a directory root owns (0755): neither root nor
    // the directory's owner, so the module sends it nothing.
    let dir = h.dir().join("impostor");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let path = dir.join("s.sock");
    let mut impostor = forger(65534, &path);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let r = NssNamespace::new(&h, &path).run(&["getent", "passwd", "hanako"], LIMIT);
    let _ = impostor.kill();
    let _ = impostor.wait();
    r.assert_exit(
        2,
        "getent passwd hanako with nobody's listener at the socket",
    );

    // Control: the same forgery from root, whom the module trusts, is
    // taken, so the refusal above is the listener check at work.
    let path = h.dir().join("root-forger.sock");
    let mut trusted = forger(0, &path);
    let r = NssNamespace::new(&h, &path).run(&["getent", "passwd", "hanako"], LIMIT);
    let _ = trusted.kill();
    let _ = trusted.wait();
    r.assert_exit(0, "getent passwd hanako from root's listener");
    assert!(r.stdout.starts_with("hanako:*:4242:4242:"), "{r:?}");
}

#[test]
fn an_account_logs_in_through_real_libpam_and_pam_unix_finds_it_through_nss() {
    let h = with_account("");
    let stack = "auth     required {module} socket={socket}\n\
                 account  required {module} socket={socket}\n\
                 account  required pam_unix.so\n\
                 session  required {module} socket={socket}\n";
    let ns = NssNamespace::new(&h, h.socket());
    let out = h
        .pam("hanako")
        .stack(stack)
        .ops(&["auth", "acct", "open"])
        .answers(&[PW])
        .wrapped_in(&ns.prefix())
        .run();
    out.expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS")
        .expect("open", "PAM_SUCCESS");
    // Control: without NSS (outside the namespace) the same stack's
    // pam_unix does not know the user: the account exists only in monban.
    let out = h
        .pam("hanako")
        .stack(stack)
        .ops(&["auth", "acct"])
        .answers(&[PW])
        .run();
    out.expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_USER_UNKNOWN");
}

#[test]
fn the_uid_is_shown_kept_and_never_reused_and_known_names_are_refused() {
    let h = with_account("");
    let status = h.cli(&["status", "hanako"]).json().run();
    status.assert_exit(0, "status hanako");
    let v = status.json();
    assert_eq!(user_entry(&v, "hanako").unwrap()["uid"], 200_000, "{v}");
    let list = h.cli(&["user", "list"]).run();
    assert!(list.stdout.contains("UID"), "{list:?}");
    assert!(list.stdout.contains("200000"), "{list:?}");

    let taken = h
        .cli(&["user", "add", "daemon", "--account", "--password-stdin"])
        .stdin_lines(&[PW])
        .run();
    assert_ne!(taken.code(), 0, "{taken:?}");
    assert!(
        taken.stderr.contains("already exists on this system"),
        "{taken:?}"
    );

    h.cli(&["user", "remove", "hanako"])
        .run()
        .assert_exit(0, "user remove hanako");
    let ns = NssNamespace::new(&h, h.socket());
    ns.run(&["getent", "passwd", "hanako"], LIMIT)
        .assert_exit(2, "a removed account");
    h.cli(&["user", "add", "taro", "--account", "--password-stdin"])
        .stdin_lines(&[PW])
        .run()
        .assert_exit(0, "user add taro --account");
    let taro = ns.run(&["getent", "passwd", "taro"], LIMIT);
    assert!(taro.stdout.starts_with("taro:*:200001:"), "{taro:?}");
    ns.run(&["getent", "passwd", "200000"], LIMIT)
        .assert_exit(2, "hanako's uid went with her and is not handed on");
}

/// Issue 15's "done when": an account added once logs in on every host of
/// a fleet with the same uid, and no host has a local entry for it.
#[test]
fn an_account_added_on_one_host_has_its_uid_and_logs_in_on_another() {
    let Some((url, password)) = monban_e2e::pg::shared() else {
        return;
    };
    let schema = monban_e2e::pg::new_schema(&url, &password);
    let mut a = Harness::fleet_host(&schema, &password, &std::path::PathBuf::new(), "host-a", "");
    a.start();
    let mut b = Harness::fleet_host(&schema, &password, &a.secret_key(), "host-b", "");
    b.start();
    for (host, name) in [(&a, "hanako"), (&b, "taro")] {
        host.cli(&["user", "add", name, "--account", "--password-stdin"])
            .stdin_lines(&[PW])
            .run()
            .assert_exit(0, &format!("user add {name} --account"));
    }
    for host in [&a, &b] {
        let ns = NssNamespace::new(host, host.socket());
        let hanako = ns.run(&["getent", "passwd", "hanako"], LIMIT);
        assert!(hanako.stdout.starts_with("hanako:*:200000:"), "{hanako:?}");
        let taro = ns.run(&["getent", "passwd", "taro"], LIMIT);
        assert!(taro.stdout.starts_with("taro:*:200001:"), "{taro:?}");
    }
    let ns = NssNamespace::new(&b, b.socket());
    b.pam("hanako")
        .stack(
            "auth     required {module} socket={socket}\n\
             account  required {module} socket={socket}\n\
             account  required pam_unix.so\n",
        )
        .answers(&[PW])
        .wrapped_in(&ns.prefix())
        .run()
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
}

/// SPEC §13: were `[accounts] group` a group that leads to root, every
/// account would be in it; an administrator must not mint such accounts.
#[test]
fn an_administrator_cannot_add_accounts_into_a_privileged_group() {
    const ADMIN_PW: &str = "Admin-Login-Pass-1";
    const ADMIN_CONFIRM: &str = "Admin-Confirm-Pass-2";
    let h = Harness::with_config("[accounts]\ngroup = \"sudo\"\ngid = 250000\n");
    h.add_user("daemon", ADMIN_PW);
    h.set_confirmation_password(monban_e2e::DAEMON, ADMIN_PW, ADMIN_CONFIRM);
    let refused = h
        .cli(&["user", "add", "eve", "--account", "--password-stdin"])
        .as_account(monban_e2e::DAEMON)
        .stdin_lines(&[ADMIN_CONFIRM, PW])
        .run();
    assert_ne!(refused.code(), 0, "{refused:?}");
    assert!(
        refused.stderr.contains("only root may add accounts"),
        "{refused:?}"
    );
    // Control: the same administrator adds a plain managed user, and root
    // (whose choice the configuration is) adds the account.
    h.cli(&["user", "add", "nobody", "--password-stdin"])
        .as_account(monban_e2e::DAEMON)
        .stdin_lines(&[ADMIN_CONFIRM, PW])
        .run()
        .assert_exit(0, "the administrator adds a managed user");
    h.cli(&["user", "add", "eve", "--account", "--password-stdin"])
        .stdin_lines(&[PW])
        .run()
        .assert_exit(0, "root adds the account");
}
