//! `monban-authd --import-sqlite PATH`: a single-host store moves into an
//! empty PostgreSQL store, everything included (users, secrets, history,
//! counters and suspensions, OTP, recovery codes, campaigns, sessions, the
//! audit trail, e-mail addresses, mailed codes, the outbox and the key check value), ids kept, in one transaction:
//! either all of it arrives or nothing does.

use std::path::Path;
use std::pin::pin;

use rusqlite::types::Value;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};

use super::PgStore;
use crate::store::StoreError;

#[derive(Clone, Copy)]
enum Col {
    Int,
    Bool,
    Text,
    Blob,
}

/// A column as (SQLite name, PostgreSQL name, type).
type Column = (&'static str, &'static str, Col);

/// Tables in foreign-key order.
const TABLES: &[(&str, &[Column])] = {
    use Col::*;
    &[
        ("meta", &[("key", "key", Text), ("value", "value", Blob)]),
        (
            "users",
            &[
                ("id", "id", Int),
                ("name", "name", Text),
                ("created_at", "created_at", Int),
                ("disabled", "disabled", Bool),
                ("require_otp", "require_otp", Bool),
                ("otp_required_since", "otp_required_since", Int),
                ("shadow_max_days", "shadow_max_days", Int),
                ("shadow_min_days", "shadow_min_days", Int),
                ("shadow_warn_days", "shadow_warn_days", Int),
                ("language", "language", Text),
                ("email", "email", Text),
                ("uid", "uid", Int),
            ],
        ),
        ("uid_counter", &[("id", "id", Int), ("next", "next", Int)]),
        (
            "credentials",
            &[
                ("user_id", "user_id", Int),
                ("kind", "kind", Text),
                ("hash", "hash", Text),
                ("set_at", "set_at", Int),
                ("temporary_until", "temporary_until", Int),
                ("force_change", "force_change", Text),
            ],
        ),
        (
            "password_history",
            &[
                ("id", "id", Int),
                ("user_id", "user_id", Int),
                ("kind", "kind", Text),
                ("hash", "hash", Text),
                ("set_at", "set_at", Int),
            ],
        ),
        (
            "counters",
            &[
                ("user_id", "user_id", Int),
                ("kind", "kind", Text),
                ("failures", "failures", Int),
                ("locked_at", "locked_at", Int),
            ],
        ),
        (
            "otp",
            &[
                ("user_id", "user_id", Int),
                ("secret", "secret", Blob),
                ("enrolled_at", "enrolled_at", Int),
                ("last_step", "last_step", Int),
                ("pending_secret", "pending_secret", Blob),
                ("pending_at", "pending_at", Int),
            ],
        ),
        (
            "recovery_codes",
            &[
                ("id", "id", Int),
                ("user_id", "user_id", Int),
                ("mac", "mac", Blob),
                ("used_at", "used_at", Int),
            ],
        ),
        (
            "campaigns",
            &[
                ("id", "id", Int),
                ("created_at", "created_at", Int),
                ("deadline", "deadline", Int),
                ("grp", "grp", Text),
                ("created_by", "created_by", Text),
            ],
        ),
        (
            "campaign_users",
            &[
                ("campaign_id", "campaign_id", Int),
                ("user_id", "user_id", Int),
            ],
        ),
        (
            "logins",
            &[
                ("user_id", "user_id", Int),
                ("at", "at", Int),
                ("service", "service", Text),
                ("tty", "tty", Text),
                ("rhost", "rhost", Text),
                ("host", "host", Text),
            ],
        ),
        (
            "audit",
            &[
                ("id", "id", Int),
                ("at", "at", Int),
                ("event", "event", Text),
                ("actor", "actor", Text),
                ("user", "username", Text),
                ("credential", "credential", Text),
                ("service", "service", Text),
                ("rhost", "rhost", Text),
                ("tty", "tty", Text),
                ("detail", "detail", Text),
                ("host", "host", Text),
            ],
        ),
        (
            "codes",
            &[
                ("user_id", "user_id", Int),
                ("purpose", "purpose", Text),
                ("mac", "mac", Blob),
                ("address", "address", Text),
                ("created_at", "created_at", Int),
                ("valid_until", "valid_until", Int),
            ],
        ),
        (
            "outbox",
            &[
                ("id", "id", Int),
                ("created_at", "created_at", Int),
                ("next_at", "next_at", Int),
                ("attempts", "attempts", Int),
                ("claimed_until", "claimed_until", Int),
                ("recipient", "recipient", Text),
                ("username", "username", Text),
                ("kind", "kind", Text),
                ("sealed", "sealed", Blob),
                ("last_error", "last_error", Text),
            ],
        ),
    ]
};

