//! NSS lookups (SPEC §11): what `libnss_monban.so.2` asks and is told.
//! Answered to every local uid, as `/etc/passwd` is readable by all; no
//! field ever holds a secret.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lookup {
    UserByName(String),
    UserByUid(u32),
    GroupByName(String),
    GroupByGid(u32),
    /// Enumeration (`getpwent`): one page of accounts by name after
    /// `after`; empty unless `[accounts] enumerate`.
    Users {
        after: Option<String>,
    },
    /// Enumeration (`getgrent`): the accounts' group, unless not enumerable.
    Groups,
}

/// A passwd entry of a monban account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswdEntry {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: String,
    pub shell: String,
}

/// The accounts' group. Members are by primary gid only, so the list of
/// names stays empty (as for a user's own group in `/etc/group`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupEntry {
    pub name: String,
    pub gid: u32,
}

/// The answer to a `Lookup`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LookupReply {
    /// Nobody by that name or id (NSS `NOTFOUND`).
    NotFound,
    User(PasswdEntry),
    Group(GroupEntry),
    /// One page of an enumeration; `next` asks for the following one.
    Users {
        users: Vec<PasswdEntry>,
        next: Option<String>,
    },
    Groups(Vec<GroupEntry>),
}
