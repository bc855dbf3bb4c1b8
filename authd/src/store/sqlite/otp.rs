//! TOTP secrets (sealed by `SecretBox`, never stored in the clear) and
//! recovery codes (stored as keyed MACs).

use rusqlite::{Connection, OptionalExtension, params};

use crate::store::StoreError;
use crate::store::rows::OtpRow;

pub fn get(conn: &Connection, user_id: i64) -> Result<OtpRow, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT secret, enrolled_at, last_step, pending_secret, pending_at
             FROM otp WHERE user_id = ?1",
        )?
        .query_row([user_id], |r| {
            Ok(OtpRow {
                secret: r.get(0)?,
                enrolled_at: r.get(1)?,
                last_step: r.get(2)?,
                pending_secret: r.get(3)?,
                pending_at: r.get(4)?,
            })
        })
        .optional()?
        .unwrap_or_default())
}

pub fn set_pending(
    conn: &Connection,
    user_id: i64,
    sealed: &[u8],
    now: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO otp (user_id, pending_secret, pending_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(user_id) DO UPDATE SET pending_secret = excluded.pending_secret,
           pending_at = excluded.pending_at",
    )?
    .execute(params![user_id, sealed, now])?;
    Ok(())
}

/// Makes the pending secret the active one; `step` was just used.
pub fn activate(conn: &Connection, user_id: i64, now: i64, step: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE otp SET secret = pending_secret, enrolled_at = ?2, last_step = ?3,
           pending_secret = NULL, pending_at = NULL WHERE user_id = ?1",
    )?
    .execute(params![user_id, now, step])?;
    Ok(())
}

/// Records `step` as used; false when it (or a later one) already was, so
/// two logins racing with the same code cannot both pass.
pub fn claim_step(conn: &Connection, user_id: i64, step: i64) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE otp SET last_step = ?2
         WHERE user_id = ?1 AND (last_step IS NULL OR last_step < ?2)",
        )?
        .execute(params![user_id, step])?;
    Ok(changed > 0)
}

/// Forgets the token and its recovery codes.
pub fn remove(conn: &Connection, user_id: i64) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM otp WHERE user_id = ?1")?
        .execute([user_id])?;
    conn.prepare_cached("DELETE FROM recovery_codes WHERE user_id = ?1")?
        .execute([user_id])?;
    Ok(())
}

pub fn replace_recovery_codes(
    conn: &Connection,
    user_id: i64,
    macs: &[[u8; 32]],
) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM recovery_codes WHERE user_id = ?1")?
        .execute([user_id])?;
    let mut stmt = conn.prepare("INSERT INTO recovery_codes (user_id, mac) VALUES (?1, ?2)")?;
    for mac in macs {
        stmt.execute(params![user_id, &mac[..]])?;
    }
    Ok(())
}

/// Marks an unused recovery code as used; false when no unused code matches.
pub fn use_recovery_code(
    conn: &Connection,
    user_id: i64,
    mac: &[u8; 32],
    now: i64,
) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE recovery_codes SET used_at = ?3
         WHERE user_id = ?1 AND mac = ?2 AND used_at IS NULL",
        )?
        .execute(params![user_id, &mac[..], now])?;
    Ok(changed > 0)
}

pub fn recovery_codes_left(conn: &Connection, user_id: i64) -> Result<u32, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL",
        )?
        .query_row([user_id], |r| r.get(0))?)
}
