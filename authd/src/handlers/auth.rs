//! The authentication conversation, driven by the daemon: the module only
//! shows what it is told and relays answers, so a new step (the one-time
//! password) needs no change in the module.

use monban_proto::{
    AuthNext, AuthOutcome, AuthStep, CredentialKind, ErrorCode, PamContext, Prompt, PromptKind,
    Response, Secret, Text, UserMessage, WireError,
};

use super::verify::{Checked, PROMPT_EVENTS};
use super::{Daemon, Origin, Session};
use crate::rules::{expiry, policy};
use crate::store::UserRow;

/// Message ids shared by the conversation and the account phase.
pub(crate) const DISABLED: &str = "auth-disabled";
pub(crate) const TEMPORARY_LAPSED: &str = "auth-temporary-lapsed";
pub(crate) const OTP_GRACE_OVER: &str = "auth-otp-grace-over";

pub struct Conversation {
    ctx: PamContext,
    credential: CredentialKind,
    stage: Stage,
}

enum Stage {
    Password,
    /// An empty answer at the password prompt: a reset is offered
    /// (`[reset] at_login`), answered y or n.
    OfferReset,
    /// The password was judged; the code is asked either way, so the
    /// prompts do not tell whether the password was right.
    Otp {
        user: Box<UserRow>,
        password: Checked,
        secret: Secret,
    },
}

fn prompt(kind: PromptKind, credential: CredentialKind) -> Response {
    let id = match (kind, credential) {
        (PromptKind::OneTimeCode, _) => "auth-prompt-otp",
        (PromptKind::Password, CredentialKind::Confirm) => "auth-prompt-confirm",
        (PromptKind::Password, _) => "auth-prompt-password",
    };
    Response::Auth(AuthStep {
        messages: Vec::new(),
        next: AuthNext::Prompt(Prompt {
            message: Text::new(id),
            echo: false,
            kind,
        }),
    })
}

/// A password prompt with its own words (the code after a reset offer).
fn password_prompt(id: &str, messages: Vec<UserMessage>) -> Response {
    Response::Auth(AuthStep {
        messages,
        next: AuthNext::Prompt(Prompt {
            message: Text::new(id),
            echo: false,
            kind: PromptKind::Password,
        }),
    })
}

/// A question answered in the clear; never kept as the password.
fn question(id: &str) -> Response {
    Response::Auth(AuthStep {
        messages: Vec::new(),
        next: AuthNext::Prompt(Prompt {
            message: Text::new(id),
            echo: true,
            kind: PromptKind::OneTimeCode,
        }),
    })
}

fn finished(outcome: AuthOutcome, messages: Vec<UserMessage>) -> Response {
    Response::Auth(AuthStep {
        messages,
        next: AuthNext::Finished(outcome),
    })
}

fn refusal(checked: Checked, kind: CredentialKind, user: &UserRow) -> Response {
    match checked {
        Checked::Locked => finished(AuthOutcome::Locked, vec![locked_message(kind, &user.name)]),
        Checked::Lapsed => finished(
            AuthOutcome::Denied,
            vec![UserMessage::error(Text::new(TEMPORARY_LAPSED))],
        ),
        _ => finished(AuthOutcome::Denied, Vec::new()),
    }
}

/// A suspended credential, and the command that releases it.
pub(crate) fn locked_text(kind: CredentialKind, user: &str) -> Text {
    Text::new("auth-suspended")
        .arg("kind", kind.as_str())
        .arg("user", user)
}

pub(crate) fn locked_message(kind: CredentialKind, user: &str) -> UserMessage {
    UserMessage::error(locked_text(kind, user))
}

