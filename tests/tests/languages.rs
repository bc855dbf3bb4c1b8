//! SPEC §7 end to end: Japanese and English through real libpam and the
//! real CLI — prompts, the suspension, a temporary password's change, the
//! expiry and deadline warnings, the session notice, the composition
//! errors — and each step of the choice of language. The machine has no
//! Japanese locale: only the locale names are read.

use std::time::Duration;

use monban_e2e::{Harness, NOBODY, PamOutcome, sleep_until};
use serde_json::Value;

const PW: &str = "Correct-Horse-1";
const WRONG: &str = "Wrong-Horse-9";
const JA: &str = "ja_JP.UTF-8";
const EN: &str = "en_US.UTF-8";

/// English words left in a Japanese text, once the commands it quotes
/// (`…`), `extra` (user names, hosts) and `ID` (ユーザーID, the seed's own
/// word) are taken out.
fn english_words(text: &str, extra: &[&str]) -> Vec<String> {
    let mut rest = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 0 {
            rest.push_str(part);
            rest.push(' ');
        }
    }
    for e in extra {
        rest = rest.replace(e, " ");
    }
    rest.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 2 && *w != "ID")
        .map(str::to_string)
        .collect()
}

fn assert_japanese(text: &str, extra: &[&str], what: &str) {
    assert!(
        text.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
        "{what}: no Japanese in {text:?}"
    );
    let left = english_words(text, extra);
    assert!(left.is_empty(), "{what}: English left {left:?} in {text:?}");
}

/// Answers a Japanese (or English) password change by what each prompt
/// asks: retype and new get `new`, everything else `old`.
fn answer_change(old: &str, new: &str) -> impl FnMut(&str) -> Option<String> {
    let (old, new) = (old.to_string(), new.to_string());
    move |prompt| {
        let p = prompt.to_lowercase();
        let wants_new = p.contains("新しい") || p.contains("new");
        Some(if wants_new { new.clone() } else { old.clone() })
    }
}

fn login_ja(h: &Harness, user: &str, password: &str) -> PamOutcome {
    h.pam(user).pam_env("LANG", JA).answers(&[password]).run()
}

// ------------------------------------------------------------------ prompts

#[test]
fn the_login_prompt_follows_the_pam_environment() {
    let h = Harness::new();
    h.add_user("alice", PW);
    let ja = login_ja(&h, "alice", PW);
    ja.expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
    let prompt = &ja.prompts()[0];
    assert!(prompt.contains("ログインパスワード"), "{prompt:?}");
    assert_japanese(prompt, &[], "login prompt");
    // Control: nothing names a language, the default is English.
    let en = h.login("alice", PW);
    assert_eq!(en.prompts(), vec!["Password: "]);
}

#[test]
fn the_confirmation_prompt_in_japanese() {
    let h = Harness::new();
    h.add_user("alice", PW);
    // Root sets alice's confirmation password through the stack.
    h.pam("alice")
        .module_args(&["credential=confirm"])
        .ops(&["chauthtok"])
        .answers(&["Confirm-Secret-2", "Confirm-Secret-2"])
        .run()
        .expect("chauthtok", "PAM_SUCCESS");
    let out = h
        .pam("alice")
        .module_args(&["credential=confirm"])
        .pam_env("LANG", JA)
        .ops(&["auth"])
        .answers(&["Confirm-Secret-2"])
        .run();
    out.expect("auth", "PAM_SUCCESS");
    let prompt = &out.prompts()[0];
    assert!(prompt.contains("確認用パスワード"), "{prompt:?}");
    assert_japanese(prompt, &[], "confirmation prompt");
}

#[test]
fn the_one_time_password_prompt_in_japanese() {
    let h = Harness::new();
    h.add_user(NOBODY.name, PW);
    let enrolment = h.enroll_otp(NOBODY, PW, 6, 30);
    let mut asked = Vec::new();
    let out = h
        .pam(NOBODY.name)
        .pam_env("LC_MESSAGES", "ja_JP")
        .ops(&["auth"])
        .run_responding(|prompt| {
            asked.push(prompt.to_string());
            if asked.len() == 1 {
                Some(PW.to_string())
            } else {
                let step = monban_e2e::fresh_step(30, enrolment.step);
                Some(monban_e2e::totp(&enrolment.secret, 6, 30, step * 30))
            }
        });
    out.expect("auth", "PAM_SUCCESS");
    let prompts = out.prompts();
    assert_eq!(prompts.len(), 2, "{}", out.transcript());
    assert!(prompts[1].contains("ワンタイムパスワード"), "{prompts:?}");
    assert_japanese(&prompts[1], &[], "one-time prompt");
}

