//! What the handlers say, word for word in both languages: the English is
//! what it was before the catalogs (end-to-end tests and people's scripts
//! read it), the Japanese follows SPEC §7's wording.

use monban_proto::{Catalog, CredentialKind, ErrorCode, Lang, LoginRecord, Text};

use super::account::{failures_since_text, last_login_text};
use super::admin::sentences;
use super::auth::{DISABLED, OTP_GRACE_OVER, TEMPORARY_LAPSED, locked_text};
use super::password::rejection;
use super::{internal, user_unknown};
use crate::rules::policy;

fn en(text: &Text) -> String {
    Catalog::new(Lang::En).render(text)
}

fn ja(text: &Text) -> String {
    Catalog::new(Lang::Ja).render(text)
}

fn moment(lang: Lang, t: i64) -> String {
    let pattern = match lang {
        Lang::En => "%Y-%m-%d %H:%M",
        Lang::Ja => "%Y年%-m月%-d日 %H:%M",
    };
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap()
        .with_timezone(&chrono::Local)
        .format(pattern)
        .to_string()
}

const AT: i64 = 1_806_451_200;

#[test]
fn the_suspension_message() {
    let login = locked_text(CredentialKind::Login, "alice");
    assert_eq!(
        en(&login),
        "Your login password is suspended after repeated failed attempts. An administrator can release it (monban user unlock alice)."
    );
    assert_eq!(
        ja(&login),
        "ログインパスワードは、続けて誤って入力されたため利用停止になっています。管理者が解除できます（`monban user unlock alice`）。"
    );
    assert_eq!(
        en(&locked_text(CredentialKind::Otp, "bob")),
        "Your one-time password is suspended after repeated failed attempts. An administrator can release it (monban user unlock bob)."
    );
    for (kind, name) in [
        (CredentialKind::Login, "ログインパスワード"),
        (CredentialKind::Confirm, "確認用パスワード"),
        (CredentialKind::Otp, "ワンタイムパスワード"),
    ] {
        let words = ja(&locked_text(kind, "alice"));
        assert!(words.starts_with(name), "{words}");
        assert!(words.contains("利用停止"), "{words}");
        // No English besides the command to type.
        let rest = words.replace("`monban user unlock alice`", "");
        assert!(!rest.chars().any(|c| c.is_ascii_alphabetic()), "{words}");
    }
}

#[test]
fn the_last_login_and_the_failures_since() {
    let record = |rhost: Option<&str>, tty: Option<&str>| LoginRecord {
        at: AT,
        service: "sshd".into(),
        rhost: rhost.map(str::to_string),
        tty: tty.map(str::to_string),
        host: None,
    };
    let (en_at, ja_at) = (moment(Lang::En, AT), moment(Lang::Ja, AT));
    let both = last_login_text(&record(Some("192.0.2.1"), Some("pts/7")));
    assert_eq!(
        en(&both),
        format!("Last login: {en_at} from 192.0.2.1 on pts/7 (sshd)")
    );
    assert_eq!(
        ja(&both),
        format!("前回のログイン：{ja_at}（192.0.2.1 から、pts/7、sshd）")
    );
    let host = last_login_text(&record(Some("192.0.2.1"), Some("")));
    assert_eq!(
        en(&host),
        format!("Last login: {en_at} from 192.0.2.1 (sshd)")
    );
    assert_eq!(
        ja(&host),
        format!("前回のログイン：{ja_at}（192.0.2.1 から、sshd）")
    );
    let tty = last_login_text(&record(None, Some("tty1")));
    assert_eq!(en(&tty), format!("Last login: {en_at} on tty1 (sshd)"));
    assert_eq!(ja(&tty), format!("前回のログイン：{ja_at}（tty1、sshd）"));
    let none = last_login_text(&record(Some(""), None));
    assert_eq!(en(&none), format!("Last login: {en_at} (sshd)"));
    assert_eq!(ja(&none), format!("前回のログイン：{ja_at}（sshd）"));

    assert_eq!(
        en(&failures_since_text(1)),
        "There was 1 failed login attempt since the last successful login."
    );
    assert_eq!(
        en(&failures_since_text(2)),
        "There were 2 failed login attempts since the last successful login."
    );
    assert_eq!(
        ja(&failures_since_text(1)),
        "前回のログイン成功以降に、ログインの失敗が1回ありました。"
    );
    assert_eq!(
        ja(&failures_since_text(12)),
        "前回のログイン成功以降に、ログインの失敗が12回ありました。"
    );
}

