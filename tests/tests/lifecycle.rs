//! Issue 3: a password's life, end to end: temporary passwords and the
//! forced change, expiry, change deadlines, and migration from shadow(5)
//! and from weaker hashes. The composition rules are in `policy.rs`.

use std::time::Duration;

use monban_e2e::{
    Harness, NOBODY, change_flow, now, sleep_until, system_crypt, today_days, user_entry,
};
use serde_json::Value;

const INITIAL: &str = "Initial-Pass-1";

fn generated_password(out: &monban_e2e::Output) -> (String, Option<i64>) {
    let v = out.json();
    let pw = v["password"]
        .as_str()
        .unwrap_or_else(|| panic!("a generated password in {v}"))
        .to_string();
    (pw, v["valid_until"].as_i64())
}

fn status_of(h: &Harness, user: &str) -> Value {
    let out = h.cli(&["status", user]).json().run();
    out.assert_exit(0, &format!("status {user}"));
    let v = out.json();
    user_entry(&v, user)
        .cloned()
        .unwrap_or_else(|| panic!("status names {user}: {v}"))
}

// ---------------------------------------------------------------- temporary passwords

#[test]
fn temporary_password_forces_a_change_in_the_same_login() {
    let h = Harness::new();
    let out = h.cli(&["user", "add", "carol", "--temporary"]).json().run();
    out.assert_exit(0, "user add --temporary");
    let (temp, valid_until) = generated_password(&out);
    assert!(valid_until.is_some_and(|t| t > now()), "{}", out.stdout);

    let st = status_of(&h, "carol");
    assert!(
        !st["must_change"].is_null(),
        "status shows the forced change: {st}"
    );
    assert!(
        !st["temporary_until"].is_null(),
        "status shows the validity: {st}"
    );

    let new = "Settled-Down-7";
    let first = h
        .pam("carol")
        .ops(&["auth", "acct", "chauthtok"])
        .run_answering(&change_flow(&temp, new));
    first
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_NEW_AUTHTOK_REQD")
        .expect("chauthtok", "PAM_SUCCESS");
    assert!(
        !first.messages().is_empty(),
        "the user is told why\n{}",
        first.transcript()
    );
    assert_eq!(first.exit_code(), 0, "{}", first.transcript());

    h.login("carol", new)
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
    h.login("carol", &temp).expect("auth", "PAM_AUTH_ERR");
    let st = status_of(&h, "carol");
    assert!(st["must_change"].is_null(), "{st}");
    assert!(st["temporary_until"].is_null(), "{st}");
}

#[test]
fn admin_reset_gives_a_temporary_password_that_forces_a_change() {
    let h = Harness::new();
    h.add_user("alice", INITIAL);
    let out = h.cli(&["user", "reset", "alice"]).json().run();
    out.assert_exit(0, "user reset");
    let (temp, _) = generated_password(&out);
    h.login("alice", INITIAL).expect("auth", "PAM_AUTH_ERR");
    h.login("alice", &temp)
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_NEW_AUTHTOK_REQD");
}

#[test]
fn reset_with_a_given_password_and_no_forced_change() {
    let h = Harness::new();
    h.add_user("alice", INITIAL);
    h.cli(&[
        "user",
        "reset",
        "alice",
        "--password-stdin",
        "--no-force-change",
    ])
    .stdin_lines(&["Given-By-Admin-3"])
    .run()
    .assert_exit(0, "user reset --no-force-change");
    h.login("alice", "Given-By-Admin-3")
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
}

#[test]
fn a_lapsed_temporary_password_no_longer_authenticates() {
    let h = Harness::new();
    h.add_user("alice", INITIAL);
    let out = h
        .cli(&["user", "reset", "alice", "--valid-for", "2s"])
        .json()
        .run();
    out.assert_exit(0, "user reset --valid-for 2s");
    let (temp, valid_until) = generated_password(&out);
    let until = valid_until.unwrap_or_else(|| panic!("valid_until in {}", out.stdout));
    assert!(
        until <= now() + 3,
        "valid_until {until} honours --valid-for"
    );
    sleep_until(until, Duration::from_millis(1200));
    let late = h.login("alice", &temp);
    late.expect("auth", "PAM_AUTH_ERR");
    assert!(
        late.messages().contains("administrator"),
        "the message says to ask an administrator\n{}",
        late.transcript()
    );
}

#[test]
fn temporary_password_validity_comes_from_the_config() {
    let h = Harness::with_config("[temporary_password]\nvalid_for = \"2s\"\n");
    let out = h.cli(&["user", "add", "carol", "--temporary"]).json().run();
    out.assert_exit(0, "user add --temporary");
    let (temp, valid_until) = generated_password(&out);
    let until = valid_until.expect("valid_until");
    assert!(until <= now() + 3, "valid_for from config: {until}");
    sleep_until(until, Duration::from_millis(1200));
    h.login("carol", &temp).expect("auth", "PAM_AUTH_ERR");
}

