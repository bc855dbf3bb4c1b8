//! Requests, responses and the error codes both sides agree on.

use serde::{Deserialize, Serialize};

use crate::Secret;

/// Which secret a request is about. Each kind has its own failure counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// The everyday login password.
    Login,
    /// The second password for sensitive operations (`credential=confirm`).
    Confirm,
    /// The TOTP token (and its recovery codes).
    Otp,
}

impl CredentialKind {
    pub const ALL: [CredentialKind; 3] = [Self::Login, Self::Confirm, Self::Otp];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Confirm => "confirm",
            Self::Otp => "otp",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How a person calls it in a message.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Login => "login password",
            Self::Confirm => "confirmation password",
            Self::Otp => "one-time password",
        }
    }
}

/// What PAM knows about the login being attempted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PamContext {
    pub user: String,
    pub service: String,
    #[serde(default)]
    pub tty: Option<String>,
    #[serde(default)]
    pub rhost: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    Ping,
    /// Opens an authentication conversation; the daemon answers with the
    /// first step. `credential` is `login` or `confirm`.
    AuthStart {
        ctx: PamContext,
        credential: CredentialKind,
    },
    /// Answers the prompt of the previous step.
    AuthAnswer {
        answer: Secret,
    },
    /// `pam_sm_acct_mgmt`: may this user log in now?
    Account {
        ctx: PamContext,
    },
    /// `PAM_PRELIM_CHECK`: is the daemon there and does it manage the user?
    ChangeCheck {
        user: String,
        credential: CredentialKind,
    },
    /// Changes the caller's (or, for root, anyone's) password. `current` may
    /// be left out only by root.
    ChangePassword {
        ctx: PamContext,
        credential: CredentialKind,
        current: Option<Secret>,
        new: Secret,
    },
    OpenSession {
        ctx: PamContext,
    },
    CloseSession {
        ctx: PamContext,
    },
    /// The caller's own status, or another user's (administrators; a
    /// non-root administrator adds `step_up` as for `Admin`).
    Status {
        user: Option<String>,
        #[serde(default)]
        step_up: Option<Secret>,
    },
    /// Judges a candidate password against the policy without storing it.
    /// `user` defaults to the caller.
    PolicyCheck {
        user: Option<String>,
        candidate: Secret,
    },
    /// Starts TOTP enrolment for the caller: proves the login password,
    /// answers `OtpEnrollment` with a fresh secret that is not active yet.
    OtpEnrollBegin {
        password: Secret,
    },
    /// Activates the pending secret with a first valid code; answers
    /// `RecoveryCodes`.
    OtpEnrollFinish {
        code: Secret,
    },
    /// Turns the caller's OTP off: password and a current code.
    OtpDisable {
        password: Secret,
        code: Secret,
    },
    /// New recovery codes for the caller (old ones stop working).
    OtpRecoveryRegenerate {
        password: Secret,
        code: Secret,
    },
    OtpStatus,
    /// Administrative operations; non-root administrators add `step_up`
    /// (their own confirmation password).
    Admin {
        step_up: Option<Secret>,
        op: AdminOp,
    },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminOp {
    UserAdd {
        user: String,
        /// None: the daemon generates one (answered as `GeneratedPassword`).
        password: Option<Secret>,
        #[serde(default)]
        temporary: bool,
        #[serde(default)]
        require_otp: bool,
    },
    UserList {
        #[serde(default)]
        locked_only: bool,
    },
    UserRemove {
        user: String,
    },
    /// Sets a temporary password (generated unless given).
    UserReset {
        user: String,
        password: Option<Secret>,
        /// Force a change at the next login (the default).
        force_change: bool,
        /// Overrides `[temporary_password] valid_for`.
        valid_for_secs: Option<u64>,
    },
    /// Lifts suspensions. `users` empty with `all` set: every user but the
    /// caller. `credential` None: every credential.
    UserUnlock {
        users: Vec<String>,
        #[serde(default)]
        all: bool,
        credential: Option<CredentialKind>,
    },
    UserDisable {
        user: String,
    },
    UserEnable {
        user: String,
    },
    /// Drops a lost token.
    OtpReset {
        user: String,
    },
    /// Every password set before now must be changed by `before` (Unix
    /// seconds); only members of `group` when given.
    RequireChange {
        before: i64,
        group: Option<String>,
    },
    ListCampaigns,
    /// Clears one campaign, or every one when `id` is None.
    ClearCampaign {
        id: Option<i64>,
    },
    AuditLog {
        user: Option<String>,
        since: Option<i64>,
        #[serde(default)]
        limit: Option<u32>,
    },
    /// Root only: hashes read from /etc/shadow by the CLI.
    ImportShadow {
        entries: Vec<ShadowEntry>,
    },
}