impl Daemon {
    pub(super) async fn auth_start(
        &self,
        session: &mut Session,
        ctx: PamContext,
        credential: CredentialKind,
    ) -> Result<Response, WireError> {
        session.conversation = None;
        if credential == CredentialKind::Otp {
            return Err(WireError::new(
                ErrorCode::BadRequest,
                Text::new("auth-start-credential"),
            ));
        }
        if credential == CredentialKind::Confirm
            && let Some(user) = self.find_user(&ctx.user).await?
            && !self.has_credential(&user, CredentialKind::Confirm).await?
        {
            return Ok(finished(
                AuthOutcome::Denied,
                vec![UserMessage::error(Text::new("auth-no-confirm"))],
            ));
        }
        session.conversation = Some(Conversation {
            ctx,
            credential,
            stage: Stage::Password,
        });
        Ok(prompt(PromptKind::Password, credential))
    }

    pub(super) async fn auth_answer(
        &self,
        session: &mut Session,
        answer: Secret,
    ) -> Result<Response, WireError> {
        let Some(conv) = session.conversation.take() else {
            return Err(WireError::new(
                ErrorCode::BadRequest,
                Text::new("auth-not-in-progress"),
            ));
        };
        let origin = Origin::from_pam(&session.peer, &conv.ctx);
        match conv.stage {
            Stage::Password
                if answer.expose().is_empty()
                    && conv.credential == CredentialKind::Login
                    && self.cfg.reset.at_login =>
            {
                // No attempt: nothing is counted, the same for every name.
                session.conversation = Some(Conversation {
                    stage: Stage::OfferReset,
                    ..conv
                });
                Ok(question("auth-reset-offer"))
            }
            Stage::OfferReset => {
                let yes = matches!(
                    answer.expose().trim().to_lowercase().as_str(),
                    "y" | "yes" | "はい"
                );
                let mut messages = Vec::new();
                let id = if yes {
                    self.mailer
                        .spawn_reset(conv.ctx.user.clone(), origin.actor.clone());
                    messages.push(UserMessage::info(Text::new("auth-reset-sent")));
                    "auth-prompt-reset-code"
                } else {
                    "auth-prompt-password"
                };
                session.conversation = Some(Conversation {
                    stage: Stage::Password,
                    ..conv
                });
                Ok(password_prompt(id, messages))
            }
            Stage::Password => {
                let Some(user) = self.find_user(&conv.ctx.user).await? else {
                    return self.unknown_user(&conv, &origin, &answer).await;
                };
                // Same work whatever the password: the account's state is
                // told only once it is proved.
                let checked = self
                    .judge_secret(&user, conv.credential, &answer, &origin, PROMPT_EVENTS)
                    .await?;
                if conv.credential == CredentialKind::Login && self.otp_active(&user).await? {
                    session.conversation = Some(Conversation {
                        stage: Stage::Otp {
                            user: Box::new(user),
                            password: checked,
                            secret: answer,
                        },
                        ..conv
                    });
                    return Ok(prompt(PromptKind::OneTimeCode, CredentialKind::Login));
                }
                if !checked.proves() {
                    return Ok(refusal(checked, conv.credential, &user));
                }
                if let Some(refusal) = self.refused_after_proof(&user, &conv, &origin).await? {
                    return Ok(refusal);
                }
                self.auth_success(&user, &conv, checked, &answer, &origin)
                    .await
            }
            Stage::Otp {
                ref user,
                password,
                ref secret,
            } => {
                // A suspension is told whatever the password was; a wrong
                // password ends here without looking at the code.
                if password == Checked::Locked {
                    return Ok(refusal(password, conv.credential, user));
                }
                if self.is_suspended(user, CredentialKind::Otp).await? {
                    return Ok(refusal(Checked::Locked, CredentialKind::Otp, user));
                }
                if !password.proves() {
                    return Ok(refusal(password, conv.credential, user));
                }
                if let Some(refusal) = self.refused_after_proof(user, &conv, &origin).await? {
                    return Ok(refusal);
                }
                match self.check_otp(user, &answer, &origin).await? {
                    Checked::Right | Checked::NotSet => {
                        self.auth_success(user, &conv, password, secret, &origin)
                            .await
                    }
                    other => Ok(refusal(other, CredentialKind::Otp, user)),
                }
            }
        }
    }

