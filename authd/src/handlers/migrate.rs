//! Bulk operations: mandatory-change deadlines (campaigns) and importing
//! accounts from /etc/shadow.

use monban_proto::{CredentialKind, Response, ShadowEntry, Text, UserMessage, WireError};

use super::admin::{bad, done};
use super::{Daemon, Origin};
use crate::crypt;
use crate::peer::{lookup, user_in_group};
use crate::rules::{DAY, expiry, format_datetime};
use crate::store;

impl Daemon {
    pub(super) async fn require_change(
        &self,
        origin: &Origin,
        before: i64,
        group: Option<String>,
    ) -> Result<Response, WireError> {
        let now = self.now();
        if before <= now {
            return Err(bad(Text::new("migrate-deadline-past")));
        }
        let rows = self.store.read(|tx| tx.all_users()).await?;
        let rows = match group.clone() {
            None => rows,
            Some(g) => lookup(move || {
                rows.into_iter()
                    .filter(|row| user_in_group(&row.name, &g))
                    .collect()
            })
            .await
            .unwrap_or_default(),
        };
        let mut ids = Vec::new();
        for row in rows {
            let id = row.id;
            let cred = self
                .store
                .get(move |tx| tx.credential(id, CredentialKind::Login))
                .await?;
            if cred.is_some_and(|c| c.set_at <= now) {
                ids.push(id);
            }
        }
        let count = ids.len();
        let mut entry = origin.entry(now, "change_required", "");
        entry.user = None;
        entry.detail = Some(format!(
            "before {}{}; {count} users",
            format_datetime(before),
            group
                .as_ref()
                .map(|g| format!(", group {g}"))
                .unwrap_or_default()
        ));
        let actor = origin.actor.clone();
        let id = self
            .commit(vec![entry], move |tx| {
                tx.create_campaign(now, before, group.as_deref(), &actor, &ids)
            })
            .await?;
        Ok(done(
            Text::new("migrate-change-required")
                .arg("count", count)
                .time("before", before)
                .arg("id", id),
        ))
    }

    pub(super) async fn import_shadow(
        &self,
        origin: &Origin,
        entries: Vec<ShadowEntry>,
    ) -> Result<Response, WireError> {
        let now = self.now();
        let mut imported = Vec::new();
        let mut skipped = Vec::new();
        for e in entries {
            let skip = |id: &str| UserMessage::info(Text::new(id).arg("user", &e.user));
            if !monban_proto::valid_name(&e.user) {
                skipped.push(skip("migrate-skip-invalid-name"));
                continue;
            }
            if !crypt::is_crypt_hash(e.hash.expose()) {
                skipped.push(skip("migrate-skip-no-hash"));
                continue;
            }
            if self.find_user(&e.user).await?.is_some() {
                skipped.push(skip("migrate-skip-exists"));
                continue;
            }
            // shadow(5): a last change of 0 means "change at next login".
            let must_change = e.last_change_days == Some(0);
            let set_at = e
                .last_change_days
                .filter(|&d| d > 0)
                .map_or(now, |d| d.saturating_mul(DAY));
            let hash = e.hash.clone();
            let keep = self.cfg.password.history;
            let (name, max, min, warn) = (e.user.clone(), e.max_days, e.min_days, e.warn_days);
            let mut entry = origin.entry(now, "user_imported", &e.user);
            entry.detail = Some("from /etc/shadow".into());
            self.commit(vec![entry], move |tx| {
                let id = tx.insert_user(&name, now, false)?;
                let cred = store::NewCredential {
                    kind: CredentialKind::Login,
                    hash: hash.expose(),
                    set_at,
                    temporary_until: None,
                    force_change: must_change.then_some(expiry::ForceReason::AdminReset.as_str()),
                };
                tx.set_credential(id, &cred, keep)?;
                tx.set_shadow_aging(id, max, min, warn)?;
                Ok(())
            })
            .await?;
            imported.push(e.user);
        }
        Ok(Response::Imported {
            users: imported,
            skipped,
        })
    }
}
