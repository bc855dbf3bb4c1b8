//! Versioned schema migrations, tracked in `PRAGMA user_version`.
//! A migration is never edited once released; add a new one instead.

use std::path::Path;

use rusqlite::Connection;

use crate::store::StoreError;

const MIGRATIONS: &[&str] = &[
    // 1: the whole first schema.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    CREATE TABLE users (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        created_at  INTEGER NOT NULL,
        disabled    INTEGER NOT NULL DEFAULT 0,
        require_otp INTEGER NOT NULL DEFAULT 0,
        -- when the OTP grace period of a required user started
        otp_required_since INTEGER,
        -- aging fields imported from /etc/shadow (days); win over the config
        shadow_max_days  INTEGER,
        shadow_min_days  INTEGER,
        shadow_warn_days INTEGER
    );
    CREATE TABLE credentials (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind    TEXT NOT NULL CHECK (kind IN ('login', 'confirm')),
        hash    TEXT NOT NULL,
        set_at  INTEGER NOT NULL,
        temporary_until INTEGER,
        force_change    TEXT,
        PRIMARY KEY (user_id, kind)
    );
    CREATE TABLE password_history (
        id      INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind    TEXT NOT NULL,
        hash    TEXT NOT NULL,
        set_at  INTEGER NOT NULL
    );
    CREATE INDEX password_history_user ON password_history(user_id, kind);
    CREATE TABLE counters (
        user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind      TEXT NOT NULL CHECK (kind IN ('login', 'confirm', 'otp')),
        failures  INTEGER NOT NULL DEFAULT 0,
        locked_at INTEGER,
        PRIMARY KEY (user_id, kind)
    );
    CREATE TABLE otp (
        user_id        INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        secret         BLOB,
        enrolled_at    INTEGER,
        last_step      INTEGER,
        pending_secret BLOB,
        pending_at     INTEGER
    );
    CREATE TABLE recovery_codes (
        id      INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        mac     BLOB NOT NULL,
        used_at INTEGER
    );
    CREATE TABLE campaigns (
        id         INTEGER PRIMARY KEY,
        created_at INTEGER NOT NULL,
        deadline   INTEGER NOT NULL,
        grp        TEXT,
        created_by TEXT NOT NULL
    );
    CREATE TABLE campaign_users (
        campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (campaign_id, user_id)
    );
    CREATE TABLE logins (
        user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        at      INTEGER NOT NULL,
        service TEXT NOT NULL,
        tty     TEXT,
        rhost   TEXT
    );
    CREATE TABLE audit (
        id         INTEGER PRIMARY KEY,
        at         INTEGER NOT NULL,
        event      TEXT NOT NULL,
        actor      TEXT,
        user       TEXT,
        credential TEXT,
        service    TEXT,
        rhost      TEXT,
        tty        TEXT,
        detail     TEXT
    );
    CREATE INDEX audit_user_at ON audit(user, at);
    CREATE INDEX audit_at ON audit(at);
    "#,
    // 2: no audit read scans the trail. Each index ends in the rowid, so
    // "newest of this user/actor/event" is a walk down one index.
    r#"
    CREATE INDEX audit_user_event ON audit(user, event);
    CREATE INDEX audit_user ON audit(user);
    CREATE INDEX audit_actor ON audit(actor);
    "#,
    // 3: each user's language preference (SPEC §7): 'en', 'ja' or none.
    r#"
    ALTER TABLE users ADD COLUMN language TEXT;
    "#,
    // 4: fleet mode (SPEC §9): the host that recorded an entry or a session.
    r#"
    ALTER TABLE audit ADD COLUMN host TEXT;
    ALTER TABLE logins ADD COLUMN host TEXT;
    "#,
    // 5: e-mail (SPEC §8): each user's address, the codes mailed to them
    // (a keyed MAC only) and the outbox.
    r#"
    ALTER TABLE users ADD COLUMN email TEXT;
    CREATE TABLE codes (
        user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        purpose     TEXT NOT NULL CHECK (purpose IN ('reset', 'invite', 'verify')),
        mac         BLOB NOT NULL,
        address     TEXT,
        created_at  INTEGER NOT NULL,
        valid_until INTEGER NOT NULL,
        PRIMARY KEY (user_id, purpose)
    );
    CREATE TABLE outbox (
        id            INTEGER PRIMARY KEY,
        created_at    INTEGER NOT NULL,
        next_at       INTEGER NOT NULL,
        attempts      INTEGER NOT NULL DEFAULT 0,
        claimed_until INTEGER,
        recipient     TEXT NOT NULL,
        username      TEXT NOT NULL,
        kind          TEXT NOT NULL,
        sealed        BLOB NOT NULL,
        last_error    TEXT
    );
    CREATE INDEX outbox_next_at ON outbox(next_at);
    "#,
    // 6: accounts that exist only in monban (SPEC §11): the uid handed
    // out, and the next one to hand out (never reused, so a removed
    // account's files cannot pass to a newcomer).
    r#"
    ALTER TABLE users ADD COLUMN uid INTEGER;
    CREATE UNIQUE INDEX users_uid ON users(uid);
    CREATE TABLE uid_counter (
        id   INTEGER PRIMARY KEY CHECK (id = 1),
        next INTEGER NOT NULL
    );
    "#,
];

pub(super) fn apply(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > known {
        return Err(StoreError::TooNew {
            path: path.display().to_string(),
            found,
            known,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_refuse_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        let mut conn = Connection::open(&path).unwrap();
        apply(&mut conn, &path).unwrap();
        apply(&mut conn, &path).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
        conn.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(
            apply(&mut conn, &path),
            Err(StoreError::TooNew { found: 99, .. })
        ));
    }
}
