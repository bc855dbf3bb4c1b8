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
    AuthAnswer { answer: Secret },
    /// `pam_sm_acct_mgmt`: may this user log in now?
    Account { ctx: PamContext },
    /// `PAM_PRELIM_CHECK`: is the daemon there and does it manage the user?
    ChangeCheck {
        user: String,
        credential: CredentialKind,
    },
    /// Changes the caller's (or, for root, anyone's) password.
    ChangePassword {
        ctx: PamContext,
        credential: CredentialKind,
        current: Option<Secret>,
        new: Secret,
    },
    OpenSession { ctx: PamContext },
    CloseSession { ctx: PamContext },
    /// The caller's own status, or another user's (administrators).
    Status { user: Option<String> },
    /// Administrative operations; non-root administrators add `step_up`.
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
    UserRemove { user: String },
}

impl AdminOp {
    /// The user an operation is aimed at, for the audit trail and the
    /// "never yourself" checks.
    pub fn target(&self) -> Option<&str> {
        match self {
            Self::UserAdd { user, .. } | Self::UserRemove { user } => Some(user),
            Self::UserList { .. } => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::UserAdd { .. } => "user add",
            Self::UserList { .. } => "user list",
            Self::UserRemove { .. } => "user remove",
        }
    }
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
    GeneratedPassword { user: String, password: Secret },
    Error(WireError),
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
    pub last_login: Option<LoginRecord>,
    #[serde(default)]
    pub failures_since_last_login: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CredentialStatus {
    pub kind: CredentialKind,
    /// Unix seconds when the secret was last set.
    pub set_at: Option<i64>,
    pub failures: u32,
    pub locked: bool,
    #[serde(default)]
    pub locked_at: Option<i64>,
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
