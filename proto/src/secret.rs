//! A password or one-time code in transit: wiped on drop, never printed.

use serde::{Deserialize, Deserializer, Serialize};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Longest secret accepted anywhere (bytes). Argon2 input is bounded by it.
pub const MAX_SECRET_LEN: usize = 1024;

#[derive(Clone, Default, Zeroize, ZeroizeOnDrop)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// Takes the bytes a terminal or PAM conversation handed over.
    /// Returns `None` for bytes that are not UTF-8.
    pub fn from_bytes(bytes: Vec<u8>) -> Option<Self> {
        match String::from_utf8(bytes) {
            Ok(s) => Some(Self(s)),
            Err(e) => {
                e.into_bytes().zeroize();
                None
            }
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Equality without a timing side channel on the contents.
    pub fn ct_eq(&self, other: &Secret) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = String::deserialize(d)?;
        if value.len() > MAX_SECRET_LEN {
            let mut value = value;
            value.zeroize();
            return Err(serde::de::Error::custom("secret too long"));
        }
        Ok(Self(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let s = Secret::new("hunter2".into());
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn oversized_secret_is_refused_when_decoded() {
        let long = format!("\"{}\"", "a".repeat(MAX_SECRET_LEN + 1));
        assert!(serde_json::from_str::<Secret>(&long).is_err());
        let ok = format!("\"{}\"", "a".repeat(MAX_SECRET_LEN));
        assert_eq!(
            serde_json::from_str::<Secret>(&ok).unwrap().len(),
            MAX_SECRET_LEN
        );
    }

    #[test]
    fn constant_time_equality() {
        let a = Secret::new("abc".into());
        assert!(a.ct_eq(&Secret::new("abc".into())));
        assert!(!a.ct_eq(&Secret::new("abd".into())));
        assert!(!a.ct_eq(&Secret::new("ab".into())));
    }
}
