//! The store's domain operations: what handlers may ask of a database,
//! never how. Each backend implements them inside its own transaction
//! (`Store::write`) or against a committed snapshot (`Store::get`/`read`).

use monban_proto::{AuditEntry, Campaign, CredentialKind, Lang, LoginRecord};
use zeroize::Zeroizing;

use super::StoreError;
use super::rows::{
    AuditQuery, CodePurpose, CodeRow, CredentialRow, MailRow, NewAuditEntry, NewCredential,
    NewMail, OtpRow, UserRow,
};
use crate::rules::lockout::Counter;

pub type Result<T> = std::result::Result<T, StoreError>;

pub trait Tx {
    // Users.
    fn find_user(&self, name: &str) -> Result<Option<UserRow>>;
    fn all_users(&self) -> Result<Vec<UserRow>>;
    /// Up to `limit` users by name after `after` (the previous page's last).
    fn users_page(&self, after: Option<&str>, limit: u32) -> Result<Vec<UserRow>>;
    fn insert_user(&self, name: &str, now: i64, require_otp: bool) -> Result<i64>;

    // Accounts that exist only in monban (SPEC §11).
    fn find_user_by_uid(&self, uid: u32) -> Result<Option<UserRow>>;
    /// Up to `limit` users with a uid, by name after `after`.
    fn accounts_page(&self, after: Option<&str>, limit: u32) -> Result<Vec<UserRow>>;
    /// Hands out the next uid at or above `min`, once, on every host of a
    /// fleet alike; None when the range up to `max` is used up.
    fn allocate_uid(&self, min: u32, max: u32) -> Result<Option<u32>>;
    fn set_uid(&self, user_id: i64, uid: u32) -> Result<()>;
    /// The user's language preference; None clears it.
    fn set_language(&self, user_id: i64, language: Option<Lang>) -> Result<()>;
    /// The stored preference of `name`, if the user exists and has one.
    fn language_of(&self, name: &str) -> Result<Option<Lang>>;
    /// The user and everything of theirs.
    fn remove_user(&self, user_id: i64) -> Result<()>;
    fn set_disabled(&self, user_id: i64, disabled: bool) -> Result<()>;
    /// Starts the OTP grace clock the first time a user is found required.
    fn start_otp_grace(&self, user_id: i64, now: i64) -> Result<()>;
    fn set_shadow_aging(
        &self,
        user_id: i64,
        max_days: Option<i64>,
        min_days: Option<i64>,
        warn_days: Option<i64>,
    ) -> Result<()>;

    // Credentials.
    fn credential(&self, user_id: i64, kind: CredentialKind) -> Result<Option<CredentialRow>>;
    /// Stores a new secret; the previous one goes into the history, which
    /// keeps the newest `history_keep` entries.
    fn set_credential(
        &self,
        user_id: i64,
        new: &NewCredential<'_>,
        history_keep: usize,
    ) -> Result<()>;
    /// Replaces a hash by a stronger one of the same password (no history,
    /// the password's age unchanged) unless the password changed meanwhile.
    fn upgrade_hash(&self, user_id: i64, kind: CredentialKind, old: &str, new: &str) -> Result<()>;
    fn set_force_change(
        &self,
        user_id: i64,
        kind: CredentialKind,
        reason: Option<&str>,
    ) -> Result<()>;
    /// The previous hashes, newest first.
    fn history(
        &self,
        user_id: i64,
        kind: CredentialKind,
        limit: usize,
    ) -> Result<Vec<Zeroizing<String>>>;

    // Failure counters.
    /// The counter of one credential. Inside `Store::write` it is read
    /// under a lock that every other writer of this user's counters takes
    /// too, on every host: a read-modify-write cannot lose an update.
    fn counter(&self, user_id: i64, kind: CredentialKind) -> Result<Counter>;
    fn set_counter(&self, user_id: i64, kind: CredentialKind, c: Counter) -> Result<()>;
    /// The statements of `set_counter`, changing nothing: for a name monban
    /// does not manage, whose answer must cost what a known user's does.
    fn mimic_counter_write(&self, user_id: i64, kind: CredentialKind) -> Result<()>;
    /// Names of the users with failures or a suspension on any of `kinds`.
    fn users_with_failures(&self, kinds: &[CredentialKind]) -> Result<Vec<String>>;

