//! TOTP codes computed on the test's side (RFC 6238), and waiting for a
//! time step a code can be used in.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::harness::{Account, Harness};

/// TOTP code (RFC 6238, SHA-1) for a base32 secret at Unix time `at`.
pub fn totp(secret_b32: &str, digits: usize, period: u64, at: u64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret_b32.trim().to_uppercase().replace('=', ""))
        .to_bytes()
        .expect("base32 TOTP secret");
    totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        digits,
        0,
        period,
        bytes,
        None,
        String::new(),
    )
    .generate(at)
}

/// Waits for a time step of `period` seconds after step `after` with at
/// least 60% of it left, and returns it: a code computed now stays valid
/// through the login that uses it.
pub fn fresh_step(period: u64, after: u64) -> u64 {
    let period_f = period as f64;
    loop {
        let t = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        let step = (t / period_f).floor() as u64;
        let left = ((step + 1) * period) as f64 - t;
        if step > after && left >= period_f * 0.6 {
            return step;
        }
        let next = ((step + 1) * period) as f64 + 0.05;
        std::thread::sleep(Duration::from_secs_f64((next - t).max(0.01)));
    }
}

/// What a completed `monban otp enroll` gave.
#[derive(Debug, Clone)]
pub struct OtpEnrolment {
    pub secret: String,
    pub uri: String,
    pub recovery: Vec<String>,
    /// The time step whose code activated the token.
    pub step: u64,
}

impl Harness {
    /// `monban otp enroll --json` as `account` (the CLI enrols its
    /// caller), giving its `password`, then typing a valid first code for
    /// a token of `digits` digits and `period` seconds; asserts success.
    pub fn enroll_otp(
        &self,
        account: Account,
        password: &str,
        digits: usize,
        period: u64,
    ) -> OtpEnrolment {
        let mut p = self
            .cli(&["otp", "enroll"])
            .json()
            .as_account(account)
            .stdin_lines(&[password])
            .spawn();
        let first = p
            .recv_line(Duration::from_secs(20))
            .expect("enroll prints the secret before reading the code");
        let v: Value = serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first}"));
        let secret = v["secret"].as_str().expect("secret").to_string();
        let uri = v["uri"].as_str().expect("uri").to_string();
        let step = fresh_step(period, 0);
        p.send_line(&totp(&secret, digits, period, step * period));
        let out = p.finish(Duration::from_secs(30));
        out.assert_exit(0, "otp enroll with a valid code");
        let recovery = out
            .json_lines()
            .into_iter()
            .find_map(|l| l["recovery_codes"].as_array().cloned())
            .unwrap_or_else(|| panic!("recovery codes printed: {}", out.stdout))
            .into_iter()
            .map(|c| c.as_str().expect("code string").to_string())
            .collect();
        OtpEnrolment {
            secret,
            uri,
            recovery,
            step,
        }
    }
}
