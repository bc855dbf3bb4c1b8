//! E-mail on PostgreSQL: addresses, mailed codes and the outbox. Hosts
//! share the outbox: a mail is claimed by one `UPDATE … RETURNING` that
//! skips rows another host has locked, so each mail is sent once.

use tokio_postgres::Row;

use super::tx::PgTx;
use crate::store::StoreError;
use crate::store::rows::{CodePurpose, CodeRow, MailRow, NewMail};
use crate::store::tx::Result;

pub(super) fn set_email(tx: &PgTx<'_>, user_id: i64, email: Option<&str>) -> Result<()> {
    tx.execute(
        "UPDATE users SET email = $2 WHERE id = $1",
        &[&user_id, &email],
    )?;
    Ok(())
}

pub(super) fn put_code(tx: &PgTx<'_>, user_id: i64, c: &CodeRow) -> Result<()> {
    tx.execute(
        "INSERT INTO codes (user_id, purpose, mac, address, created_at, valid_until)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (user_id, purpose) DO UPDATE SET mac = excluded.mac,
           address = excluded.address, created_at = excluded.created_at,
           valid_until = excluded.valid_until",
        &[
            &user_id,
            &c.purpose.as_str(),
            &c.mac,
            &c.address,
            &c.created_at,
            &c.valid_until,
        ],
    )?;
    Ok(())
}

pub(super) fn codes(tx: &PgTx<'_>, user_id: i64) -> Result<Vec<CodeRow>> {
    tx.query(
        "SELECT purpose, mac, address, created_at, valid_until FROM codes
         WHERE user_id = $1 ORDER BY purpose",
        &[&user_id],
    )?
    .iter()
    .map(|r| {
        let purpose: &str = r.try_get(0)?;
        Ok(CodeRow {
            purpose: CodePurpose::parse(purpose).ok_or_else(|| StoreError::BadValue {
                table: "codes".into(),
                column: "purpose".into(),
            })?,
            mac: r.try_get(1)?,
            address: r.try_get(2)?,
            created_at: r.try_get(3)?,
            valid_until: r.try_get(4)?,
        })
    })
    .collect()
}

pub(super) fn take_code(tx: &PgTx<'_>, user_id: i64, purpose: CodePurpose) -> Result<bool> {
    let n = tx.execute(
        "DELETE FROM codes WHERE user_id = $1 AND purpose = $2",
        &[&user_id, &purpose.as_str()],
    )?;
    Ok(n > 0)
}

pub(super) fn queue(tx: &PgTx<'_>, m: &NewMail) -> Result<i64> {
    tx.writable()?;
    let row = tx.query_one(
        "INSERT INTO outbox (created_at, next_at, recipient, username, kind, sealed)
         VALUES ($1, $1, $2, $3, $4, $5) RETURNING id",
        &[&m.created_at, &m.recipient, &m.user, &m.kind, &m.sealed],
    )?;
    Ok(row.try_get(0)?)
}

fn mail_row(r: &Row) -> Result<MailRow> {
    Ok(MailRow {
        id: r.try_get(0)?,
        attempts: r.try_get::<_, i64>(1)?.clamp(0, u32::MAX as i64) as u32,
        mail: NewMail {
            created_at: r.try_get(2)?,
            recipient: r.try_get(3)?,
            user: r.try_get(4)?,
            kind: r.try_get(5)?,
            sealed: r.try_get(6)?,
        },
    })
}

pub(super) fn claim(tx: &PgTx<'_>, now: i64, lease_until: i64) -> Result<Option<MailRow>> {
    tx.writable()?;
    tx.query_opt(
        "UPDATE outbox SET claimed_until = $2
         WHERE id = (SELECT id FROM outbox
                     WHERE next_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)
                     ORDER BY next_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING id, attempts, created_at, recipient, username, kind, sealed",
        &[&now, &lease_until],
    )?
    .as_ref()
    .map(mail_row)
    .transpose()
}

pub(super) fn remove(tx: &PgTx<'_>, id: i64) -> Result<()> {
    tx.execute("DELETE FROM outbox WHERE id = $1", &[&id])?;
    Ok(())
}

pub(super) fn retry(tx: &PgTx<'_>, id: i64, next_at: i64, error: &str) -> Result<()> {
    tx.execute(
        "UPDATE outbox SET attempts = attempts + 1, next_at = $2, claimed_until = NULL,
           last_error = $3 WHERE id = $1",
        &[&id, &next_at, &error],
    )?;
    Ok(())
}

pub(super) fn next_due(tx: &PgTx<'_>) -> Result<Option<i64>> {
    let row = tx.query_one(
        "SELECT MIN(GREATEST(next_at, COALESCE(claimed_until, 0))) FROM outbox",
        &[],
    )?;
    Ok(row.try_get(0)?)
}
