//! E-mail self-service (SPEC §8): the own address and its verification,
//! reset requests, invitations, and a mailed code accepted at the login
//! prompt as a one-time temporary password.

use monban_proto::{EmailChange, ErrorCode, Response, Secret, Text, WireError};

use super::admin::{bad, done};
use super::{Daemon, Origin};
use crate::mail::{Letter, Notice};
use crate::peer::Peer;
use crate::rules::codes::CodePurpose;
use crate::rules::{email, expiry};
use crate::store::{self, UserRow};
use monban_proto::CredentialKind;

/// A verification code is good for a day (SPEC §8).
const VERIFY_VALID_FOR: i64 = 24 * 3600;

fn no_relay() -> WireError {
    WireError::new(ErrorCode::BadRequest, Text::new("email-no-relay"))
}

fn unacceptable(address: &str) -> WireError {
    bad(Text::new("email-invalid").arg("address", format!("{address:?}")))
}

impl Daemon {
    /// `monban email set ADDR`: the own password, then a code to ADDR.
    pub(super) async fn email_set(
        &self,
        peer: &Peer,
        password: Secret,
        address: String,
    ) -> Result<Response, WireError> {
        if !self.mailer.enabled() {
            return Err(no_relay());
        }
        if !email::acceptable(&address) {
            return Err(unacceptable(&address));
        }
        let user = self.own_user(peer).await?;
        let origin = Origin::from_peer(peer);
        self.prove(&user, &password, None, &origin).await?;
        let (code, row) = self.mailer.new_code(
            user.id,
            CodePurpose::Verify,
            VERIFY_VALID_FOR,
            Some(address.clone()),
        );
        let letter = Letter::Verify {
            code,
            until: row.valid_until,
        };
        let mail = self
            .mailer
            .prepare(&letter, &user.name, user.language, &address)
            .map_err(super::internal)?;
        let mut entry = origin.entry(self.now(), "email_verification_sent", &user.name);
        entry.detail = Some(format!("to {address}"));
        let id = user.id;
        self.commit(vec![entry], move |tx| {
            tx.put_code(id, &row)?;
            if let Some(mail) = &mail {
                tx.queue_mail(mail)?;
            }
            Ok(())
        })
        .await?;
        self.mailer.kick();
        Ok(done(
            Text::new("email-verification-sent").arg("address", address),
        ))
    }

    /// `monban email verify`: the code from the mail; the new address
    /// takes over and the old one is told.
    pub(super) async fn email_verify(
        &self,
        peer: &Peer,
        code: Secret,
    ) -> Result<Response, WireError> {
        let user = self.own_user(peer).await?;
        let id = user.id;
        let pending = self.store.get(move |tx| tx.codes(id)).await?;
        let now = self.now();
        let matched = self.mailer.matching_code(
            user.id,
            &pending,
            &[CodePurpose::Verify],
            code.expose(),
            now,
        );
        let origin = Origin::from_peer(peer);
        let Some(address) = matched.and_then(|_| {
            pending
                .iter()
                .find(|c| c.purpose == CodePurpose::Verify)
                .and_then(|c| c.address.clone())
        }) else {
            let entry = origin.entry(now, "email_verification_failed", &user.name);
            self.commit_events(vec![entry]).await?;
            return Err(WireError::new(
                ErrorCode::AuthFailed,
                Text::new("email-verify-wrong"),
            ));
        };
        let mut entry = origin.entry(now, "email_changed", &user.name);
        entry.detail = Some(format!("to {address}"));
        let new = address.clone();
        let taken = self
            .commit(vec![entry], move |tx| {
                let taken = tx.take_code(id, CodePurpose::Verify)?;
                if taken {
                    tx.set_email(id, Some(&new))?;
                }
                Ok(taken)
            })
            .await?;
        if !taken {
            return Err(WireError::new(
                ErrorCode::AuthFailed,
                Text::new("email-verify-wrong"),
            ));
        }
        if user.email.as_deref() != Some(address.as_str()) {
            let notice = Notice::AddressChanged {
                new: address.clone(),
            };
            self.mailer
                .notify(notice, &user.name, user.language, user.email.as_deref());
        }
        Ok(done(Text::new("email-verified").arg("address", address)))
    }

    /// `monban email remove`: no address, no pending one.
    pub(super) async fn email_remove(&self, peer: &Peer) -> Result<Response, WireError> {
        let user = self.own_user(peer).await?;
        let id = user.id;
        let entry = Origin::from_peer(peer).entry(self.now(), "email_removed", &user.name);
        self.commit(vec![entry], move |tx| {
            tx.take_code(id, CodePurpose::Verify)?;
            tx.set_email(id, None)
        })
        .await?;
        Ok(done(Text::new("email-removed")))
    }

