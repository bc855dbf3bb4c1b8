//! NSS lookups (SPEC §11): `libnss_monban.so.2` asks, anyone may, and the
//! answer holds nothing `/etc/passwd` would not.

use monban_proto::{Lookup, LookupReply, Response, WireError};

use super::Daemon;
use crate::rules::accounts;

/// Accounts per enumeration page: a `getent passwd` of thousands of
/// accounts takes several short reads, never one long one.
const ACCOUNTS_PAGE: u32 = 200;

impl Daemon {
    /// A lookup asked outside any session (the server answers them before
    /// it knows who asks); a store failure is an error NSS reads as
    /// `UNAVAIL`.
    pub async fn answer_lookup(&self, query: Lookup) -> Response {
        self.lookup(query).await.unwrap_or_else(Response::Error)
    }

    pub(super) async fn lookup(&self, query: Lookup) -> Result<Response, WireError> {
        let cfg = &self.cfg.accounts;
        let entry = |row: Option<crate::store::UserRow>| match row {
            Some(row) => match row.uid {
                Some(uid) => LookupReply::User(accounts::passwd_entry(cfg, &row.name, uid)),
                None => LookupReply::NotFound,
            },
            None => LookupReply::NotFound,
        };
        let group = |g: Option<monban_proto::GroupEntry>| match g {
            Some(g) => LookupReply::Group(g),
            None => LookupReply::NotFound,
        };
        let reply = match query {
            // A name no account can have costs no read.
            Lookup::UserByName(name) if !monban_proto::valid_name(&name) => LookupReply::NotFound,
            Lookup::UserByName(name) => entry(self.store.get(move |tx| tx.find_user(&name)).await?),
            Lookup::UserByUid(uid) => {
                entry(self.store.get(move |tx| tx.find_user_by_uid(uid)).await?)
            }
            Lookup::GroupByName(name) => group(accounts::group_named(cfg, &name)),
            Lookup::GroupByGid(gid) => group(accounts::group_with_gid(cfg, gid)),
            Lookup::Users { .. } if !cfg.enumerate => LookupReply::Users {
                users: Vec::new(),
                next: None,
            },
            Lookup::Users { after } => {
                let rows = self
                    .store
                    .read(move |tx| tx.accounts_page(after.as_deref(), ACCOUNTS_PAGE))
                    .await?;
                let next = (rows.len() == ACCOUNTS_PAGE as usize)
                    .then(|| rows.last().map(|r| r.name.clone()))
                    .flatten();
                let users = rows
                    .iter()
                    .filter_map(|r| Some(accounts::passwd_entry(cfg, &r.name, r.uid?)))
                    .collect();
                LookupReply::Users { users, next }
            }
            Lookup::Groups if !cfg.enumerate => LookupReply::Groups(Vec::new()),
            Lookup::Groups => LookupReply::Groups(vec![accounts::group_entry(cfg)]),
        };
        Ok(Response::Lookup(reply))
    }
}
