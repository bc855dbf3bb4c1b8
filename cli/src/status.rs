//! `monban status [USER]`: one user's credentials, expiry and logins.

use monban_proto::{
    Arg, Catalog, CredentialKind, CredentialStatus, Lang, OtpState, Request, Response, UserStatus,
};

use crate::context::Ctx;
use crate::error::CliError;
use crate::output;
use crate::when::{days_between, now};

pub(crate) fn run(ctx: &mut Ctx, user: Option<String>) -> Result<(), CliError> {
    // Another user's status is an administrative request: a non-root
    // caller proves themselves with the step-up first.
    let other = user
        .as_deref()
        .is_some_and(|u| Some(u) != own_name().as_deref());
    let step_up = if other {
        ctx.connect()?;
        ctx.step_up()?
    } else {
        None
    };
    let status = match ctx.call(&Request::Status { user, step_up })? {
        Response::Status(s) => *s,
        _ => return Err(CliError::UnexpectedReply("status")),
    };
    if ctx.json {
        output::json_texts(&status)
    } else {
        output::text(&render(&status, now(), ctx.tr()))
    }
}

/// The caller's own status.
pub(crate) fn fetch_own(ctx: &mut Ctx) -> Result<UserStatus, CliError> {
    let req = Request::Status {
        user: None,
        step_up: None,
    };
    match ctx.call(&req)? {
        Response::Status(s) => Ok(*s),
        _ => Err(CliError::UnexpectedReply("status")),
    }
}

fn own_name() -> Option<String> {
    let uid = nix::unistd::getuid();
    nix::unistd::User::from_uid(uid)
        .ok()
        .flatten()
        .map(|u| u.name)
}

/// The labels of `monban status`, in order; every one is measured so the
/// values line up whichever are shown.
const LABELS: [&str; 16] = [
    "cli-status-user",
    "cli-status-uid",
    "cli-status-account",
    "cli-status-login",
    "cli-status-confirm",
    "cli-status-expires",
    "cli-status-must-change",
    "cli-status-temporary-until",
    "cli-status-change-deadline",
    "cli-status-otp",
    "cli-status-last-login",
    "cli-status-failures-since",
    "cli-status-language",
    "cli-status-email",
    "cli-status-email-new",
    "cli-status-sessions",
];

/// `Label: value` lines with the values in one column (after the longest
/// label, its colon and a space); values (user and host names, services,
/// reasons from the daemon) are escaped.
struct Lines<'a> {
    tr: &'a Catalog,
    column: usize,
    out: String,
}

impl<'a> Lines<'a> {
    fn new(tr: &'a Catalog) -> Self {
        let column = LABELS
            .iter()
            .map(|id| output::width(&tr.get(id)) + 2)
            .max()
            .unwrap_or(0);
        Self {
            tr,
            column,
            out: String::new(),
        }
    }

    fn push(&mut self, label: &str, value: &str) {
        // An empty id continues the line above (a second session).
        let label = if label.is_empty() {
            String::new()
        } else {
            format!("{}:", self.tr.get(label))
        };
        let value = output::escape(value);
        self.out.push_str(&output::pad(&label, self.column));
        self.out.push_str(&value);
        self.out.push('\n');
    }
}

