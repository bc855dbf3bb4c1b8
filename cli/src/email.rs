//! `monban email …` (the own address) and `monban reset request USER`
//! (SPEC §8).

use monban_proto::{Catalog, Request, Response, Text};

use crate::args::{EmailVerb, ResetVerb};
use crate::context::Ctx;
use crate::error::CliError;
use crate::output;
use crate::status::fetch_own;

pub(crate) fn run(ctx: &mut Ctx, verb: Option<EmailVerb>) -> Result<(), CliError> {
    let req = match verb {
        None => {
            let me = fetch_own(ctx)?;
            if ctx.json {
                return output::json(&serde_json::json!({
                    "email": me.email,
                    "pending": me.email_pending,
                }));
            }
            return output::line(&line(
                me.email.as_deref(),
                me.email_pending.as_deref(),
                ctx.tr(),
            ));
        }
        Some(EmailVerb::Set { address }) => {
            ctx.connect()?;
            let password = ctx.ask("cli-prompt-password")?;
            Request::EmailSet { password, address }
        }
        Some(EmailVerb::Verify) => {
            ctx.connect()?;
            let code = ctx.ask("cli-prompt-email-code")?;
            Request::EmailVerify { code }
        }
        Some(EmailVerb::Remove) => Request::EmailRemove,
    };
    done(ctx, &req, "email")
}

pub(crate) fn reset(ctx: &mut Ctx, verb: ResetVerb) -> Result<(), CliError> {
    let ResetVerb::Request { user } = verb;
    done(ctx, &Request::ResetRequest { user }, "reset request")
}

fn done(ctx: &mut Ctx, req: &Request, what: &'static str) -> Result<(), CliError> {
    match ctx.call(req)? {
        Response::Done { messages } => output::done(ctx.json, &messages, ""),
        _ => Err(CliError::UnexpectedReply(what)),
    }
}

/// `E-mail: alice@example.org`, with an address waiting for verification.
pub(crate) fn line(address: Option<&str>, pending: Option<&str>, tr: &Catalog) -> String {
    let shown = address.map_or_else(|| tr.get("cli-email-none"), str::to_string);
    let mut out = format!("{}: {shown}", tr.get("cli-status-email"));
    if let Some(p) = pending {
        out.push_str(&format!(
            "\n{}: {}",
            tr.get("cli-status-email-new"),
            tr.render(&Text::new("cli-email-pending").arg("address", p))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use monban_proto::Lang;

    #[test]
    fn the_address_line_in_both_languages() {
        let (en, ja) = (Catalog::new(Lang::En), Catalog::new(Lang::Ja));
        assert_eq!(
            line(Some("a@example.org"), None, &en),
            "E-mail: a@example.org"
        );
        assert_eq!(line(None, None, &ja), "メールアドレス: なし");
        let pending = line(Some("a@example.org"), Some("b@example.org"), &en);
        assert!(
            pending.ends_with("b@example.org (waiting for: monban email verify)"),
            "{pending}"
        );
    }
}
