//! `[daemon] database`: a SQLite file (a path) or a PostgreSQL database
//! shared by a fleet (a `postgresql://` URL, SPEC §9).

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    /// A libpq URI; its password, if any, comes from `database_password_file`.
    Postgres(String),
}

impl Database {
    pub fn parse(value: &str) -> Self {
        if value.starts_with("postgresql://") || value.starts_with("postgres://") {
            Self::Postgres(value.to_string())
        } else {
            Self::Sqlite(PathBuf::from(value))
        }
    }
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "{}", path.display()),
            Self::Postgres(url) => f.write_str(url),
        }
    }
}

impl<'de> Deserialize<'de> for Database {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_names_postgresql_and_anything_else_a_file() {
        assert_eq!(
            Database::parse("postgresql://monban@db1,db2/monban"),
            Database::Postgres("postgresql://monban@db1,db2/monban".into())
        );
        assert!(matches!(
            Database::parse("postgres://h/db"),
            Database::Postgres(_)
        ));
        assert_eq!(
            Database::parse("/var/lib/monban/monban.db"),
            Database::Sqlite("/var/lib/monban/monban.db".into())
        );
    }
}
