//! The audit trail and mandatory-change campaigns on PostgreSQL.

use monban_proto::{AuditEntry, Campaign, CredentialKind};
use tokio_postgres::Row;

use super::tx::{PgTx, count};
use crate::store::rows::{AuditQuery, NewAuditEntry};
use crate::store::tx::Result;

pub(super) fn append(tx: &PgTx<'_>, e: &NewAuditEntry) -> Result<i64> {
    tx.writable()?;
    let row = tx.query_one(
        "INSERT INTO audit
           (at, event, actor, username, credential, service, rhost, tty, detail, host)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        &[
            &e.at,
            &e.event,
            &e.actor,
            &e.user,
            &e.credential.map(CredentialKind::as_str),
            &e.service,
            &e.rhost,
            &e.tty,
            &e.detail,
            &tx.host(),
        ],
    )?;
    Ok(row.try_get(0)?)
}

const COLUMNS: &str =
    "id, at, event, actor, username, credential, service, rhost, tty, detail, host";

fn entry(r: &Row) -> Result<(i64, AuditEntry)> {
    let credential: Option<&str> = r.try_get(5)?;
    Ok((
        r.try_get(0)?,
        AuditEntry {
            at: r.try_get(1)?,
            event: r.try_get(2)?,
            actor: r.try_get(3)?,
            user: r.try_get(4)?,
            credential: credential.and_then(CredentialKind::parse),
            service: r.try_get(6)?,
            rhost: r.try_get(7)?,
            tty: r.try_get(8)?,
            detail: r.try_get(9)?,
            host: r.try_get(10)?,
        },
    ))
}

/// The newest `limit` matching entries, oldest first, with the cursor of
/// the next (older) page when this one is full; each branch walks an index
/// from the newest end (or the cursor) and stops after `limit` rows.
pub(super) fn page(tx: &PgTx<'_>, q: &AuditQuery) -> Result<(Vec<AuditEntry>, Option<i64>)> {
    let first_id: i64 = match q.since {
        None => 0,
        Some(since) => {
            let row = tx.query_one("SELECT MIN(id) FROM audit WHERE at >= $1", &[&since])?;
            match row.try_get::<_, Option<i64>>(0)? {
                Some(id) => id,
                None => return Ok((Vec::new(), None)),
            }
        }
    };
    let before = q.before.unwrap_or(i64::MAX);
    let limit = i64::from(q.limit);
    let newest = |filter: &str, name: Option<&str>| -> Result<Vec<(i64, AuditEntry)>> {
        let rows = match name {
            None => tx.query(
                &format!("SELECT {COLUMNS} FROM audit WHERE {filter} ORDER BY id DESC LIMIT $2"),
                &[&first_id, &limit, &before],
            )?,
            Some(name) => tx.query(
                &format!("SELECT {COLUMNS} FROM audit WHERE {filter} ORDER BY id DESC LIMIT $2"),
                &[&first_id, &limit, &before, &name],
            )?,
        };
        rows.iter().map(entry).collect()
    };
    let mut rows = match &q.user {
        None => newest("id >= $1 AND id < $3", None)?,
        Some(user) => {
            let mut both = newest("username = $4 AND id >= $1 AND id < $3", Some(user))?;
            both.extend(newest("actor = $4 AND id >= $1 AND id < $3", Some(user))?);
            both.sort_by_key(|(id, _)| std::cmp::Reverse(*id));
            both.dedup_by_key(|(id, _)| *id);
            both.truncate(q.limit as usize);
            both
        }
    };
    let next = (rows.len() == q.limit as usize)
        .then(|| rows.last().map(|(id, _)| *id))
        .flatten();
    rows.reverse();
    Ok((rows.into_iter().map(|(_, e)| e).collect(), next))
}

/// Failed authentications of `user` since their last session opened, on
/// any host (ordered by entry, not by clock).
pub(super) fn failures_since_last_session(tx: &PgTx<'_>, user: &str) -> Result<u32> {
    count(&tx.query_one(
        "SELECT COUNT(*) FROM audit WHERE username = $1 AND event = 'auth_failure'
           AND id > COALESCE((SELECT MAX(id) FROM audit
                              WHERE username = $1 AND event = 'session_open'), 0)",
        &[&user],
    )?)
}

/// Deletes at most `batch` entries older than `before`; returns how many.
pub(super) fn prune(tx: &PgTx<'_>, before: i64, batch: u32) -> Result<usize> {
    let n = tx.execute(
        "DELETE FROM audit WHERE id IN
           (SELECT id FROM audit WHERE at < $1 ORDER BY at LIMIT $2)",
        &[&before, &i64::from(batch)],
    )?;
    Ok(n as usize)
}

pub(super) fn create_campaign(
    tx: &PgTx<'_>,
    now: i64,
    deadline: i64,
    group: Option<&str>,
    created_by: &str,
    user_ids: &[i64],
) -> Result<i64> {
    tx.writable()?;
    let id: i64 = tx
        .query_one(
            "INSERT INTO campaigns (created_at, deadline, grp, created_by)
             VALUES ($1, $2, $3, $4) RETURNING id",
            &[&now, &deadline, &group, &created_by],
        )?
        .try_get(0)?;
    // One statement for the whole group, however large.
    tx.execute(
        "INSERT INTO campaign_users (campaign_id, user_id) SELECT $1, unnest($2::bigint[])",
        &[&id, &user_ids],
    )?;
    Ok(id)
}

pub(super) fn campaigns(tx: &PgTx<'_>) -> Result<Vec<Campaign>> {
    tx.query(
        "SELECT c.id, c.created_at, c.deadline, c.grp, c.created_by,
           (SELECT COUNT(*) FROM campaign_users cu WHERE cu.campaign_id = c.id)
         FROM campaigns c ORDER BY c.id",
        &[],
    )?
    .iter()
    .map(|r| {
        let pending: i64 = r.try_get(5)?;
        Ok(Campaign {
            id: r.try_get(0)?,
            created_at: r.try_get(1)?,
            before: r.try_get(2)?,
            group: r.try_get(3)?,
            created_by: r.try_get(4)?,
            pending_users: u32::try_from(pending).unwrap_or(u32::MAX),
        })
    })
    .collect()
}

/// Deletes one campaign (or all); returns how many were deleted.
pub(super) fn clear_campaigns(tx: &PgTx<'_>, id: Option<i64>) -> Result<usize> {
    let n = tx.execute(
        "DELETE FROM campaigns WHERE $1::bigint IS NULL OR id = $1",
        &[&id],
    )?;
    Ok(n as usize)
}