// ------------------------------------------------------------ messages

#[test]
fn the_suspension_message_says_riyou_teishi_and_nothing_in_english() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("alice", PW);
    h.fail_logins("alice", WRONG, 2);
    let out = login_ja(&h, "alice", PW);
    out.expect("auth", "PAM_AUTH_ERR");
    let said = out.messages();
    assert!(said.contains("利用停止"), "{}", out.transcript());
    assert_japanese(&said, &["alice"], "suspension");
    // Control: the English message is unchanged.
    let en = h.login("alice", PW);
    assert!(en.messages().contains("suspended"), "{}", en.transcript());
}

#[test]
fn a_temporary_password_is_changed_in_japanese() {
    let h = Harness::new();
    let out = h.cli(&["user", "add", "carol", "--temporary"]).json().run();
    out.assert_exit(0, "user add --temporary");
    let temp = out.json()["password"]
        .as_str()
        .expect("password")
        .to_string();
    let new = "Settled-Down-7";
    let first = h
        .pam("carol")
        .pam_env("LANG", JA)
        .ops(&["auth", "acct", "chauthtok"])
        .run_responding(answer_change(&temp, new));
    first
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_NEW_AUTHTOK_REQD")
        .expect("chauthtok", "PAM_SUCCESS");
    let said = first.messages();
    assert!(said.contains("仮パスワード"), "{}", first.transcript());
    assert_japanese(&said, &["carol"], "forced change");
    for prompt in first.prompts() {
        assert_japanese(&prompt, &[], "change prompt");
    }
    h.login("carol", new).expect("acct", "PAM_SUCCESS");
}

#[test]
fn the_expiry_warning_and_the_expired_password_in_japanese() {
    let h = Harness::with_config("[password]\nmax_age = \"4s\"\nwarn_days = 1\n");
    let set_at = monban_e2e::now();
    h.add_user("alice", PW);
    let early = login_ja(&h, "alice", PW);
    early.expect("acct", "PAM_SUCCESS");
    let said = early.messages();
    assert!(said.contains("有効期限"), "{}", early.transcript());
    assert_japanese(&said, &[], "expiry warning");

    sleep_until(set_at + 4, Duration::from_millis(1500));
    let late = h
        .pam("alice")
        .pam_env("LANG", JA)
        .ops(&["auth", "acct", "chauthtok"])
        .run_responding(answer_change(PW, "Renewed-Pass-5"));
    late.expect("acct", "PAM_NEW_AUTHTOK_REQD")
        .expect("chauthtok", "PAM_SUCCESS");
    assert!(
        late.messages().contains("パスワード有効期限切れ"),
        "{}",
        late.transcript()
    );
}

#[test]
fn the_deadline_warning_reads_the_date_in_japanese() {
    let h = Harness::new();
    h.add_user("alice", PW);
    h.cli(&["policy", "require-change", "--before", "+1h"])
        .run()
        .assert_exit(0, "policy require-change");
    let out = login_ja(&h, "alice", PW);
    out.expect("acct", "PAM_SUCCESS");
    let said = out.messages();
    // 2027年3月31日 09:00: the year, month and day in Japanese.
    let dated = regex_free_date(&said);
    assert!(dated, "a Japanese date in {said:?}");
    assert_japanese(&said, &[], "deadline warning");
}

/// Whether `text` holds a date written `YYYY年M月D日`.
fn regex_free_date(text: &str) -> bool {
    text.split('年').skip(1).any(|after| {
        let (month, rest) = after.split_once('月').unwrap_or(("", ""));
        let day = rest.split_once('日').map(|(d, _)| d).unwrap_or("");
        !month.is_empty()
            && month.chars().all(|c| c.is_ascii_digit())
            && !day.is_empty()
            && day.chars().all(|c| c.is_ascii_digit())
    })
}

