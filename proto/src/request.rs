//! What clients ask: the authentication conversation, password changes,
//! sessions, the user's own OTP, and administrative operations.

use serde::{Deserialize, Serialize};

use crate::{Lookup, Secret};
use monban_i18n::Lang;

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
    /// Stores the caller's own language preference; None clears it.
    SetLanguage {
        language: Option<Lang>,
    },
    /// Registers a new address for the caller: proves the login password,
    /// mails a verification code to `address` (SPEC §8).
    EmailSet {
        password: Secret,
        address: String,
    },
    /// The code from the verification mail: the new address takes over.
    EmailVerify {
        code: Secret,
    },
    /// Forgets the caller's address (and a pending one).
    EmailRemove,
    /// Mails a reset code to `user`'s registered address. Anyone may ask,
    /// and every request gets the same answer.
    ResetRequest {
        user: String,
    },
    /// An NSS lookup (SPEC §11), answered to everyone.
    Lookup(Lookup),
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
        /// The user's language preference (SPEC §7).
        #[serde(default)]
        language: Option<Lang>,
        /// The registered address (counts as verified).
        #[serde(default)]
        email: Option<String>,
        /// No password: an activation code is mailed to `email`.
        #[serde(default)]
        invite: bool,
        /// An account that exists only in monban: a uid is allocated
        /// (SPEC §11).
        #[serde(default)]
        account: bool,
    },
    /// Changes stored settings of a user; fields left None stay as they are.
    UserSet {
        user: String,
        #[serde(default)]
        language: Option<LanguageChange>,
        #[serde(default)]
        email: Option<EmailChange>,
    },
    /// One page of users by name; `after` is the previous page's `next`.
    UserList {
        #[serde(default)]
        locked_only: bool,
        #[serde(default)]
        after: Option<String>,
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
    /// The newest `limit` entries (at most one page) older than `before`,
    /// the previous page's `next`.
    AuditLog {
        user: Option<String>,
        since: Option<i64>,
        #[serde(default)]
        limit: Option<u32>,
        #[serde(default)]
        before: Option<i64>,
    },
    /// The interactive sessions this host watches for inactivity.
    SessionList,
    /// Root only: hashes read from /etc/shadow by the CLI.
    ImportShadow {
        entries: Vec<ShadowEntry>,
    },
}

/// A change of a stored language preference. (Not `Option<Option<Lang>>`:
/// JSON cannot tell "clear" from "leave as it is" there.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LanguageChange {
    To(Lang),
    Clear,
}

/// A change of a registered address made by an administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailChange {
    To(String),
    Clear,
}

impl LanguageChange {
    /// The preference stored after the change.
    pub fn stored(self) -> Option<Lang> {
        match self {
            Self::To(lang) => Some(lang),
            Self::Clear => None,
        }
    }
}

impl AdminOp {
    /// The users an operation is aimed at, for the audit trail and the
    /// "never yourself" checks.
    pub fn targets(&self) -> Vec<&str> {
        match self {
            Self::UserAdd { user, .. }
            | Self::UserRemove { user }
            | Self::UserSet { user, .. }
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
            | Self::SessionList
            | Self::AuditLog { .. } => Vec::new(),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::UserAdd { .. } => "user add",
            Self::UserList { .. } => "user list",
            Self::UserSet { .. } => "user set",
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
            Self::SessionList => "session list",
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
