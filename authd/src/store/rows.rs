//! What the store holds and returns, the same for every backend.

use monban_proto::{CredentialKind, Lang};
use zeroize::Zeroizing;

pub use crate::rules::codes::{CodePurpose, CodeRow};

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub disabled: bool,
    pub require_otp: bool,
    pub otp_required_since: Option<i64>,
    pub shadow_max_days: Option<i64>,
    pub shadow_min_days: Option<i64>,
    pub shadow_warn_days: Option<i64>,
    pub language: Option<Lang>,
    /// The registered (verified) e-mail address.
    pub email: Option<String>,
    /// The uid of an account that exists only in monban (SPEC §11).
    pub uid: Option<u32>,
}

/// A stored secret. The hash is a PHC string (Argon2id) or, for imported
/// accounts until their first login, a crypt(3) string.
pub struct CredentialRow {
    pub hash: Zeroizing<String>,
    pub set_at: i64,
    pub temporary_until: Option<i64>,
    pub force_change: Option<String>,
}

/// A secret being stored: a new password, a reset or an import.
pub struct NewCredential<'a> {
    pub kind: CredentialKind,
    pub hash: &'a str,
    pub set_at: i64,
    pub temporary_until: Option<i64>,
    pub force_change: Option<&'a str>,
}

#[derive(Debug, Clone, Default)]
pub struct OtpRow {
    /// Sealed active secret; None until enrolment is confirmed.
    pub secret: Option<Vec<u8>>,
    pub enrolled_at: Option<i64>,
    /// Last accepted time step: no code of this step or earlier is accepted.
    pub last_step: Option<i64>,
    pub pending_secret: Option<Vec<u8>>,
    pub pending_at: Option<i64>,
}

impl OtpRow {
    pub fn active(&self) -> bool {
        self.secret.is_some()
    }
}

/// An event to record; no field ever holds a secret. The store adds the
/// host name of the daemon that records it.
#[derive(Debug, Clone, Default)]
pub struct NewAuditEntry {
    pub at: i64,
    pub event: &'static str,
    pub actor: Option<String>,
    pub user: Option<String>,
    pub credential: Option<CredentialKind>,
    pub service: Option<String>,
    pub rhost: Option<String>,
    pub tty: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub user: Option<String>,
    pub since: Option<i64>,
    pub limit: u32,
    /// Only entries older than this cursor (a page's `next`).
    pub before: Option<i64>,
}

/// A mail waiting in the outbox; subject and body are sealed with the
/// store's secret key (a reset mail carries a code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    pub created_at: i64,
    pub recipient: String,
    /// Whose mail it is, for the audit trail.
    pub user: String,
    /// What it is ("reset", "notice-password-changed", …), for the audit trail.
    pub kind: String,
    pub sealed: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailRow {
    pub id: i64,
    pub attempts: u32,
    pub mail: NewMail,
}