    /// `monban reset request USER`: the same words at once for every USER;
    /// the work happens afterwards, in the mailer.
    pub(super) async fn reset_request(
        &self,
        peer: &Peer,
        user: String,
    ) -> Result<Response, WireError> {
        if !self.cfg.reset.enabled {
            return Err(WireError::new(
                ErrorCode::BadRequest,
                Text::new("reset-not-enabled"),
            ));
        }
        self.mailer.spawn_reset(user, peer.label());
        Ok(done(Text::new("reset-requested")))
    }

    /// `user set --email/--no-email` by an administrator: counts as verified.
    pub(super) async fn admin_set_email(
        &self,
        origin: &Origin,
        user: &UserRow,
        change: EmailChange,
    ) -> Result<(), WireError> {
        let address = match change {
            EmailChange::To(a) if !email::acceptable(&a) => return Err(unacceptable(&a)),
            EmailChange::To(a) => Some(a),
            EmailChange::Clear => None,
        };
        let mut entry = origin.entry(self.now(), "email_changed", &user.name);
        entry.detail = Some(
            address
                .as_ref()
                .map_or("removed".into(), |a| format!("to {a}")),
        );
        let (id, new) = (user.id, address.clone());
        self.commit(vec![entry], move |tx| tx.set_email(id, new.as_deref()))
            .await?;
        if let Some(new) = address
            && user.email.as_deref() != Some(new.as_str())
        {
            self.mailer.notify(
                Notice::AddressChanged { new },
                &user.name,
                user.language,
                user.email.as_deref(),
            );
        }
        Ok(())
    }

    /// `user add USER --email ADDR --invite`: no password; the activation
    /// code goes to ADDR with the new account, in one transaction.
    pub(super) async fn user_add_invited(
        &self,
        origin: &Origin,
        user: String,
        address: Option<String>,
        new: super::admin::NewUser,
    ) -> Result<Response, WireError> {
        let Some(address) = address else {
            return Err(bad(Text::new("email-invite-needs-address")));
        };
        if !self.mailer.enabled() {
            return Err(no_relay());
        }
        if !email::acceptable(&address) {
            return Err(unacceptable(&address));
        }
        let now = self.now();
        let valid_for = self.cfg.invite.valid_for.as_secs();
        let mut entry = origin.entry(now, "user_added", &user);
        entry.detail = Some(format!("invited, code sent to {address}"));
        let (name, to) = (user.clone(), address.clone());
        let mailer = self.mailer.clone();
        let accounts = self.cfg.accounts.clone();
        let language = new.language;
        let (until, uid) = self
            .commit(vec![entry], move |tx| {
                let id = tx.insert_user(&name, now, new.require_otp)?;
                let uid = new.create_account(tx, id, &accounts)?;
                tx.set_language(id, language)?;
                tx.set_email(id, Some(&to))?;
                let (code, row) = mailer.new_code(id, CodePurpose::Invite, valid_for, None);
                let until = row.valid_until;
                let letter = Letter::Invite { code, until };
                let mail = mailer
                    .prepare(&letter, &name, language, &to)
                    .map_err(store::StoreError::Mail)?;
                tx.put_code(id, &row)?;
                if let Some(mail) = &mail {
                    tx.queue_mail(mail)?;
                }
                Ok((until, uid))
            })
            .await?;
        self.mailer.kick();
        let mut text = Text::new("email-invited")
            .arg("user", &user)
            .arg("address", address)
            .time("until", until);
        if let Some(uid) = uid {
            text = Text::new("accounts-added")
                .arg("uid", uid.to_string())
                .arg("then", vec![text]);
        }
        Ok(done(text))
    }

    /// A reset or invitation code was right at the login prompt (and the
    /// OTP, when enrolled): it becomes the login password, temporary until
    /// the code's own end, with a change forced now. Taken in the same
    /// transaction, so two logins racing with one code cannot both pass.
    pub(super) async fn accept_code(
        &self,
        user: &UserRow,
        purpose: CodePurpose,
        answer: &Secret,
        origin: &Origin,
    ) -> Result<bool, WireError> {
        let hash = self.hasher.hash(answer).await.map_err(super::internal)?;
        let id = user.id;
        let until = self
            .store
            .get(move |tx| tx.codes(id))
            .await?
            .iter()
            .find(|c| c.purpose == purpose)
            .map(|c| c.valid_until);
        let Some(until) = until else {
            return Ok(false);
        };
        let now = self.now();
        let keep = self.cfg.password.history;
        let mut entry = origin.entry(now, "code_login", &user.name);
        entry.credential = Some(CredentialKind::Login);
        entry.detail = Some(format!(
            "{} code used; a new password is required",
            purpose.as_str()
        ));
        self.commit(vec![entry], move |tx| {
            if !tx.take_code(id, purpose)? {
                return Ok(false);
            }
            let new = store::NewCredential {
                kind: CredentialKind::Login,
                hash: &hash,
                set_at: now,
                temporary_until: Some(until),
                force_change: Some(expiry::ForceReason::Code.as_str()),
            };
            tx.set_credential(id, &new, keep)?;
            tx.set_counter(id, CredentialKind::Login, Default::default())?;
            Ok(true)
        })
        .await
    }
}
