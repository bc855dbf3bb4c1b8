//! Mailed codes: made, stored as a keyed MAC with the mail that carries
//! them in one transaction, and recognised at the login prompt.

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::{Letter, Mailer};
use crate::rules::codes::{self, CodePurpose, CodeRow};
use crate::store::{NewAuditEntry, StoreError, UserRow};

impl Mailer {
    /// A fresh code for `user_id` and the row that stores it.
    pub fn new_code(
        &self,
        user_id: i64,
        purpose: CodePurpose,
        valid_for: i64,
        address: Option<String>,
    ) -> (Zeroizing<String>, CodeRow) {
        let code = codes::generate();
        let now = self.clock.now();
        let row = CodeRow {
            purpose,
            mac: self.code_mac(user_id, purpose, &code),
            address,
            created_at: now,
            valid_until: now.saturating_add(valid_for),
        };
        (code, row)
    }

    fn code_mac(&self, user_id: i64, purpose: CodePurpose, code: &str) -> Vec<u8> {
        let normalized = codes::normalize(code).unwrap_or_default();
        self.keys
            .mac(&codes::mac_input(user_id, purpose, &normalized))
            .to_vec()
    }

    /// Which of `pending` (of the given purposes) `answer` is, if it is one
    /// still valid at `now`. Every candidate is compared in constant time.
    pub fn matching_code(
        &self,
        user_id: i64,
        pending: &[CodeRow],
        purposes: &[CodePurpose],
        answer: &str,
        now: i64,
    ) -> Option<CodePurpose> {
        codes::normalize(answer)?;
        let mut found = None;
        for code in pending.iter().filter(|c| purposes.contains(&c.purpose)) {
            let mac = self.code_mac(user_id, code.purpose, answer);
            let same: bool = mac.ct_eq(&code.mac).into();
            if same && codes::valid(code, now) {
                found = Some(code.purpose);
            }
        }
        found
    }

    /// Answers `monban reset request USER` (or `y` at the login prompt) in
    /// the background: the caller has already been told the same words,
    /// whoever USER is. Audited whatever happens; never a code.
    pub fn spawn_reset(&self, name: String, actor: String) {
        let this = self.clone();
        tokio::spawn(async move {
            if let Err(e) = this.reset(&name, actor).await {
                tracing::warn!("reset request for {name}: {e}");
            }
        });
    }

    async fn reset(&self, name: &str, actor: String) -> Result<(), StoreError> {
        let now = self.clock.now();
        let lookup = name.to_string();
        let found = self
            .store
            .get(move |tx| {
                let Some(user) = tx.find_user(&lookup)? else {
                    return Ok(None);
                };
                let codes = tx.codes(user.id)?;
                Ok(Some((user, codes)))
            })
            .await?;
        let mut entry = NewAuditEntry {
            at: now,
            event: "reset_requested",
            actor: Some(actor),
            user: Some(name.to_string()),
            service: Some("monban".into()),
            ..Default::default()
        };
        let (detail, letter) = match found {
            None => ("no such monban user".to_string(), None),
            Some((UserRow { email: None, .. }, _)) => ("no registered address".to_string(), None),
            Some((user, pending)) => {
                let previous = pending.iter().find(|c| c.purpose == CodePurpose::Reset);
                let min = self.cfg.reset.min_interval.as_secs();
                if !codes::may_send_again(previous, min, now) {
                    (
                        "another code was sent less than [reset] min_interval ago".into(),
                        None,
                    )
                } else {
                    let valid = self.cfg.reset.code_valid_for.as_secs();
                    let (code, row) = self.new_code(user.id, CodePurpose::Reset, valid, None);
                    let until = row.valid_until;
                    (
                        format!(
                            "code sent to {}",
                            crate::rules::email::mask(user.email.as_deref().unwrap_or(""))
                        ),
                        Some((user, row, Letter::Reset { code, until })),
                    )
                }
            }
        };
        entry.detail = Some(detail);
        let written = entry.clone();
        match letter {
            None => {
                self.store.write(move |tx| tx.append_audit(&entry)).await?;
            }
            Some((user, row, letter)) => {
                let to = user.email.clone().unwrap_or_default();
                let mail = self
                    .prepare(&letter, &user.name, user.language, &to)
                    .map_err(StoreError::Mail)?;
                self.store
                    .write(move |tx| {
                        tx.put_code(user.id, &row)?;
                        if let Some(mail) = &mail {
                            tx.queue_mail(mail)?;
                        }
                        tx.append_audit(&entry)
                    })
                    .await?;
                self.kick();
            }
        }
        self.syslog.send(&written);
        Ok(())
    }
}
