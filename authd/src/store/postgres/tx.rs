//! The domain operations on one PostgreSQL connection, inside a
//! transaction (`Store::write`) or not (`Store::get`).
//!
//! `Tx` is synchronous (handlers' closures run on the blocking pool, as
//! with SQLite); each statement is handed to the runtime with
//! `Handle::block_on` and bounded by the access's deadline, so an
//! unreachable server costs at most that, never a hung login.

use std::cell::{Cell, RefCell};
use std::future::Future;

use deadpool_postgres::Client;
use monban_proto::{AuditEntry, Campaign, CredentialKind, Lang, LoginRecord};
use tokio::runtime::Handle;
use tokio::time::Instant;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use zeroize::Zeroizing;

use super::{audit, mail};
use crate::rules::lockout::Counter;
use crate::store::StoreError;
use crate::store::rows::{
    AuditQuery, CodePurpose, CodeRow, CredentialRow, MailRow, NewAuditEntry, NewCredential,
    NewMail, OtpRow, UserRow,
};
use crate::store::tx::{Result, Tx};

pub(super) type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

pub struct PgTx<'a> {
    client: &'a Client,
    rt: &'a Handle,
    deadline: Instant,
    host: &'a str,
    /// False for `get`/`read`: a write there is a bug, refused here.
    writable: bool,
    /// Users whose row this transaction holds `FOR UPDATE`.
    locked: RefCell<Vec<i64>>,
    /// The connection may be unusable (a timeout, a lost server, a standby
    /// after a failover): the pool must not hand it out again.
    broken: Cell<bool>,
}

impl<'a> PgTx<'a> {
    pub(super) fn new(
        client: &'a Client,
        rt: &'a Handle,
        deadline: Instant,
        host: &'a str,
        writable: bool,
    ) -> Self {
        Self {
            client,
            rt,
            deadline,
            host,
            writable,
            locked: RefCell::default(),
            broken: Cell::new(false),
        }
    }

    pub(super) fn broken(&self) -> bool {
        self.broken.get()
    }

    pub(super) fn host(&self) -> &str {
        self.host
    }

    fn run<T>(
        &self,
        fut: impl Future<Output = std::result::Result<T, tokio_postgres::Error>>,
    ) -> Result<T> {
        match self
            .rt
            .block_on(tokio::time::timeout_at(self.deadline, fut))
        {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => {
                if connection_fault(&e) {
                    self.broken.set(true);
                }
                Err(e.into())
            }
            Err(_) => {
                self.broken.set(true);
                Err(StoreError::Timeout)
            }
        }
    }

    /// One statement to the server: counted by monban-bench
    /// (`--parts fleet`) from the trace log.
    fn round_trip(&self, sql: &str) {
        tracing::trace!(
            sql = sql.split_whitespace().take(4).collect::<Vec<_>>().join(" "),
            "postgres round trip"
        );
    }

    pub(super) fn batch(&self, sql: &str) -> Result<()> {
        self.round_trip(sql);
        self.run(self.client.batch_execute(sql))
    }

    pub(super) fn query(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
        self.round_trip(sql);
        self.run(async {
            let st = self.client.prepare_cached(sql).await?;
            self.client.query(&st, params).await
        })
    }

    pub(super) fn query_opt(&self, sql: &str, params: Params<'_>) -> Result<Option<Row>> {
        self.round_trip(sql);
        self.run(async {
            let st = self.client.prepare_cached(sql).await?;
            self.client.query_opt(&st, params).await
        })
    }

    pub(super) fn query_one(&self, sql: &str, params: Params<'_>) -> Result<Row> {
        self.round_trip(sql);
        self.run(async {
            let st = self.client.prepare_cached(sql).await?;
            self.client.query_one(&st, params).await
        })
    }

