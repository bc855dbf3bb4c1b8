//! What each PAM hook does, independent of libpam: the conversation and
//! the items sit behind [`PamHandler`], the daemon behind [`Transport`], so
//! every path is tested with scripts.
#![forbid(unsafe_code)]

use std::path::PathBuf;

use monban_proto::{
    AccountVerdict, AuthNext, AuthOutcome, Client, ClientError, CredentialKind, ErrorCode,
    MAX_SECRET_LEN, PamContext, Prompt, PromptKind, Request, Response, Secret, Timeouts,
    UserMessage,
};
use pam::constants::{PAM_CHANGE_EXPIRED_AUTHTOK, PAM_SILENT, PamFlag, PamResultCode};

use crate::args::ModuleArgs;
use crate::log::LogSink;

/// Not defined by pam-bindings; values from `<security/_pam_types.h>`.
pub(crate) const PAM_UPDATE_AUTHTOK: PamFlag = 0x2000;
pub(crate) const PAM_PRELIM_CHECK: PamFlag = 0x4000;

/// A daemon that keeps prompting is broken; stop it well before a person
/// would notice.
const MAX_AUTH_STEPS: usize = 8;

const MISMATCH: &str = "Passwords do not match.";

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
}

/// One request, one response, on a single connection kept for the hook's
/// whole exchange (the authentication conversation is stateful).
pub(crate) trait Transport {
    fn call(&mut self, req: &Request) -> Result<Response, ClientError>;
}

/// The daemon's Unix socket. Connects on the first call, so a hook that
/// gives up early never touches the daemon.
pub(crate) struct SocketTransport {
    path: PathBuf,
    timeouts: Timeouts,
    client: Option<Client>,
}

impl SocketTransport {
    pub(crate) fn new(args: &ModuleArgs) -> Self {
        Self {
            path: args.socket.clone(),
            timeouts: args.timeouts(),
            client: None,
        }
    }
}