/// Tables whose ids the database hands out: after the copy, the next id
/// comes after the highest imported one.
const IDENTITIES: &[&str] = &[
    "users",
    "password_history",
    "recovery_codes",
    "campaigns",
    "audit",
    "outbox",
];

fn pg_type(col: Col) -> Type {
    match col {
        Col::Int => Type::INT8,
        Col::Bool => Type::BOOL,
        Col::Text => Type::TEXT,
        Col::Blob => Type::BYTEA,
    }
}

/// One SQLite value as the PostgreSQL column's type; None on a mismatch.
fn convert(value: Value, col: Col) -> Option<Box<dyn ToSql + Sync + Send>> {
    Some(match (value, col) {
        (Value::Null, Col::Int) => Box::new(None::<i64>),
        (Value::Null, Col::Bool) => Box::new(None::<bool>),
        (Value::Null, Col::Text) => Box::new(None::<String>),
        (Value::Null, Col::Blob) => Box::new(None::<Vec<u8>>),
        (Value::Integer(n), Col::Int) => Box::new(n),
        (Value::Integer(n), Col::Bool) => Box::new(n != 0),
        (Value::Text(t), Col::Text) => Box::new(t),
        (Value::Blob(b), Col::Blob) => Box::new(b),
        _ => return None,
    })
}

impl PgStore {
    /// Copies the SQLite store at `source` (migrated to this version first)
    /// into this store, which must be empty. Returns (table, rows) copied.
    pub async fn import_sqlite(
        &self,
        source: &Path,
    ) -> Result<Vec<(&'static str, u64)>, StoreError> {
        // Migrates the file in place, as starting the daemon on it would.
        drop(crate::store::sqlite::Db::open(source)?);
        let sqlite = rusqlite::Connection::open_with_flags(
            source,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .map_err(|e| StoreError::Open {
            path: source.display().to_string(),
            source: e,
        })?;
        let client = self
            .pool
            .get()
            .await
            .map_err(|e| StoreError::Unreachable(e.to_string()))?;
        client.batch_execute("BEGIN").await?;
        let out = copy_all(&sqlite, &client).await;
        match out {
            Ok(_) => client.batch_execute("COMMIT").await?,
            Err(_) => {
                let _ = client.batch_execute("ROLLBACK").await;
            }
        }
        out
    }
}

async fn copy_all(
    sqlite: &rusqlite::Connection,
    pg: &tokio_postgres::Client,
) -> Result<Vec<(&'static str, u64)>, StoreError> {
    // Nobody else may write while the target is checked and filled.
    for (table, _) in TABLES {
        pg.batch_execute(&format!("LOCK TABLE {table} IN EXCLUSIVE MODE"))
            .await?;
    }
    for (table, _) in TABLES {
        let row = pg
            .query_one(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), &[])
            .await?;
        if row.try_get::<_, bool>(0)? {
            return Err(StoreError::NotEmpty {
                table: (*table).to_string(),
            });
        }
    }
    let mut copied = Vec::new();
    for (table, cols) in TABLES {
        let names: Vec<&str> = cols.iter().map(|(s, _, _)| *s).collect();
        let targets: Vec<&str> = cols.iter().map(|(_, p, _)| *p).collect();
        let types: Vec<Type> = cols.iter().map(|(_, _, c)| pg_type(*c)).collect();
        let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        let sink = pg
            .copy_in(&format!(
                "COPY {table} ({}) FROM STDIN BINARY",
                targets.join(", ")
            ))
            .await?;
        let mut writer = pin!(BinaryCopyInWriter::new(sink, &types));
        let mut stmt = sqlite.prepare(&format!(
            "SELECT {} FROM {table} ORDER BY rowid",
            quoted.join(", ")
        ))?;
        let mut rows = stmt.query([])?;
        let mut n = 0u64;
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(cols.len());
            for (i, (name, _, col)) in cols.iter().enumerate() {
                let value: Value = row.get(i)?;
                values.push(convert(value, *col).ok_or_else(|| StoreError::BadValue {
                    table: (*table).to_string(),
                    column: (*name).to_string(),
                })?);
            }
            let refs: Vec<&(dyn ToSql + Sync)> = values
                .iter()
                .map(|v| v.as_ref() as &(dyn ToSql + Sync))
                .collect();
            writer.as_mut().write(&refs).await?;
            n += 1;
        }
        writer.finish().await?;
        copied.push((*table, n));
    }
    for table in IDENTITIES {
        pg.batch_execute(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                           COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        ))
        .await?;
    }
    Ok(copied)
}
