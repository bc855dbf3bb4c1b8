//! E-mail addresses: which are accepted, and how one is shown to someone
//! who is neither its owner nor an administrator.

use std::str::FromStr;

/// An address monban will send to: RFC 5321 syntax (lettre's parser), at
/// most 254 bytes, a domain with a dot or `localhost`.
pub fn acceptable(addr: &str) -> bool {
    let Ok(parsed) = lettre::Address::from_str(addr) else {
        return false;
    };
    addr.len() <= 254 && (parsed.domain().contains('.') || parsed.domain() == "localhost")
}

/// `alice@example.org` → `a****@example.org`: enough to recognise one's
/// own, too little to learn someone else's.
pub fn mask(addr: &str) -> String {
    match addr.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}****@{domain}")
        }
        None => "****".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_are_accepted_and_junk_is_not() {
        assert!(acceptable("alice@example.org"));
        assert!(acceptable("taro.yamada+lib@mail.example.jp"));
        assert!(acceptable("root@localhost"));
        for bad in [
            "",
            "alice",
            "alice@",
            "@example.org",
            "a b@example.org",
            "alice@example",
            "alice@example.org\r\nBcc: x@y.z",
        ] {
            assert!(!acceptable(bad), "{bad:?}");
        }
        assert!(!acceptable(&format!("{}@example.org", "a".repeat(250))));
    }

    #[test]
    fn a_masked_address_keeps_the_first_letter_and_the_domain() {
        assert_eq!(mask("alice@example.org"), "a****@example.org");
        assert_eq!(mask("x@example.org"), "x****@example.org");
    }
}