impl Transport for SocketTransport {
    fn call(&mut self, req: &Request) -> Result<Response, ClientError> {
        let client = match &mut self.client {
            Some(client) => client,
            None => self
                .client
                .insert(Client::connect(&self.path, self.timeouts)?),
        };
        let result = client.call(req);
        if matches!(&result, Err(e) if e.is_unavailable()) {
            // After a timeout or a bad frame the stream is out of step.
            self.client = None;
        }
        result
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

impl<H: PamHandler, T: Transport, L: LogSink> Hook<'_, H, T, L> {
    // ---- pam_sm_authenticate -------------------------------------------

    pub(crate) fn authenticate(&mut self) -> PamResultCode {
        let ctx = match self.context() {
            Ok(ctx) => ctx,
            Err(code) => return code,
        };
        self.log.debug(format_args!(
            "authenticating {} for {} ({} password)",
            ctx.user,
            ctx.service,
            self.args.credential.as_str()
        ));
        // Only the first password prompt may be answered from the stack.
        let mut stacked = if self.args.use_first_pass || self.args.try_first_pass {
            self.pam.token(TokenItem::AuthTok)
        } else {
            None
        };
        if self.args.use_first_pass && stacked.is_none() {
            self.log.debug(format_args!(
                "use_first_pass: no password from an earlier module"
            ));
            return PamResultCode::PAM_AUTH_ERR;
        }

        let mut req = Request::AuthStart {
            ctx,
            credential: self.args.credential,
        };
        for _ in 0..MAX_AUTH_STEPS {
            let step = match self.transport.call(&req) {
                Ok(Response::Auth(step)) => step,
                Ok(other) => return self.unexpected(Op::Auth, &other),
                Err(e) => return self.failure(Op::Auth, &e),
            };
            self.show(&step.messages);
            match step.next {
                AuthNext::Finished(outcome) => {
                    self.log.debug(format_args!("daemon says {outcome:?}"));
                    return match outcome {
                        AuthOutcome::Success => PamResultCode::PAM_SUCCESS,
                        AuthOutcome::Denied | AuthOutcome::Locked => PamResultCode::PAM_AUTH_ERR,
                        AuthOutcome::UserUnknown => PamResultCode::PAM_USER_UNKNOWN,
                        AuthOutcome::Unavailable => PamResultCode::PAM_AUTHINFO_UNAVAIL,
                    };
                }
                AuthNext::Prompt(prompt) => {
                    let answer = match self.answer(&prompt, &mut stacked) {
                        Ok(answer) => answer,
                        Err(code) => return code,
                    };
                    req = Request::AuthAnswer { answer };
                }
            }
        }
        self.log.warning(format_args!(
            "monban-authd asked more than {MAX_AUTH_STEPS} questions; giving up"
        ));
        PamResultCode::PAM_AUTHINFO_UNAVAIL
    }

    fn answer(
        &mut self,
        prompt: &Prompt,
        stacked: &mut Option<Secret>,
    ) -> Result<Secret, PamResultCode> {
        let is_password = prompt.kind == PromptKind::Password;
        let from_stack = if is_password { stacked.take() } else { None };
        if let Some(token) = from_stack {
            self.log.debug(format_args!(
                "answering with the password of an earlier module"
            ));
            return checked_len(token, PamResultCode::PAM_AUTH_ERR);
        }
        let answer = checked_len(
            self.pam.prompt(&prompt.text, prompt.echo)?,
            PamResultCode::PAM_AUTH_ERR,
        )?;
        if is_password {
            // Later modules in the stack may reuse it (use_first_pass).
            self.store(TokenItem::AuthTok, &answer);
        }
        Ok(answer)
    }

    // ---- pam_sm_acct_mgmt ----------------------------------------------

    pub(crate) fn account(&mut self) -> PamResultCode {
        let ctx = match self.context() {
            Ok(ctx) => ctx,
            Err(code) => return code,
        };
        let reply = match self.transport.call(&Request::Account { ctx }) {
            Ok(Response::Account(reply)) => reply,
            Ok(other) => return self.unexpected(Op::Account, &other),
            Err(e) => return self.failure(Op::Account, &e),
        };
        self.show(&reply.messages);
        self.log
            .debug(format_args!("account verdict {:?}", reply.verdict));
        match reply.verdict {
            AccountVerdict::Ok => PamResultCode::PAM_SUCCESS,
            AccountVerdict::MustChange => PamResultCode::PAM_NEW_AUTHTOK_REQD,
            AccountVerdict::Disabled => PamResultCode::PAM_ACCT_EXPIRED,
            AccountVerdict::Locked => PamResultCode::PAM_PERM_DENIED,
            AccountVerdict::UserUnknown => PamResultCode::PAM_USER_UNKNOWN,
        }
    }

    // ---- pam_sm_chauthtok ----------------------------------------------

    pub(crate) fn chauthtok(&mut self) -> PamResultCode {
        if self.flags & PAM_PRELIM_CHECK != 0 {
            self.change_prelim()
        } else if self.flags & PAM_UPDATE_AUTHTOK != 0 {
            self.change_update()
        } else {
            // libpam always sets one of the two.
            PamResultCode::PAM_SERVICE_ERR
        }
    }

    fn change_prelim(&mut self) -> PamResultCode {
        let user = match self.pam.user() {
            Ok(user) if !user.is_empty() => user,
            Ok(_) => return PamResultCode::PAM_USER_UNKNOWN,
            Err(code) => return code,
        };
        let req = Request::ChangeCheck {
            user,
            credential: self.args.credential,
        };
        match self.transport.call(&req) {
            Ok(Response::Done { messages }) => {
                self.show(&messages);
                PamResultCode::PAM_SUCCESS
            }
            Ok(other) => self.unexpected(Op::ChangePrelim, &other),
            Err(e) => self.failure(Op::ChangePrelim, &e),
        }
    }

    fn change_update(&mut self) -> PamResultCode {
        let ctx = match self.context() {
            Ok(ctx) => ctx,
            Err(code) => return code,
        };
        let texts = ChangePrompts::for_credential(self.args.credential);
        let current = if self.current_needed(&ctx.user) {
            match self.current_password(texts.current) {
                Ok(current) => Some(current),
                Err(code) => return code,
            }
        } else {
            self.log.debug(format_args!(
                "root changes the password of {}: current one not asked",
                ctx.user
            ));
            None
        };

        // A password taken from the stack cannot be entered again.
        let attempts = if self.args.use_authtok {
            1
        } else {
            self.args.retry
        };
        let mut result = PamResultCode::PAM_AUTHTOK_ERR;
        for _ in 0..attempts {
            let new = match self.new_password(&texts) {
                Ok(Some(new)) => new,
                Ok(None) => {
                    self.error(MISMATCH);
                    continue;
                }
                Err(code) => return code,
            };
            let req = Request::ChangePassword {
                ctx: ctx.clone(),
                credential: self.args.credential,
                current: current.clone(),
                new: new.clone(),
            };
            match self.transport.call(&req) {
                Ok(Response::Done { messages }) => {
                    self.show(&messages);
                    // Later modules (e.g. one keeping another store in step)
                    // use it with use_authtok.
                    self.store(TokenItem::AuthTok, &new);
                    self.log
                        .debug(format_args!("password of {} changed", ctx.user));
                    return PamResultCode::PAM_SUCCESS;
                }
                Ok(other) => return self.unexpected(Op::ChangeUpdate, &other),
                Err(ClientError::Refused(e)) if e.code == ErrorCode::PolicyRejected => {
                    self.error(&e.message);
                    result = PamResultCode::PAM_AUTHTOK_ERR;
                }
                Err(e) => return self.failure(Op::ChangeUpdate, &e),
            }
        }
        result
    }

    /// Root changing someone else's password outside an expired-password
    /// login is not asked the current one (like pam_unix).
    fn current_needed(&self, user: &str) -> bool {
        !(self.pam.caller_uid() == 0
            && user != "root"
            && self.flags & PAM_CHANGE_EXPIRED_AUTHTOK == 0)
    }

    fn current_password(&mut self, text: &str) -> Result<Secret, PamResultCode> {
        if self.args.use_first_pass || self.args.try_first_pass {
            if let Some(token) = self.pam.token(TokenItem::OldAuthTok) {
                return checked_len(token, PamResultCode::PAM_AUTH_ERR);
            }
            if self.args.use_first_pass {
                self.log.debug(format_args!(
                    "use_first_pass: no current password from an earlier module"
                ));
                return Err(PamResultCode::PAM_AUTHTOK_RECOVERY_ERR);
            }
        }
        let current = checked_len(self.pam.prompt(text, false)?, PamResultCode::PAM_AUTH_ERR)?;
        self.store(TokenItem::OldAuthTok, &current);
        Ok(current)
    }

    /// The new password, or None when the two entries differ.
    fn new_password(&mut self, texts: &ChangePrompts) -> Result<Option<Secret>, PamResultCode> {
        if self.args.use_authtok {
            return match self.pam.token(TokenItem::AuthTok) {
                Some(token) => checked_len(token, PamResultCode::PAM_AUTHTOK_ERR).map(Some),
                None => {
                    self.log.debug(format_args!(
                        "use_authtok: no new password from an earlier module"
                    ));
                    Err(PamResultCode::PAM_AUTHTOK_ERR)
                }
            };
        }
        let new = checked_len(
            self.pam.prompt(texts.new, false)?,
            PamResultCode::PAM_AUTHTOK_ERR,
        )?;
        let again = self.pam.prompt(texts.retype, false)?;
        Ok(new.ct_eq(&again).then_some(new))
    }

    // ---- sessions and credentials --------------------------------------

    pub(crate) fn open_session(&mut self) -> PamResultCode {
        let Ok(ctx) = self.context() else {
            return PamResultCode::PAM_IGNORE;
        };
        match self.transport.call(&Request::OpenSession { ctx }) {
            Ok(Response::Done { messages }) => {
                for m in &messages {
                    self.info(&m.text);
                }
                PamResultCode::PAM_SUCCESS
            }
            Err(ClientError::Refused(e)) if e.code == ErrorCode::UserUnknown => {
                PamResultCode::PAM_IGNORE
            }
            // Recording the login must never stop it.
            Ok(other) => {
                self.unexpected(Op::Session, &other);
                PamResultCode::PAM_SUCCESS
            }
            Err(e) => {
                self.failure(Op::Session, &e);
                PamResultCode::PAM_SUCCESS
            }
        }
    }

    pub(crate) fn close_session(&mut self) -> PamResultCode {
        if let Ok(ctx) = self.context() {
            match self.transport.call(&Request::CloseSession { ctx }) {
                Ok(Response::Done { .. }) => {}
                Ok(other) => {
                    self.unexpected(Op::Session, &other);
                }
                Err(e) => {
                    self.failure(Op::Session, &e);
                }
            }
        }
        PamResultCode::PAM_SUCCESS
    }

    pub(crate) fn setcred(&mut self) -> PamResultCode {
        PamResultCode::PAM_SUCCESS
    }

    // ---- helpers -------------------------------------------------------

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

    fn show(&mut self, messages: &[UserMessage]) {
        for m in messages {
            match m.level {
                monban_proto::MessageLevel::Info => self.info(&m.text),
                monban_proto::MessageLevel::Error => self.error(&m.text),
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
            ErrorCode::BadRequest
            | ErrorCode::UnsupportedVersion
            | ErrorCode::FrameTooLarge
            | ErrorCode::AlreadyExists
            | ErrorCode::Busy
            | ErrorCode::Internal => {
                self.log.warning(format_args!(
                    "{op:?}: monban-authd cannot judge: {:?}",
                    refusal.code
                ));
                return unavailable(op);
            }
        };
        if show && op != Op::Session {
            self.error(&refusal.message);
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
        Response::Users(_) => "users",
        Response::GeneratedPassword { .. } => "generated_password",
        Response::Policy(_) => "policy",
        Response::OtpEnrollment(_) => "otp_enrollment",
        Response::RecoveryCodes { .. } => "recovery_codes",
        Response::OtpState(_) => "otp_state",
        Response::Unlocked { .. } => "unlocked",
        Response::Campaigns(_) => "campaigns",
        Response::Audit(_) => "audit",
        Response::Imported { .. } => "imported",
        Response::Error(_) => "error",
    }
}

struct ChangePrompts {
    current: &'static str,
    new: &'static str,
    retype: &'static str,
}

impl ChangePrompts {
    fn for_credential(kind: CredentialKind) -> Self {
        match kind {
            CredentialKind::Confirm => Self {
                current: "Current confirmation password: ",
                new: "New confirmation password: ",
                retype: "Retype new confirmation password: ",
            },
            // `Otp` never reaches here: args only accept login or confirm.
            CredentialKind::Login | CredentialKind::Otp => Self {
                current: "Current password: ",
                new: "New password: ",
                retype: "Retype new password: ",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::io;

    use monban_proto::{AccountReply, AuthStep, FrameError, WireError};

    use super::*;

    // ---- a scripted libpam -----------------------------------------------

    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Shown {
        Prompt(String, bool),
        Info(String),
        Error(String),
    }

    fn prompt(text: &str) -> Shown {
        Shown::Prompt(text.into(), false)
    }
    fn info(text: &str) -> Shown {
        Shown::Info(text.into())
    }
    fn error(text: &str) -> Shown {
        Shown::Error(text.into())
    }

    struct FakePam {
        user: Option<String>,
        /// What the person types, in order; none left: PAM_CONV_ERR.
        answers: VecDeque<String>,
        shown: Vec<Shown>,
        authtok: Option<String>,
        oldauthtok: Option<String>,
        uid: u32,
    }

    impl FakePam {
        fn new(answers: &[&str]) -> Self {
            Self {
                user: Some("alice".into()),
                answers: answers.iter().map(|a| a.to_string()).collect(),
                shown: Vec::new(),
                authtok: None,
                oldauthtok: None,
                uid: 1000,
            }
        }
    }

    impl PamHandler for FakePam {
        fn prompt(&mut self, text: &str, echo: bool) -> Result<Secret, PamResultCode> {
            self.shown.push(Shown::Prompt(text.into(), echo));
            self.answers
                .pop_front()
                .map(Secret::new)
                .ok_or(PamResultCode::PAM_CONV_ERR)
        }
        fn info(&mut self, text: &str) -> Result<(), PamResultCode> {
            self.shown.push(Shown::Info(text.into()));
            Ok(())
        }
        fn error(&mut self, text: &str) -> Result<(), PamResultCode> {
            self.shown.push(Shown::Error(text.into()));
            Ok(())
        }
        fn user(&mut self) -> Result<String, PamResultCode> {
            self.user.clone().ok_or(PamResultCode::PAM_SYSTEM_ERR)
        }
        fn item(&self, item: ContextItem) -> Option<String> {
            Some(
                match item {
                    ContextItem::Service => "login",
                    ContextItem::Tty => "tty1",
                    ContextItem::RHost => "host.example",
                }
                .into(),
            )
        }
        fn token(&self, item: TokenItem) -> Option<Secret> {
            match item {
                TokenItem::AuthTok => self.authtok.clone(),
                TokenItem::OldAuthTok => self.oldauthtok.clone(),
            }
            .map(Secret::new)
        }
        fn set_token(&mut self, item: TokenItem, value: &Secret) -> Result<(), PamResultCode> {
            let value = Some(value.expose().to_string());
            match item {
                TokenItem::AuthTok => self.authtok = value,
                TokenItem::OldAuthTok => self.oldauthtok = value,
            }
            Ok(())
        }
        fn caller_uid(&self) -> u32 {
            self.uid
        }
    }

    // ---- a scripted daemon ----------------------------------------------

    /// What reached the daemon, secrets exposed for the assertions.
    #[derive(Debug, PartialEq, Eq)]
    enum Sent {
        AuthStart(String, CredentialKind),
        AuthAnswer(String),
        Account(String),
        ChangeCheck(String, CredentialKind),
        ChangePassword {
            credential: CredentialKind,
            current: Option<String>,
            new: String,
        },
        OpenSession(PamContextView),
        CloseSession(String),
        Other,
    }

    #[derive(Debug, PartialEq, Eq)]
    struct PamContextView {
        user: String,
        service: String,
        tty: Option<String>,
        rhost: Option<String>,
    }

    type Reply = Result<Response, ClientError>;

    #[derive(Default)]
    struct Script {
        replies: VecDeque<Reply>,
        sent: Vec<Sent>,
    }

    impl Transport for &mut Script {
        fn call(&mut self, req: &Request) -> Result<Response, ClientError> {
            self.sent.push(match req {
                Request::AuthStart { ctx, credential } => {
                    Sent::AuthStart(ctx.user.clone(), *credential)
                }
                Request::AuthAnswer { answer } => Sent::AuthAnswer(answer.expose().into()),
                Request::Account { ctx } => Sent::Account(ctx.user.clone()),
                Request::ChangeCheck { user, credential } => {
                    Sent::ChangeCheck(user.clone(), *credential)
                }
                Request::ChangePassword {
                    credential,
                    current,
                    new,
                    ..
                } => Sent::ChangePassword {
                    credential: *credential,
                    current: current.as_ref().map(|c| c.expose().into()),
                    new: new.expose().into(),
                },
                Request::OpenSession { ctx } => Sent::OpenSession(PamContextView {
                    user: ctx.user.clone(),
                    service: ctx.service.clone(),
                    tty: ctx.tty.clone(),
                    rhost: ctx.rhost.clone(),
                }),
                Request::CloseSession { ctx } => Sent::CloseSession(ctx.user.clone()),
                _ => Sent::Other,
            });
            self.replies
                .pop_front()
                .unwrap_or(Err(ClientError::Protocol(FrameError::Closed)))
        }
    }

    #[derive(Default)]
    struct CapturedLog(Vec<String>);

    impl LogSink for CapturedLog {
        fn debug(&mut self, msg: std::fmt::Arguments<'_>) {
            self.0.push(msg.to_string());
        }
        fn warning(&mut self, msg: std::fmt::Arguments<'_>) {
            self.0.push(msg.to_string());
        }
    }

    fn auth_step(messages: Vec<UserMessage>, next: AuthNext) -> Reply {
        Ok(Response::Auth(AuthStep { messages, next }))
    }
    fn ask_password() -> Reply {
        ask("Password: ", PromptKind::Password)
    }
    fn ask(text: &str, kind: PromptKind) -> Reply {
        auth_step(
            vec![],
            AuthNext::Prompt(Prompt {
                text: text.into(),
                echo: false,
                kind,
            }),
        )
    }
    fn finished(outcome: AuthOutcome) -> Reply {
        auth_step(vec![], AuthNext::Finished(outcome))
    }
    fn done(messages: Vec<UserMessage>) -> Reply {
        Ok(Response::Done { messages })
    }
    fn refused(code: ErrorCode, message: &str) -> Reply {
        Err(ClientError::Refused(WireError::new(code, message)))
    }
    fn unreachable_daemon() -> Reply {
        Err(ClientError::Connect {
            path: "/nonexistent/authd.sock".into(),
            source: io::ErrorKind::NotFound.into(),
        })
    }

    struct Outcome {
        code: PamResultCode,
        pam: FakePam,
        sent: Vec<Sent>,
        log: Vec<String>,
    }

    fn run(
        args: &[&str],
        flags: PamFlag,
        mut pam: FakePam,
        replies: Vec<Reply>,
        hook: fn(&mut Hook<'_, FakePam, &mut Script, CapturedLog>) -> PamResultCode,
    ) -> Outcome {
        let (args, problems) = ModuleArgs::parse(args.iter().map(|a| a.as_bytes()));
        assert!(problems.is_empty(), "{problems:?}");
        let mut script = Script {
            replies: replies.into(),
            sent: Vec::new(),
        };
        let mut log = CapturedLog::default();
        let code = hook(&mut Hook {
            pam: &mut pam,
            transport: &mut script,
            args: &args,
            flags,
            log: &mut log,
        });
        assert!(script.replies.is_empty(), "unused replies");
        Outcome {
            code,
            pam,
            sent: script.sent,
            log: log.0,
        }
    }

    fn auth(args: &[&str], pam: FakePam, replies: Vec<Reply>) -> Outcome {
        run(args, 0, pam, replies, |h| h.authenticate())
    }

    // ---- authenticate ----------------------------------------------------

    #[test]
    fn auth_success_sets_authtok() {
        let out = auth(
            &["debug"],
            FakePam::new(&["s3cret-pw"]),
            vec![ask_password(), finished(AuthOutcome::Success)],
        );
        assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
        assert_eq!(out.pam.shown, vec![prompt("Password: ")]);
        assert_eq!(
            out.sent,
            vec![
                Sent::AuthStart("alice".into(), CredentialKind::Login),
                Sent::AuthAnswer("s3cret-pw".into()),
            ]
        );
        assert_eq!(out.pam.authtok.as_deref(), Some("s3cret-pw"));
        assert!(!out.log.is_empty());
        assert!(
            out.log.iter().all(|l| !l.contains("s3cret-pw")),
            "{:?}",
            out.log
        );
    }

    #[test]
    fn auth_wrong_password() {
        let out = auth(
            &[],
            FakePam::new(&["wrong"]),
            vec![ask_password(), finished(AuthOutcome::Denied)],
        );
        assert_eq!(out.code, PamResultCode::PAM_AUTH_ERR);
    }

    #[test]
    fn auth_unknown_user_gets_the_same_prompt() {
        let out = auth(
            &[],
            FakePam::new(&["whatever"]),
            vec![ask_password(), finished(AuthOutcome::UserUnknown)],
        );
        assert_eq!(out.code, PamResultCode::PAM_USER_UNKNOWN);
        assert_eq!(out.pam.shown, vec![prompt("Password: ")]);
    }

    #[test]
    fn auth_locked_shows_the_message() {
        let msg = "Your login password is suspended; ask an administrator to unlock it.";
        let out = auth(
            &[],
            FakePam::new(&["guess"]),
            vec![
                ask_password(),
                auth_step(
                    vec![UserMessage::error(msg)],
                    AuthNext::Finished(AuthOutcome::Locked),
                ),
            ],
        );
        assert_eq!(out.code, PamResultCode::PAM_AUTH_ERR);
        assert_eq!(out.pam.shown, vec![prompt("Password: "), error(msg)]);
    }

    #[test]
    fn auth_unavailable_is_never_success() {
        let cases: Vec<Vec<Reply>> = vec![
            vec![unreachable_daemon()],
            vec![Err(ClientError::Timeout)],
            vec![ask_password(), Err(ClientError::Timeout)],
            vec![Err(ClientError::Protocol(FrameError::Malformed(
                "x".into(),
            )))],
            vec![Ok(Response::Pong)],
            vec![ask_password(), done(vec![])],
            vec![ask_password(), finished(AuthOutcome::Unavailable)],
            vec![refused(ErrorCode::Internal, "oops")],
        ];
        for replies in cases {
            let out = auth(&[], FakePam::new(&["pw"]), replies);
            assert_eq!(out.code, PamResultCode::PAM_AUTHINFO_UNAVAIL);
            assert!(!out.pam.shown.contains(&error("oops")));
        }
    }

    #[test]
    fn auth_permission_denied() {
        let out = auth(
            &[],
            FakePam::new(&[]),
            vec![refused(
                ErrorCode::PermissionDenied,
                "You may only check your own password.",
            )],
        );
        assert_eq!(out.code, PamResultCode::PAM_PERM_DENIED);
        assert_eq!(
            out.pam.shown,
            vec![error("You may only check your own password.")]
        );
    }

    #[test]
    fn auth_otp_is_just_another_prompt() {
        let out = auth(
            &[],
            FakePam::new(&["pw", "123456"]),
            vec![
                ask_password(),
                ask("One-time password: ", PromptKind::OneTimeCode),
                finished(AuthOutcome::Success),
            ],
        );
        assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
        assert_eq!(
            out.pam.shown,
            vec![prompt("Password: "), prompt("One-time password: ")]
        );
        assert_eq!(
            out.sent[1..],
            [
                Sent::AuthAnswer("pw".into()),
                Sent::AuthAnswer("123456".into())
            ]
        );
        // The code is not a password other modules could reuse.
        assert_eq!(out.pam.authtok.as_deref(), Some("pw"));
    }

    #[test]
    fn auth_echo_on_prompt_is_relayed() {
        let step = auth_step(
            vec![],
            AuthNext::Prompt(Prompt {
                text: "Recovery code: ".into(),
                echo: true,
                kind: PromptKind::OneTimeCode,
            }),
        );
        let out = auth(
            &[],
            FakePam::new(&["abc"]),
            vec![step, finished(AuthOutcome::Denied)],
        );
        assert_eq!(
            out.pam.shown,
            vec![Shown::Prompt("Recovery code: ".into(), true)]
        );
    }

    #[test]
    fn auth_use_first_pass_takes_the_stacked_password_once() {
        let mut pam = FakePam::new(&["654321"]);
        pam.authtok = Some("from-unix".into());
        let out = auth(
            &["use_first_pass"],
            pam,
            vec![
                ask_password(),
                ask("One-time password: ", PromptKind::OneTimeCode),
                finished(AuthOutcome::Success),
            ],
        );
        assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
        assert_eq!(out.pam.shown, vec![prompt("One-time password: ")]);
        assert_eq!(
            out.sent[1..],
            [
                Sent::AuthAnswer("from-unix".into()),
                Sent::AuthAnswer("654321".into())
            ]
        );
    }

    #[test]
    fn auth_use_first_pass_without_a_password_fails_without_the_daemon() {
        let out = auth(&["use_first_pass"], FakePam::new(&["pw"]), vec![]);
        assert_eq!(out.code, PamResultCode::PAM_AUTH_ERR);
        assert!(out.sent.is_empty());
        assert!(out.pam.shown.is_empty());
    }

    #[test]
    fn auth_second_password_prompt_goes_to_the_person() {
        let mut pam = FakePam::new(&["typed"]);
        pam.authtok = Some("stacked".into());
        let out = auth(
            &["use_first_pass"],
            pam,
            vec![
                ask_password(),
                ask_password(),
                finished(AuthOutcome::Denied),
            ],
        );
        assert_eq!(out.pam.shown, vec![prompt("Password: ")]);
        assert_eq!(
            out.sent[1..],
            [
                Sent::AuthAnswer("stacked".into()),
                Sent::AuthAnswer("typed".into())
            ]
        );
    }

    #[test]
    fn auth_try_first_pass_uses_a_password_when_there_is_one() {
        let mut pam = FakePam::new(&[]);
        pam.authtok = Some("stacked".into());
        let out = auth(
            &["try_first_pass"],
            pam,
            vec![ask_password(), finished(AuthOutcome::Success)],
        );
        assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
        assert!(out.pam.shown.is_empty());
        assert_eq!(out.sent[1], Sent::AuthAnswer("stacked".into()));

        let out = auth(
            &["try_first_pass"],
            FakePam::new(&["typed"]),
            vec![ask_password(), finished(AuthOutcome::Success)],
        );
        assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
        assert_eq!(out.pam.shown, vec![prompt("Password: ")]);
        assert_eq!(out.pam.authtok.as_deref(), Some("typed"));
    }

    #[test]
    fn auth_without_first_pass_ignores_the_stacked_password() {
        let mut pam = FakePam::new(&["typed"]);
        pam.authtok = Some("stacked".into());
        let out = auth(
            &[],
            pam,
            vec![ask_password(), finished(AuthOutcome::Success)],
        );
        assert_eq!(out.sent[1], Sent::AuthAnswer("typed".into()));
    }

    #[test]
    fn auth_silent_hides_info_but_not_errors() {
        let replies = || {
            vec![
                auth_step(
                    vec![UserMessage::info("Welcome")],
                    AuthNext::Prompt(Prompt {
                        text: "Password: ".into(),
                        echo: false,
                        kind: PromptKind::Password,
                    }),
                ),
                auth_step(
                    vec![UserMessage::error("Wrong.")],
                    AuthNext::Finished(AuthOutcome::Denied),
                ),
            ]
        };
        let loud = auth(&[], FakePam::new(&["pw"]), replies());
        assert_eq!(
            loud.pam.shown,
            vec![info("Welcome"), prompt("Password: "), error("Wrong.")]
        );
        let quiet = run(&[], PAM_SILENT, FakePam::new(&["pw"]), replies(), |h| {
            h.authenticate()
        });
        assert_eq!(quiet.pam.shown, vec![prompt("Password: "), error("Wrong.")]);
    }

    #[test]
    fn auth_confirm_credential() {
        let out = auth(
            &["credential=confirm"],
            FakePam::new(&["pw2"]),
            vec![
                ask("Confirmation password: ", PromptKind::Password),
                finished(AuthOutcome::Success),
            ],
        );
        assert_eq!(
            out.sent[0],
            Sent::AuthStart("alice".into(), CredentialKind::Confirm)
        );
        assert_eq!(out.pam.shown, vec![prompt("Confirmation password: ")]);
    }

    #[test]
    fn auth_conversation_failure_stops_the_exchange() {
        let out = auth(&[], FakePam::new(&[]), vec![ask_password()]);
        assert_eq!(out.code, PamResultCode::PAM_CONV_ERR);
        assert_eq!(out.sent.len(), 1);
    }

    #[test]
    fn auth_oversized_answer_is_a_failure() {
        let long = "x".repeat(MAX_SECRET_LEN + 1);
        let out = auth(&[], FakePam::new(&[&long]), vec![ask_password()]);
        assert_eq!(out.code, PamResultCode::PAM_AUTH_ERR);
        assert_eq!(out.sent.len(), 1);
    }

    #[test]
    fn auth_endless_prompting_is_cut_off() {
        let answers = vec!["a"; MAX_AUTH_STEPS];
        let replies = (0..MAX_AUTH_STEPS).map(|_| ask_password()).collect();
        let out = auth(&[], FakePam::new(&answers), replies);
        assert_eq!(out.code, PamResultCode::PAM_AUTHINFO_UNAVAIL);
    }

    #[test]
    fn auth_no_user() {
        let mut pam = FakePam::new(&[]);
        pam.user = Some(String::new());
        let out = auth(&[], pam, vec![]);
        assert_eq!(out.code, PamResultCode::PAM_USER_UNKNOWN);
        let mut pam = FakePam::new(&[]);
        pam.user = None;
        let out = auth(&[], pam, vec![]);
        assert_eq!(out.code, PamResultCode::PAM_SYSTEM_ERR);
        assert!(out.sent.is_empty());
    }

    // ---- acct_mgmt -------------------------------------------------------

    fn account(replies: Vec<Reply>) -> Outcome {
        run(&[], 0, FakePam::new(&[]), replies, |h| h.account())
    }

    fn verdict(verdict: AccountVerdict, messages: Vec<UserMessage>) -> Reply {
        Ok(Response::Account(AccountReply { verdict, messages }))
    }

    #[test]
    fn account_verdicts() {
        let table = [
            (AccountVerdict::Ok, PamResultCode::PAM_SUCCESS),
            (
                AccountVerdict::MustChange,
                PamResultCode::PAM_NEW_AUTHTOK_REQD,
            ),
            (AccountVerdict::Disabled, PamResultCode::PAM_ACCT_EXPIRED),
            (AccountVerdict::Locked, PamResultCode::PAM_PERM_DENIED),
            (AccountVerdict::UserUnknown, PamResultCode::PAM_USER_UNKNOWN),
        ];
        for (v, code) in table {
            let out = account(vec![verdict(v, vec![])]);
            assert_eq!(out.code, code, "{v:?}");
            assert_eq!(out.sent, vec![Sent::Account("alice".into())]);
        }
    }

    #[test]
    fn account_messages_and_silence() {
        let reply = || {
            vec![verdict(
                AccountVerdict::Ok,
                vec![UserMessage::info("Your password expires in 3 days.")],
            )]
        };
        assert_eq!(
            account(reply()).pam.shown,
            vec![info("Your password expires in 3 days.")]
        );
        let quiet = run(&[], PAM_SILENT, FakePam::new(&[]), reply(), |h| h.account());
        assert_eq!(quiet.code, PamResultCode::PAM_SUCCESS);
        assert!(quiet.pam.shown.is_empty());
    }

    #[test]
    fn account_errors() {
        let table = [
            (
                refused(ErrorCode::PermissionDenied, "no"),
                PamResultCode::PAM_PERM_DENIED,
            ),
            (
                refused(ErrorCode::UserUnknown, "who"),
                PamResultCode::PAM_USER_UNKNOWN,
            ),
            (
                refused(ErrorCode::Disabled, "off"),
                PamResultCode::PAM_ACCT_EXPIRED,
            ),
            (
                refused(ErrorCode::Busy, "later"),
                PamResultCode::PAM_AUTHINFO_UNAVAIL,
            ),
            (unreachable_daemon(), PamResultCode::PAM_AUTHINFO_UNAVAIL),
            (Ok(Response::Pong), PamResultCode::PAM_AUTHINFO_UNAVAIL),
        ];
        for (reply, code) in table {
            assert_eq!(account(vec![reply]).code, code);
        }
    }

    // ---- chauthtok -------------------------------------------------------

    fn chauthtok(args: &[&str], flags: PamFlag, pam: FakePam, replies: Vec<Reply>) -> Outcome {
        run(args, flags, pam, replies, |h| h.chauthtok())
    }

    fn changed(current: Option<&str>, new: &str) -> Sent {
        Sent::ChangePassword {
            credential: CredentialKind::Login,
            current: current.map(Into::into),
            new: new.into(),
        }
    }

    #[test]
    fn chauthtok_prelim_checks_the_daemon_only() {
        let out = chauthtok(&[], PAM_PRELIM_CHECK, FakePam::new(&[]), vec![done(vec![])]);
        assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
        assert_eq!(
            out.sent,
            vec![Sent::ChangeCheck("alice".into(), CredentialKind::Login)]
        );
        assert!(out.pam.shown.is_empty());

        let table = [
            (unreachable_daemon(), PamResultCode::PAM_TRY_AGAIN),
            (Err(ClientError::Timeout), PamResultCode::PAM_TRY_AGAIN),
            (Ok(Response::Pong), PamResultCode::PAM_TRY_AGAIN),
            (
                refused(ErrorCode::UserUnknown, "?"),
                PamResultCode::PAM_USER_UNKNOWN,
            ),
            (
                refused(ErrorCode::PermissionDenied, "no"),
                PamResultCode::PAM_PERM_DENIED,
            ),
        ];
        for (reply, code) in table {
            let out = chauthtok(&[], PAM_PRELIM_CHECK, FakePam::new(&[]), vec![reply]);
            assert_eq!(out.code, code);
        }
    }

    #[test]
    fn chauthtok_update_asks_current_new_retype() {
        let out = chauthtok(
            &[],
            PAM_UPDATE_AUTHTOK,
            FakePam::new(&["old-pw", "New-pw-123", "New-pw-123"]),
            vec![done(vec![UserMessage::info("Password changed.")])],
        );
        assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
        assert_eq!(
            out.pam.shown,
            vec![
                prompt("Current password: "),
                prompt("New password: "),
                prompt("Retype new password: "),
                info("Password changed."),
            ]
        );
        assert_eq!(out.sent, vec![changed(Some("old-pw"), "New-pw-123")]);
        assert_eq!(out.pam.authtok.as_deref(), Some("New-pw-123"));
        assert_eq!(out.pam.oldauthtok.as_deref(), Some("old-pw"));
        assert!(
            out.log
                .iter()
                .all(|l| !l.contains("old-pw") && !l.contains("New-pw")),
            "{:?}",
            out.log
        );
    }

    #[test]
    fn chauthtok_mismatch() {
        let out = chauthtok(
            &[],
            PAM_UPDATE_AUTHTOK,
            FakePam::new(&["old", "New-pw-123", "New-pw-124"]),
            vec![],
        );
        assert_eq!(out.code, PamResultCode::PAM_AUTHTOK_ERR);
        assert_eq!(
            out.pam.shown.last(),
            Some(&error("Passwords do not match."))
        );
        assert!(out.sent.is_empty());
        assert_eq!(out.pam.authtok, None);
    }

    #[test]
    fn chauthtok_retry_after_mismatch() {
        let out = chauthtok(
            &["retry=2"],
            PAM_UPDATE_AUTHTOK,
            FakePam::new(&["old", "a-New-pw-1", "typo", "b-New-pw-2", "b-New-pw-2"]),
            vec![done(vec![])],
        );
        assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
        assert_eq!(
            out.pam.shown,
            vec![
                prompt("Current password: "),
                prompt("New password: "),
                prompt("Retype new password: "),
                error("Passwords do not match."),
                prompt("New password: "),
                prompt("Retype new password: "),
            ]
        );
        assert_eq!(out.sent, vec![changed(Some("old"), "b-New-pw-2")]);
    }

    #[test]
    fn chauthtok_policy_rejection_is_shown() {
        let rules = "must be at least 8 characters\nmust not contain the login name";
        let out = chauthtok(
            &[],
            PAM_UPDATE_AUTHTOK,
            FakePam::new(&["old", "alice1", "alice1"]),
            vec![refused(ErrorCode::PolicyRejected, rules)],
        );
        assert_eq!(out.code, PamResultCode::PAM_AUTHTOK_ERR);
        assert_eq!(out.pam.shown.last(), Some(&error(rules)));
        assert_eq!(out.pam.authtok, None);

        let out = chauthtok(
            &["retry=3"],
            PAM_UPDATE_AUTHTOK,
            FakePam::new(&["old", "alice1", "alice1", "yama1234", "yama1234"]),
            vec![refused(ErrorCode::PolicyRejected, rules), done(vec![])],
        );
        assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
        assert_eq!(out.pam.authtok.as_deref(), Some("yama1234"));
        assert_eq!(out.sent.len(), 2);
    }

    #[test]
    fn chauthtok_refusals() {
        let table = [
            (
                refused(ErrorCode::AuthFailed, "Wrong password."),
                PamResultCode::PAM_AUTH_ERR,
            ),
            (
                refused(ErrorCode::Locked, "suspended"),
                PamResultCode::PAM_AUTH_ERR,
            ),
            (
                refused(ErrorCode::UserUnknown, "?"),
                PamResultCode::PAM_USER_UNKNOWN,
            ),
            (
                refused(ErrorCode::PermissionDenied, "no"),
                PamResultCode::PAM_PERM_DENIED,
            ),
            (unreachable_daemon(), PamResultCode::PAM_AUTHINFO_UNAVAIL),
            (Ok(Response::Pong), PamResultCode::PAM_AUTHINFO_UNAVAIL),
        ];
        for (reply, code) in table {
            let out = chauthtok(
                &["retry=3"],
                PAM_UPDATE_AUTHTOK,
                FakePam::new(&["old", "New-pw-123", "New-pw-123"]),
                vec![reply],
            );
            assert_eq!(out.code, code);
            assert_eq!(out.sent.len(), 1, "no retry after {code:?}");
            assert_eq!(out.pam.authtok, None);
        }
        let out = chauthtok(
            &[],
            PAM_UPDATE_AUTHTOK,
            FakePam::new(&["old", "New-pw-123", "New-pw-123"]),
            vec![refused(ErrorCode::AuthFailed, "Wrong password.")],
        );
        assert_eq!(out.pam.shown.last(), Some(&error("Wrong password.")));
    }

    #[test]
    fn chauthtok_root_skips_the_current_password() {
        let mut pam = FakePam::new(&["New-pw-123", "New-pw-123"]);
        pam.uid = 0;
        let out = chauthtok(&[], PAM_UPDATE_AUTHTOK, pam, vec![done(vec![])]);
        assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
        assert_eq!(
            out.pam.shown,
            vec![prompt("New password: "), prompt("Retype new password: ")]
        );
        assert_eq!(out.sent, vec![changed(None, "New-pw-123")]);
    }

    #[test]
    fn chauthtok_root_is_asked_for_its_own_or_an_expired_password() {
        let mut pam = FakePam::new(&["old", "New-pw-123", "New-pw-123"]);
        pam.uid = 0;
        pam.user = Some("root".into());
        let out = chauthtok(&[], PAM_UPDATE_AUTHTOK, pam, vec![done(vec![])]);
        assert_eq!(out.sent, vec![changed(Some("old"), "New-pw-123")]);

        let mut pam = FakePam::new(&["old", "New-pw-123", "New-pw-123"]);
        pam.uid = 0;
        let out = chauthtok(
            &[],
            PAM_UPDATE_AUTHTOK | PAM_CHANGE_EXPIRED_AUTHTOK,
            pam,
            vec![done(vec![])],
        );
        assert_eq!(out.pam.shown[0], prompt("Current password: "));
        assert_eq!(out.sent, vec![changed(Some("old"), "New-pw-123")]);
    }

    #[test]
    fn chauthtok_confirm_prompts() {
        let out = chauthtok(
            &["credential=confirm"],
            PAM_UPDATE_AUTHTOK,
            FakePam::new(&["old", "New-pw-123", "New-pw-123"]),
            vec![done(vec![])],
        );
        assert_eq!(
            out.pam.shown,
            vec![
                prompt("Current confirmation password: "),
                prompt("New confirmation password: "),
                prompt("Retype new confirmation password: "),
            ]
        );
        assert!(matches!(
            out.sent[0],
            Sent::ChangePassword {
                credential: CredentialKind::Confirm,
                ..
            }
        ));
    }

    #[test]
    fn chauthtok_tokens_from_the_stack() {
        let mut pam = FakePam::new(&[]);
        pam.oldauthtok = Some("old".into());
        pam.authtok = Some("New-pw-123".into());
        let out = chauthtok(
            &["use_first_pass", "use_authtok"],
            PAM_UPDATE_AUTHTOK,
            pam,
            vec![done(vec![])],
        );
        assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
        assert!(out.pam.shown.is_empty());
        assert_eq!(out.sent, vec![changed(Some("old"), "New-pw-123")]);

        // use_authtok alone: the current one is still asked.
        let mut pam = FakePam::new(&["old"]);
        pam.authtok = Some("New-pw-123".into());
        let out = chauthtok(
            &["use_authtok"],
            PAM_UPDATE_AUTHTOK,
            pam,
            vec![done(vec![])],
        );
        assert_eq!(out.pam.shown, vec![prompt("Current password: ")]);
        assert_eq!(out.sent, vec![changed(Some("old"), "New-pw-123")]);
    }

    #[test]
    fn chauthtok_missing_stacked_tokens() {
        let out = chauthtok(
            &["use_first_pass"],
            PAM_UPDATE_AUTHTOK,
            FakePam::new(&["x", "y", "y"]),
            vec![],
        );
        assert_eq!(out.code, PamResultCode::PAM_AUTHTOK_RECOVERY_ERR);
        assert!(out.pam.shown.is_empty());

        let out = chauthtok(
            &["use_authtok"],
            PAM_UPDATE_AUTHTOK,
            FakePam::new(&["old"]),
            vec![],
        );
        assert_eq!(out.code, PamResultCode::PAM_AUTHTOK_ERR);
        assert!(out.sent.is_empty());

        // try_first_pass falls back to asking.
        let out = chauthtok(
            &["try_first_pass"],
            PAM_UPDATE_AUTHTOK,
            FakePam::new(&["old", "New-pw-123", "New-pw-123"]),
            vec![done(vec![])],
        );
        assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
        assert_eq!(out.pam.shown[0], prompt("Current password: "));
    }

    #[test]
    fn chauthtok_conversation_failure() {
        let out = chauthtok(&[], PAM_UPDATE_AUTHTOK, FakePam::new(&["old"]), vec![]);
        assert_eq!(out.code, PamResultCode::PAM_CONV_ERR);
        assert!(out.sent.is_empty());
    }

    #[test]
    fn chauthtok_without_phase_flag() {
        let out = chauthtok(&[], 0, FakePam::new(&[]), vec![]);
        assert_eq!(out.code, PamResultCode::PAM_SERVICE_ERR);
    }

    // ---- sessions and setcred -------------------------------------------

    #[test]
    fn open_session_records_and_shows_messages_as_info() {
        let reply = || {
            vec![done(vec![
                UserMessage::info("Last login: Mon Jan  1 10:00 from host.example"),
                UserMessage::error("2 failed attempts since."),
            ])]
        };
        let out = run(&[], 0, FakePam::new(&[]), reply(), |h| h.open_session());
        assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
        assert_eq!(
            out.pam.shown,
            vec![
                info("Last login: Mon Jan  1 10:00 from host.example"),
                info("2 failed attempts since."),
            ]
        );
        assert_eq!(
            out.sent,
            vec![Sent::OpenSession(PamContextView {
                user: "alice".into(),
                service: "login".into(),
                tty: Some("tty1".into()),
                rhost: Some("host.example".into()),
            })]
        );
        let quiet = run(&[], PAM_SILENT, FakePam::new(&[]), reply(), |h| {
            h.open_session()
        });
        assert!(quiet.pam.shown.is_empty());
    }

    #[test]
    fn open_session_never_fails() {
        let table = [
            (
                refused(ErrorCode::UserUnknown, "?"),
                PamResultCode::PAM_IGNORE,
            ),
            (
                refused(ErrorCode::PermissionDenied, "no"),
                PamResultCode::PAM_SUCCESS,
            ),
            (
                refused(ErrorCode::Internal, "db"),
                PamResultCode::PAM_SUCCESS,
            ),
            (unreachable_daemon(), PamResultCode::PAM_SUCCESS),
            (Ok(Response::Pong), PamResultCode::PAM_SUCCESS),
        ];
        for (reply, code) in table {
            let out = run(&[], 0, FakePam::new(&[]), vec![reply], |h| h.open_session());
            assert_eq!(out.code, code);
            assert!(out.pam.shown.is_empty());
        }
    }

    #[test]
    fn close_session_and_setcred_succeed() {
        for reply in [
            done(vec![]),
            unreachable_daemon(),
            refused(ErrorCode::UserUnknown, "?"),
        ] {
            let out = run(&[], 0, FakePam::new(&[]), vec![reply], |h| {
                h.close_session()
            });
            assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
            assert_eq!(out.sent, vec![Sent::CloseSession("alice".into())]);
        }
        let out = run(&[], 0, FakePam::new(&[]), vec![], |h| h.setcred());
        assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
        assert!(out.sent.is_empty());
    }
}
