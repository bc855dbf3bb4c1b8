//! shadow(5) lines as `monban import shadow` reads them, parsed into the
//! [`ShadowEntry`] it sends: here so the parser can be fuzzed from a library.

use crate::{Secret, ShadowEntry};

/// One line: `name:hash:lastchg:min:max:warn:inactive:expire:`.
pub fn parse_shadow_line(line: &str) -> Result<ShadowEntry, &'static str> {
    let fields: Vec<&str> = line.split(':').collect();
    let [user, hash, rest @ ..] = fields.as_slice() else {
        return Err("malformed line (fewer than two fields)");
    };
    if user.is_empty() {
        return Err("malformed line (no user name)");
    }
    if hash.is_empty() {
        return Err("no password (empty hash field)");
    }
    if hash.starts_with('!') || hash.starts_with('*') {
        return Err("the password is locked or disabled (! or *)");
    }
    let day = |i: usize| -> Result<Option<i64>, &'static str> {
        match rest.get(i).map(|s| s.trim()) {
            None | Some("") => Ok(None),
            Some(s) => s
                .parse::<i64>()
                .map(Some)
                .map_err(|_| "malformed line (an aging field is not a number)"),
        }
    };
    Ok(ShadowEntry {
        user: user.to_string(),
        hash: Secret::new(hash.to_string()),
        last_change_days: day(0)?,
        min_days: day(1)?,
        max_days: day(2)?,
        warn_days: day(3)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hash_and_aging_fields() {
        let e = parse_shadow_line("alice:$6$salt$hash:19800:1:90:14:::").unwrap();
        assert_eq!(e.user, "alice");
        assert_eq!(e.hash.expose(), "$6$salt$hash");
        assert_eq!(e.last_change_days, Some(19800));
        assert_eq!(e.min_days, Some(1));
        assert_eq!(e.max_days, Some(90));
        assert_eq!(e.warn_days, Some(14));
        let e = parse_shadow_line("bob:$y$j9T$xyz$uvw:19801::::::").unwrap();
        assert_eq!((e.min_days, e.max_days, e.warn_days), (None, None, None));
        let e = parse_shadow_line("carol:$y$j9T$xyz$uvw").unwrap();
        assert_eq!(e.last_change_days, None);
    }

    #[test]
    fn locked_empty_and_malformed_lines_are_skipped() {
        for line in [
            "a:!:1::::::",
            "a:!!:1::::::",
            "a:*:1::::::",
            "a:!$6$s$h:1::::::",
            "a::1::::::",
        ] {
            assert!(parse_shadow_line(line).is_err(), "{line}");
        }
        assert!(parse_shadow_line("justaname").is_err());
        assert!(parse_shadow_line(":$6$s$h:1::::::").is_err());
        assert!(parse_shadow_line("a:$6$s$h:soon::::::").is_err());
    }
}
