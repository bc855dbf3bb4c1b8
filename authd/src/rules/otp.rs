//! Time-based one-time passwords (RFC 6238, HMAC-SHA1 as authenticator apps
//! expect) and the recovery codes issued at enrolment.
#![forbid(unsafe_code)]

use monban_config::OtpConfig;
use rand::Rng;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};
use zeroize::Zeroizing;

/// Bytes in a TOTP secret: 160 bits, the HMAC-SHA1 output size (RFC 4226 §4).
const SECRET_LEN: usize = 20;

/// Crockford's base32 alphabet: no I, L, O or U to misread.
const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// 10 symbols × 5 bits = 50 bits. Ten characters also never look like a
/// 6–8 digit TOTP code, so one prompt can take either.
const RECOVERY_LEN: usize = 10;
const RECOVERY_CODES: usize = 10;

/// A fresh random TOTP secret.
pub fn new_secret() -> Zeroizing<Vec<u8>> {
    let mut secret = Zeroizing::new(vec![0u8; SECRET_LEN]);
    rand::rngs::OsRng.fill(&mut secret[..]);
    secret
}

/// RFC 4648 base32 without padding, as authenticator apps take it.
pub fn encode_base32(secret: &[u8]) -> Zeroizing<String> {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = Zeroizing::new(String::with_capacity(secret.len().div_ceil(5) * 8));
    for chunk in secret.chunks(5) {
        let mut block = [0u8; 5];
        block[..chunk.len()].copy_from_slice(chunk);
        let bits = block.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        let symbols = (chunk.len() * 8).div_ceil(5);
        for i in 0..symbols {
            let index = (bits >> (35 - 5 * i)) & 0x1f;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

/// The `otpauth://` URI for authenticator apps and QR codes.
pub fn uri(cfg: &OtpConfig, account: &str, secret: &[u8]) -> Zeroizing<String> {
    let issuer = percent_encode(&cfg.issuer);
    Zeroizing::new(format!(
        "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&digits={}&period={}&algorithm=SHA1",
        percent_encode(account),
        encode_base32(secret).as_str(),
        cfg.digits,
        cfg.period,
    ))
}

/// Checks `code` at `now`: returns the matched time step if it is within
/// ±skew steps and later than `last_step` (a code is accepted once only).
/// Spaces are ignored; anything but `digits` digits is refused.
pub fn verify(
    cfg: &OtpConfig,
    secret: &[u8],
    code: &str,
    now: i64,
    last_step: Option<i64>,
) -> Option<i64> {
    let code: Zeroizing<String> =
        Zeroizing::new(code.chars().filter(|c| !c.is_whitespace()).collect());
    if code.len() != cfg.digits || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let period = i64::try_from(cfg.period).ok().filter(|&p| p > 0)?;
    let current = now.div_euclid(period);
    let skew = i64::from(cfg.skew);
    let mut matched = None;
    // Every step in the window is computed and compared, matched or not, so
    // the time taken does not say which step (if any) matched.
    for step in (current - skew)..=(current + skew) {
        let fresh = step >= 0 && last_step.is_none_or(|last| step > last);
        let expected = code_at(cfg, secret, step);
        let equal: bool = expected.as_bytes().ct_eq(code.as_bytes()).into();
        if equal && fresh {
            matched = Some(step);
        }
    }
    matched
}

/// The code for time step `step` (Unix time / period).
pub fn code_at(cfg: &OtpConfig, secret: &[u8], step: i64) -> String {
    let time = u64::try_from(step).unwrap_or(0).saturating_mul(cfg.period);
    // Unchecked: the config guarantees 6–8 digits, and secrets imported or
    // enrolled elsewhere may be shorter than totp-rs's 128-bit minimum.
    let totp = TOTP::new_unchecked(
        Algorithm::SHA1,
        cfg.digits,
        0,
        cfg.period,
        secret.to_vec(),
        None,
        String::new(),
    );
    totp.generate(time)
}

/// Ten single-use recovery codes, `xxxxx-xxxxx`, 50 random bits each.
pub fn new_recovery_codes() -> Vec<Zeroizing<String>> {
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut code = Zeroizing::new(String::with_capacity(RECOVERY_LEN + 1));
            for i in 0..RECOVERY_LEN {
                if i == RECOVERY_LEN / 2 {
                    code.push('-');
                }
                let symbol = RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())];
                code.push(char::from(symbol));
            }
            code
        })
        .collect()
}