#[test]
fn a_rejected_password_lists_every_failed_rule() {
    let report = policy::check(&Default::default(), "yamagishi", "yamagishi");
    let e = rejection(&report);
    assert_eq!(e.code, ErrorCode::PolicyRejected);
    assert_eq!(
        en(&e.message),
        "The new password was not accepted:\n  - must mix at least 2 of: lower case, upper case, digits, symbols\n  - must not contain your login name"
    );
    assert_eq!(
        ja(&e.message),
        "新しいパスワードは受け付けられませんでした:\n  - 英大文字・英小文字・数字・記号のうち2種類以上を含めて入力してください\n  - ユーザーIDを含めないでください"
    );
    let login = Text::new("auth-non-compliant").arg("failures", policy::failure_items(&report));
    assert_eq!(
        en(&login),
        "Your password no longer meets the password rules:\n  - must mix at least 2 of: lower case, upper case, digits, symbols\n  - must not contain your login name"
    );
}

#[test]
fn prompts_end_in_a_space_in_english() {
    assert_eq!(en(&Text::new("auth-prompt-password")), "Password: ");
    assert_eq!(
        en(&Text::new("auth-prompt-confirm")),
        "Confirmation password: "
    );
    assert_eq!(en(&Text::new("auth-prompt-otp")), "One-time password: ");
    assert_eq!(ja(&Text::new("auth-prompt-otp")), "ワンタイムパスワード：");
}

#[test]
fn the_refusals_of_the_conversation() {
    assert_eq!(
        en(&Text::new(DISABLED)),
        "This account is disabled. Contact an administrator."
    );
    assert_eq!(
        en(&Text::new(TEMPORARY_LAPSED)),
        "Your temporary password has expired. Ask an administrator for a new one."
    );
    assert!(ja(&Text::new(TEMPORARY_LAPSED)).starts_with("仮パスワード"));
    assert!(en(&Text::new(OTP_GRACE_OVER)).contains("`monban otp enroll`"));
    assert!(ja(&Text::new(OTP_GRACE_OVER)).contains("`monban otp enroll`"));
}

#[test]
fn daemon_wide_errors() {
    assert_eq!(
        en(&internal("disk on fire").message),
        "monban-authd hit an internal error; see its log"
    );
    assert_eq!(
        en(&user_unknown("carol").message),
        "carol is not a monban user"
    );
    assert_eq!(
        ja(&user_unknown("carol").message),
        "carol は monban の利用者ではありません"
    );
    let wait = |n: u64| Text::new("daemon-rate-limited").arg("seconds", n);
    assert_eq!(
        en(&wait(30)),
        "too many requests from your account in a short time; try again in 30 seconds"
    );
    assert_eq!(
        en(&wait(1)),
        "too many requests from your account in a short time; try again in 1 second"
    );
    assert_eq!(
        ja(&wait(30)),
        "短時間に要求が多すぎます。30秒後にもう一度お試しください"
    );
}

#[test]
fn permission_denied_wraps_the_reason() {
    let e = crate::authz::denied(Text::new("authz-admin-only"));
    assert_eq!(e.code, ErrorCode::PermissionDenied);
    assert_eq!(
        en(&e.message),
        "permission denied: this needs root or a member of the monban administrator group"
    );
    assert_eq!(
        ja(&e.message),
        "権限がありません: root または monban 管理者グループのメンバーだけが行えます"
    );
    let unlock = Text::new("admin-not-yourself").arg("action", "unlock");
    assert_eq!(en(&unlock), "you cannot release the suspension of yourself");
    let otp = Text::new("admin-not-yourself").arg("action", "reset-otp");
    assert_eq!(
        en(&otp),
        "you cannot reset the one-time password of yourself"
    );
}

