//! `monban otp …`: enrol, disable, status, recovery codes, and the
//! administrator's reset of a lost token.

use monban_proto::{AdminOp, Arg, Catalog, OtpEnrollment, Request, Response, Secret, Text};
use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;

use crate::args::OtpVerb;
use crate::context::Ctx;
use crate::error::CliError;
use crate::{output, status};

/// The caller's password, then a code from the app.
fn password_and_code(ctx: &mut Ctx) -> Result<(Secret, Secret), CliError> {
    let password = ctx.ask("cli-prompt-password")?;
    let code = ctx.ask("cli-prompt-otp")?;
    Ok((password, code))
}

pub(crate) fn run(ctx: &mut Ctx, verb: OtpVerb) -> Result<(), CliError> {
    match verb {
        OtpVerb::Enroll => enroll(ctx),
        OtpVerb::Disable => {
            ctx.connect()?;
            let (password, code) = password_and_code(ctx)?;
            match ctx.call(&Request::OtpDisable { password, code })? {
                Response::Done { messages } => {
                    output::done(ctx.json, &messages, &ctx.tr().get("cli-otp-turned-off"))
                }
                _ => Err(CliError::UnexpectedReply("otp disable")),
            }
        }
        OtpVerb::Status => match ctx.call(&Request::OtpStatus)? {
            Response::OtpState(state) if ctx.json => output::json(&state),
            Response::OtpState(state) => {
                let tr = ctx.tr();
                let line = status::otp_line(&state, tr);
                output::line(&tr.with("cli-otp-status", &[("state", Arg::Str(line))]))
            }
            _ => Err(CliError::UnexpectedReply("otp status")),
        },
        OtpVerb::Recovery => {
            ctx.connect()?;
            let (password, code) = password_and_code(ctx)?;
            match ctx.call(&Request::OtpRecoveryRegenerate { password, code })? {
                Response::RecoveryCodes { codes } => show_codes(ctx.json, &codes, false, ctx.tr()),
                _ => Err(CliError::UnexpectedReply("otp recovery")),
            }
        }
        OtpVerb::Reset { user } => {
            let done = Text::new("cli-otp-reset").arg("user", &user);
            match ctx.admin(AdminOp::OtpReset { user })? {
                Response::Done { messages } => {
                    output::done(ctx.json, &messages, &ctx.tr().render(&done))
                }
                _ => Err(CliError::UnexpectedReply("otp reset")),
            }
        }
    }
}

fn enroll(ctx: &mut Ctx) -> Result<(), CliError> {
    ctx.connect()?;
    let password = ctx.ask("cli-prompt-password")?;
    let enrollment = match ctx.call(&Request::OtpEnrollBegin { password })? {
        Response::OtpEnrollment(e) => e,
        _ => return Err(CliError::UnexpectedReply("otp enroll")),
    };
    // The secret is shown now (it is what enrolment exists to hand over),
    // and flushed before the code is read: a script reads it to compute one.
    if ctx.json {
        output::json(&enrollment)?;
    } else {
        output::text(&render_enrollment(&enrollment, ctx.tr()))?;
    }
    let code = ctx.ask("cli-prompt-otp")?;
    match ctx.call(&Request::OtpEnrollFinish { code })? {
        Response::RecoveryCodes { codes } => show_codes(ctx.json, &codes, true, ctx.tr()),
        _ => Err(CliError::UnexpectedReply("otp enroll")),
    }
}

