//! The audit trail and mandatory-change campaigns.

use monban_proto::{AuditEntry, Campaign, CredentialKind};
use rusqlite::{Connection, params};

use super::StoreError;

/// An event to record; no field ever holds a secret.
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

/// Stores an entry; returns its id.
pub fn append(conn: &Connection, e: &NewAuditEntry) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO audit (at, event, actor, user, credential, service, rhost, tty, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            e.at,
            e.event,
            e.actor,
            e.user,
            e.credential.map(CredentialKind::as_str),
            e.service,
            e.rhost,
            e.tty,
            e.detail
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn set_detail(conn: &Connection, id: i64, detail: &str) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE audit SET detail = ?2 WHERE id = ?1",
        rusqlite::params![id, detail],
    )?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub user: Option<String>,
    pub since: Option<i64>,
    pub limit: u32,
}

/// The newest `limit` matching entries, oldest first.
pub fn query(conn: &Connection, q: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT at, event, actor, user, credential, service, rhost, tty, detail FROM
           (SELECT * FROM audit
            WHERE (?1 IS NULL OR user = ?1 OR actor = ?1) AND (?2 IS NULL OR at >= ?2)
            ORDER BY id DESC LIMIT ?3)
         ORDER BY id",
    )?;
    let rows = stmt.query_map(params![q.user, q.since, q.limit], |r| {
        let credential: Option<String> = r.get(4)?;
        Ok(AuditEntry {
            at: r.get(0)?,
            event: r.get(1)?,
            actor: r.get(2)?,
            user: r.get(3)?,
            credential: credential.as_deref().and_then(CredentialKind::parse),
            service: r.get(5)?,
            rhost: r.get(6)?,
            tty: r.get(7)?,
            detail: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Failed authentications of `user` since their last session opened
/// (ordered by entry, not by clock: several can share a second).
pub fn failures_since_last_session(conn: &Connection, user: &str) -> Result<u32, StoreError> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM audit WHERE user = ?1 AND event = 'auth_failure'
           AND id > COALESCE((SELECT MAX(id) FROM audit
                              WHERE user = ?1 AND event = 'session_open'), 0)",
        [user],
        |r| r.get(0),
    )?)
}

/// Deletes entries older than `before`; returns how many.
pub fn prune(conn: &Connection, before: i64) -> Result<usize, StoreError> {
    Ok(conn.execute("DELETE FROM audit WHERE at < ?1", [before])?)
}

pub fn create_campaign(
    conn: &Connection,
    now: i64,
    deadline: i64,
    group: Option<&str>,
    created_by: &str,
    user_ids: &[i64],
) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO campaigns (created_at, deadline, grp, created_by) VALUES (?1, ?2, ?3, ?4)",
        params![now, deadline, group, created_by],
    )?;
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
    Ok(conn.execute("DELETE FROM campaigns WHERE ?1 IS NULL OR id = ?1", [id])?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{memory_db, users};

    #[test]
    fn audit_query_filters_and_keeps_the_newest() {
        let db = memory_db();
        let c = db.conn();
        for (at, user) in [(1, "a"), (2, "b"), (3, "a"), (4, "a")] {
            append(
                c,
                &NewAuditEntry {
                    at,
                    event: "auth_failure",
                    user: Some(user.into()),
                    ..Default::default()
                },
            )
            .unwrap();
        }
        let q = AuditQuery {
            user: Some("a".into()),
            since: Some(2),
            limit: 1,
        };
        let got = query(c, &q).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].at, 4);
        assert_eq!(failures_since_last_session(c, "a").unwrap(), 3);
        append(
            c,
            &NewAuditEntry {
                at: 4,
                event: "session_open",
                user: Some("a".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(failures_since_last_session(c, "a").unwrap(), 0);
        assert_eq!(prune(c, 3).unwrap(), 2);
        assert_eq!(
            query(
                c,
                &AuditQuery {
                    limit: 10,
                    ..Default::default()
                }
            )
            .unwrap()
            .len(),
            3
        );
    }

    #[test]
    fn campaign_deadline_applies_until_cleared() {
        let db = memory_db();
        let c = db.conn();
        let id = users::insert(c, "f", 1, false).unwrap();
        let camp = create_campaign(c, 10, 100, None, "root", &[id]).unwrap();
        assert_eq!(users::deadline(c, id).unwrap(), Some(100));
        assert_eq!(campaigns(c).unwrap()[0].pending_users, 1);
        assert_eq!(clear_campaigns(c, Some(camp)).unwrap(), 1);
        assert_eq!(users::deadline(c, id).unwrap(), None);
    }
}