pub(crate) fn render(s: &UserStatus, now: i64, tr: &Catalog) -> String {
    let mut out = Lines::new(tr);
    out.push("cli-status-user", &s.user);
    if let Some(uid) = s.uid {
        let line = tr.with("cli-uid-account", &[("uid", Arg::Str(uid.to_string()))]);
        out.push("cli-status-uid", &line);
    }
    let account = if s.disabled {
        tr.get("cli-account-disabled")
    } else {
        tr.get("cli-account-active")
    };
    out.push("cli-status-account", &account);
    for (label, kind) in [
        ("cli-status-login", CredentialKind::Login),
        ("cli-status-confirm", CredentialKind::Confirm),
    ] {
        let found = s.credentials.iter().find(|c| c.kind == kind);
        out.push(label, &credential_line(found, now, tr));
    }
    let expiry = match s.password_expires_at {
        Some(t) if t <= now => tr.with("cli-expired", &[("time", Arg::Time(t))]),
        Some(t) => tr.date_time(t),
        None => tr.get("cli-expires-never"),
    };
    out.push("cli-status-expires", &expiry);
    if let Some(reason) = &s.must_change {
        out.push("cli-status-must-change", &reason.text);
    }
    if let Some(t) = s.temporary_until {
        out.push("cli-status-temporary-until", &tr.date_time(t));
    }
    if let Some(t) = s.change_deadline {
        out.push("cli-status-change-deadline", &tr.date_time(t));
    }
    out.push("cli-status-otp", &otp_line(&s.otp, tr));
    let last = match &s.last_login {
        Some(l) => {
            let rhost = l.rhost.as_deref().filter(|h| !h.is_empty());
            let tty = l.tty.as_deref().filter(|t| !t.is_empty());
            let id = match (rhost, tty) {
                (None, None) => "cli-last-login",
                (Some(_), None) => "cli-last-login-from",
                (None, Some(_)) => "cli-last-login-on",
                (Some(_), Some(_)) => "cli-last-login-from-on",
            };
            let login = tr.with(
                id,
                &[
                    ("time", Arg::Time(l.at)),
                    ("service", Arg::Str(l.service.clone())),
                    ("rhost", Arg::Str(rhost.unwrap_or_default().to_string())),
                    ("tty", Arg::Str(tty.unwrap_or_default().to_string())),
                ],
            );
            // In a fleet (SPEC §9): which of the hosts it was.
            match l.host.as_deref().filter(|h| !h.is_empty()) {
                Some(host) => tr.with(
                    "cli-last-login-at-host",
                    &[("login", Arg::Str(login)), ("host", Arg::Str(host.into()))],
                ),
                None => login,
            }
        }
        None => tr.get("cli-last-login-never"),
    };
    out.push("cli-status-last-login", &last);
    out.push(
        "cli-status-failures-since",
        &s.failures_since_last_login.to_string(),
    );
    out.push("cli-status-language", &language_name(s.language, tr));
    let email = s.email.clone().unwrap_or_else(|| tr.get("cli-email-none"));
    out.push("cli-status-email", &email);
    if let Some(p) = &s.email_pending {
        let pending =
            tr.render(&monban_proto::Text::new("cli-email-pending").arg("address", p.as_str()));
        out.push("cli-status-email-new", &pending);
    }
    for (i, session) in s.sessions.iter().enumerate() {
        let line = tr.with(
            "cli-status-session-line",
            &[
                ("tty", Arg::Str(session.tty.clone())),
                ("service", Arg::Str(session.service.clone())),
                ("since", Arg::Str(tr.date_time(session.opened_at))),
                ("idle", Arg::Str(crate::session::idle(session.idle_secs))),
            ],
        );
        // The label once; further sessions line up under the first.
        let label = if i == 0 { "cli-status-sessions" } else { "" };
        out.push(label, &line);
    }
    out.out
}

/// `English`, `Japanese`, or `not set`, in the reader's language.
pub(crate) fn language_name(lang: Option<Lang>, tr: &Catalog) -> String {
    match lang {
        Some(l) => tr.with("cli-language-name", &[("lang", Arg::Str(l.code().into()))]),
        None => tr.get("cli-language-not-set"),
    }
}

fn credential_line(c: Option<&CredentialStatus>, now: i64, tr: &Catalog) -> String {
    let Some(c) = c.filter(|c| c.set_at.is_some() || c.locked || c.failures > 0) else {
        return tr.get("cli-not-set");
    };
    let mut parts = vec![match c.set_at {
        Some(t) => tr.with(
            "cli-credential-set",
            &[
                ("time", Arg::Time(t)),
                ("days", Arg::Num(days_between(t, now).max(0))),
            ],
        ),
        None => tr.get("cli-not-set"),
    }];
    let state = lock_state(c.locked, c.failures, tr);
    match (c.locked, c.locked_at) {
        (true, Some(t)) => parts.push(tr.with(
            "cli-locked-since",
            &[("state", Arg::Str(state)), ("time", Arg::Time(t))],
        )),
        _ => parts.push(state),
    }
    if c.locked
        && let Some(t) = c.unlocks_at
    {
        parts.push(tr.with("cli-released", &[("time", Arg::Time(t))]));
    }
    join(&parts, tr)
}

/// Parts of one value, `, ` in English and `、` in Japanese.
pub(crate) fn join(parts: &[String], tr: &Catalog) -> String {
    parts.join(&tr.get("cli-separator"))
}

/// `ok`, `ok, 2 failures`, `LOCKED (5 failures)`.
pub(crate) fn lock_state(locked: bool, failures: u32, tr: &Catalog) -> String {
    let count = [("count", Arg::from(failures))];
    match (locked, failures) {
        (true, _) => tr.with("cli-lock-locked", &count),
        (false, 0) => tr.get("cli-lock-ok"),
        (false, _) => tr.with("cli-lock-ok-failures", &count),
    }
}

