//! Outgoing mail (SPEC §8). A mail is composed in the recipient's
//! language, sealed with the store's secret key (a reset mail carries a
//! code) and queued in the store; the sender task delivers it through the
//! relay, retrying with backoff for an hour. Nothing here is on the path of
//! a login's answer: queueing is one write, sending is another task.

mod codes;
pub mod compose;
mod send;

use std::sync::Arc;

use monban_config::Config;
use monban_proto::{Catalogs, Lang};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use zeroize::Zeroizing;

use crate::audit::Syslog;
use crate::clock::Clock;
use crate::secretbox::SecretBox;
use crate::store::{NewAuditEntry, NewMail, Store, StoreError, Tx};
pub use compose::{Letter, Notice};

const SEAL_AAD: &[u8] = b"monban-mail";
/// A mail not delivered within this is dropped (and audited).
pub const GIVE_UP_AFTER: i64 = 3600;
/// How long a host may take to send a claimed mail before another may.
const LEASE: i64 = 120;

/// What is sealed in the outbox.
#[derive(Serialize, Deserialize)]
struct Sealed {
    subject: String,
    body: String,
}

impl Drop for Sealed {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.body);
    }
}

/// Seconds until the next try after `attempts` failures: 2, 4, 8 … 60.
pub fn backoff(attempts: u32) -> i64 {
    2i64.saturating_pow(attempts.saturating_add(1).min(6))
        .min(60)
}

#[derive(Clone)]
pub struct Mailer {
    cfg: Arc<Config>,
    store: Store,
    keys: Arc<SecretBox>,
    catalogs: Arc<Catalogs>,
    clock: Arc<dyn Clock>,
    syslog: Arc<Syslog>,
    wake: Arc<Notify>,
}