fn render_enrollment(e: &OtpEnrollment, tr: &Catalog) -> String {
    let mut out = String::new();
    match qr(e.uri.expose()) {
        Some(code) => {
            out.push_str(&tr.get("cli-otp-scan"));
            out.push_str("\n\n");
            out.push_str(&code);
            out.push_str("\n\n");
        }
        None => {
            out.push_str(&tr.get("cli-otp-uri-too-long"));
            out.push_str("\n\n");
        }
    }
    // The values in one column after the longer label.
    let (uri, secret) = (
        format!("{}:", tr.get("cli-otp-uri")),
        format!("{}:", tr.get("cli-otp-secret")),
    );
    let column = output::width(&uri).max(output::width(&secret)) + 1;
    out.push_str(&output::pad(&uri, column));
    out.push_str(&output::escape(e.uri.expose()));
    out.push('\n');
    out.push_str(&output::pad(&secret, column));
    out.push_str(&output::escape(e.secret.expose()));
    out.push('\n');
    out.push_str(&output::pad("", column));
    out.push_str(&tr.with(
        "cli-otp-parameters",
        &[
            ("issuer", Arg::Str(output::escape(&e.issuer).into_owned())),
            ("account", Arg::Str(output::escape(&e.account).into_owned())),
            ("digits", Arg::from(e.digits)),
            ("period", Arg::from(e.period)),
        ],
    ));
    out.push_str("\n\n");
    out.push_str(&tr.get("cli-otp-type-code"));
    out.push('\n');
    out
}

/// The QR code as Unicode half blocks, light on dark so it scans from a
/// terminal with a dark background; with the quiet zone scanners need.
fn qr(uri: &str) -> Option<String> {
    let code = QrCode::new(uri.as_bytes()).ok()?;
    Some(
        code.render::<Dense1x2>()
            .quiet_zone(true)
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .build(),
    )
}

fn show_codes(json: bool, codes: &[Secret], enrolled: bool, tr: &Catalog) -> Result<(), CliError> {
    if json {
        return output::json(&serde_json::json!({ "recovery_codes": codes }));
    }
    let mut out = String::new();
    if enrolled {
        out.push_str(&tr.get("cli-otp-on"));
        out.push('\n');
    }
    out.push_str(&tr.get("cli-otp-recovery-heading"));
    out.push('\n');
    for c in codes {
        out.push_str(&format!("  {}\n", c.expose()));
    }
    out.push_str(&tr.get("cli-otp-recovery-keep"));
    out.push('\n');
    output::text(&out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use monban_proto::Lang;

    fn enrollment() -> OtpEnrollment {
        OtpEnrollment {
            uri: Secret::new(
                "otpauth://totp/monban:alice?secret=JBSWY3DPEHPK3PXP&issuer=monban".into(),
            ),
            secret: Secret::new("JBSWY3DPEHPK3PXP".into()),
            issuer: "monban".into(),
            account: "alice".into(),
            digits: 6,
            period: 30,
        }
    }

    #[test]
    fn enrollment_shows_qr_uri_and_secret() {
        let text = render_enrollment(&enrollment(), &Catalog::new(Lang::En));
        assert!(
            text.contains('\u{2588}') || text.contains('\u{2580}'),
            "{text}"
        );
        assert!(
            text.contains("URI:    otpauth://totp/monban:alice"),
            "{text}"
        );
        assert!(text.contains("Secret: JBSWY3DPEHPK3PXP"), "{text}");
        assert!(text.contains("6 digits, every 30 s"), "{text}");
        assert!(
            text.contains("\n        (monban, account alice, 6 digits, every 30 s)\n\n"),
            "{text}"
        );
        assert!(text.starts_with("Scan this QR code with your authenticator app:\n\n"));
        assert!(text.ends_with("\n\nType the code the app shows to turn one-time passwords on.\n"));
        let ja = render_enrollment(&enrollment(), &Catalog::new(Lang::Ja));
        assert!(ja.contains("JBSWY3DPEHPK3PXP"), "{ja}");
        assert!(ja.contains("6桁"), "{ja}");
    }

    #[test]
    fn enrollment_json_has_the_agreed_keys() {
        let v = serde_json::to_value(enrollment()).unwrap();
        for key in ["uri", "secret", "issuer", "account", "digits", "period"] {
            assert!(v.get(key).is_some(), "{key} missing in {v}");
        }
        assert_eq!(v["secret"], "JBSWY3DPEHPK3PXP");
    }

    #[test]
    fn qr_has_a_quiet_zone() {
        let code = qr("otpauth://totp/x?secret=AAAA").unwrap();
        let first = code.lines().next().unwrap();
        // Light modules are drawn as full blocks: the border is solid.
        assert!(first.chars().all(|c| c == '\u{2588}'), "{first:?}");
    }
}