    // Mandatory-change campaigns.
    /// The earliest mandatory-change deadline still pending for the user.
    fn deadline(&self, user_id: i64) -> Result<Option<i64>>;
    /// A new password satisfies every pending campaign.
    fn clear_deadlines(&self, user_id: i64) -> Result<()>;
    fn create_campaign(
        &self,
        now: i64,
        deadline: i64,
        group: Option<&str>,
        created_by: &str,
        user_ids: &[i64],
    ) -> Result<i64>;
    fn campaigns(&self) -> Result<Vec<Campaign>>;
    /// Deletes one campaign (or all); returns how many were deleted.
    fn clear_campaigns(&self, id: Option<i64>) -> Result<usize>;

    // Sessions.
    fn last_login(&self, user_id: i64) -> Result<Option<LoginRecord>>;
    /// Records a session opened on this host.
    fn record_login(&self, user_id: i64, login: &LoginRecord) -> Result<()>;

    // The audit trail.
    /// Stores an entry with this host's name; returns its id.
    fn append_audit(&self, e: &NewAuditEntry) -> Result<i64>;
    /// The newest `limit` matching entries, oldest first, with the cursor
    /// of the next (older) page when this one is full.
    fn audit_page(&self, q: &AuditQuery) -> Result<(Vec<AuditEntry>, Option<i64>)>;
    /// Failed authentications of `user` since their last session opened.
    fn failures_since_last_session(&self, user: &str) -> Result<u32>;
    /// Deletes at most `batch` entries older than `before`; returns how many.
    fn prune_audit(&self, before: i64, batch: u32) -> Result<usize>;

    // One-time passwords.
    fn otp(&self, user_id: i64) -> Result<OtpRow>;
    fn set_pending_otp(&self, user_id: i64, sealed: &[u8], now: i64) -> Result<()>;
    /// Makes the pending secret the active one; `step` was just used.
    fn activate_otp(&self, user_id: i64, now: i64, step: i64) -> Result<()>;
    /// Records `step` as used; false when it (or a later one) already was,
    /// so two logins racing with the same code, on any hosts, cannot both pass.
    fn claim_otp_step(&self, user_id: i64, step: i64) -> Result<bool>;
    /// Forgets the token and its recovery codes.
    fn remove_otp(&self, user_id: i64) -> Result<()>;
    fn replace_recovery_codes(&self, user_id: i64, macs: &[[u8; 32]]) -> Result<()>;
    /// Marks an unused recovery code as used; false when none matches.
    fn use_recovery_code(&self, user_id: i64, mac: &[u8; 32], now: i64) -> Result<bool>;
    fn recovery_codes_left(&self, user_id: i64) -> Result<u32>;

    // E-mail (SPEC §8).
    /// The registered address; None removes it.
    fn set_email(&self, user_id: i64, email: Option<&str>) -> Result<()>;
    /// Stores a code, replacing a pending one of the same purpose.
    fn put_code(&self, user_id: i64, code: &CodeRow) -> Result<()>;
    /// Every pending code of the user (lapsed ones included: the caller
    /// judges them).
    fn codes(&self, user_id: i64) -> Result<Vec<CodeRow>>;
    /// Deletes a code; false when there was none (used by another login).
    fn take_code(&self, user_id: i64, purpose: CodePurpose) -> Result<bool>;
    fn queue_mail(&self, mail: &NewMail) -> Result<i64>;
    /// The oldest mail due at `now` that no host is sending, marked as
    /// being sent until `lease_until` (so two hosts never send one mail).
    fn claim_mail(&self, now: i64, lease_until: i64) -> Result<Option<MailRow>>;
    /// A mail is sent (or given up): it leaves the outbox.
    fn remove_mail(&self, id: i64) -> Result<()>;
    /// A sending failed: try again at `next_at`.
    fn retry_mail(&self, id: i64, next_at: i64, error: &str) -> Result<()>;
    /// When the next queued mail is due, if any.
    fn next_mail_due(&self) -> Result<Option<i64>>;

    // Store-wide facts (the key check value).
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>>;
    fn set_meta(&self, key: &str, value: &[u8]) -> Result<()>;
}
