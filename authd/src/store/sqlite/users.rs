//! Users, their secrets, failure counters, history, deadlines and logins.
//! Every function takes a connection (or a transaction, which derefs to one).

use monban_proto::{CredentialKind, Lang, LoginRecord};
use rusqlite::{Connection, OptionalExtension, params};
use zeroize::Zeroizing;

use crate::rules::lockout::Counter;
use crate::store::StoreError;
use crate::store::rows::{CredentialRow, NewCredential, UserRow};

const USER_COLUMNS: &str = "id, name, created_at, disabled, require_otp, otp_required_since, \
     shadow_max_days, shadow_min_days, shadow_warn_days, language, email, uid";

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: r.get(0)?,
        name: r.get(1)?,
        created_at: r.get(2)?,
        disabled: r.get(3)?,
        require_otp: r.get(4)?,
        otp_required_since: r.get(5)?,
        shadow_max_days: r.get(6)?,
        shadow_min_days: r.get(7)?,
        shadow_warn_days: r.get(8)?,
        // A value this build does not know reads as no preference.
        language: r
            .get::<_, Option<String>>(9)?
            .as_deref()
            .and_then(Lang::parse),
        email: r.get(10)?,
        uid: r.get(11)?,
    })
}

pub fn find(conn: &Connection, name: &str) -> Result<Option<UserRow>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE name = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([name], user_from_row)
        .optional()?)
}

pub fn all(conn: &Connection) -> Result<Vec<UserRow>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY name");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], user_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Up to `limit` users by name after `after` (the previous page's last).
pub fn page(
    conn: &Connection,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<UserRow>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE name > ?1 ORDER BY name LIMIT ?2");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![after.unwrap_or(""), limit], user_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn insert(
    conn: &Connection,
    name: &str,
    now: i64,
    require_otp: bool,
) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO users (name, created_at, require_otp, otp_required_since)
         VALUES (?1, ?2, ?3, CASE WHEN ?3 THEN ?2 END)",
    )?
    .execute(params![name, now, require_otp])?;
    Ok(conn.last_insert_rowid())
}

pub fn find_by_uid(conn: &Connection, uid: u32) -> Result<Option<UserRow>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE uid = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([uid], user_from_row)
        .optional()?)
}

/// Up to `limit` accounts (users with a uid) by name after `after`.
pub fn accounts_page(
    conn: &Connection,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<UserRow>, StoreError> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE uid IS NOT NULL AND name > ?1 ORDER BY name LIMIT ?2"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![after.unwrap_or(""), limit], user_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The next uid at or above `min`; None when it would pass `max` (nothing
/// is then changed, the caller's transaction being dropped).
pub fn allocate_uid(conn: &Connection, min: u32, max: u32) -> Result<Option<u32>, StoreError> {
    let uid: i64 = conn
        .prepare_cached(
            "INSERT INTO uid_counter (id, next) VALUES (1, ?1 + 1)
             ON CONFLICT (id) DO UPDATE SET next = MAX(next, ?1) + 1
             RETURNING next - 1",
        )?
        .query_row([min], |r| r.get(0))?;
    Ok(u32::try_from(uid).ok().filter(|uid| *uid <= max))
}

pub fn set_uid(conn: &Connection, user_id: i64, uid: u32) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE users SET uid = ?2 WHERE id = ?1")?
        .execute(params![user_id, uid])?;
    Ok(())
}

/// The user's language preference; None clears it.
pub fn set_language(
    conn: &Connection,
    user_id: i64,
    language: Option<Lang>,
) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE users SET language = ?2 WHERE id = ?1")?
        .execute(params![user_id, language.map(Lang::code)])?;
    Ok(())
}

/// The stored preference of `name`, if the user exists and has one.
pub fn language_of(conn: &Connection, name: &str) -> Result<Option<Lang>, StoreError> {
    let code: Option<Option<String>> = conn
        .prepare_cached("SELECT language FROM users WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?;
    Ok(code.flatten().as_deref().and_then(Lang::parse))
}

pub fn remove(conn: &Connection, user_id: i64) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM users WHERE id = ?1")?
        .execute([user_id])?;
    Ok(())
}

pub fn set_disabled(conn: &Connection, user_id: i64, disabled: bool) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE users SET disabled = ?2 WHERE id = ?1")?
        .execute(params![user_id, disabled])?;
    Ok(())
}

/// Starts the OTP grace clock the first time a user is found required.
pub fn start_otp_grace(conn: &Connection, user_id: i64, now: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE users SET otp_required_since = ?2
         WHERE id = ?1 AND otp_required_since IS NULL",
    )?
    .execute(params![user_id, now])?;
    Ok(())
}

pub fn set_shadow_aging(
    conn: &Connection,
    user_id: i64,
    max_days: Option<i64>,
    min_days: Option<i64>,
    warn_days: Option<i64>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE users SET shadow_max_days = ?2, shadow_min_days = ?3, shadow_warn_days = ?4
         WHERE id = ?1",
    )?
    .execute(params![user_id, max_days, min_days, warn_days])?;
    Ok(())
}

pub fn credential(
    conn: &Connection,
    user_id: i64,
    kind: CredentialKind,
) -> Result<Option<CredentialRow>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT hash, set_at, temporary_until, force_change FROM credentials
             WHERE user_id = ?1 AND kind = ?2",
        )?
        .query_row(params![user_id, kind.as_str()], |r| {
            Ok(CredentialRow {
                hash: Zeroizing::new(r.get(0)?),
                set_at: r.get(1)?,
                temporary_until: r.get(2)?,
                force_change: r.get(3)?,
            })
        })
        .optional()?)
}

