//! `--otp-prompt`: for an account with a one-time password, the time from
//! sending the password to receiving the code prompt, right password
//! against wrong (SPEC §13: the code is asked at the same time either
//! way). Each sample is one fresh connection, abandoned at the prompt.

use std::path::Path;
use std::time::{Duration, Instant};

use monban_e2e::{Harness, totp};
use monban_proto::{
    AuthNext, Client, CredentialKind, PamContext, PromptKind, Request, Response, Secret, Timeouts,
};

use crate::stats::{Paired, Stats};
use crate::{RIGHT, SERVICE, WRONG};

/// The bench runs as root, and one's own token is enrolled by one's uid.
const OTP_USER: &str = "root";

fn timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(10),
        io: Duration::from_secs(60),
    }
}

/// Adds root with a password and enrols its token through the protocol.
fn enrol(h: &Harness) -> Result<(), String> {
    h.add_user(OTP_USER, RIGHT);
    let mut c = Client::connect(h.socket(), timeouts()).map_err(|e| e.to_string())?;
    let begun = c
        .call(&Request::OtpEnrollBegin {
            password: Secret::new(RIGHT.into()),
        })
        .map_err(|e| format!("otp enroll begin: {e}"))?;
    let Response::OtpEnrollment(e) = begun else {
        return Err(format!("otp enroll begin: unexpected {begun:?}"));
    };
    let now = monban_e2e::now() as u64;
    let code = totp(e.secret.expose(), e.digits as usize, e.period, now);
    match c.call(&Request::OtpEnrollFinish {
        code: Secret::new(code),
    }) {
        Ok(Response::RecoveryCodes { .. }) => Ok(()),
        other => Err(format!("otp enroll finish: unexpected {other:?}")),
    }
}

/// Time from AuthAnswer(password) to the code prompt.
fn to_prompt(socket: &Path, password: &str) -> Result<Duration, String> {
    let mut c = Client::connect(socket, timeouts()).map_err(|e| e.to_string())?;
    let ctx = PamContext {
        user: OTP_USER.into(),
        service: SERVICE.into(),
        tty: None,
        rhost: None,
    };
    c.call(&Request::AuthStart {
        ctx,
        credential: CredentialKind::Login,
    })
    .map_err(|e| format!("AuthStart: {e}"))?;
    let t0 = Instant::now();
    let reply = c
        .call(&Request::AuthAnswer {
            answer: Secret::new(password.into()),
        })
        .map_err(|e| format!("AuthAnswer: {e}"))?;
    let took = t0.elapsed();
    match reply {
        Response::Auth(step) if matches!(&step.next, AuthNext::Prompt(p) if p.kind == PromptKind::OneTimeCode) => {
            Ok(took)
        }
        other => Err(format!("expected the code prompt, got {other:?}")),
    }
}

/// Runs `rounds` interleaved right/wrong samples and prints the table.
pub fn run(h: &Harness, rounds: usize) -> Result<(), String> {
    enrol(h)?;
    let (mut right, mut wrong) = (Vec::new(), Vec::new());
    // Untimed warm-up: page cache, statement cache, hash workers.
    for _ in 0..5 {
        to_prompt(h.socket(), RIGHT)?;
        to_prompt(h.socket(), WRONG)?;
    }
    for i in 0..rounds {
        // Alternate which goes first so neither always follows the other.
        if i % 2 == 0 {
            right.push(to_prompt(h.socket(), RIGHT)?);
            wrong.push(to_prompt(h.socket(), WRONG)?);
        } else {
            wrong.push(to_prompt(h.socket(), WRONG)?);
            right.push(to_prompt(h.socket(), RIGHT)?);
        }
    }
    println!("## OTP account: AuthAnswer(password) to the code prompt, ms, {rounds} rounds");
    println!("| case | n | p50 | p90 | p99 | mean |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (label, s) in [("right password", &right), ("wrong password", &wrong)] {
        if let Some(s) = Stats::of(s) {
            println!(
                "| {label} | {} | {:.2} | {:.2} | {:.2} | {:.2} |",
                s.n, s.p50, s.p90, s.p99, s.mean
            );
        }
    }
    let d = Paired::of(&right, &wrong);
    println!(
        "paired per-round difference right − wrong: mean {:+.3} ms, 95 % CI [{:+.3}, {:+.3}] ms over {} rounds",
        d.mean, d.low, d.high, d.rounds
    );
    Ok(())
}
