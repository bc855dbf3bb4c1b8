//! The domain operations on a SQLite connection (or transaction).

use monban_proto::{AuditEntry, Campaign, CredentialKind, Lang, LoginRecord};
use rusqlite::{Connection, OptionalExtension};
use zeroize::Zeroizing;

use super::{audit, mail, otp, users};
use crate::rules::lockout::Counter;
use crate::store::rows::{
    AuditQuery, CodePurpose, CodeRow, CredentialRow, MailRow, NewAuditEntry, NewCredential,
    NewMail, OtpRow, UserRow,
};
use crate::store::tx::{Result, Tx};

pub struct SqliteTx<'a> {
    conn: &'a Connection,
    host: &'a str,
}

impl<'a> SqliteTx<'a> {
    pub fn new(conn: &'a Connection, host: &'a str) -> Self {
        Self { conn, host }
    }
}

impl Tx for SqliteTx<'_> {
    fn find_user(&self, name: &str) -> Result<Option<UserRow>> {
        users::find(self.conn, name)
    }
    fn all_users(&self) -> Result<Vec<UserRow>> {
        users::all(self.conn)
    }
    fn users_page(&self, after: Option<&str>, limit: u32) -> Result<Vec<UserRow>> {
        users::page(self.conn, after, limit)
    }
    fn insert_user(&self, name: &str, now: i64, require_otp: bool) -> Result<i64> {
        users::insert(self.conn, name, now, require_otp)
    }
    fn find_user_by_uid(&self, uid: u32) -> Result<Option<UserRow>> {
        users::find_by_uid(self.conn, uid)
    }
    fn accounts_page(&self, after: Option<&str>, limit: u32) -> Result<Vec<UserRow>> {
        users::accounts_page(self.conn, after, limit)
    }
    fn allocate_uid(&self, min: u32, max: u32) -> Result<Option<u32>> {
        users::allocate_uid(self.conn, min, max)
    }
    fn set_uid(&self, user_id: i64, uid: u32) -> Result<()> {
        users::set_uid(self.conn, user_id, uid)
    }
    fn set_language(&self, user_id: i64, language: Option<Lang>) -> Result<()> {
        users::set_language(self.conn, user_id, language)
    }
    fn language_of(&self, name: &str) -> Result<Option<Lang>> {
        users::language_of(self.conn, name)
    }
    fn remove_user(&self, user_id: i64) -> Result<()> {
        users::remove(self.conn, user_id)
    }
    fn set_disabled(&self, user_id: i64, disabled: bool) -> Result<()> {
        users::set_disabled(self.conn, user_id, disabled)
    }
    fn start_otp_grace(&self, user_id: i64, now: i64) -> Result<()> {
        users::start_otp_grace(self.conn, user_id, now)
    }
    fn set_shadow_aging(
        &self,
        user_id: i64,
        max_days: Option<i64>,
        min_days: Option<i64>,
        warn_days: Option<i64>,
    ) -> Result<()> {
        users::set_shadow_aging(self.conn, user_id, max_days, min_days, warn_days)
    }
    fn credential(&self, user_id: i64, kind: CredentialKind) -> Result<Option<CredentialRow>> {
        users::credential(self.conn, user_id, kind)
    }
    fn set_credential(
        &self,
        user_id: i64,
        new: &NewCredential<'_>,
        history_keep: usize,
    ) -> Result<()> {
        users::set_credential(self.conn, user_id, new, history_keep)
    }
    fn upgrade_hash(&self, user_id: i64, kind: CredentialKind, old: &str, new: &str) -> Result<()> {
        users::upgrade_hash(self.conn, user_id, kind, old, new)
    }
    fn set_force_change(
        &self,
        user_id: i64,
        kind: CredentialKind,
        reason: Option<&str>,
    ) -> Result<()> {
        users::set_force_change(self.conn, user_id, kind, reason)
    }
    fn history(
        &self,
        user_id: i64,
        kind: CredentialKind,
        limit: usize,
    ) -> Result<Vec<Zeroizing<String>>> {
        users::history(self.conn, user_id, kind, limit)
    }
    /// A write transaction here already holds the database's only write
    /// lock (`BEGIN IMMEDIATE`).
    fn counter(&self, user_id: i64, kind: CredentialKind) -> Result<Counter> {
        users::counter(self.conn, user_id, kind)
    }
    fn set_counter(&self, user_id: i64, kind: CredentialKind, c: Counter) -> Result<()> {
        users::set_counter(self.conn, user_id, kind, c)
    }
    fn mimic_counter_write(&self, user_id: i64, kind: CredentialKind) -> Result<()> {
        users::mimic_counter_write(self.conn, user_id, kind)
    }
    fn users_with_failures(&self, kinds: &[CredentialKind]) -> Result<Vec<String>> {
        users::with_failures(self.conn, kinds)
    }
    fn deadline(&self, user_id: i64) -> Result<Option<i64>> {
        users::deadline(self.conn, user_id)
    }
    fn clear_deadlines(&self, user_id: i64) -> Result<()> {
        users::clear_deadlines(self.conn, user_id)
    }
    fn create_campaign(
        &self,
        now: i64,
        deadline: i64,
        group: Option<&str>,
        created_by: &str,
        user_ids: &[i64],
    ) -> Result<i64> {
        audit::create_campaign(self.conn, now, deadline, group, created_by, user_ids)
    }
    fn campaigns(&self) -> Result<Vec<Campaign>> {
        audit::campaigns(self.conn)
    }
    fn clear_campaigns(&self, id: Option<i64>) -> Result<usize> {
        audit::clear_campaigns(self.conn, id)
    }
    fn last_login(&self, user_id: i64) -> Result<Option<LoginRecord>> {
        users::last_login(self.conn, user_id)
    }
    fn record_login(&self, user_id: i64, login: &LoginRecord) -> Result<()> {
        users::record_login(self.conn, user_id, login, self.host)
    }
    fn append_audit(&self, e: &NewAuditEntry) -> Result<i64> {
        audit::append(self.conn, e, self.host)
    }
    fn audit_page(&self, q: &AuditQuery) -> Result<(Vec<AuditEntry>, Option<i64>)> {
        audit::page(self.conn, q)
    }
    fn failures_since_last_session(&self, user: &str) -> Result<u32> {
        audit::failures_since_last_session(self.conn, user)
    }
    fn prune_audit(&self, before: i64, batch: u32) -> Result<usize> {
        audit::prune(self.conn, before, batch)
    }
    fn otp(&self, user_id: i64) -> Result<OtpRow> {
        otp::get(self.conn, user_id)
    }
    fn set_pending_otp(&self, user_id: i64, sealed: &[u8], now: i64) -> Result<()> {
        otp::set_pending(self.conn, user_id, sealed, now)
    }
    fn activate_otp(&self, user_id: i64, now: i64, step: i64) -> Result<()> {
        otp::activate(self.conn, user_id, now, step)
    }
    fn claim_otp_step(&self, user_id: i64, step: i64) -> Result<bool> {
        otp::claim_step(self.conn, user_id, step)
    }
    fn remove_otp(&self, user_id: i64) -> Result<()> {
        otp::remove(self.conn, user_id)
    }
    fn replace_recovery_codes(&self, user_id: i64, macs: &[[u8; 32]]) -> Result<()> {
        otp::replace_recovery_codes(self.conn, user_id, macs)
    }
    fn use_recovery_code(&self, user_id: i64, mac: &[u8; 32], now: i64) -> Result<bool> {
        otp::use_recovery_code(self.conn, user_id, mac, now)
    }
    fn recovery_codes_left(&self, user_id: i64) -> Result<u32> {
        otp::recovery_codes_left(self.conn, user_id)
    }
    fn set_email(&self, user_id: i64, email: Option<&str>) -> Result<()> {
        mail::set_email(self.conn, user_id, email)
    }
    fn put_code(&self, user_id: i64, code: &CodeRow) -> Result<()> {
        mail::put_code(self.conn, user_id, code)
    }
    fn codes(&self, user_id: i64) -> Result<Vec<CodeRow>> {
        mail::codes(self.conn, user_id)
    }
    fn take_code(&self, user_id: i64, purpose: CodePurpose) -> Result<bool> {
        mail::take_code(self.conn, user_id, purpose)
    }
    fn queue_mail(&self, m: &NewMail) -> Result<i64> {
        mail::queue(self.conn, m)
    }
    fn claim_mail(&self, now: i64, lease_until: i64) -> Result<Option<MailRow>> {
        mail::claim(self.conn, now, lease_until)
    }
    fn remove_mail(&self, id: i64) -> Result<()> {
        mail::remove(self.conn, id)
    }
    fn retry_mail(&self, id: i64, next_at: i64, error: &str) -> Result<()> {
        mail::retry(self.conn, id, next_at, error)
    }
    fn next_mail_due(&self) -> Result<Option<i64>> {
        mail::next_due(self.conn)
    }
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }
    fn set_meta(&self, key: &str, value: &[u8]) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            )?
            .execute(rusqlite::params![key, value])?;
        Ok(())
    }
}
