//! The names monban gives users, accounts and groups: what `user add`
//! accepts, what the daemon looks up, and what the NSS module lets through
//! to a passwd or group line.

/// Letters, digits, `.`, `_` and `-`, at most 32 bytes, not starting with
/// `-` and not `.` or `..`: safe in every passwd and group field, on a
/// command line and as a path component.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 32
        && !name.starts_with('-')
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in [
            "alice",
            "yamagishi",
            "svc-backup",
            "a.b_c",
            "u1",
            "monban-users",
        ] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in [
            "",
            "-x",
            ".",
            "..",
            "a b",
            "a/b",
            "a:b",
            "ä",
            &"x".repeat(33),
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
