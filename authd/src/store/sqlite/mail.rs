//! E-mail on SQLite: addresses, mailed codes and the outbox.

use rusqlite::{Connection, OptionalExtension, params};

use crate::store::StoreError;
use crate::store::rows::{CodePurpose, CodeRow, MailRow, NewMail};

type Result<T> = std::result::Result<T, StoreError>;

pub fn set_email(conn: &Connection, user_id: i64, email: Option<&str>) -> Result<()> {
    conn.prepare_cached("UPDATE users SET email = ?2 WHERE id = ?1")?
        .execute(params![user_id, email])?;
    Ok(())
}

pub fn put_code(conn: &Connection, user_id: i64, c: &CodeRow) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO codes (user_id, purpose, mac, address, created_at, valid_until)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (user_id, purpose) DO UPDATE SET mac = excluded.mac,
           address = excluded.address, created_at = excluded.created_at,
           valid_until = excluded.valid_until",
    )?
    .execute(params![
        user_id,
        c.purpose.as_str(),
        c.mac,
        c.address,
        c.created_at,
        c.valid_until
    ])?;
    Ok(())
}

pub fn codes(conn: &Connection, user_id: i64) -> Result<Vec<CodeRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT purpose, mac, address, created_at, valid_until FROM codes
         WHERE user_id = ?1 ORDER BY purpose",
    )?;
    let rows = stmt.query_map([user_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            CodeRow {
                purpose: CodePurpose::Reset,
                mac: r.get(1)?,
                address: r.get(2)?,
                created_at: r.get(3)?,
                valid_until: r.get(4)?,
            },
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (purpose, mut code) = row?;
        // The CHECK constraint admits only known purposes.
        code.purpose = CodePurpose::parse(&purpose).ok_or_else(|| StoreError::BadValue {
            table: "codes".into(),
            column: "purpose".into(),
        })?;
        out.push(code);
    }
    Ok(out)
}

pub fn take_code(conn: &Connection, user_id: i64, purpose: CodePurpose) -> Result<bool> {
    let n = conn
        .prepare_cached("DELETE FROM codes WHERE user_id = ?1 AND purpose = ?2")?
        .execute(params![user_id, purpose.as_str()])?;
    Ok(n > 0)
}

pub fn queue(conn: &Connection, m: &NewMail) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO outbox (created_at, next_at, recipient, username, kind, sealed)
         VALUES (?1, ?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![m.created_at, m.recipient, m.user, m.kind, m.sealed])?;
    Ok(conn.last_insert_rowid())
}

pub fn claim(conn: &Connection, now: i64, lease_until: i64) -> Result<Option<MailRow>> {
    let row = conn
        .prepare_cached(
            "UPDATE outbox SET claimed_until = ?2
             WHERE id = (SELECT id FROM outbox
                         WHERE next_at <= ?1 AND (claimed_until IS NULL OR claimed_until < ?1)
                         ORDER BY next_at, id LIMIT 1)
             RETURNING id, attempts, created_at, recipient, username, kind, sealed",
        )?
        .query_row(params![now, lease_until], |r| {
            Ok(MailRow {
                id: r.get(0)?,
                attempts: r.get(1)?,
                mail: NewMail {
                    created_at: r.get(2)?,
                    recipient: r.get(3)?,
                    user: r.get(4)?,
                    kind: r.get(5)?,
                    sealed: r.get(6)?,
                },
            })
        })
        .optional()?;
    Ok(row)
}

pub fn remove(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM outbox WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

pub fn retry(conn: &Connection, id: i64, next_at: i64, error: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET attempts = attempts + 1, next_at = ?2, claimed_until = NULL,
           last_error = ?3 WHERE id = ?1",
    )?
    .execute(params![id, next_at, error])?;
    Ok(())
}

pub fn next_due(conn: &Connection) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT MIN(MAX(next_at, COALESCE(claimed_until, 0))) FROM outbox")?
        .query_row([], |r| r.get(0))?)
}