    /// A statement that changes data; the number of rows it changed.
    pub(super) fn execute(&self, sql: &str, params: Params<'_>) -> Result<u64> {
        self.writable()?;
        self.round_trip(sql);
        self.run(async {
            let st = self.client.prepare_cached(sql).await?;
            self.client.execute(&st, params).await
        })
    }

    pub(super) fn writable(&self) -> Result<()> {
        if self.writable {
            Ok(())
        } else {
            Err(StoreError::ReadOnly)
        }
    }

    /// Takes the user's row lock once per transaction: every writer of a
    /// user's counters does, on every host, so their read-modify-writes
    /// are serialised by the database.
    fn lock_user(&self, user_id: i64) -> Result<()> {
        if self.locked.borrow().contains(&user_id) {
            return Ok(());
        }
        self.writable()?;
        self.query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", &[&user_id])?;
        self.locked.borrow_mut().push(user_id);
        Ok(())
    }
}

/// Anything but an error the server reported about a statement leaves the
/// connection in doubt; so do the errors of a server going away or of a
/// standby refusing writes (a failover: reconnecting finds the primary).
fn connection_fault(e: &tokio_postgres::Error) -> bool {
    match e.code() {
        None => e.as_db_error().is_none(),
        Some(code) => [
            SqlState::READ_ONLY_SQL_TRANSACTION,
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
        ]
        .contains(code),
    }
}

const USER_COLUMNS: &str = "id, name, created_at, disabled, require_otp, otp_required_since, \
     shadow_max_days, shadow_min_days, shadow_warn_days, language, email, uid";

fn user_from_row(r: &Row) -> Result<UserRow> {
    Ok(UserRow {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        created_at: r.try_get(2)?,
        disabled: r.try_get(3)?,
        require_otp: r.try_get(4)?,
        otp_required_since: r.try_get(5)?,
        shadow_max_days: r.try_get(6)?,
        shadow_min_days: r.try_get(7)?,
        shadow_warn_days: r.try_get(8)?,
        // A value this build does not know reads as no preference.
        language: r.try_get::<_, Option<&str>>(9)?.and_then(Lang::parse),
        email: r.try_get(10)?,
        uid: r
            .try_get::<_, Option<i64>>(11)?
            .map(|uid| u32::try_from(uid).map_err(|_| bad_uid()))
            .transpose()?,
    })
}

fn bad_uid() -> StoreError {
    StoreError::BadValue {
        table: "users".into(),
        column: "uid".into(),
    }
}

fn users(rows: Vec<Row>) -> Result<Vec<UserRow>> {
    rows.iter().map(user_from_row).collect()
}