impl AdminOp {
    /// The users an operation is aimed at, for the audit trail and the
    /// "never yourself" checks.
    pub fn targets(&self) -> Vec<&str> {
        match self {
            Self::UserAdd { user, .. }
            | Self::UserRemove { user }
            | Self::UserReset { user, .. }
            | Self::UserDisable { user }
            | Self::UserEnable { user }
            | Self::OtpReset { user } => vec![user.as_str()],
            Self::UserUnlock { users, .. } => users.iter().map(String::as_str).collect(),
            Self::ImportShadow { entries } => entries.iter().map(|e| e.user.as_str()).collect(),
            Self::UserList { .. }
            | Self::RequireChange { .. }
            | Self::ListCampaigns
            | Self::ClearCampaign { .. }
            | Self::AuditLog { .. } => Vec::new(),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::UserAdd { .. } => "user add",
            Self::UserList { .. } => "user list",
            Self::UserRemove { .. } => "user remove",
            Self::UserReset { .. } => "user reset",
            Self::UserUnlock { .. } => "user unlock",
            Self::UserDisable { .. } => "user disable",
            Self::UserEnable { .. } => "user enable",
            Self::OtpReset { .. } => "otp reset",
            Self::RequireChange { .. } => "policy require-change",
            Self::ListCampaigns => "policy campaigns",
            Self::ClearCampaign { .. } => "policy clear-change",
            Self::AuditLog { .. } => "log",
            Self::ImportShadow { .. } => "import shadow",
        }
    }
}

/// One line of /etc/shadow, as far as monban needs it. Days are counted
/// from the epoch, as shadow(5) does; None where the field is empty.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShadowEntry {
    pub user: String,
    /// The crypt(3) string (`$y$…`, `$6$…`); never logged.
    pub hash: Secret,
    pub last_change_days: Option<i64>,
    pub min_days: Option<i64>,
    pub max_days: Option<i64>,
    pub warn_days: Option<i64>,
}

/// Text for the person at the terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserMessage {
    pub level: MessageLevel,
    pub text: String,
}

impl UserMessage {
    pub fn info(text: impl Into<String>) -> Self {
        Self {
            level: MessageLevel::Info,
            text: text.into(),
        }
    }

    pub fn error(text: impl Into<String>) -> Self {
        Self {
            level: MessageLevel::Error,
            text: text.into(),
        }
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
    pub text: String,
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
    Users(Vec<UserStatus>),
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
    },
    Campaigns(Vec<Campaign>),
    Audit(Vec<AuditEntry>),
    Imported {
        users: Vec<String>,
        #[serde(default)]
        skipped: Vec<UserMessage>,
    },
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
            .map(|r| r.message.as_str())
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
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OtpEnrollment {
    /// `otpauth://totp/...` for authenticator apps and QR codes.
    pub uri: String,
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
}

/// Everything `monban status` shows about one user.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UserStatus {
    pub user: String,
    pub disabled: bool,
    pub created_at: i64,
    #[serde(default)]
    pub credentials: Vec<CredentialStatus>,
    #[serde(default)]
    pub otp: OtpState,
    /// When the login password expires (max_age), if it does.
    #[serde(default)]
    pub password_expires_at: Option<i64>,
    /// Why the login password must change now, if it must.
    #[serde(default)]
    pub must_change: Option<String>,
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
}

/// A refusal or failure, with a stable code and a sentence for people.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireError {
    pub code: ErrorCode,
    pub message: String,
}

impl WireError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Stable error codes; new ones may be added, existing ones never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request could not be parsed or makes no sense now.
    BadRequest,
    UnsupportedVersion,
    FrameTooLarge,
    /// The caller may not ask this.
    PermissionDenied,
    /// An administrator must re-enter their confirmation password.
    StepUpRequired,
    UserUnknown,
    AlreadyExists,
    /// A secret was wrong.
    AuthFailed,
    Locked,
    Disabled,
    /// The new password breaks one or more rules (all listed).
    PolicyRejected,
    /// Too many requests; try again.
    Busy,
    Internal,
}
