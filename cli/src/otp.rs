//! `monban otp …`: enrol, disable, status, recovery codes, and the
//! administrator's reset of a lost token.

use monban_proto::{AdminOp, OtpEnrollment, Request, Response, Secret};
use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;

use crate::args::OtpVerb;
use crate::context::Ctx;
use crate::error::CliError;
use crate::secrets::require;
use crate::{output, status};

const PASSWORD: &str = "Password: ";
const CODE: &str = "One-time password: ";

pub(crate) fn run(ctx: &mut Ctx, verb: OtpVerb) -> Result<(), CliError> {
    match verb {
        OtpVerb::Enroll => enroll(ctx),
        OtpVerb::Disable => {
            ctx.connect()?;
            let password = require(ctx.secrets.as_mut(), PASSWORD)?;
            let code = require(ctx.secrets.as_mut(), CODE)?;
            match ctx.call(&Request::OtpDisable { password, code })? {
                Response::Done { messages } => {
                    output::done(ctx.json, &messages, "One-time password turned off.")
                }
                _ => Err(CliError::UnexpectedReply("otp disable")),
            }
        }
        OtpVerb::Status => match ctx.call(&Request::OtpStatus)? {
            Response::OtpState(state) if ctx.json => output::json(&state),
            Response::OtpState(state) => {
                output::line(&format!("One-time password: {}", status::otp_line(&state)))
            }
            _ => Err(CliError::UnexpectedReply("otp status")),
        },
        OtpVerb::Recovery => {
            ctx.connect()?;
            let password = require(ctx.secrets.as_mut(), PASSWORD)?;
            let code = require(ctx.secrets.as_mut(), CODE)?;
            match ctx.call(&Request::OtpRecoveryRegenerate { password, code })? {
                Response::RecoveryCodes { codes } => show_codes(ctx.json, &codes, false),
                _ => Err(CliError::UnexpectedReply("otp recovery")),
            }
        }
        OtpVerb::Reset { user } => {
            let done = format!("One-time password of {user} reset.");
            match ctx.admin(AdminOp::OtpReset { user })? {
                Response::Done { messages } => output::done(ctx.json, &messages, &done),
                _ => Err(CliError::UnexpectedReply("otp reset")),
            }
        }
    }
}

fn enroll(ctx: &mut Ctx) -> Result<(), CliError> {
    ctx.connect()?;
    let password = require(ctx.secrets.as_mut(), PASSWORD)?;
    let enrollment = match ctx.call(&Request::OtpEnrollBegin { password })? {
        Response::OtpEnrollment(e) => e,
        _ => return Err(CliError::UnexpectedReply("otp enroll")),
    };
    // The secret is shown now (it is what enrolment exists to hand over),
    // and flushed before the code is read: a script reads it to compute one.
    if ctx.json {
        output::json(&enrollment)?;
    } else {
        output::text(&render_enrollment(&enrollment))?;
    }
    let code = require(ctx.secrets.as_mut(), CODE)?;
    match ctx.call(&Request::OtpEnrollFinish { code })? {
        Response::RecoveryCodes { codes } => show_codes(ctx.json, &codes, true),
        _ => Err(CliError::UnexpectedReply("otp enroll")),
    }
}

fn render_enrollment(e: &OtpEnrollment) -> String {
    let mut out = String::new();
    match qr(e.uri.expose()) {
        Some(code) => {
            out.push_str("Scan this QR code with your authenticator app:\n\n");
            out.push_str(&code);
            out.push_str("\n\n");
        }
        None => out.push_str("(The URI is too long for a QR code; enter it by hand.)\n\n"),
    }
    out.push_str(&format!("URI:    {}\n", output::escape(e.uri.expose())));
    out.push_str(&format!("Secret: {}\n", output::escape(e.secret.expose())));
    out.push_str(&format!(
        "        ({}, account {}, {} digits, every {} s)\n\n",
        output::escape(&e.issuer),
        output::escape(&e.account),
        e.digits,
        e.period
    ));
    out.push_str("Type the code the app shows to turn one-time passwords on.\n");
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

fn show_codes(json: bool, codes: &[Secret], enrolled: bool) -> Result<(), CliError> {
    if json {
        return output::json(&serde_json::json!({ "recovery_codes": codes }));
    }
    let mut out = String::new();
    if enrolled {
        out.push_str("One-time passwords are on.\n");
    }
    out.push_str("Recovery codes (each works once, in place of a one-time password):\n");
    for c in codes {
        out.push_str(&format!("  {}\n", c.expose()));
    }
    out.push_str("Store them safely: they are shown only now.\n");
    output::text(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let text = render_enrollment(&enrollment());
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