    /// Answers for a name monban does not manage after the same work as a
    /// wrong password: the same store round trips (reads of a row that
    /// does not exist, a staged write and a durable one with the same
    /// statements) around the same hashing, so
    /// neither the hash nor the bookkeeping tells a prober the name is
    /// unknown.
    async fn unknown_user(
        &self,
        conv: &Conversation,
        origin: &Origin,
        answer: &Secret,
    ) -> Result<Response, WireError> {
        const NO_USER: i64 = -1;
        let kind = conv.credential;
        self.store
            .get(move |tx| {
                if kind == CredentialKind::Login {
                    tx.codes(NO_USER)?;
                }
                tx.credential(NO_USER, kind)
            })
            .await?;
        // A reservation and a settle with a known user's statements (on
        // PostgreSQL each is a round trip, which a prober could time).
        self.store
            .write_staged(
                move |tx| {
                    tx.counter(NO_USER, kind)?;
                    tx.mimic_counter_write(NO_USER, kind)
                },
                |_| false,
            )
            .await?;
        self.waste_login(&conv.ctx.user, origin, answer).await;
        let mut entry = origin.entry(self.now(), "auth_unknown_user", &conv.ctx.user);
        entry.credential = Some(kind);
        entry.detail = Some("no such monban user".into());
        let stored = entry.clone();
        self.store
            .write(move |tx| {
                tx.counter(NO_USER, kind)?;
                tx.mimic_counter_write(NO_USER, kind)?;
                tx.append_audit(&stored)
            })
            .await?;
        self.announce(&[entry]);
        self.store.get(move |tx| tx.otp(NO_USER)).await?;
        Ok(finished(AuthOutcome::UserUnknown, Vec::new()))
    }

    /// Refusals told only to someone who proved the password, so a guess
    /// learns nothing about the account: a disabled account, a required
    /// token past its grace period.
    async fn refused_after_proof(
        &self,
        user: &UserRow,
        conv: &Conversation,
        origin: &Origin,
    ) -> Result<Option<Response>, WireError> {
        let now = self.now();
        let refusal = if user.disabled {
            Some(("auth_refused_disabled", DISABLED))
        } else if conv.credential == CredentialKind::Login
            && self
                .otp_enrolment_due(user)
                .await?
                .is_some_and(|until| now >= until)
        {
            Some(("auth_refused_otp_required", OTP_GRACE_OVER))
        } else {
            None
        };
        let Some((event, text)) = refusal else {
            return Ok(None);
        };
        let mut e = origin.entry(now, event, &user.name);
        e.credential = Some(conv.credential);
        self.commit_events(vec![e]).await?;
        Ok(Some(finished(
            AuthOutcome::Denied,
            vec![UserMessage::error(Text::new(text))],
        )))
    }

    /// The secret was right. A password that no longer meets the rules
    /// must change now (`enforce_on_login`): only at this moment does the
    /// daemon hold it in the clear.
    async fn auth_success(
        &self,
        user: &UserRow,
        conv: &Conversation,
        checked: Checked,
        password: &Secret,
        origin: &Origin,
    ) -> Result<Response, WireError> {
        if let Checked::Code(purpose) = checked {
            // Taken now that every other proof passed: a code whose OTP
            // was wrong stays unused, and the password stays as it was.
            if !self.accept_code(user, purpose, password, origin).await? {
                return Ok(finished(AuthOutcome::Denied, Vec::new()));
            }
            return Ok(finished(AuthOutcome::Success, Vec::new()));
        }
        self.upgrade_hash(user, conv.credential, password).await?;
        let mut messages = Vec::new();
        if conv.credential == CredentialKind::Login && self.cfg.password.enforce_on_login {
            let report = policy::check(&self.cfg.password, &user.name, password.expose());
            if !report.passed() {
                let text =
                    Text::new("auth-non-compliant").arg("failures", policy::failure_items(&report));
                messages.push(UserMessage::error(text));
                let id = user.id;
                self.store
                    .write(move |tx| {
                        tx.set_force_change(
                            id,
                            CredentialKind::Login,
                            Some(expiry::ForceReason::NonCompliant.as_str()),
                        )
                    })
                    .await?;
            }
        }
        Ok(finished(AuthOutcome::Success, messages))
    }
}