impl Mailer {
    pub fn new(
        cfg: Arc<Config>,
        store: Store,
        keys: Arc<SecretBox>,
        catalogs: Arc<Catalogs>,
        clock: Arc<dyn Clock>,
        syslog: Arc<Syslog>,
    ) -> Self {
        Self {
            cfg,
            store,
            keys,
            catalogs,
            clock,
            syslog,
            wake: Arc::new(Notify::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.cfg.mail.enabled()
    }

    /// The mail as it is queued, for writing inside a caller's transaction
    /// (so a code and the mail carrying it are stored together). None when
    /// no relay is configured.
    pub fn prepare(
        &self,
        letter: &Letter,
        user: &str,
        language: Option<Lang>,
        recipient: &str,
    ) -> Result<Option<NewMail>, String> {
        if !self.enabled() {
            return Ok(None);
        }
        let lang = language.unwrap_or(self.cfg.daemon.language);
        let now = self.clock.now();
        let (subject, body) = compose::compose(
            self.catalogs.get(lang),
            letter,
            user,
            &self.cfg.daemon.host_name,
            now,
        );
        let sealed = Sealed {
            subject,
            body: body.to_string(),
        };
        let json = Zeroizing::new(serde_json::to_vec(&sealed).map_err(|e| e.to_string())?);
        let sealed = self.keys.seal(&json, SEAL_AAD).map_err(|e| e.to_string())?;
        Ok(Some(NewMail {
            created_at: now,
            recipient: recipient.to_string(),
            user: user.to_string(),
            kind: letter.kind().to_string(),
            sealed,
        }))
    }

    /// Queued mail is sent now rather than at the next poll.
    pub fn kick(&self) {
        self.wake.notify_one();
    }

    /// Queues a notice on its own (after the change it tells of is
    /// committed); a failure is logged, never the caller's.
    pub fn notify(&self, notice: Notice, user: &str, language: Option<Lang>, to: Option<&str>) {
        let Some(to) = to else { return };
        let mail = match self.prepare(&Letter::Notice(notice), user, language, to) {
            Ok(Some(mail)) => mail,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!("cannot prepare a notice for {user}: {e}");
                return;
            }
        };
        let this = self.clone();
        tokio::spawn(async move {
            match this.store.write(move |tx| tx.queue_mail(&mail)).await {
                Ok(_) => this.kick(),
                Err(e) => tracing::warn!("cannot queue a notice: {e}"),
            }
        });
    }

    fn open(&self, sealed: &[u8]) -> Option<Sealed> {
        let json = self.keys.open(sealed, SEAL_AAD).ok()?;
        serde_json::from_slice(&json).ok()
    }

    /// Delivers the outbox for as long as the daemon runs.
    pub async fn run(self) {
        if !self.enabled() {
            return;
        }
        let relay = match send::Relay::new(&self.cfg.mail) {
            Ok(relay) => relay,
            Err(e) => {
                tracing::error!(
                    "[mail] relay {}: {e}; no mail will be sent",
                    self.cfg.mail.relay
                );
                return;
            }
        };
        loop {
            match self.send_due(&relay).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::warn!("outbox: {e}"),
            }
            let now = self.clock.now();
            let due = self.store.get(|tx| tx.next_mail_due()).await.ok().flatten();
            let wait = due.map_or(30, |d| (d - now).clamp(1, 30)) as u64;
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(std::time::Duration::from_secs(wait)) => {}
            }
        }
    }

    /// Sends one due mail; true when there was one.
    async fn send_due(&self, relay: &send::Relay) -> Result<bool, StoreError> {
        let now = self.clock.now();
        let Some(row) = self
            .store
            .write(move |tx| tx.claim_mail(now, now + LEASE))
            .await?
        else {
            return Ok(false);
        };
        let mut entry = NewAuditEntry {
            at: now,
            event: "mail_sent",
            actor: Some("monban-authd".into()),
            user: Some(row.mail.user.clone()),
            detail: Some(format!("{} to {}", row.mail.kind, row.mail.recipient)),
            ..Default::default()
        };
        let id = row.id;
        if now - row.mail.created_at > GIVE_UP_AFTER {
            tracing::error!(
                "mail {} to {} not delivered within an hour: dropped",
                row.mail.kind,
                row.mail.recipient
            );
            entry.event = "mail_dropped";
            self.finish(entry, move |tx| tx.remove_mail(id)).await?;
            return Ok(true);
        }
        let Some(sealed) = self.open(&row.mail.sealed) else {
            tracing::error!("mail {id} cannot be opened with this secret key: dropped");
            entry.event = "mail_dropped";
            self.finish(entry, move |tx| tx.remove_mail(id)).await?;
            return Ok(true);
        };
        let from = &self.cfg.mail.from;
        match relay
            .send(from, &row.mail.recipient, &sealed.subject, &sealed.body)
            .await
        {
            Ok(()) => {
                self.finish(entry, move |tx| tx.remove_mail(id)).await?;
            }
            Err(reason) => {
                let next = self.clock.now() + backoff(row.attempts);
                tracing::warn!(
                    "relay {}: {} to {} not sent ({reason}); trying again in {} s",
                    self.cfg.mail.relay,
                    row.mail.kind,
                    row.mail.recipient,
                    next - now
                );
                entry.event = "mail_failed";
                entry.detail = Some(format!(
                    "{} to {}: relay {}: {reason}",
                    row.mail.kind, row.mail.recipient, self.cfg.mail.relay
                ));
                self.finish(entry, move |tx| tx.retry_mail(id, next, &reason))
                    .await?;
            }
        }
        Ok(true)
    }

    async fn finish(
        &self,
        entry: NewAuditEntry,
        change: impl FnOnce(&dyn Tx) -> Result<(), StoreError> + Send + 'static,
    ) -> Result<(), StoreError> {
        let written = entry.clone();
        self.store
            .write(move |tx| {
                change(tx)?;
                tx.append_audit(&entry)?;
                Ok(())
            })
            .await?;
        self.syslog.send(&written);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_to_a_minute() {
        let waits: Vec<i64> = (0..8).map(super::backoff).collect();
        assert_eq!(waits, [2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
