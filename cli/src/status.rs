//! `monban status [USER]`: one user's credentials, expiry and logins.

use monban_proto::{CredentialKind, CredentialStatus, OtpState, Request, Response, UserStatus};

use crate::context::Ctx;
use crate::error::CliError;
use crate::output;
use crate::when::{days_between, fmt_time, now};

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
        output::json(&status)
    } else {
        output::text(&render(&status, now()))
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

const LABEL_WIDTH: usize = 23;

/// One `Label: value` line; the value (user and host names, services,
/// reasons from the daemon) is escaped.
fn push(out: &mut String, label: &str, value: &str) {
    let label = format!("{label}:");
    let value = output::escape(value);
    out.push_str(&format!("{label:<LABEL_WIDTH$}{value}\n"));
}

pub(crate) fn render(s: &UserStatus, now: i64) -> String {
    let mut out = String::new();
    push(&mut out, "User", &s.user);
    push(
        &mut out,
        "Account",
        if s.disabled { "DISABLED" } else { "active" },
    );
    for kind in [CredentialKind::Login, CredentialKind::Confirm] {
        let label = match kind {
            CredentialKind::Login => "Login password",
            _ => "Confirmation password",
        };
        push(
            &mut out,
            label,
            &credential_line(s.credentials.iter().find(|c| c.kind == kind), now),
        );
    }
    let expiry = match s.password_expires_at {
        Some(t) if t <= now => format!("{} (expired)", fmt_time(t)),
        Some(t) => fmt_time(t),
        None => "never".into(),
    };
    push(&mut out, "Password expires", &expiry);
    if let Some(reason) = &s.must_change {
        push(&mut out, "Must change", reason);
    }
    if let Some(t) = s.temporary_until {
        push(&mut out, "Temporary until", &fmt_time(t));
    }
    if let Some(t) = s.change_deadline {
        push(&mut out, "Change deadline", &fmt_time(t));
    }
    push(&mut out, "One-time password", &otp_line(&s.otp));
    let last = match &s.last_login {
        Some(l) => {
            let mut text = format!("{} via {}", fmt_time(l.at), l.service);
            if let Some(h) = l.rhost.as_deref().filter(|h| !h.is_empty()) {
                text.push_str(&format!(" from {h}"));
            }
            if let Some(t) = l.tty.as_deref().filter(|t| !t.is_empty()) {
                text.push_str(&format!(" on {t}"));
            }
            text
        }
        None => "never".into(),
    };
    push(&mut out, "Last login", &last);
    push(
        &mut out,
        "Failures since",
        &s.failures_since_last_login.to_string(),
    );
    out
}

fn credential_line(c: Option<&CredentialStatus>, now: i64) -> String {
    let Some(c) = c.filter(|c| c.set_at.is_some() || c.locked || c.failures > 0) else {
        return "not set".into();
    };
    let mut text = match c.set_at {
        Some(t) => format!("set {} ({})", fmt_time(t), age(t, now)),
        None => "not set".into(),
    };
    text.push_str(", ");
    text.push_str(&lock_state(c.locked, c.failures));
    if c.locked {
        if let Some(t) = c.locked_at {
            text.push_str(&format!(" since {}", fmt_time(t)));
        }
        if let Some(t) = c.unlocks_at {
            text.push_str(&format!(", released {}", fmt_time(t)));
        }
    }
    text
}

fn age(then: i64, now: i64) -> String {
    match days_between(then, now) {
        d if d <= 0 => "today".into(),
        1 => "1 day ago".into(),
        d => format!("{d} days ago"),
    }
}

/// `ok`, `ok, 2 failures`, `LOCKED (5 failures)`.
pub(crate) fn lock_state(locked: bool, failures: u32) -> String {
    let count = match failures {
        1 => "1 failure".to_string(),
        n => format!("{n} failures"),
    };
    match (locked, failures) {
        (true, _) => format!("LOCKED ({count})"),
        (false, 0) => "ok".into(),
        (false, _) => format!("ok, {count}"),
    }
}

pub(crate) fn otp_line(o: &OtpState) -> String {
    let mut parts = Vec::new();
    if o.enrolled {
        parts.push(match o.enrolled_at {
            Some(t) => format!("enrolled {}", fmt_time(t)),
            None => "enrolled".into(),
        });
        parts.push(format!("{} recovery codes left", o.recovery_codes_left));
    } else if o.pending {
        parts.push("enrolment begun, not confirmed".into());
    } else {
        parts.push("not enrolled".into());
    }
    if o.required {
        parts.push(match (o.enrolled, o.grace_until) {
            (false, Some(t)) => format!("required (enrol before {})", fmt_time(t)),
            _ => "required".into(),
        });
    }
    if o.enrolled || o.locked || o.failures > 0 {
        parts.push(lock_state(o.locked, o.failures));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use monban_proto::LoginRecord;

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
            must_change: Some("an administrator reset the password".into()),
            last_login: Some(LoginRecord {
                at: NOW - 60,
                service: "sshd".into(),
                rhost: Some("192.0.2.7".into()),
                tty: None,
            }),
            failures_since_last_login: 2,
            ..UserStatus::default()
        };
        let text = render(&s, NOW);
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
        assert!(text.contains("via sshd from 192.0.2.7\n"), "{text}");
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
        let text = render(&s, NOW);
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
            must_change: Some("x\ny".into()),
            last_login: Some(LoginRecord {
                at: NOW - 60,
                service: "sshd\x1b]0;hi\x07".into(),
                rhost: Some("evil\rgood".into()),
                tty: Some("pts/0\x7f".into()),
            }),
            ..UserStatus::default()
        };
        let text = render(&s, NOW);
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
        assert_eq!(lock_state(false, 0), "ok");
        assert_eq!(lock_state(false, 1), "ok, 1 failure");
        assert_eq!(lock_state(true, 5), "LOCKED (5 failures)");
    }
}