/// The canonical form of a typed recovery code (the form
/// [`new_recovery_codes`] issues): case, spaces and dashes do not matter,
/// and O, I, L read as 0, 1, 1. None if it cannot be a recovery code.
pub fn normalize_recovery(input: &str) -> Option<Zeroizing<String>> {
    let mut code = Zeroizing::new(String::with_capacity(RECOVERY_LEN + 1));
    let mut symbols = 0;
    for c in input.chars() {
        if c.is_whitespace() || c == '-' {
            continue;
        }
        let c = match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            c => c,
        };
        if !c.is_ascii() || !RECOVERY_ALPHABET.contains(&(c as u8)) || symbols == RECOVERY_LEN {
            return None;
        }
        if symbols == RECOVERY_LEN / 2 {
            code.push('-');
        }
        code.push(c);
        symbols += 1;
    }
    (symbols == RECOVERY_LEN).then_some(code)
}

/// Whether an answer to the one-time-password prompt is a recovery code
/// rather than a TOTP code.
pub fn looks_like_recovery(input: &str) -> bool {
    normalize_recovery(input).is_some()
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn cfg() -> OtpConfig {
        OtpConfig::default()
    }

    fn step(now: i64) -> i64 {
        now / 30
    }

    #[test]
    fn rfc6238_sha1_test_vector() {
        let cfg = OtpConfig { digits: 8, ..cfg() };
        let secret = b"12345678901234567890";
        assert_eq!(code_at(&cfg, secret, step(59)), "94287082");
        assert_eq!(code_at(&cfg, secret, step(1_111_111_109)), "07081804");
        assert_eq!(code_at(&cfg, secret, step(2_000_000_000)), "69279037");
        assert_eq!(verify(&cfg, secret, "94287082", 59, None), Some(1));
    }

    #[test]
    fn the_current_code_is_accepted() {
        let secret = new_secret();
        let code = code_at(&cfg(), &secret, step(NOW));
        assert_eq!(code.len(), 6);
        assert_eq!(verify(&cfg(), &secret, &code, NOW, None), Some(step(NOW)));
    }

    #[test]
    fn one_step_of_skew_is_accepted_either_side() {
        let secret = new_secret();
        for offset in [-1, 1] {
            let s = step(NOW) + offset;
            let code = code_at(&cfg(), &secret, s);
            assert_eq!(
                verify(&cfg(), &secret, &code, NOW, None),
                Some(s),
                "{offset}"
            );
        }
    }

    #[test]
    fn two_steps_of_skew_are_refused() {
        let secret = new_secret();
        for offset in [-2, 2] {
            let s = step(NOW) + offset;
            let code = code_at(&cfg(), &secret, s);
            // Skip the one-in-a-million collision with a step in the window.
            let collides = (-1..=1).any(|o| code_at(&cfg(), &secret, step(NOW) + o) == code);
            if !collides {
                assert_eq!(verify(&cfg(), &secret, &code, NOW, None), None, "{offset}");
            }
        }
    }

    #[test]
    fn a_code_is_accepted_once_only() {
        let secret = new_secret();
        let code = code_at(&cfg(), &secret, step(NOW));
        let used = verify(&cfg(), &secret, &code, NOW, None);
        assert_eq!(used, Some(step(NOW)));
        assert_eq!(verify(&cfg(), &secret, &code, NOW, used), None);
        assert_eq!(verify(&cfg(), &secret, &code, NOW + 25, used), None);
        // An earlier step's code is refused after a later one was used.
        let earlier = code_at(&cfg(), &secret, step(NOW) - 1);
        if earlier != code {
            assert_eq!(verify(&cfg(), &secret, &earlier, NOW, used), None);
        }
        // The next step's code is still good.
        let next = code_at(&cfg(), &secret, step(NOW) + 1);
        assert_eq!(
            verify(&cfg(), &secret, &next, NOW + 30, used),
            Some(step(NOW) + 1)
        );
    }

    #[test]
    fn spaces_are_ignored_and_malformed_codes_refused() {
        let secret = new_secret();
        let code = code_at(&cfg(), &secret, step(NOW));
        let spaced = format!(" {} {} ", &code[..3], &code[3..]);
        assert_eq!(verify(&cfg(), &secret, &spaced, NOW, None), Some(step(NOW)));
        let too_long = format!("{code}0");
        for bad in [
            "",
            "12345",
            "1234567",
            "12345a",
            "１２３４５６",
            too_long.as_str(),
        ] {
            assert_eq!(verify(&cfg(), &secret, bad, NOW, None), None, "{bad:?}");
        }
    }

    #[test]
    fn a_wrong_secret_refuses_the_code() {
        let code = code_at(&cfg(), &new_secret(), step(NOW));
        let other = new_secret();
        let collides = (-1..=1).any(|o| code_at(&cfg(), &other, step(NOW) + o) == code);
        if !collides {
            assert_eq!(verify(&cfg(), &other, &code, NOW, None), None);
        }
    }

    #[test]
    fn secrets_are_twenty_random_bytes() {
        let a = new_secret();
        let b = new_secret();
        assert_eq!(a.len(), 20);
        assert_ne!(*a, *b);
    }

    #[test]
    fn base32_follows_rfc4648() {
        assert_eq!(encode_base32(b"").as_str(), "");
        assert_eq!(encode_base32(b"f").as_str(), "MY");
        assert_eq!(encode_base32(b"fo").as_str(), "MZXQ");
        assert_eq!(encode_base32(b"foo").as_str(), "MZXW6");
        assert_eq!(encode_base32(b"foob").as_str(), "MZXW6YQ");
        assert_eq!(encode_base32(b"fooba").as_str(), "MZXW6YTB");
        assert_eq!(encode_base32(b"foobar").as_str(), "MZXW6YTBOI");
        assert_eq!(
            encode_base32(b"12345678901234567890").as_str(),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
    }

    #[test]
    fn uri_escapes_the_account_and_issuer() {
        let cfg = OtpConfig {
            issuer: "Example Bank".into(),
            ..cfg()
        };
        let uri = uri(&cfg, "DOMAIN\\jane doe@x", b"12345678901234567890");
        assert_eq!(
            uri.as_str(),
            "otpauth://totp/Example%20Bank:DOMAIN%5Cjane%20doe%40x\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example%20Bank\
             &digits=6&period=30&algorithm=SHA1"
        );
    }

    #[test]
    fn recovery_codes_are_ten_distinct_well_formed_codes() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 11);
            assert_eq!(&code[5..6], "-");
            // What is issued is already canonical.
            assert_eq!(
                normalize_recovery(code).as_deref().map(String::as_str),
                Some(code.as_str())
            );
            assert!(looks_like_recovery(code));
        }
        let mut unique: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 10);
    }

    #[test]
    fn recovery_codes_are_case_space_and_dash_insensitive() {
        let canonical = "a0b1c-d2e3f";
        for typed in [
            "a0b1c-d2e3f",
            "A0B1C-D2E3F",
            "a0b1cd2e3f",
            " a0b1c d2e3f ",
            "a0-b1-c-d2-e3-f",
            "AOBIC-D2E3F",
            "aobLc-d2e3f",
        ] {
            assert_eq!(
                normalize_recovery(typed).as_deref().map(String::as_str),
                Some(canonical),
                "{typed}"
            );
        }
    }

    #[test]
    fn things_that_cannot_be_recovery_codes() {
        for input in [
            "",
            "123456",
            "12345678",
            "a0b1c-d2e3",
            "a0b1c-d2e3f0",
            "a0b1c-d2e3u",
            "a0b1c-d2e3é",
            "a0b1c_d2e3f",
        ] {
            assert_eq!(normalize_recovery(input), None, "{input}");
            assert!(!looks_like_recovery(input), "{input}");
        }
    }
}
