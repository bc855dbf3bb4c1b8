//! What each PAM hook does, independent of libpam: the conversation and
//! the items sit behind [`PamHandler`], the daemon behind [`Transport`], so
//! every path is tested with scripts.
//!
//! This file holds what the hooks share (the traits, [`Hook`], showing
//! messages, mapping a failed exchange to a PAM code); each hook has its
//! own file, and `tests/` mirrors them.
#![forbid(unsafe_code)]

mod account;
mod authenticate;
mod chauthtok;
mod session;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use monban_proto::{
    Catalog, Client, ClientError, CredentialKind, ErrorCode, Lang, LangHint, MAX_SECRET_LEN,
    MessageLevel, PamContext, Request, Response, Secret, Timeouts, TrustedServer, UserMessage,
};
use pam::constants::{PAM_SILENT, PamFlag, PamResultCode};

use crate::args::ModuleArgs;
use crate::log::LogSink;

/// Plain (non-secret) items describing the login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContextItem {
    Service,
    Tty,
    RHost,
}

/// The two secret items modules hand each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenItem {
    /// `PAM_AUTHTOK`: the password (the new one, in chauthtok).
    AuthTok,
    /// `PAM_OLDAUTHTOK`: the current password, in chauthtok.
    OldAuthTok,
}

/// Everything the hooks need from libpam.
pub(crate) trait PamHandler {
    /// Asks the person; the answer never exists outside a wiping buffer.
    fn prompt(&mut self, text: &str, echo: bool) -> Result<Secret, PamResultCode>;
    fn info(&mut self, text: &str) -> Result<(), PamResultCode>;
    fn error(&mut self, text: &str) -> Result<(), PamResultCode>;
    /// `pam_get_user`.
    fn user(&mut self) -> Result<String, PamResultCode>;
    fn item(&self, item: ContextItem) -> Option<String>;
    /// None when unset (or not UTF-8, which monban cannot check anyway).
    fn token(&self, item: TokenItem) -> Option<Secret>;
    fn set_token(&mut self, item: TokenItem, value: &Secret) -> Result<(), PamResultCode>;
    /// The real uid of the calling process.
    fn caller_uid(&self) -> u32;
    /// A variable of the PAM environment (`pam_getenv`).
    fn env(&self, name: &str) -> Option<String>;
}

/// One request, one response, on a single connection kept for the hook's
/// whole exchange (the authentication conversation is stateful).
pub(crate) trait Transport {
    fn call(&mut self, req: &Request) -> Result<Response, ClientError>;
    /// Sent with every request: what the module found about the language.
    fn set_lang_hint(&mut self, hint: LangHint);
    /// The language the daemon chose for its last reply.
    fn rendered_in(&self) -> Option<Lang>;
}

/// The daemon's Unix socket. Connects on the first call, so a hook that
/// gives up early never touches the daemon.
pub(crate) struct SocketTransport {
    path: PathBuf,
    timeouts: Timeouts,
    server_user: String,
    client: Option<Client>,
    hint: LangHint,
    rendered_in: Option<Lang>,
}

impl SocketTransport {
    pub(crate) fn new(args: &ModuleArgs) -> Self {
        Self {
            path: args.socket.clone(),
            timeouts: args.timeouts(),
            server_user: args.server_user.clone(),
            client: None,
            hint: LangHint::default(),
            rendered_in: None,
        }
    }
}

impl Transport for SocketTransport {
    fn call(&mut self, req: &Request) -> Result<Response, ClientError> {
        let client = match &mut self.client {
            Some(client) => client,
            None => {
                let trusted = TrustedServer::named(&self.server_user);
                let mut client = Client::connect_to(&self.path, self.timeouts, &trusted)?;
                client.set_lang_hint(self.hint);
                self.client.insert(client)
            }
        };
        let result = client.call(req);
        if client.rendered_in().is_some() {
            self.rendered_in = client.rendered_in();
        }
        if matches!(&result, Err(e) if e.is_unavailable()) {
            // After a timeout or a bad frame the stream is out of step.
            self.client = None;
        }
        result
    }

    fn set_lang_hint(&mut self, hint: LangHint) {
        self.hint = hint;
    }

    fn rendered_in(&self) -> Option<Lang> {
        self.rendered_in
    }
}

/// Which hook is running, where it changes how a failure is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Auth,
    Account,
    ChangePrelim,
    ChangeUpdate,
    Session,
}

pub(crate) struct Hook<'a, H, T, L> {
    pub(crate) pam: &'a mut H,
    pub(crate) transport: T,
    pub(crate) args: &'a ModuleArgs,
    pub(crate) flags: PamFlag,
    pub(crate) log: &'a mut L,
}

