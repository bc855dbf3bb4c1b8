//! What the daemon answers: conversation steps, verdicts and reports.

use serde::{Deserialize, Serialize};

use monban_i18n::{Catalog, Lang, Text};

use crate::{CredentialKind, Secret, WireError};

/// Text for the person at the terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserMessage {
    pub level: MessageLevel,
    pub message: Text,
}

impl UserMessage {
    pub fn info(message: Text) -> Self {
        Self {
            level: MessageLevel::Info,
            message,
        }
    }

    pub fn error(message: Text) -> Self {
        Self {
            level: MessageLevel::Error,
            message,
        }
    }

    /// The rendered words.
    pub fn text(&self) -> &str {
        &self.message.text
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageLevel {
    Info,
    Error,
}

/// One turn of the daemon-driven authentication conversation: messages to
/// show, then either a prompt to answer or the end.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthStep {
    #[serde(default)]
    pub messages: Vec<UserMessage>,
    pub next: AuthNext,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthNext {
    Prompt(Prompt),
    Finished(AuthOutcome),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub message: Text,
    pub echo: bool,
    pub kind: PromptKind,
}

/// What a prompt asks for. Only `Password` may be answered from an
/// existing `PAM_AUTHTOK` (`use_first_pass` / `try_first_pass`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromptKind {
    Password,
    OneTimeCode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthOutcome {
    Success,
    /// Wrong secret.
    Denied,
    /// Not a user monban manages (same prompts and time as a known one).
    UserUnknown,
    /// The credential is suspended; it was not verified.
    Locked,
    /// The daemon cannot judge now.
    Unavailable,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountReply {
    pub verdict: AccountVerdict,
    #[serde(default)]
    pub messages: Vec<UserMessage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountVerdict {
    Ok,
    /// The password must change before the login goes on.
    MustChange,
    Disabled,
    Locked,
    UserUnknown,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    Pong,
    Auth(AuthStep),
    Account(AccountReply),
    /// The request was carried out; the messages say anything worth knowing.
    Done {
        #[serde(default)]
        messages: Vec<UserMessage>,
    },
    Status(Box<UserStatus>),
    /// One page of `user list`; `next` asks for the following one.
    Users {
        users: Vec<UserStatus>,
        #[serde(default)]
        next: Option<String>,
    },
    /// A password the daemon generated, shown to the administrator once.
    GeneratedPassword {
        user: String,
        password: Secret,
        /// Unix seconds after which it no longer authenticates.
        valid_until: Option<i64>,
    },
    Policy(PolicyReport),
    OtpEnrollment(OtpEnrollment),
    RecoveryCodes {
        codes: Vec<Secret>,
    },
    OtpState(OtpState),
    /// Users whose suspensions were lifted (and what was lifted).
    Unlocked {
        users: Vec<String>,
        /// Privileged accounts `--all` left suspended: only root releases them.
        #[serde(default)]
        skipped: usize,
    },
    Campaigns(Vec<Campaign>),
    /// One page of the trail, oldest first; `next` asks for the older one.
    Audit {
        entries: Vec<AuditEntry>,
        #[serde(default)]
        next: Option<i64>,
    },
    Imported {
        users: Vec<String>,
        #[serde(default)]
        skipped: Vec<UserMessage>,
    },
    Lookup(crate::LookupReply),
    /// `monban session list`: the interactive sessions this host watches.
    Sessions(Vec<SessionInfo>),
    Error(WireError),
}

/// Every rule judged, in a fixed order, and the zxcvbn score.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyReport {
    pub rules: Vec<RuleResult>,
    /// zxcvbn score 0 (guessable) to 4 (very strong).
    pub strength: u8,
}

impl PolicyReport {
    pub fn passed(&self) -> bool {
        self.rules.iter().all(|r| r.passed)
    }

    /// The failed rules as one sentence per line, for PAM and the CLI.
    pub fn failures(&self) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| !r.passed)
            .map(|r| r.message.text.as_str())
            .collect()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleResult {
    /// Stable identifier: `min_length`, `max_length`, `allowed`,
    /// `min_classes`, `username`, `strength`, `history`, `min_age`,
    /// `not_login_password`.
    pub rule: String,
    pub passed: bool,
    /// The requirement in plain words ("must be at least 8 characters").
    pub message: Text,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OtpEnrollment {
    /// `otpauth://totp/...` for authenticator apps and QR codes.
    pub uri: Secret,
    /// Base32, for typing into an app by hand.
    pub secret: Secret,
    pub issuer: String,
    pub account: String,
    pub digits: u32,
    pub period: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OtpState {
    pub enrolled: bool,
    pub enrolled_at: Option<i64>,
    pub recovery_codes_left: u32,
    /// Enrolment begun but not confirmed with a code.
    pub pending: bool,
    /// Required by `require_otp` or `required_for_group`.
    pub required: bool,
    /// While required and not enrolled: logins refused after this.
    pub grace_until: Option<i64>,
    pub failures: u32,
    pub locked: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Campaign {
    pub id: i64,
    pub created_at: i64,
    pub before: i64,
    pub group: Option<String>,
    pub created_by: String,
    /// Users who still have to change.
    pub pending_users: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: i64,
    /// Stable event name: `auth_success`, `auth_failure`, `locked`, `unlocked`, …
    pub event: String,
    /// Who acted (the peer's user name, or the user logging in).
    pub actor: Option<String>,
    /// Whom it concerns.
    pub user: Option<String>,
    pub credential: Option<CredentialKind>,
    pub service: Option<String>,
    pub rhost: Option<String>,
    pub tty: Option<String>,
    pub detail: Option<String>,
    /// The `[daemon] host_name` of the daemon that recorded it.
    #[serde(default)]
    pub host: Option<String>,
}

/// Everything `monban status` shows about one user.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UserStatus {
    pub user: String,
    pub disabled: bool,
    pub created_at: i64,
    /// The stored language preference, if any.
    #[serde(default)]
    pub language: Option<Lang>,
    #[serde(default)]
    pub credentials: Vec<CredentialStatus>,
    #[serde(default)]
    pub otp: OtpState,
    /// When the login password expires (max_age), if it does.
    #[serde(default)]
    pub password_expires_at: Option<i64>,
    /// Why the login password must change now, if it must.
    #[serde(default)]
    pub must_change: Option<Text>,
    /// A temporary password stops working at this time.
    #[serde(default)]
    pub temporary_until: Option<i64>,
    /// A mandatory-change deadline that applies to this user.
    #[serde(default)]
    pub change_deadline: Option<i64>,
    #[serde(default)]
    pub last_login: Option<LoginRecord>,
    #[serde(default)]
    pub failures_since_last_login: u32,
    /// The registered address: in full for the user and administrators,
    /// masked (`a****@example.org`) for anyone else.
    #[serde(default)]
    pub email: Option<String>,
    /// An address waiting for `email verify`.
    #[serde(default)]
    pub email_pending: Option<String>,
    /// The uid of an account that exists only in monban (SPEC §11).
    #[serde(default)]
    pub uid: Option<u32>,
    /// The user's interactive sessions this host watches (SPEC §12).
    #[serde(default)]
    pub sessions: Vec<SessionInfo>,
}

/// An interactive session watched for inactivity (SPEC §12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: String,
    pub tty: String,
    pub service: String,
    #[serde(default)]
    pub rhost: Option<String>,
    pub opened_at: i64,
    /// Seconds since the terminal last took input.
    pub idle_secs: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CredentialStatus {
    pub kind: CredentialKind,
    /// Unix seconds when the secret was last set; None: not set.
    pub set_at: Option<i64>,
    pub failures: u32,
    pub locked: bool,
    #[serde(default)]
    pub locked_at: Option<i64>,
    /// When an automatic release (`unlock_after`) will lift the suspension.
    #[serde(default)]
    pub unlocks_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRecord {
    pub at: i64,
    pub service: String,
    #[serde(default)]
    pub rhost: Option<String>,
    #[serde(default)]
    pub tty: Option<String>,
    /// The `[daemon] host_name` of the host the session was opened on.
    #[serde(default)]
    pub host: Option<String>,
}

impl Response {
    /// Puts the words of `catalog`'s language into every text of the reply:
    /// the daemon's last step before it answers.
    pub fn render(&mut self, catalog: &Catalog) {
        let fill_all = |messages: &mut Vec<UserMessage>| {
            for m in messages {
                catalog.fill(&mut m.message);
            }
        };
        match self {
            Self::Auth(step) => {
                fill_all(&mut step.messages);
                if let AuthNext::Prompt(p) = &mut step.next {
                    catalog.fill(&mut p.message);
                }
            }
            Self::Account(reply) => fill_all(&mut reply.messages),
            Self::Done { messages } => fill_all(messages),
            Self::Imported { skipped, .. } => fill_all(skipped),
            Self::Status(status) => status.render(catalog),
            Self::Users { users, .. } => users.iter_mut().for_each(|u| u.render(catalog)),
            Self::Policy(report) => report.render(catalog),
            Self::Error(e) => catalog.fill(&mut e.message),
            Self::Pong
            | Self::GeneratedPassword { .. }
            | Self::OtpEnrollment(_)
            | Self::RecoveryCodes { .. }
            | Self::OtpState(_)
            | Self::Unlocked { .. }
            | Self::Campaigns(_)
            | Self::Audit { .. }
            | Self::Lookup(_)
            | Self::Sessions(_) => {}
        }
    }
}

impl UserStatus {
    fn render(&mut self, catalog: &Catalog) {
        if let Some(t) = &mut self.must_change {
            catalog.fill(t);
        }
    }
}

impl PolicyReport {
    pub fn render(&mut self, catalog: &Catalog) {
        for r in &mut self.rules {
            catalog.fill(&mut r.message);
        }
    }
}
