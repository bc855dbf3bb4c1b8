//! Mailed one-time codes (SPEC §8): what they look like, how an answer is
//! compared with one, and when a new one may be sent.

use rand::Rng;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

/// What a one-time code mailed to a user is for (SPEC §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    /// A forgotten password: logs in once and forces a change.
    Reset,
    /// A new account's first login: the same, from `user add --invite`.
    Invite,
    /// Confirms a new address (`email set` then `email verify`).
    Verify,
}

impl CodePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reset => "reset",
            Self::Invite => "invite",
            Self::Verify => "verify",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Reset, Self::Invite, Self::Verify]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// A pending code: only its keyed MAC is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRow {
    pub purpose: CodePurpose,
    pub mac: Vec<u8>,
    /// For `Verify`: the address the code was sent to.
    pub address: Option<String>,
    pub created_at: i64,
    pub valid_until: i64,
}

/// No 0/o, 1/l/i: read off a phone and typed at a password prompt.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
const GROUPS: usize = 3;
const GROUP_LEN: usize = 4;

/// log2(31^12) ≈ 59.4 bits, above SPEC §8's 40.
pub const ENTROPY_BITS: f64 = 59.4;

/// A fresh code, e.g. `k7qm-4xzt-9fhw`.
pub fn generate() -> Zeroizing<String> {
    let mut code = Zeroizing::new(String::with_capacity(GROUPS * (GROUP_LEN + 1)));
    for g in 0..GROUPS {
        if g > 0 {
            code.push('-');
        }
        for _ in 0..GROUP_LEN {
            code.push(char::from(ALPHABET[OsRng.gen_range(0..ALPHABET.len())]));
        }
    }
    code
}

/// What is compared: case, spaces and dashes as typed do not matter.
/// None for an answer that cannot be a code (so no MAC is computed for
/// an ordinary password).
pub fn normalize(answer: &str) -> Option<Zeroizing<String>> {
    let n: Zeroizing<String> = Zeroizing::new(
        answer
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .map(|c| c.to_ascii_lowercase())
            .collect(),
    );
    (n.len() == GROUPS * GROUP_LEN && n.bytes().all(|b| ALPHABET.contains(&b))).then_some(n)
}

/// The bytes a code's MAC covers: bound to its user and purpose, so a
/// verification code is no reset code and no code is another user's.
pub fn mac_input(user_id: i64, purpose: CodePurpose, normalized: &str) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(format!("monban-code:{}:{user_id}:{normalized}", purpose.as_str()).into_bytes())
}

/// Whether `code` is still good at `now`.
pub fn valid(code: &CodeRow, now: i64) -> bool {
    now < code.valid_until
}

/// A new reset code may be sent: none was sent within `min_interval`.
pub fn may_send_again(previous: Option<&CodeRow>, min_interval: i64, now: i64) -> bool {
    previous.is_none_or(|p| now.saturating_sub(p.created_at) >= min_interval)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(created_at: i64, valid_until: i64) -> CodeRow {
        CodeRow {
            purpose: CodePurpose::Reset,
            mac: vec![0; 32],
            address: None,
            created_at,
            valid_until,
        }
    }

    #[test]
    fn codes_have_three_groups_of_four_and_differ() {
        let a = generate();
        assert_eq!(a.len(), 14);
        assert_eq!(a.split('-').count(), 3);
        assert!(normalize(&a).is_some());
        assert_ne!(*a, *generate());
        const { assert!(ENTROPY_BITS >= 40.0) };
        assert!((ALPHABET.len() as f64).powi(12).log2() >= ENTROPY_BITS);
    }

    #[test]
    fn an_answer_is_compared_without_case_spaces_or_dashes() {
        assert_eq!(
            normalize("K7QM 4XZT-9FHW").as_deref().map(|s| s.as_str()),
            Some("k7qm4xzt9fhw")
        );
        assert!(normalize("k7qm-4xzt").is_none());
        assert!(normalize("correct horse battery").is_none());
        // 0, 1, i, l, o are never in a code.
        assert!(normalize("k0qm-4xzt-9fhw").is_none());
    }

    #[test]
    fn the_mac_binds_user_and_purpose() {
        let a = mac_input(1, CodePurpose::Reset, "k7qm4xzt9fhw");
        assert_ne!(*a, *mac_input(2, CodePurpose::Reset, "k7qm4xzt9fhw"));
        assert_ne!(*a, *mac_input(1, CodePurpose::Verify, "k7qm4xzt9fhw"));
    }

    #[test]
    fn a_code_lapses_at_its_time() {
        assert!(valid(&row(100, 700), 699));
        assert!(!valid(&row(100, 700), 700));
    }

    #[test]
    fn one_code_per_min_interval() {
        assert!(may_send_again(None, 60, 0));
        assert!(!may_send_again(Some(&row(100, 700)), 60, 159));
        assert!(may_send_again(Some(&row(100, 700)), 60, 160));
    }
}
