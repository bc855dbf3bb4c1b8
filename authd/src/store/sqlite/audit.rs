//! The audit trail and mandatory-change campaigns.

use monban_proto::{AuditEntry, Campaign, CredentialKind};
use rusqlite::{Connection, params};

use crate::store::StoreError;
use crate::store::rows::{AuditQuery, NewAuditEntry};

/// Stores an entry; returns its id.
pub fn append(conn: &Connection, e: &NewAuditEntry, host: &str) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO audit (at, event, actor, user, credential, service, rhost, tty, detail, host)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        e.at,
        e.event,
        e.actor,
        e.user,
        e.credential.map(CredentialKind::as_str),
        e.service,
        e.rhost,
        e.tty,
        e.detail,
        host
    ])?;
    Ok(conn.last_insert_rowid())
}

const COLUMNS: &str = "id, at, event, actor, user, credential, service, rhost, tty, detail, host";

/// The newest `limit` matching entries, oldest first, with the cursor of
/// the next (older) page when this one is full. Every branch walks an index from the newest end (or from the
/// cursor) and stops after `limit` rows.
pub fn page(
    conn: &Connection,
    q: &AuditQuery,
) -> Result<(Vec<AuditEntry>, Option<i64>), StoreError> {
    // `since` becomes the first id at or after it (one index lookup), so
    // the walks below stop there instead of filtering the whole trail.
    let first_id: i64 = match q.since {
        None => 0,
        Some(since) => {
            match conn
                .prepare_cached("SELECT MIN(id) FROM audit WHERE at >= ?1")?
                .query_row([since], |r| r.get::<_, Option<i64>>(0))?
            {
                Some(id) => id,
                None => return Ok((Vec::new(), None)),
            }
        }
    };
    let before = q.before.unwrap_or(i64::MAX);
    let mut rows = match &q.user {
        None => newest(
            conn,
            "id >= ?1 AND id < ?4",
            params![first_id, q.limit, "", before],
        )?,
        Some(user) => {
            let mut both = newest(
                conn,
                "user = ?3 AND id >= ?1 AND id < ?4",
                params![first_id, q.limit, user, before],
            )?;
            both.extend(newest(
                conn,
                "actor = ?3 AND id >= ?1 AND id < ?4",
                params![first_id, q.limit, user, before],
            )?);
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

/// Newest first; `?1` is the first id, `?2` the limit, `?3` the name,
/// `?4` the cursor.
fn newest(
    conn: &Connection,
    filter: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<(i64, AuditEntry)>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM audit WHERE {filter} ORDER BY id DESC LIMIT ?2");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(args, |r| {
        let credential: Option<String> = r.get(5)?;
        Ok((
            r.get(0)?,
            AuditEntry {
                at: r.get(1)?,
                event: r.get(2)?,
                actor: r.get(3)?,
                user: r.get(4)?,
                credential: credential.as_deref().and_then(CredentialKind::parse),
                service: r.get(6)?,
                rhost: r.get(7)?,
                tty: r.get(8)?,
                detail: r.get(9)?,
                host: r.get(10)?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

const FAILURES_SINCE: &str = "SELECT COUNT(*) FROM audit WHERE user = ?1 AND event = 'auth_failure'
   AND id > COALESCE((SELECT MAX(id) FROM audit
                      WHERE user = ?1 AND event = 'session_open'), 0)";

/// Failed authentications of `user` since their last session opened
/// (ordered by entry, not by clock: several can share a second).
pub fn failures_since_last_session(conn: &Connection, user: &str) -> Result<u32, StoreError> {
    Ok(conn
        .prepare_cached(FAILURES_SINCE)?
        .query_row([user], |r| r.get(0))?)
}

const PRUNE: &str = "DELETE FROM audit WHERE id IN
   (SELECT id FROM audit WHERE at < ?1 ORDER BY at LIMIT ?2)";

/// Deletes at most `batch` entries older than `before`; returns how many.
/// Small batches keep each write transaction, and so each login's wait, short.
pub fn prune(conn: &Connection, before: i64, batch: u32) -> Result<usize, StoreError> {
    Ok(conn
        .prepare_cached(PRUNE)?
        .execute(params![before, batch])?)
}

pub fn create_campaign(
    conn: &Connection,
    now: i64,
    deadline: i64,
    group: Option<&str>,
    created_by: &str,
    user_ids: &[i64],
) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO campaigns (created_at, deadline, grp, created_by) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![now, deadline, group, created_by])?;
    let id = conn.last_insert_rowid();
    let mut stmt =
        conn.prepare("INSERT INTO campaign_users (campaign_id, user_id) VALUES (?1, ?2)")?;
    for user_id in user_ids {
        stmt.execute(params![id, user_id])?;
    }
    Ok(id)
}

pub fn campaigns(conn: &Connection) -> Result<Vec<Campaign>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.created_at, c.deadline, c.grp, c.created_by,
           (SELECT COUNT(*) FROM campaign_users cu WHERE cu.campaign_id = c.id)
         FROM campaigns c ORDER BY c.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Campaign {
            id: r.get(0)?,
            created_at: r.get(1)?,
            before: r.get(2)?,
            group: r.get(3)?,
            created_by: r.get(4)?,
            pending_users: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Deletes one campaign (or all); returns how many were deleted.
pub fn clear_campaigns(conn: &Connection, id: Option<i64>) -> Result<usize, StoreError> {
    Ok(conn
        .prepare_cached("DELETE FROM campaigns WHERE ?1 IS NULL OR id = ?1")?
        .execute([id])?)
}

#[cfg(test)]
mod tests {
    //! SQLite's own: the behaviour of every operation is in the store
    //! conformance suite (store/conformance.rs), run on every backend.
    use super::*;
    use crate::store::sqlite::memory_db;

    /// The query plan of `sql`, one detail per line.
    fn plan(c: &Connection, sql: &str, args: &[&dyn rusqlite::ToSql]) -> String {
        let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt.query_map(args, |r| r.get::<_, String>(3)).unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn no_audit_read_scans_the_trail() {
        let db = memory_db();
        let c = &db.conn;
        let newest = |filter: &str| {
            format!("SELECT {COLUMNS} FROM audit WHERE {filter} ORDER BY id DESC LIMIT ?2")
        };
        let cases: Vec<(String, Vec<&dyn rusqlite::ToSql>)> = vec![
            ("SELECT MIN(id) FROM audit WHERE at >= ?1".into(), vec![&5]),
            (newest("id >= ?1 AND id < ?4"), vec![&0, &10, &"", &99]),
            (
                newest("user = ?3 AND id >= ?1 AND id < ?4"),
                vec![&0, &10, &"a", &99],
            ),
            (
                newest("actor = ?3 AND id >= ?1 AND id < ?4"),
                vec![&0, &10, &"a", &99],
            ),
            (FAILURES_SINCE.into(), vec![&"a"]),
            (
                "SELECT id FROM audit WHERE at < ?1 ORDER BY at LIMIT ?2".into(),
                vec![&5, &10],
            ),
            (PRUNE.into(), vec![&5, &10]),
        ];
        for (sql, args) in cases {
            let p = plan(c, &sql, &args);
            assert!(!p.contains("SCAN audit"), "{sql}\n{p}");
            assert!(!p.contains("TEMP B-TREE"), "{sql}\n{p}");
        }
    }
}
