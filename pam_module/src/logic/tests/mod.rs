//! A scripted libpam ([`FakePam`]) and daemon ([`Script`]) for the hook
//! tests, one file per hook next to this one.

mod account;
mod authenticate;
mod chauthtok;
mod language;
mod session;

use std::collections::VecDeque;
use std::io;

use monban_proto::{
    AuthNext, AuthOutcome, AuthStep, Catalog, ClientError, CredentialKind, ErrorCode, FrameError,
    Lang, LangHint, Prompt, PromptKind, Request, Response, Secret, Text, UserMessage, WireError,
};
use pam::constants::{PamFlag, PamResultCode};

use super::{ContextItem, Hook, PamHandler, TokenItem, Transport};
use crate::args::ModuleArgs;
use crate::log::LogSink;

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
    env: Vec<(String, String)>,
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
            env: Vec::new(),
        }
    }

    /// A variable of the PAM environment (`pam_putenv` by an earlier module).
    fn with_env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// `PAM_AUTHTOK` as an earlier module left it.
    fn with_authtok(mut self, token: &str) -> Self {
        self.authtok = Some(token.into());
        self
    }

    /// `PAM_OLDAUTHTOK` as an earlier module left it.
    fn with_oldauthtok(mut self, token: &str) -> Self {
        self.oldauthtok = Some(token.into());
        self
    }

    /// What `pam_get_user` gives; None: it fails.
    fn with_user(mut self, user: Option<&str>) -> Self {
        self.user = user.map(Into::into);
        self
    }

    /// The real uid of the process calling libpam.
    fn called_by(mut self, uid: u32) -> Self {
        self.uid = uid;
        self
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
    fn env(&self, name: &str) -> Option<String> {
        self.env
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
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
    /// The hint the hook handed the transport.
    hint: Option<LangHint>,
    /// The language the scripted daemon says it rendered in, once it replied.
    lang: Option<Lang>,
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

    fn set_lang_hint(&mut self, hint: LangHint) {
        self.hint = Some(hint);
    }

    fn rendered_in(&self) -> Option<Lang> {
        if self.sent.is_empty() {
            None
        } else {
            self.lang
        }
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
            message: said(text),
            echo: false,
            kind,
        }),
    )
}
fn finished(outcome: AuthOutcome) -> Reply {
    auth_step(vec![], AuthNext::Finished(outcome))
}
/// A text as the daemon sends it: already rendered.
fn said(words: &str) -> Text {
    Text {
        text: words.into(),
        ..Text::default()
    }
}
fn done(messages: Vec<UserMessage>) -> Reply {
    Ok(Response::Done { messages })
}
fn refused(code: ErrorCode, message: &str) -> Reply {
    Err(ClientError::Refused(WireError::new(code, said(message))))
}
fn unreachable_daemon() -> Reply {
    Err(ClientError::Connect {
        path: "/nonexistent/authd.sock".into(),
        source: io::ErrorKind::NotFound.into(),
    })
}

/// A hook run against the scripts.
type HookFn = fn(&mut Hook<'_, FakePam, &mut Script, CapturedLog>) -> PamResultCode;

struct Outcome {
    code: PamResultCode,
    pam: FakePam,
    sent: Vec<Sent>,
    log: Vec<String>,
    /// What the hook told the transport about the language.
    hint: Option<LangHint>,
}

fn run(args: &[&str], flags: PamFlag, pam: FakePam, replies: Vec<Reply>, hook: HookFn) -> Outcome {
    run_in(None, args, flags, pam, replies, hook)
}

/// `run` against a daemon that renders in `daemon_lang`, with the hint
/// set as the FFI entry points set it.
fn run_in(
    daemon_lang: Option<Lang>,
    args: &[&str],
    flags: PamFlag,
    mut pam: FakePam,
    replies: Vec<Reply>,
    hook: HookFn,
) -> Outcome {
    let (args, problems) = ModuleArgs::parse(args.iter().map(|a| a.as_bytes()));
    assert!(problems.is_empty(), "{problems:?}");
    let mut script = Script {
        replies: replies.into(),
        lang: daemon_lang,
        ..Script::default()
    };
    let mut log = CapturedLog::default();
    let mut running = Hook {
        pam: &mut pam,
        transport: &mut script,
        args: &args,
        flags,
        log: &mut log,
    };
    let hint = running.lang_hint();
    running.transport.set_lang_hint(hint);
    let code = hook(&mut running);
    assert!(script.replies.is_empty(), "unused replies");
    Outcome {
        code,
        pam,
        sent: script.sent,
        log: log.0,
        hint: script.hint,
    }
}

// ---- the contract's tables -----------------------------------------------

/// Replies that carry no verdict: the daemon cannot be reached, is too
/// slow, sends garbage, answers off-script or cannot judge. Each hook maps
/// all of them to one code.
fn no_verdict() -> Vec<Reply> {
    vec![
        unreachable_daemon(),
        Err(ClientError::Timeout),
        Err(ClientError::Protocol(FrameError::Malformed("x".into()))),
        Ok(Response::Pong),
        refused(ErrorCode::Internal, "oops"),
        refused(ErrorCode::Busy, "monban-authd is busy; try again"),
    ]
}

/// Runs a hook once per row of its contract table: each refusal must give
/// its code, every [`no_verdict`] reply `unavailable`. The outcomes are
/// returned for the checks a hook adds.
fn check_table(
    refusals: impl IntoIterator<Item = (ErrorCode, PamResultCode)>,
    unavailable: PamResultCode,
    mut hook: impl FnMut(Reply) -> Outcome,
) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for (code, expected) in refusals {
        let out = hook(refused(code, "refused by monban-authd"));
        assert_eq!(out.code, expected, "refusal {code:?}");
        outcomes.push(out);
    }
    for reply in no_verdict() {
        let what = format!("{reply:?}");
        let out = hook(reply);
        assert_eq!(out.code, unavailable, "{what}");
        outcomes.push(out);
    }
    outcomes
}

/// Over its connection limits the daemon answers `Busy`: no verdict (never a
/// pass), PRELIM says try again, and the log says why.
#[test]
fn busy_daemon_is_unavailable() {
    let busy = || refused(ErrorCode::Busy, "monban-authd is busy; try again");
    let hooks: [(PamFlag, HookFn, PamResultCode); 4] = [
        (0, |h| h.authenticate(), PamResultCode::PAM_AUTHINFO_UNAVAIL),
        (0, |h| h.account(), PamResultCode::PAM_AUTHINFO_UNAVAIL),
        (
            crate::logic::chauthtok::PAM_PRELIM_CHECK,
            |h| h.chauthtok(),
            PamResultCode::PAM_TRY_AGAIN,
        ),
        (
            crate::logic::chauthtok::PAM_UPDATE_AUTHTOK,
            |h| h.chauthtok(),
            PamResultCode::PAM_AUTHINFO_UNAVAIL,
        ),
    ];
    for (flags, hook, expected) in hooks {
        let out = run(&[], flags, FakePam::new(&["pw"]), vec![busy()], hook);
        assert_eq!(out.code, expected, "flags {flags:#x}");
        assert!(
            out.log.iter().any(|l| l.contains("monban-authd is busy")),
            "{:?}",
            out.log
        );
    }
}
