//! The authentication conversation, driven by the daemon: the module only
//! shows what it is told and relays answers, so a new step (the one-time
//! password) needs no change in the module.

use monban_proto::{
    AuthNext, AuthOutcome, AuthStep, CredentialKind, ErrorCode, PamContext, Prompt, PromptKind,
    Response, Secret, UserMessage, WireError,
};

use super::verify::{Checked, LOGIN_EVENTS};
use super::{Daemon, Origin, Session};
use crate::rules::{expiry, format_datetime, policy};
use crate::store::{self, UserRow};

pub struct Conversation {
    ctx: PamContext,
    credential: CredentialKind,
    stage: Stage,
}

enum Stage {
    Password,
    /// The password was judged; the code is asked either way, so the
    /// prompts do not tell whether the password was right.
    Otp {
        user: Box<UserRow>,
        password: Checked,
        secret: Secret,
    },
}

fn prompt(kind: PromptKind, credential: CredentialKind) -> Response {
    let text = match (kind, credential) {
        (PromptKind::OneTimeCode, _) => "One-time password: ",
        (PromptKind::Password, CredentialKind::Confirm) => "Confirmation password: ",
        (PromptKind::Password, _) => "Password: ",
    };
    Response::Auth(AuthStep {
        messages: Vec::new(),
        next: AuthNext::Prompt(Prompt {
            text: text.into(),
            echo: false,
            kind,
        }),
    })
}

fn finished(outcome: AuthOutcome, messages: Vec<UserMessage>) -> Response {
    Response::Auth(AuthStep {
        messages,
        next: AuthNext::Finished(outcome),
    })
}

pub(crate) fn locked_message(kind: CredentialKind, user: &str) -> UserMessage {
    UserMessage::error(format!(
        "Your {} is suspended after repeated failed attempts. An administrator can release it (monban user unlock {user}).",
        kind.describe()
    ))
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
                "authentication starts with the login or the confirmation password",
            ));
        }
        if credential == CredentialKind::Confirm
            && let Some(user) = self.find_user(&ctx.user).await?
            && !self.has_credential(&user, CredentialKind::Confirm).await?
        {
            return Ok(finished(
                AuthOutcome::Denied,
                vec![UserMessage::error(
                    "You have no confirmation password. Set one with `monban passwd --confirm`, then try again.",
                )],
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
                "no authentication is in progress on this connection",
            ));
        };
        let origin = Origin::from_pam(&session.peer, &conv.ctx);
        match conv.stage {
            Stage::Password => {
                let Some(user) = self.find_user(&conv.ctx.user).await? else {
                    self.hasher.waste(&answer).await;
                    let e = origin.entry(self.now(), "auth_unknown_user", &conv.ctx.user);
                    self.commit_events(vec![e]).await?;
                    return Ok(finished(AuthOutcome::UserUnknown, Vec::new()));
                };
                let checked = self
                    .check_secret(&user, conv.credential, &answer, &origin, LOGIN_EVENTS)
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
                match checked {
                    Checked::Right => self.auth_success(&user, &conv, &answer, &origin).await,
                    other => Ok(self.refusal(other, conv.credential, &user)),
                }
            }
            Stage::Otp {
                ref user,
                password,
                ref secret,
            } => match password {
                Checked::Right => match self.check_otp(user, &answer, &origin).await? {
                    Checked::Right | Checked::NotSet => {
                        self.auth_success(user, &conv, secret, &origin).await
                    }
                    other => Ok(self.refusal(other, CredentialKind::Otp, user)),
                },
                other => Ok(self.refusal(other, conv.credential, user)),
            },
        }
    }

    fn refusal(&self, checked: Checked, kind: CredentialKind, user: &UserRow) -> Response {
        match checked {
            Checked::Locked => {
                finished(AuthOutcome::Locked, vec![locked_message(kind, &user.name)])
            }
            _ => finished(AuthOutcome::Denied, Vec::new()),
        }
    }

    /// The secret was right: what still stands in the way, and what the
    /// user should be told.
    async fn auth_success(
        &self,
        user: &UserRow,
        conv: &Conversation,
        password: &Secret,
        origin: &Origin,
    ) -> Result<Response, WireError> {
        let now = self.now();
        let deny = |event: &'static str, text: String| {
            let mut e = origin.entry(now, event, &user.name);
            e.credential = Some(conv.credential);
            (
                e,
                finished(AuthOutcome::Denied, vec![UserMessage::error(text)]),
            )
        };
        if user.disabled {
            let (e, answer) = deny(
                "auth_refused_disabled",
                "This account is disabled. Contact an administrator.".into(),
            );
            self.commit_events(vec![e]).await?;
            return Ok(answer);
        }
        let mut messages = Vec::new();
        if conv.credential == CredentialKind::Login {
            let facts = self.password_facts(user).await?;
            if let Some(f) = &facts
                && matches!(
                    expiry::judge(&self.cfg.password, f, now),
                    expiry::Verdict::TemporaryLapsed
                )
            {
                let (e, answer) = deny(
                    "auth_refused_temporary_lapsed",
                    "Your temporary password has expired. Ask an administrator for a new one."
                        .into(),
                );
                self.commit_events(vec![e]).await?;
                return Ok(answer);
            }
            if let Some(grace_until) = self.otp_enrolment_due(user).await? {
                if now >= grace_until {
                    let (e, answer) = deny(
                        "auth_refused_otp_required",
                        "A one-time password is required for this account and its grace period is over: logins are refused until one is enrolled with `monban otp enroll` (an administrator can help)."
                            .into(),
                    );
                    self.commit_events(vec![e]).await?;
                    return Ok(answer);
                }
                messages.push(UserMessage::info(format!(
                    "You must enrol a one-time password with `monban otp enroll` before {}; after that, logins without one are refused.",
                    format_datetime(grace_until)
                )));
            }
            if self.cfg.password.enforce_on_login {
                let report = policy::check(&self.cfg.password, &user.name, password.expose());
                if !report.passed() {
                    let mut text =
                        String::from("Your password no longer meets the password rules:");
                    for failure in report.failures() {
                        text.push_str("\n  - ");
                        text.push_str(failure);
                    }
                    messages.push(UserMessage::error(text));
                    let id = user.id;
                    self.store
                        .run(move |db| {
                            store::users::set_force_change(
                                db.conn(),
                                id,
                                CredentialKind::Login,
                                Some(expiry::ForceReason::NonCompliant.as_str()),
                            )
                        })
                        .await?;
                }
            }
        }
        Ok(finished(AuthOutcome::Success, messages))
    }
}
