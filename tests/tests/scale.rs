//! SPEC §10 "Under load", the part a test can assert: `user list` and `log`
//! beyond what one reply could ever hold (8 MiB: about 14 000 users), paged
//! by the daemon and put back together by the real CLI.

use monban_e2e::{Harness, users_in};

const PW: &str = "Correct-Horse-1";
const USERS: usize = 20_000;
const ENTRIES: usize = 100_000;

/// Fills the stopped daemon's store straight through SQLite: `USERS` users
/// sharing alice's real password hash, three of them (spread over the
/// name range) with a suspended login password, and `ENTRIES` audit rows.
fn fill(h: &Harness) {
    let mut db = rusqlite::Connection::open(h.database()).expect("open the database");
    let tx = db.transaction().expect("transaction");
    {
        let hash: String = tx
            .query_row(
                "SELECT hash FROM credentials c JOIN users u ON u.id = c.user_id \
                 WHERE u.name = 'alice' AND c.kind = 'login'",
                [],
                |r| r.get(0),
            )
            .expect("alice's hash");
        let mut user = tx
            .prepare("INSERT INTO users (name, created_at) VALUES (?1, 1)")
            .unwrap();
        let mut cred = tx
            .prepare(
                "INSERT INTO credentials (user_id, kind, hash, set_at) \
                 VALUES (?1, 'login', ?2, strftime('%s','now'))",
            )
            .unwrap();
        let mut lock = tx
            .prepare(
                "INSERT INTO counters (user_id, kind, failures, locked_at) \
                 VALUES (?1, 'login', 5, 1)",
            )
            .unwrap();
        for i in 0..USERS {
            user.execute([format!("reader-{i:05}")]).unwrap();
            let id = tx.last_insert_rowid();
            cred.execute(rusqlite::params![id, hash]).unwrap();
            if [7, 9_999, 19_998].contains(&i) {
                lock.execute([id]).unwrap();
            }
        }
        let mut audit = tx
            .prepare(
                "INSERT INTO audit (at, event, actor, user, service, detail) \
                 VALUES (strftime('%s','now') - 200000 + ?1, 'auth_failure', 'root', 'reader-00001', 'sshd', ?1)",
            )
            .unwrap();
        for i in 0..ENTRIES {
            audit.execute([i as i64]).unwrap();
        }
    }
    tx.commit().expect("commit");
}

#[test]
fn user_list_and_log_beyond_one_reply_are_answered_whole() {
    let mut h = Harness::with_user("alice", PW);
    h.stop();
    fill(&h);
    h.start();

    let list = h.cli(&["user", "list"]).json().run();
    list.assert_exit(0, "user list --json of 20 001 users");
    eprintln!(
        "user list --json of {} users: {:?}",
        USERS + 1,
        list.elapsed
    );
    let names = users_in(&list.json());
    assert_eq!(names.len(), USERS + 1, "every user once");
    assert!(names.windows(2).all(|w| w[0] < w[1]), "in name order");
    let table = h.cli(&["user", "list"]).run();
    table.assert_exit(0, "user list (table)");
    assert_eq!(
        table.stdout.lines().count(),
        USERS + 2,
        "a header and a row each"
    );

    let locked = h.cli(&["user", "list", "--locked"]).json().run();
    locked.assert_exit(0, "user list --locked");
    assert_eq!(
        users_in(&locked.json()),
        ["reader-00007", "reader-09999", "reader-19998"]
    );

    // 60 000 entries: more than the old clamp's reply could carry.
    let log = h.cli(&["log", "--limit", "60000"]).json().run();
    log.assert_exit(0, "log --limit 60000");
    eprintln!("log --limit 60000 --json: {:?}", log.elapsed);
    let entries = log.json();
    let details: Vec<i64> = entries
        .as_array()
        .expect("an array")
        .iter()
        .filter(|e| e["event"] == "auth_failure")
        .map(|e| e["detail"].as_str().unwrap().parse().unwrap())
        .collect();
    let newest = ENTRIES as i64 - 1;
    let expected: Vec<i64> = (newest - 59_999..=newest).collect();
    assert_eq!(entries.as_array().unwrap().len(), 60_000);
    assert_eq!(
        details, expected,
        "the newest 60 000, oldest first, none twice"
    );

    // The store is still a working one.
    h.login("reader-12345", PW).expect("auth", "PAM_SUCCESS");
}