#[test]
fn the_session_notice_in_japanese() {
    let h = Harness::new();
    h.add_user("alice", PW);
    h.pam("alice")
        .ops(&["auth", "acct", "open", "close"])
        .rhost("192.0.2.7")
        .answers(&[PW])
        .run()
        .expect("open", "PAM_SUCCESS");
    h.fail_logins("alice", WRONG, 2);
    let out = h
        .pam("alice")
        .pam_env("LANG", JA)
        .ops(&["auth", "acct", "open"])
        .answers(&[PW])
        .run();
    out.expect("open", "PAM_SUCCESS");
    let infos = out.infos().join("\n");
    assert!(infos.contains("192.0.2.7"), "{}", out.transcript());
    assert!(infos.contains('2'), "the failures since: {infos}");
    assert_japanese(&infos, &["192.0.2.7", "monban-test-0"], "session notice");
}

// ------------------------------------------------------ composition errors

const SEED_LENGTH: &str = "10~20文字で入力してください";
const SEED_CLASSES: &str = "英大文字・英小文字・数字・記号のうち2種類以上を含めて入力してください";
const SEED_NAME: &str = "ユーザーIDを含めないでください";

fn seed_policy() -> Harness {
    let h = Harness::with_config("[password]\nmin_length = 10\nmax_length = 20\n");
    h.add_user("yamagishi", "Tsubaki-2026-x");
    h
}

#[test]
fn policy_check_says_the_municipal_sentences_with_the_configured_numbers() {
    let h = seed_policy();
    for (candidate, sentence) in [
        ("yama001", SEED_LENGTH),
        ("aaaaaaaaaaaa", SEED_CLASSES),
        ("Yamagishi0012", SEED_NAME),
    ] {
        let out = h
            .cli(&["policy", "check", "yamagishi"])
            .env("LANG", JA)
            .stdin_lines(&[candidate])
            .run();
        assert!(
            out.stdout.contains(sentence),
            "{candidate}: {sentence} in\n{}{}",
            out.stdout,
            out.stderr
        );
    }
    // Control: the English report still speaks English.
    let en = h
        .cli(&["policy", "check", "yamagishi"])
        .stdin_lines(&["yama001"])
        .run();
    assert!(!en.stdout.contains("文字"), "{}", en.stdout);
}

#[test]
fn a_refused_change_lists_every_failed_rule_in_japanese() {
    let h = seed_policy();
    let out = h
        .pam("yamagishi")
        .pam_env("LANG", JA)
        .ops(&["chauthtok"])
        .answers(&["yamagishi", "yamagishi"])
        .run();
    out.expect("chauthtok", "PAM_AUTHTOK_ERR");
    let said = out.errors().join("\n");
    for sentence in [SEED_LENGTH, SEED_CLASSES, SEED_NAME] {
        assert!(said.contains(sentence), "{sentence} in\n{said}");
    }
}

// ------------------------------------------------------------------ the CLI

#[test]
fn status_and_user_list_in_japanese_with_the_same_json() {
    let h = Harness::with_config("[lockout]\nmax_failures = 1\n");
    h.add_user("alice", PW);
    h.fail_logins("alice", WRONG, 1);
    let status = h.cli(&["status", "alice"]).env("LANG", JA).run();
    status.assert_exit(0, "status in Japanese");
    assert!(
        status.stdout.contains("ログインパスワード"),
        "{}",
        status.stdout
    );
    assert!(status.stdout.contains("利用停止"), "{}", status.stdout);
    let list = h.cli(&["user", "list"]).env("LANG", JA).run();
    list.assert_exit(0, "user list in Japanese");
    assert!(list.stdout.contains("alice"), "{}", list.stdout);
    assert_japanese(&list.stdout, &["alice"], "user list");

    let shape = |lang: &str| {
        let out = h.cli(&["status", "alice"]).env("LANG", lang).json().run();
        out.assert_exit(0, "status --json");
        keys(&out.json())
    };
    assert_eq!(
        shape(JA),
        shape(EN),
        "--json has one shape in every language"
    );
}

/// Every key path of a JSON document, values left out.
fn keys(v: &Value) -> Vec<String> {
    fn walk(v: &Value, at: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, x)| {
                let path = format!("{at}.{k}");
                out.push(path.clone());
                walk(x, &path, out);
            }),
            Value::Array(a) => a.iter().for_each(|x| walk(x, &format!("{at}[]"), out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, "", &mut out);
    out.sort();
    out.dedup();
    out
}

// ------------------------------------------------- the order of SPEC §7

fn first_prompt(out: &PamOutcome) -> String {
    out.prompts().first().cloned().unwrap_or_default()
}

fn is_japanese(s: &str) -> bool {
    s.contains("ログインパスワード")
}

