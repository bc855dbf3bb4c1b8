//! Reading the daemon's database behind its back, for what must (not) be
//! stored.

use std::fmt::Write as _;

use crate::Harness;

impl Harness {
    /// Every text and blob value in every table of the database (blobs
    /// as lossy UTF-8), one per line prefixed by the table name; depends on
    /// no schema detail.
    pub fn db_values(&self) -> String {
        if self.on_postgres() {
            return String::from_utf8_lossy(&self.db_raw()).into_owned();
        }
        let db = rusqlite::Connection::open_with_flags(
            self.database(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open the database read-only");
        let tables: Vec<String> = db
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .and_then(|mut st| {
                st.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<Result<_, _>>()
            })
            .expect("list tables");
        let mut out = String::new();
        for t in tables {
            let sql = format!("SELECT * FROM \"{}\"", t.replace('"', "\"\""));
            let mut st = db.prepare(&sql).expect("select");
            let n = st.column_count();
            let mut rows = st.query([]).expect("query");
            while let Some(row) = rows.next().expect("row") {
                for i in 0..n {
                    let text = match row.get_ref(i).expect("value") {
                        rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => {
                            String::from_utf8_lossy(b).replace('\n', " ")
                        }
                        _ => continue,
                    };
                    let _ = writeln!(out, "{t}\t{text}");
                }
            }
        }
        out
    }

    /// The raw bytes of the database file and its WAL/journal; on
    /// PostgreSQL, a `pg_dump` of the daemon's schema.
    pub fn db_raw(&self) -> Vec<u8> {
        if let Some((url, password)) = self.postgres_store() {
            return crate::pg::dump(url, password).into_bytes();
        }
        let mut bytes = std::fs::read(self.database()).expect("read database");
        for suffix in ["-wal", "-journal"] {
            if let Ok(extra) = std::fs::read(format!("{}{suffix}", self.database().display())) {
                bytes.extend(extra);
            }
        }
        bytes
    }
}
