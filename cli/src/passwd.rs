//! `monban passwd [--confirm]`: change your own login or confirmation
//! password, with the same dialogue as the PAM module.

use monban_proto::{CredentialKind, PamContext, Request, Response};

use crate::context::Ctx;
use crate::error::CliError;
use crate::secrets::{new_password, require};
use crate::{output, status};

struct Prompts {
    current: &'static str,
    new: &'static str,
    retype: &'static str,
    done: &'static str,
}

fn prompts(kind: CredentialKind) -> Prompts {
    match kind {
        CredentialKind::Confirm => Prompts {
            current: "Current confirmation password: ",
            new: "New confirmation password: ",
            retype: "Retype new confirmation password: ",
            done: "Confirmation password changed.",
        },
        _ => Prompts {
            current: "Current password: ",
            new: "New password: ",
            retype: "Retype new password: ",
            done: "Password changed.",
        },
    }
}

pub(crate) fn run(ctx: &mut Ctx, confirm: bool) -> Result<(), CliError> {
    let kind = if confirm {
        CredentialKind::Confirm
    } else {
        CredentialKind::Login
    };
    // Which current secret to ask for depends on what is set already.
    let me = status::fetch_own(ctx)?;
    let is_set = me
        .credentials
        .iter()
        .any(|c| c.kind == kind && c.set_at.is_some());
    let p = prompts(kind);
    let current = if is_set {
        Some(require(ctx.secrets.as_mut(), p.current)?)
    } else if confirm {
        // A first confirmation password is authorised by the login password.
        Some(require(ctx.secrets.as_mut(), "Login password: ")?)
    } else {
        None
    };
    let new = new_password(ctx.secrets.as_mut(), p.new, p.retype, true)?;
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
        Response::Done { messages } => output::done(ctx.json, &messages, p.done),
        _ => Err(CliError::UnexpectedReply("passwd")),
    }
}