#[test]
fn an_administrator_not_in_good_standing_is_told_every_reason() {
    let why = sentences(vec![
        Text::new("account-otp-enrol-before").time("until", AT),
        Text::new("expiry-forced-admin"),
    ]);
    let text = Text::new("admin-not-in-good-standing").arg("why", vec![why]);
    assert_eq!(
        en(&text),
        format!(
            "administrator commands need your own account in good standing: Enrol a one-time password with `monban otp enroll` before {}. Your password was set by an administrator and must be changed now.",
            moment(Lang::En, AT)
        )
    );
    assert_eq!(
        ja(&text),
        format!(
            "管理コマンドを使うには、ご自身のアカウントが正常な状態である必要があります: {}までに `monban otp enroll` でワンタイムパスワードを登録してください。管理者が設定したパスワードのため、パスワード強制変更の対象です。今すぐ新しいパスワードを設定してください。",
            moment(Lang::Ja, AT)
        )
    );
    assert_eq!(
        en(&sentences(vec![Text::new(DISABLED)])),
        "This account is disabled. Contact an administrator."
    );
}

#[test]
fn confirmations_of_administrative_changes() {
    assert_eq!(
        en(&Text::new("admin-user-removed").arg("user", "bob")),
        "bob: user removed"
    );
    assert_eq!(
        en(&Text::new("admin-otp-reset").arg("user", "bob")),
        "bob: otp reset"
    );
    let added = Text::new("admin-added-temporary")
        .arg("user", "bob")
        .time("until", AT);
    assert_eq!(
        en(&added),
        format!(
            "Added bob with a temporary password, valid until {}; it must be changed at the first login.",
            moment(Lang::En, AT)
        )
    );
    assert_eq!(
        ja(&added),
        format!(
            "bob を仮パスワードで追加しました。仮パスワードは{}まで有効で、最初のログインで変更が必要です。",
            moment(Lang::Ja, AT)
        )
    );
    let cleared = |n: usize| Text::new("admin-campaigns-cleared").arg("count", n);
    assert_eq!(en(&cleared(1)), "Cleared 1 mandatory-change campaign.");
    assert_eq!(en(&cleared(3)), "Cleared 3 mandatory-change campaigns.");
    let required = |n: usize| {
        Text::new("migrate-change-required")
            .arg("count", n)
            .time("before", AT)
            .arg("id", 4)
    };
    assert_eq!(
        en(&required(1)),
        format!(
            "1 user must set a new password before {} (campaign 4).",
            moment(Lang::En, AT)
        )
    );
    assert_eq!(
        en(&required(2)),
        format!(
            "2 users must set a new password before {} (campaign 4).",
            moment(Lang::En, AT)
        )
    );
    assert_eq!(
        ja(&required(2)),
        format!(
            "2人の利用者に、{}までに新しいパスワードの設定を求めました（一斉変更要求 4）。",
            moment(Lang::Ja, AT)
        )
    );
    let name = Text::new("admin-invalid-user-name").arg("name", format!("{:?}", "a b"));
    assert_eq!(
        en(&name),
        "\"a b\" is not a valid user name (letters, digits, '.', '_', '-'; at most 32)"
    );
}

#[test]
fn the_current_secret_is_named_by_its_kind() {
    let wrong =
        |kind: CredentialKind| Text::new("password-current-wrong").arg("kind", kind.as_str());
    assert_eq!(
        en(&wrong(CredentialKind::Confirm)),
        "The current confirmation password is wrong."
    );
    assert_eq!(
        en(&wrong(CredentialKind::Login)),
        "The current login password is wrong."
    );
    assert_eq!(
        ja(&wrong(CredentialKind::Confirm)),
        "現在の確認用パスワードが違います。"
    );
    let proof = |kind: CredentialKind| Text::new("otp-proof-wrong").arg("kind", kind.as_str());
    assert_eq!(en(&proof(CredentialKind::Login)), "The password is wrong.");
    assert_eq!(
        en(&proof(CredentialKind::Otp)),
        "The one-time password is wrong."
    );
}