/// Stores a new secret; the previous one goes into the history, which keeps
/// the newest `history_keep` entries.
pub fn set_credential(
    conn: &Connection,
    user_id: i64,
    new: &NewCredential<'_>,
    history_keep: usize,
) -> Result<(), StoreError> {
    let kind = new.kind.as_str();
    conn.prepare_cached(
        "INSERT INTO password_history (user_id, kind, hash, set_at)
         SELECT user_id, kind, hash, set_at FROM credentials WHERE user_id = ?1 AND kind = ?2",
    )?
    .execute(params![user_id, kind])?;
    conn.prepare_cached(
        "DELETE FROM password_history WHERE user_id = ?1 AND kind = ?2 AND id NOT IN
           (SELECT id FROM password_history WHERE user_id = ?1 AND kind = ?2
            ORDER BY id DESC LIMIT ?3)",
    )?
    .execute(params![user_id, kind, history_keep as i64])?;
    conn.prepare_cached(
        "INSERT INTO credentials (user_id, kind, hash, set_at, temporary_until, force_change)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(user_id, kind) DO UPDATE SET hash = excluded.hash,
           set_at = excluded.set_at, temporary_until = excluded.temporary_until,
           force_change = excluded.force_change",
    )?
    .execute(params![
        user_id,
        kind,
        new.hash,
        new.set_at,
        new.temporary_until,
        new.force_change
    ])?;
    Ok(())
}

/// Replaces a hash by a stronger one of the same password (no history, the
/// password's age is unchanged) unless the password changed meanwhile.
pub fn upgrade_hash(
    conn: &Connection,
    user_id: i64,
    kind: CredentialKind,
    old: &str,
    new: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE credentials SET hash = ?4 WHERE user_id = ?1 AND kind = ?2 AND hash = ?3",
    )?
    .execute(params![user_id, kind.as_str(), old, new])?;
    Ok(())
}

pub fn set_force_change(
    conn: &Connection,
    user_id: i64,
    kind: CredentialKind,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE credentials SET force_change = ?3 WHERE user_id = ?1 AND kind = ?2",
    )?
    .execute(params![user_id, kind.as_str(), reason])?;
    Ok(())
}

/// The previous hashes, newest first.
pub fn history(
    conn: &Connection,
    user_id: i64,
    kind: CredentialKind,
    limit: usize,
) -> Result<Vec<Zeroizing<String>>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT hash FROM password_history WHERE user_id = ?1 AND kind = ?2
         ORDER BY id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![user_id, kind.as_str(), limit as i64], |r| {
        r.get::<_, String>(0).map(Zeroizing::new)
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn counter(
    conn: &Connection,
    user_id: i64,
    kind: CredentialKind,
) -> Result<Counter, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT failures, locked_at FROM counters WHERE user_id = ?1 AND kind = ?2",
        )?
        .query_row(params![user_id, kind.as_str()], |r| {
            Ok(Counter {
                failures: r.get(0)?,
                locked_at: r.get(1)?,
            })
        })
        .optional()?
        .unwrap_or_default())
}

/// Names of the users with failures or a suspension on any of `kinds`.
pub fn with_failures(
    conn: &Connection,
    kinds: &[CredentialKind],
) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT u.name FROM users u JOIN counters c ON c.user_id = u.id
         WHERE c.kind = ?1 AND (c.failures > 0 OR c.locked_at IS NOT NULL)",
    )?;
    let mut names = Vec::new();
    for kind in kinds {
        for name in stmt.query_map([kind.as_str()], |r| r.get::<_, String>(0))? {
            let name = name?;
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    Ok(names)
}

pub fn set_counter(
    conn: &Connection,
    user_id: i64,
    kind: CredentialKind,
    c: Counter,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO counters (user_id, kind, failures, locked_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(user_id, kind) DO UPDATE SET failures = excluded.failures,
           locked_at = excluded.locked_at",
    )?
    .execute(params![user_id, kind.as_str(), c.failures, c.locked_at])?;
    Ok(())
}

/// An update of the counter row, if there is one, to what it holds.
pub fn mimic_counter_write(
    conn: &Connection,
    user_id: i64,
    kind: CredentialKind,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE counters SET failures = failures, locked_at = locked_at
         WHERE user_id = ?1 AND kind = ?2",
    )?
    .execute(params![user_id, kind.as_str()])?;
    Ok(())
}

/// The earliest mandatory-change deadline still pending for the user.
pub fn deadline(conn: &Connection, user_id: i64) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT MIN(c.deadline) FROM campaigns c
         JOIN campaign_users cu ON cu.campaign_id = c.id WHERE cu.user_id = ?1",
        )?
        .query_row([user_id], |r| r.get(0))?)
}

/// A new password satisfies every pending campaign.
pub fn clear_deadlines(conn: &Connection, user_id: i64) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM campaign_users WHERE user_id = ?1")?
        .execute([user_id])?;
    Ok(())
}

pub fn last_login(conn: &Connection, user_id: i64) -> Result<Option<LoginRecord>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT at, service, rhost, tty, host FROM logins WHERE user_id = ?1")?
        .query_row([user_id], |r| {
            Ok(LoginRecord {
                at: r.get(0)?,
                service: r.get(1)?,
                rhost: r.get(2)?,
                tty: r.get(3)?,
                host: r.get(4)?,
            })
        })
        .optional()?)
}

pub fn record_login(
    conn: &Connection,
    user_id: i64,
    login: &LoginRecord,
    host: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO logins (user_id, at, service, rhost, tty, host) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(user_id) DO UPDATE SET at = excluded.at, service = excluded.service,
           rhost = excluded.rhost, tty = excluded.tty, host = excluded.host",
    )?
    .execute(params![
        user_id,
        login.at,
        login.service,
        login.rhost,
        login.tty,
        host
    ])?;
    Ok(())
}