pub(crate) fn otp_line(o: &OtpState, tr: &Catalog) -> String {
    let mut parts = Vec::new();
    if o.enrolled {
        parts.push(match o.enrolled_at {
            Some(t) => tr.with("cli-otp-enrolled-at", &[("time", Arg::Time(t))]),
            None => tr.get("cli-otp-enrolled"),
        });
        parts.push(tr.with(
            "cli-otp-recovery-left",
            &[("count", Arg::from(o.recovery_codes_left))],
        ));
    } else if o.pending {
        parts.push(tr.get("cli-otp-pending"));
    } else {
        parts.push(tr.get("cli-otp-not-enrolled"));
    }
    if o.required {
        parts.push(match (o.enrolled, o.grace_until) {
            (false, Some(t)) => tr.with("cli-otp-required-before", &[("time", Arg::Time(t))]),
            _ => tr.get("cli-otp-required"),
        });
    }
    if o.enrolled || o.locked || o.failures > 0 {
        parts.push(lock_state(o.locked, o.failures, tr));
    }
    join(&parts, tr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::rendered;
    use monban_proto::LoginRecord;

    fn en() -> Catalog {
        Catalog::new(Lang::En)
    }

    fn ja() -> Catalog {
        Catalog::new(Lang::Ja)
    }

    const NOW: i64 = 1_790_000_000;

    fn cred(
        kind: CredentialKind,
        set_at: Option<i64>,
        failures: u32,
        locked: bool,
    ) -> CredentialStatus {
        CredentialStatus {
            kind,
            set_at,
            failures,
            locked,
            locked_at: None,
            unlocks_at: None,
        }
    }

    #[test]
    fn renders_every_field() {
        let s = UserStatus {
            user: "yamagishi".into(),
            credentials: vec![
                cred(CredentialKind::Login, Some(NOW - 12 * 86_400), 0, false),
                cred(CredentialKind::Confirm, Some(NOW - 3600), 5, true),
            ],
            otp: OtpState {
                enrolled: true,
                enrolled_at: Some(NOW),
                recovery_codes_left: 9,
                ..OtpState::default()
            },
            must_change: Some(rendered("an administrator reset the password")),
            last_login: Some(LoginRecord {
                at: NOW - 60,
                service: "sshd".into(),
                rhost: Some("192.0.2.7".into()),
                tty: None,
                host: Some("reading-room-3".into()),
            }),
            failures_since_last_login: 2,
            ..UserStatus::default()
        };
        let text = render(&s, NOW, &en());
        assert!(
            text.contains("User:                  yamagishi\n"),
            "{text}"
        );
        assert!(text.contains("Account:               active"), "{text}");
        assert!(text.contains("(12 days ago), ok\n"), "{text}");
        assert!(text.contains("(today), LOCKED (5 failures)"), "{text}");
        assert!(text.contains("Password expires:      never"), "{text}");
        assert!(
            text.contains("Must change:           an administrator reset"),
            "{text}"
        );
        assert!(text.contains("9 recovery codes left, ok"), "{text}");
        assert!(
            text.contains("via sshd from 192.0.2.7 on host reading-room-3\n"),
            "{text}"
        );
        assert!(text.contains("Failures since:        2"), "{text}");
        assert!(!text.contains("Temporary until"), "{text}");
    }

    #[test]
    fn unset_credentials_and_no_login() {
        let s = UserStatus {
            user: "bob".into(),
            disabled: true,
            ..UserStatus::default()
        };
        let text = render(&s, NOW, &en());
        assert!(text.contains("Account:               DISABLED"), "{text}");
        assert!(text.contains("Confirmation password: not set"), "{text}");
        assert!(
            text.contains("One-time password:     not enrolled\n"),
            "{text}"
        );
        assert!(text.contains("Last login:            never"), "{text}");
    }

    #[test]
    fn daemon_strings_cannot_drive_the_terminal() {
        let s = UserStatus {
            user: "eve\x1b[2J".into(),
            must_change: Some(rendered("x\ny")),
            last_login: Some(LoginRecord {
                at: NOW - 60,
                service: "sshd\x1b]0;hi\x07".into(),
                rhost: Some("evil\rgood".into()),
                tty: Some("pts/0\x7f".into()),
                host: None,
            }),
            ..UserStatus::default()
        };
        let text = render(&s, NOW, &en());
        assert!(!text.contains(['\x1b', '\r', '\x07', '\x7f']), "{text:?}");
        assert!(
            text.contains("User:                  eve\\e[2J\n"),
            "{text}"
        );
        assert!(text.contains("Must change:           x\\ny\n"), "{text}");
        assert!(
            text.contains("via sshd\\e]0;hi\\x07 from evil\\rgood on pts/0\\x7f\n"),
            "{text}"
        );
    }

    #[test]
    fn lock_states() {
        let (en, ja) = (en(), ja());
        assert_eq!(lock_state(false, 0, &en), "ok");
        assert_eq!(lock_state(false, 1, &en), "ok, 1 failure");
        assert_eq!(lock_state(false, 2, &en), "ok, 2 failures");
        assert_eq!(lock_state(true, 1, &en), "LOCKED (1 failure)");
        assert_eq!(lock_state(true, 5, &en), "LOCKED (5 failures)");
        assert_eq!(lock_state(false, 0, &ja), "正常");
        assert_eq!(lock_state(false, 1, &ja), "正常、1回失敗");
        assert_eq!(lock_state(true, 5, &ja), "利用停止（5回失敗）");
    }

    fn full() -> UserStatus {
        UserStatus {
            user: "yamagishi".into(),
            language: Some(Lang::Ja),
            credentials: vec![
                cred(CredentialKind::Login, Some(NOW - 86_400), 0, false),
                CredentialStatus {
                    locked_at: Some(NOW - 3600),
                    unlocks_at: Some(NOW + 3600),
                    ..cred(CredentialKind::Confirm, Some(NOW - 3600), 1, true)
                },
            ],
            otp: OtpState {
                enrolled: true,
                recovery_codes_left: 1,
                ..OtpState::default()
            },
            password_expires_at: Some(NOW - 60),
            last_login: Some(LoginRecord {
                at: NOW - 60,
                service: "sshd".into(),
                rhost: Some("192.0.2.7".into()),
                tty: Some("pts/0".into()),
                host: None,
            }),
            ..UserStatus::default()
        }
    }

    #[test]
    fn english_lines_and_plurals() {
        let en = en();
        let text = render(&full(), NOW, &en);
        let t = |secs| en.date_time(secs);
        assert!(
            text.contains(&format!(
                "Login password:        set {} (1 day ago), ok\n",
                t(NOW - 86_400)
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "Confirmation password: set {} (today), LOCKED (1 failure) since {}, released {}\n",
                t(NOW - 3600),
                t(NOW - 3600),
                t(NOW + 3600)
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "Password expires:      {} (expired)\n",
                t(NOW - 60)
            )),
            "{text}"
        );
        assert!(
            text.contains("enrolled, 1 recovery code left, ok\n"),
            "{text}"
        );
        assert!(
            text.contains("via sshd from 192.0.2.7 on pts/0\n"),
            "{text}"
        );
        assert!(text.contains("Language:              Japanese\n"), "{text}");
        let unset = render(&UserStatus::default(), NOW, &en);
        assert!(
            unset.ends_with("Language:              not set\nE-mail:                none\n"),
            "{unset}"
        );
    }

    #[test]
    fn japanese_lines_line_up() {
        let ja = ja();
        let text = render(&full(), NOW, &ja);
        let t = |secs| ja.date_time(secs);
        assert!(text.starts_with("ユーザー:"), "{text}");
        assert!(
            text.contains(&format!(
                "確認用パスワード:     {} に設定（今日）、利用停止（1回失敗）（{} から）、{} に解除予定\n",
                t(NOW - 3600),
                t(NOW - 3600),
                t(NOW + 3600)
            )),
            "{text}"
        );
        assert!(text.contains("（1日前）、正常\n"), "{text}");
        assert!(text.contains("（パスワード有効期限切れ）"), "{text}");
        assert!(text.contains("回復コード残り1個"), "{text}");
        assert!(
            text.contains("（sshd、192.0.2.7 から、端末 pts/0）\n"),
            "{text}"
        );
        assert!(text.contains("表示言語:             日本語\n"), "{text}");
        // Every value starts in the same terminal column.
        let columns: Vec<usize> = text
            .lines()
            .map(|l| {
                let (label, _) = l.split_once(": ").unwrap();
                let rest = &l[label.len() + 1..];
                let value_at = rest.len() - rest.trim_start().len();
                output::width(label) + 1 + value_at
            })
            .collect();
        assert!(
            columns.windows(2).all(|w| w[0] == w[1]),
            "{columns:?}\n{text}"
        );
        let unset = render(&UserStatus::default(), NOW, &ja);
        assert!(
            unset.ends_with("表示言語:             未設定\nメールアドレス:       なし\n"),
            "{unset}"
        );
    }
}