/// What every hook shares: the login's context, showing the daemon's
/// messages, and turning a failed exchange into a PAM code.
impl<H: PamHandler, T: Transport, L: LogSink> Hook<'_, H, T, L> {
    fn context(&mut self) -> Result<PamContext, PamResultCode> {
        let user = self.pam.user()?;
        if user.is_empty() {
            return Err(PamResultCode::PAM_USER_UNKNOWN);
        }
        Ok(PamContext {
            user,
            service: self.pam.item(ContextItem::Service).unwrap_or_default(),
            tty: self.pam.item(ContextItem::Tty),
            rhost: self.pam.item(ContextItem::RHost),
        })
    }

    /// SPEC §7 as far as the module sees it: `lang=`, then the PAM
    /// environment (explicit, above the stored preference), then the
    /// environment of the process running the stack (below it).
    pub(crate) fn lang_hint(&self) -> LangHint {
        LangHint {
            explicit: self
                .args
                .lang
                .or_else(|| Lang::from_env_vars(|k| self.pam.env(k))),
            ambient: Lang::from_process_env(),
        }
    }

    /// The module's own few texts (the daemon is silent or a local check
    /// failed): in the daemon's choice when it answered on this call, else
    /// in what the module found. The catalog is parsed only here, when one
    /// is needed, and dropped with the call.
    fn own_text(&self, id: &str) -> String {
        let hint = self.lang_hint();
        let lang = self
            .transport
            .rendered_in()
            .or(hint.explicit)
            .or(hint.ambient)
            .unwrap_or_default();
        Catalog::new(lang).get(id)
    }

    fn show(&mut self, messages: &[UserMessage]) {
        for m in messages {
            match m.level {
                MessageLevel::Info => self.info(m.text()),
                MessageLevel::Error => self.error(m.text()),
            }
        }
    }

    /// A message the application could not show does not change the verdict.
    fn info(&mut self, text: &str) {
        if self.flags & PAM_SILENT == 0 && self.pam.info(text).is_err() {
            self.log
                .debug(format_args!("could not show an info message"));
        }
    }

    fn error(&mut self, text: &str) {
        if self.pam.error(text).is_err() {
            self.log
                .debug(format_args!("could not show an error message"));
        }
    }

    fn store(&mut self, item: TokenItem, value: &Secret) {
        if let Err(code) = self.pam.set_token(item, value) {
            // Only other modules lose by it; this verdict stands.
            self.log
                .warning(format_args!("could not set {item:?}: {code:?}"));
        }
    }

    /// Stores a password for the modules after this one, which only know
    /// the login password: a confirmation password handed on as theirs
    /// would be checked against (or set as) the wrong secret.
    fn store_password(&mut self, item: TokenItem, value: &Secret) {
        if self.args.credential == CredentialKind::Login {
            self.store(item, value);
        }
    }

    fn unexpected(&mut self, op: Op, resp: &Response) -> PamResultCode {
        self.log.warning(format_args!(
            "{op:?}: unexpected answer from monban-authd ({})",
            response_name(resp)
        ));
        unavailable(op)
    }

    /// Maps a failed exchange to the contract's codes, showing a refusal's
    /// sentence when it tells the person something they can act on.
    fn failure(&mut self, op: Op, e: &ClientError) -> PamResultCode {
        let ClientError::Refused(refusal) = e else {
            self.log
                .warning(format_args!("{op:?}: monban-authd unavailable: {e}"));
            return unavailable(op);
        };
        self.log
            .debug(format_args!("{op:?}: refused with {:?}", refusal.code));
        let code = refusal.code;
        let (pam_code, show) = match code {
            ErrorCode::PermissionDenied | ErrorCode::StepUpRequired => {
                (PamResultCode::PAM_PERM_DENIED, true)
            }
            ErrorCode::UserUnknown => (PamResultCode::PAM_USER_UNKNOWN, false),
            ErrorCode::AuthFailed | ErrorCode::Locked => (PamResultCode::PAM_AUTH_ERR, true),
            ErrorCode::Disabled if op == Op::Account => (PamResultCode::PAM_ACCT_EXPIRED, true),
            ErrorCode::Disabled => (PamResultCode::PAM_AUTH_ERR, true),
            ErrorCode::PolicyRejected => (PamResultCode::PAM_AUTHTOK_ERR, true),
            // Over its connection limits: no verdict, and another try may work.
            ErrorCode::Busy => {
                self.log
                    .warning(format_args!("{op:?}: monban-authd is busy"));
                return unavailable(op);
            }
            ErrorCode::BadRequest
            | ErrorCode::UnsupportedVersion
            | ErrorCode::FrameTooLarge
            | ErrorCode::AlreadyExists
            | ErrorCode::Internal => {
                self.log.warning(format_args!(
                    "{op:?}: monban-authd cannot judge: {:?}",
                    refusal.code
                ));
                return unavailable(op);
            }
        };
        if show && op != Op::Session {
            self.error(&refusal.message.text);
        }
        pam_code
    }
}

/// Anything that is not a verdict is never a pass.
fn unavailable(op: Op) -> PamResultCode {
    match op {
        Op::ChangePrelim => PamResultCode::PAM_TRY_AGAIN,
        _ => PamResultCode::PAM_AUTHINFO_UNAVAIL,
    }
}

/// The daemon refuses frames with longer secrets; such an answer cannot
/// be right, so it fails here without a confusing "unavailable".
fn checked_len(secret: Secret, too_long: PamResultCode) -> Result<Secret, PamResultCode> {
    if secret.len() > MAX_SECRET_LEN {
        Err(too_long)
    } else {
        Ok(secret)
    }
}

fn response_name(resp: &Response) -> &'static str {
    match resp {
        Response::Pong => "pong",
        Response::Auth(_) => "auth",
        Response::Account(_) => "account",
        Response::Done { .. } => "done",
        Response::Status(_) => "status",
        Response::Users { .. } => "users",
        Response::GeneratedPassword { .. } => "generated_password",
        Response::Policy(_) => "policy",
        Response::OtpEnrollment(_) => "otp_enrollment",
        Response::RecoveryCodes { .. } => "recovery_codes",
        Response::OtpState(_) => "otp_state",
        Response::Unlocked { .. } => "unlocked",
        Response::Campaigns(_) => "campaigns",
        Response::Audit { .. } => "audit",
        Response::Imported { .. } => "imported",
        Response::Lookup(_) => "lookup",
        Response::Sessions(_) => "sessions",
        Response::Error(_) => "error",
    }
}
