//! `monban passwd [--confirm]`: change your own login or confirmation
//! password, with the same dialogue as the PAM module.

use monban_proto::{Arg, CredentialKind, PamContext, Request, Response};

use crate::context::Ctx;
use crate::error::CliError;
use crate::secrets::{new_password, prompt_with, require};
use crate::{output, status};

pub(crate) fn run(ctx: &mut Ctx, confirm: bool) -> Result<(), CliError> {
    let kind = if confirm {
        CredentialKind::Confirm
    } else {
        CredentialKind::Login
    };
    // Which current secret to ask for depends on what is set already; the
    // prompts follow the language of this first answer.
    let me = status::fetch_own(ctx)?;
    let is_set = me
        .credentials
        .iter()
        .any(|c| c.kind == kind && c.set_at.is_some());
    let which = [("kind", Arg::from(kind.as_str()))];
    let current = if is_set {
        let question = prompt_with(ctx.tr(), "cli-prompt-current", &which);
        Some(require(ctx.secrets.as_mut(), &question)?)
    } else if confirm {
        // A first confirmation password is authorised by the login password.
        Some(ctx.ask("cli-prompt-login-password")?)
    } else {
        None
    };
    let first = prompt_with(ctx.tr(), "cli-prompt-new", &which);
    let again = prompt_with(ctx.tr(), "cli-prompt-retype", &which);
    let new = new_password(ctx.secrets.as_mut(), &first, &again, true)?;
    let req = Request::ChangePassword {
        ctx: PamContext {
            user: me.user,
            service: "monban".into(),
            tty: None,
            rhost: None,
        },
        credential: kind,
        current,
        new,
    };
    match ctx.call(&req)? {
        Response::Done { messages } => {
            let done = ctx.tr().with("cli-password-changed", &which);
            output::done(ctx.json, &messages, &done)
        }
        _ => Err(CliError::UnexpectedReply("passwd")),
    }
}