#[test]
fn generated_temporary_password_has_the_configured_length() {
    let h = Harness::with_config("[temporary_password]\nlength = 20\n");
    let out = h.cli(&["user", "add", "carol", "--temporary"]).json().run();
    out.assert_exit(0, "user add --temporary");
    let (temp, _) = generated_password(&out);
    assert_eq!(temp.chars().count(), 20, "{temp:?}");
}

// ---------------------------------------------------------------- expiry

#[test]
fn expiry_warns_then_forces_a_change() {
    let h = Harness::with_config("[password]\nmax_age = \"4s\"\nwarn_days = 1\n");
    let set_at = now();
    h.add_user("alice", INITIAL);
    let early = h.login("alice", INITIAL);
    early
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
    assert!(
        early.messages().contains("expires"),
        "a warning inside warn_days\n{}",
        early.transcript()
    );
    let st = status_of(&h, "alice");
    assert!(st["password_expires_at"].as_i64().is_some(), "{st}");

    sleep_until(set_at + 4, Duration::from_millis(1500));
    let new = "Renewed-Pass-5";
    let late = h
        .pam("alice")
        .ops(&["auth", "acct", "chauthtok"])
        .run_answering(&change_flow(INITIAL, new));
    late.expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_NEW_AUTHTOK_REQD")
        .expect("chauthtok", "PAM_SUCCESS");
    assert!(late.messages().contains("expired"), "{}", late.transcript());
    h.login("alice", new)
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
}

#[test]
fn no_expiry_warning_outside_the_window() {
    let h = Harness::with_config("[password]\nmax_age = \"30d\"\nwarn_days = 7\n");
    h.add_user("alice", INITIAL);
    let out = h.login("alice", INITIAL);
    out.expect("acct", "PAM_SUCCESS");
    assert!(!out.messages().contains("expires"), "{}", out.transcript());
}

// ---------------------------------------------------------------- deadlines

#[test]
fn deadline_warns_before_the_date() {
    let h = Harness::new();
    h.add_user("alice", INITIAL);
    h.cli(&["policy", "require-change", "--before", "+1h"])
        .run()
        .assert_exit(0, "policy require-change");
    let out = h.login("alice", INITIAL);
    out.expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
    assert!(
        out.messages().contains("before"),
        "a warning with the date\n{}",
        out.transcript()
    );
}

#[test]
fn deadline_forces_a_change_after_the_date_and_only_for_older_passwords() {
    let h = Harness::new();
    h.add_user("alice", INITIAL);
    let before = now() + 2;
    h.cli(&["policy", "require-change", "--before", "+2s"])
        .run()
        .assert_exit(0, "policy require-change");
    // Set after the campaign began: not concerned.
    std::thread::sleep(Duration::from_millis(1100));
    h.add_user("bob", INITIAL);

    let campaigns = h.cli(&["policy", "campaigns"]).json().run();
    campaigns.assert_exit(0, "policy campaigns");
    assert_eq!(
        campaigns.json().as_array().map(Vec::len),
        Some(1),
        "{}",
        campaigns.stdout
    );

    sleep_until(before, Duration::from_millis(1500));
    let new = "After-Deadline-8";
    let out = h
        .pam("alice")
        .ops(&["auth", "acct", "chauthtok"])
        .run_answering(&change_flow(INITIAL, new));
    out.expect("acct", "PAM_NEW_AUTHTOK_REQD")
        .expect("chauthtok", "PAM_SUCCESS");
    h.login("alice", new).expect("acct", "PAM_SUCCESS");
    h.login("bob", INITIAL).expect("acct", "PAM_SUCCESS");
}

#[test]
fn clearing_the_deadline_lifts_it() {
    let h = Harness::new();
    h.add_user("alice", INITIAL);
    let before = now() + 2;
    h.cli(&["policy", "require-change", "--before", "+2s"])
        .run()
        .assert_exit(0, "policy require-change");
    h.cli(&["policy", "clear-change", "--all"])
        .run()
        .assert_exit(0, "policy clear-change --all");
    let list = h.cli(&["policy", "campaigns"]).json().run();
    assert_eq!(
        list.json().as_array().map(Vec::len),
        Some(0),
        "{}",
        list.stdout
    );
    sleep_until(before, Duration::from_millis(1200));
    h.login("alice", INITIAL).expect("acct", "PAM_SUCCESS");
}

#[test]
fn deadline_for_a_group_spares_other_users() {
    let h = Harness::new();
    // nobody's primary group is nogroup; alice is no system account at all.
    h.add_user("nobody", INITIAL);
    h.add_user("alice", INITIAL);
    let before = now() + 2;
    h.cli(&[
        "policy",
        "require-change",
        "--before",
        "+2s",
        "--group",
        "nogroup",
    ])
    .run()
    .assert_exit(0, "policy require-change --group");
    sleep_until(before, Duration::from_millis(1500));
    h.login("nobody", INITIAL)
        .expect("acct", "PAM_NEW_AUTHTOK_REQD");
    h.login("alice", INITIAL).expect("acct", "PAM_SUCCESS");
}

// ---------------------------------------------------------------- migration

fn shadow_line(user: &str, hash: &str, last_change: i64, max_days: &str) -> String {
    format!("{user}:{hash}:{last_change}:0:{max_days}:7:::\n")
}