#[test]
fn step_1_the_module_argument_outranks_the_pam_environment() {
    let h = Harness::new();
    h.add_user("alice", PW);
    let out = h
        .pam("alice")
        .module_args(&["lang=en"])
        .pam_env("LANG", JA)
        .answers(&[PW])
        .run();
    assert_eq!(first_prompt(&out), "Password: ");
    let out = h
        .pam("alice")
        .module_args(&["lang=ja"])
        .pam_env("LANG", EN)
        .answers(&[PW])
        .run();
    assert!(is_japanese(&first_prompt(&out)), "{}", out.transcript());
}

#[test]
fn step_2_the_pam_environment_outranks_the_stored_preference() {
    let h = Harness::new();
    h.cli(&[
        "user",
        "add",
        "alice",
        "--password-stdin",
        "--language",
        "ja",
    ])
    .stdin_lines(&[PW])
    .run()
    .assert_exit(0, "user add --language ja");
    let out = h.pam("alice").pam_env("LC_ALL", EN).answers(&[PW]).run();
    assert_eq!(first_prompt(&out), "Password: ");
    // Control: without it, the preference speaks.
    let out = h.login("alice", PW);
    assert!(is_japanese(&first_prompt(&out)), "{}", out.transcript());
}

#[test]
fn step_3_the_stored_preference_outranks_the_process_environment() {
    let h = Harness::new();
    h.add_user("alice", PW);
    h.cli(&["user", "set", "alice", "--language", "ja"])
        .run()
        .assert_exit(0, "user set --language ja");
    let out = h.pam("alice").process_env("LANG", EN).answers(&[PW]).run();
    assert!(is_japanese(&first_prompt(&out)), "{}", out.transcript());
    h.cli(&["user", "set", "alice", "--language", "none"])
        .run()
        .assert_exit(0, "user set --language none");
    let out = h.pam("alice").process_env("LANG", EN).answers(&[PW]).run();
    assert_eq!(first_prompt(&out), "Password: ");
}

#[test]
fn step_4_the_process_environment_outranks_the_daemon_language() {
    let h = Harness::with_config("[daemon]\nlanguage = \"ja\"\n");
    h.add_user("alice", PW);
    let out = h.pam("alice").process_env("LANG", EN).answers(&[PW]).run();
    assert_eq!(first_prompt(&out), "Password: ");
    let out = h.pam("alice").process_env("LANG", JA).answers(&[PW]).run();
    assert!(is_japanese(&first_prompt(&out)), "{}", out.transcript());
}

#[test]
fn step_5_the_daemon_language_when_nothing_else_names_one() {
    let h = Harness::with_config("[daemon]\nlanguage = \"ja\"\n");
    h.add_user("alice", PW);
    let out = h.login("alice", PW);
    assert!(is_japanese(&first_prompt(&out)), "{}", out.transcript());
}

#[test]
fn c_and_posix_name_no_language() {
    let h = Harness::with_config("[daemon]\nlanguage = \"ja\"\n");
    h.add_user("alice", PW);
    for (name, value) in [("LANG", "C"), ("LC_ALL", "POSIX"), ("LANG", "C.UTF-8")] {
        let pam = h.pam("alice").pam_env(name, value).answers(&[PW]).run();
        assert!(is_japanese(&first_prompt(&pam)), "PAM {name}={value}");
        let process = h.pam("alice").process_env(name, value).answers(&[PW]).run();
        assert!(
            is_japanese(&first_prompt(&process)),
            "process {name}={value}"
        );
    }
}

#[test]
fn the_cli_speaks_its_own_locale_then_the_preference_then_the_daemon_language() {
    let h = Harness::new();
    h.add_user(NOBODY.name, PW);
    let status = |lang: Option<&str>| {
        let run = h.cli(&["status"]).as_account(NOBODY);
        let run = match lang {
            Some(l) => run.env("LANG", l),
            None => run,
        };
        let out = run.run();
        out.assert_exit(0, "own status");
        out.stdout
    };
    assert!(
        !status(None).contains("ログインパスワード"),
        "default English"
    );
    assert!(
        status(Some(JA)).contains("ログインパスワード"),
        "own locale"
    );
    h.cli(&["language", "ja"])
        .as_account(NOBODY)
        .run()
        .assert_exit(0, "monban language ja");
    assert!(
        status(None).contains("ログインパスワード"),
        "the preference"
    );
    assert!(
        !status(Some(EN)).contains("ログインパスワード"),
        "own locale first"
    );
    assert!(
        status(Some("C")).contains("ログインパスワード"),
        "C is none"
    );
}