pub(super) fn count(row: &Row) -> Result<u32> {
    let n: i64 = row.try_get(0)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

impl Tx for PgTx<'_> {
    fn find_user(&self, name: &str) -> Result<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE name = $1");
        self.query_opt(&sql, &[&name])?
            .as_ref()
            .map(user_from_row)
            .transpose()
    }
    fn all_users(&self) -> Result<Vec<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY name");
        users(self.query(&sql, &[])?)
    }
    fn users_page(&self, after: Option<&str>, limit: u32) -> Result<Vec<UserRow>> {
        let sql =
            format!("SELECT {USER_COLUMNS} FROM users WHERE name > $1 ORDER BY name LIMIT $2");
        users(self.query(&sql, &[&after.unwrap_or(""), &i64::from(limit)])?)
    }
    fn insert_user(&self, name: &str, now: i64, require_otp: bool) -> Result<i64> {
        self.writable()?;
        let row = self.query_one(
            "INSERT INTO users (name, created_at, require_otp, otp_required_since)
             VALUES ($1, $2, $3, CASE WHEN $3::boolean THEN $2::bigint END) RETURNING id",
            &[&name, &now, &require_otp],
        )?;
        Ok(row.try_get(0)?)
    }
    fn find_user_by_uid(&self, uid: u32) -> Result<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE uid = $1");
        self.query_opt(&sql, &[&i64::from(uid)])?
            .as_ref()
            .map(user_from_row)
            .transpose()
    }
    fn accounts_page(&self, after: Option<&str>, limit: u32) -> Result<Vec<UserRow>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE uid IS NOT NULL AND name > $1 ORDER BY name LIMIT $2"
        );
        users(self.query(&sql, &[&after.unwrap_or(""), &i64::from(limit)])?)
    }
    fn allocate_uid(&self, min: u32, max: u32) -> Result<Option<u32>> {
        self.writable()?;
        // The upsert takes the counter's row lock: hosts allocating at
        // once are served one after the other, never the same uid.
        let row = self.query_one(
            "INSERT INTO uid_counter (id, next) VALUES (1, $1::bigint + 1)
             ON CONFLICT (id) DO UPDATE SET next = GREATEST(uid_counter.next, $1::bigint) + 1
             RETURNING next - 1",
            &[&i64::from(min)],
        )?;
        let uid: i64 = row.try_get(0)?;
        Ok(u32::try_from(uid).ok().filter(|uid| *uid <= max))
    }
    fn set_uid(&self, user_id: i64, uid: u32) -> Result<()> {
        self.execute(
            "UPDATE users SET uid = $2 WHERE id = $1",
            &[&user_id, &i64::from(uid)],
        )?;
        Ok(())
    }
    fn set_language(&self, user_id: i64, language: Option<Lang>) -> Result<()> {
        let code = language.map(Lang::code);
        self.execute(
            "UPDATE users SET language = $2 WHERE id = $1",
            &[&user_id, &code],
        )?;
        Ok(())
    }
    fn language_of(&self, name: &str) -> Result<Option<Lang>> {
        let row = self.query_opt("SELECT language FROM users WHERE name = $1", &[&name])?;
        Ok(match row {
            Some(r) => r.try_get::<_, Option<&str>>(0)?.and_then(Lang::parse),
            None => None,
        })
    }
    fn remove_user(&self, user_id: i64) -> Result<()> {
        self.execute("DELETE FROM users WHERE id = $1", &[&user_id])?;
        Ok(())
    }
    fn set_disabled(&self, user_id: i64, disabled: bool) -> Result<()> {
        self.execute(
            "UPDATE users SET disabled = $2 WHERE id = $1",
            &[&user_id, &disabled],
        )?;
        Ok(())
    }
    fn start_otp_grace(&self, user_id: i64, now: i64) -> Result<()> {
        self.execute(
            "UPDATE users SET otp_required_since = $2
             WHERE id = $1 AND otp_required_since IS NULL",
            &[&user_id, &now],
        )?;
        Ok(())
    }
    fn set_shadow_aging(
        &self,
        user_id: i64,
        max_days: Option<i64>,
        min_days: Option<i64>,
        warn_days: Option<i64>,
    ) -> Result<()> {
        self.execute(
            "UPDATE users SET shadow_max_days = $2, shadow_min_days = $3, shadow_warn_days = $4
             WHERE id = $1",
            &[&user_id, &max_days, &min_days, &warn_days],
        )?;
        Ok(())
    }

    fn credential(&self, user_id: i64, kind: CredentialKind) -> Result<Option<CredentialRow>> {
        let row = self.query_opt(
            "SELECT hash, set_at, temporary_until, force_change FROM credentials
             WHERE user_id = $1 AND kind = $2",
            &[&user_id, &kind.as_str()],
        )?;
        row.map(|r| {
            Ok(CredentialRow {
                hash: Zeroizing::new(r.try_get(0)?),
                set_at: r.try_get(1)?,
                temporary_until: r.try_get(2)?,
                force_change: r.try_get(3)?,
            })
        })
        .transpose()
    }
    fn set_credential(
        &self,
        user_id: i64,
        new: &NewCredential<'_>,
        history_keep: usize,
    ) -> Result<()> {
        let kind = new.kind.as_str();
        let keep = i64::try_from(history_keep).unwrap_or(i64::MAX);
        self.execute(
            "INSERT INTO password_history (user_id, kind, hash, set_at)
             SELECT user_id, kind, hash, set_at FROM credentials WHERE user_id = $1 AND kind = $2",
            &[&user_id, &kind],
        )?;
        self.execute(
            "DELETE FROM password_history WHERE user_id = $1 AND kind = $2 AND id NOT IN
               (SELECT id FROM password_history WHERE user_id = $1 AND kind = $2
                ORDER BY id DESC LIMIT $3)",
            &[&user_id, &kind, &keep],
        )?;
        self.execute(
            "INSERT INTO credentials (user_id, kind, hash, set_at, temporary_until, force_change)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (user_id, kind) DO UPDATE SET hash = excluded.hash,
               set_at = excluded.set_at, temporary_until = excluded.temporary_until,
               force_change = excluded.force_change",
            &[
                &user_id,
                &kind,
                &new.hash,
                &new.set_at,
                &new.temporary_until,
                &new.force_change,
            ],
        )?;
        Ok(())
    }
    fn upgrade_hash(&self, user_id: i64, kind: CredentialKind, old: &str, new: &str) -> Result<()> {
        self.execute(
            "UPDATE credentials SET hash = $4 WHERE user_id = $1 AND kind = $2 AND hash = $3",
            &[&user_id, &kind.as_str(), &old, &new],
        )?;
        Ok(())
    }
    fn set_force_change(
        &self,
        user_id: i64,
        kind: CredentialKind,
        reason: Option<&str>,
    ) -> Result<()> {
        self.execute(
            "UPDATE credentials SET force_change = $3 WHERE user_id = $1 AND kind = $2",
            &[&user_id, &kind.as_str(), &reason],
        )?;
        Ok(())
    }
    fn history(
        &self,
        user_id: i64,
        kind: CredentialKind,
        limit: usize,
    ) -> Result<Vec<Zeroizing<String>>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.query(
            "SELECT hash FROM password_history WHERE user_id = $1 AND kind = $2
             ORDER BY id DESC LIMIT $3",
            &[&user_id, &kind.as_str(), &limit],
        )?
        .iter()
        .map(|r| Ok(Zeroizing::new(r.try_get(0)?)))
        .collect()
    }

    fn counter(&self, user_id: i64, kind: CredentialKind) -> Result<Counter> {
        // The lock first, the read in a statement of its own: under READ
        // COMMITTED only that later statement is sure to see what the
        // previous holder of the lock committed.
        if self.writable {
            self.lock_user(user_id)?;
        }
        let row = self.query_opt(
            "SELECT failures, locked_at FROM counters WHERE user_id = $1 AND kind = $2",
            &[&user_id, &kind.as_str()],
        )?;
        Ok(match row {
            Some(r) => Counter {
                failures: u32::try_from(r.try_get::<_, i64>(0)?).unwrap_or(u32::MAX),
                locked_at: r.try_get(1)?,
            },
            None => Counter::default(),
        })
    }
    fn set_counter(&self, user_id: i64, kind: CredentialKind, c: Counter) -> Result<()> {
        self.lock_user(user_id)?;
        self.execute(
            "INSERT INTO counters (user_id, kind, failures, locked_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, kind) DO UPDATE SET failures = excluded.failures,
               locked_at = excluded.locked_at",
            &[
                &user_id,
                &kind.as_str(),
                &i64::from(c.failures),
                &c.locked_at,
            ],
        )?;
        Ok(())
    }
    fn mimic_counter_write(&self, user_id: i64, kind: CredentialKind) -> Result<()> {
        self.lock_user(user_id)?;
        self.execute(
            "UPDATE counters SET failures = failures, locked_at = locked_at
             WHERE user_id = $1 AND kind = $2",
            &[&user_id, &kind.as_str()],
        )?;
        Ok(())
    }
    fn users_with_failures(&self, kinds: &[CredentialKind]) -> Result<Vec<String>> {
        let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        self.query(
            "SELECT DISTINCT u.name FROM users u JOIN counters c ON c.user_id = u.id
             WHERE c.kind = ANY($1) AND (c.failures > 0 OR c.locked_at IS NOT NULL)
             ORDER BY u.name",
            &[&kinds],
        )?
        .iter()
        .map(|r| Ok(r.try_get(0)?))
        .collect()
    }

    fn deadline(&self, user_id: i64) -> Result<Option<i64>> {
        let row = self.query_one(
            "SELECT MIN(c.deadline) FROM campaigns c
             JOIN campaign_users cu ON cu.campaign_id = c.id WHERE cu.user_id = $1",
            &[&user_id],
        )?;
        Ok(row.try_get(0)?)
    }
    fn clear_deadlines(&self, user_id: i64) -> Result<()> {
        self.execute("DELETE FROM campaign_users WHERE user_id = $1", &[&user_id])?;
        Ok(())
    }
    fn create_campaign(
        &self,
        now: i64,
        deadline: i64,
        group: Option<&str>,
        created_by: &str,
        user_ids: &[i64],
    ) -> Result<i64> {
        audit::create_campaign(self, now, deadline, group, created_by, user_ids)
    }
    fn campaigns(&self) -> Result<Vec<Campaign>> {
        audit::campaigns(self)
    }
    fn clear_campaigns(&self, id: Option<i64>) -> Result<usize> {
        audit::clear_campaigns(self, id)
    }

    fn last_login(&self, user_id: i64) -> Result<Option<LoginRecord>> {
        let row = self.query_opt(
            "SELECT at, service, rhost, tty, host FROM logins WHERE user_id = $1",
            &[&user_id],
        )?;
        row.map(|r| {
            Ok(LoginRecord {
                at: r.try_get(0)?,
                service: r.try_get(1)?,
                rhost: r.try_get(2)?,
                tty: r.try_get(3)?,
                host: r.try_get(4)?,
            })
        })
        .transpose()
    }
    fn record_login(&self, user_id: i64, login: &LoginRecord) -> Result<()> {
        self.execute(
            "INSERT INTO logins (user_id, at, service, rhost, tty, host)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (user_id) DO UPDATE SET at = excluded.at, service = excluded.service,
               rhost = excluded.rhost, tty = excluded.tty, host = excluded.host",
            &[
                &user_id,
                &login.at,
                &login.service,
                &login.rhost,
                &login.tty,
                &self.host,
            ],
        )?;
        Ok(())
    }

    fn append_audit(&self, e: &NewAuditEntry) -> Result<i64> {
        audit::append(self, e)
    }
    fn audit_page(&self, q: &AuditQuery) -> Result<(Vec<AuditEntry>, Option<i64>)> {
        audit::page(self, q)
    }
    fn failures_since_last_session(&self, user: &str) -> Result<u32> {
        audit::failures_since_last_session(self, user)
    }
    fn prune_audit(&self, before: i64, batch: u32) -> Result<usize> {
        audit::prune(self, before, batch)
    }

    fn otp(&self, user_id: i64) -> Result<OtpRow> {
        let row = self.query_opt(
            "SELECT secret, enrolled_at, last_step, pending_secret, pending_at
             FROM otp WHERE user_id = $1",
            &[&user_id],
        )?;
        Ok(match row {
            Some(r) => OtpRow {
                secret: r.try_get(0)?,
                enrolled_at: r.try_get(1)?,
                last_step: r.try_get(2)?,
                pending_secret: r.try_get(3)?,
                pending_at: r.try_get(4)?,
            },
            None => OtpRow::default(),
        })
    }
    fn set_pending_otp(&self, user_id: i64, sealed: &[u8], now: i64) -> Result<()> {
        self.execute(
            "INSERT INTO otp (user_id, pending_secret, pending_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id) DO UPDATE SET pending_secret = excluded.pending_secret,
               pending_at = excluded.pending_at",
            &[&user_id, &sealed, &now],
        )?;
        Ok(())
    }
    fn activate_otp(&self, user_id: i64, now: i64, step: i64) -> Result<()> {
        self.execute(
            "UPDATE otp SET secret = pending_secret, enrolled_at = $2, last_step = $3,
               pending_secret = NULL, pending_at = NULL WHERE user_id = $1",
            &[&user_id, &now, &step],
        )?;
        Ok(())
    }
    /// One conditional UPDATE: a second host racing with the same step
    /// waits for the first's row lock, re-reads `last_step` and changes
    /// nothing.
    fn claim_otp_step(&self, user_id: i64, step: i64) -> Result<bool> {
        let changed = self.execute(
            "UPDATE otp SET last_step = $2
             WHERE user_id = $1 AND (last_step IS NULL OR last_step < $2)",
            &[&user_id, &step],
        )?;
        Ok(changed > 0)
    }
    fn remove_otp(&self, user_id: i64) -> Result<()> {
        self.execute("DELETE FROM otp WHERE user_id = $1", &[&user_id])?;
        self.execute("DELETE FROM recovery_codes WHERE user_id = $1", &[&user_id])?;
        Ok(())
    }
    fn replace_recovery_codes(&self, user_id: i64, macs: &[[u8; 32]]) -> Result<()> {
        self.execute("DELETE FROM recovery_codes WHERE user_id = $1", &[&user_id])?;
        let macs: Vec<&[u8]> = macs.iter().map(|m| &m[..]).collect();
        self.execute(
            "INSERT INTO recovery_codes (user_id, mac) SELECT $1, unnest($2::bytea[])",
            &[&user_id, &macs],
        )?;
        Ok(())
    }
    fn use_recovery_code(&self, user_id: i64, mac: &[u8; 32], now: i64) -> Result<bool> {
        let changed = self.execute(
            "UPDATE recovery_codes SET used_at = $3
             WHERE user_id = $1 AND mac = $2 AND used_at IS NULL",
            &[&user_id, &&mac[..], &now],
        )?;
        Ok(changed > 0)
    }
    fn recovery_codes_left(&self, user_id: i64) -> Result<u32> {
        count(&self.query_one(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
            &[&user_id],
        )?)
    }

    fn set_email(&self, user_id: i64, email: Option<&str>) -> Result<()> {
        mail::set_email(self, user_id, email)
    }
    fn put_code(&self, user_id: i64, code: &CodeRow) -> Result<()> {
        mail::put_code(self, user_id, code)
    }
    fn codes(&self, user_id: i64) -> Result<Vec<CodeRow>> {
        mail::codes(self, user_id)
    }
    fn take_code(&self, user_id: i64, purpose: CodePurpose) -> Result<bool> {
        mail::take_code(self, user_id, purpose)
    }
    fn queue_mail(&self, m: &NewMail) -> Result<i64> {
        mail::queue(self, m)
    }
    fn claim_mail(&self, now: i64, lease_until: i64) -> Result<Option<MailRow>> {
        mail::claim(self, now, lease_until)
    }
    fn remove_mail(&self, id: i64) -> Result<()> {
        mail::remove(self, id)
    }
    fn retry_mail(&self, id: i64, next_at: i64, error: &str) -> Result<()> {
        mail::retry(self, id, next_at, error)
    }
    fn next_mail_due(&self) -> Result<Option<i64>> {
        mail::next_due(self)
    }
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.query_opt("SELECT value FROM meta WHERE key = $1", &[&key])?
            .map(|r| Ok(r.try_get(0)?))
            .transpose()
    }
    fn set_meta(&self, key: &str, value: &[u8]) -> Result<()> {
        self.execute(
            "INSERT INTO meta (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&key, &value],
        )?;
        Ok(())
    }
}