fn import(h: &Harness, shadow: &str, users: &[&str]) -> monban_e2e::Output {
    let file = h.dir().join("shadow");
    std::fs::write(&file, shadow).expect("write fake shadow");
    let path = file.display().to_string();
    let mut args = vec!["import", "shadow", "--shadow-file", &path];
    args.extend_from_slice(users);
    h.cli(&args).run()
}

fn hashes_of_kind(h: &Harness, prefix: &str) -> usize {
    h.db_values().lines().filter(|l| l.contains(prefix)).count()
}

#[test]
fn imported_yescrypt_hash_logs_in_and_is_rehashed_to_argon2id() {
    let h = Harness::new();
    let hash = system_crypt("Migrated-Pass-1", "$y$j9T$abcdefghijklmnop$");
    import(
        &h,
        &shadow_line("dave", &hash, today_days(), "99999"),
        &["dave"],
    )
    .assert_exit(0, "import shadow dave");
    assert!(
        h.db_values().contains(&hash),
        "the imported hash is stored as is until the first login"
    );
    h.login("dave", "Wrong-Pass-1")
        .expect("auth", "PAM_AUTH_ERR");
    h.login("dave", "Migrated-Pass-1")
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
    let values = h.db_values();
    assert!(
        !values.contains(&hash),
        "yescrypt hash still stored after the login"
    );
    assert!(!values.contains("$y$"), "a yescrypt hash is still stored");
    h.login("dave", "Migrated-Pass-1")
        .expect("auth", "PAM_SUCCESS");
}

#[test]
fn imported_sha512crypt_hash_logs_in() {
    let h = Harness::new();
    let hash = system_crypt("Migrated-Pass-2", "$6$saltsaltsalt$");
    import(
        &h,
        &shadow_line("erin", &hash, today_days(), "99999"),
        &["erin"],
    )
    .assert_exit(0, "import shadow erin");
    h.login("erin", "Migrated-Pass-2")
        .expect("auth", "PAM_SUCCESS");
    assert!(
        !h.db_values().contains(&hash),
        "sha512crypt hash kept after login"
    );
}

#[test]
fn import_only_takes_the_named_users_and_skips_locked_entries() {
    let h = Harness::new();
    let a = system_crypt("Migrated-Pass-3", "$6$aaaaaaaa$");
    let shadow = format!(
        "{}{}{}",
        shadow_line("frank", &a, today_days(), "99999"),
        shadow_line("grace", &a, today_days(), "99999"),
        shadow_line("heidi", "!", today_days(), "99999"),
    );
    import(&h, &shadow, &["frank"]).assert_exit(0, "import frank only");
    h.login("frank", "Migrated-Pass-3")
        .expect("auth", "PAM_SUCCESS");
    h.login("grace", "Migrated-Pass-3")
        .expect("auth", "PAM_USER_UNKNOWN");
    let out = import(&h, &shadow, &["heidi"]);
    assert_ne!(out.code(), 0, "a locked shadow entry has nothing to import");
}

#[test]
fn import_is_root_only() {
    let h = Harness::new();
    let hash = system_crypt("Migrated-Pass-4", "$6$bbbbbbbb$");
    let file = h.dir().join("shadow");
    std::fs::write(&file, shadow_line("ivan", &hash, today_days(), "99999")).expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let path = file.display().to_string();
    let out = h
        .cli(&["import", "shadow", "--shadow-file", &path, "ivan"])
        .as_account(NOBODY)
        .stdin_lines(&["anything"])
        .run();
    out.assert_exit(1, "import as nobody");
    h.login("ivan", "Migrated-Pass-4")
        .expect("auth", "PAM_USER_UNKNOWN");
}

#[test]
fn imported_shadow_aging_comes_along() {
    let h = Harness::new();
    let hash = system_crypt("Migrated-Pass-5", "$6$cccccccc$");
    // Changed 10 days ago, maximum age 5 days: expired.
    import(
        &h,
        &shadow_line("judy", &hash, today_days() - 10, "5"),
        &["judy"],
    )
    .assert_exit(0, "import judy");
    h.login("judy", "Migrated-Pass-5")
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_NEW_AUTHTOK_REQD");
}

#[test]
fn weaker_argon2_hashes_are_rehashed_at_login() {
    let mut h = Harness::new();
    h.add_user("alice", INITIAL);
    let weak = "$argon2id$v=19$m=1024,t=1,p=1$";
    let strong = "$argon2id$v=19$m=1024,t=2,p=1$";
    assert!(hashes_of_kind(&h, weak) >= 1, "{}", h.db_values());
    assert_eq!(hashes_of_kind(&h, strong), 0);
    h.reconfigure("[argon2]\niterations = 2\n");
    h.login("alice", INITIAL).expect("auth", "PAM_SUCCESS");
    assert!(
        hashes_of_kind(&h, strong) >= 1,
        "no rehash with the stronger parameters:\n{}",
        h.db_values()
    );
    h.login("alice", INITIAL).expect("auth", "PAM_SUCCESS");
}
