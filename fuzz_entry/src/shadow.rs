//! Target `shadow_hash`: the text as a shadow(5) file, line by line as
//! `monban import shadow` reads it, and every hash field (and the whole
//! text) as a hash string: the crypt(3) method check and the Argon2
//! upgrade check.

use argon2::Params;
use monban_authd::{crypt, hashing};
use monban_proto::parse_shadow_line;

pub fn shadow_hash(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for line in text.lines() {
        let Ok(entry) = parse_shadow_line(line) else {
            continue;
        };
        let hash = entry.hash.expose();
        assert!(!entry.user.is_empty() && !entry.user.contains(':'));
        assert!(!hash.is_empty() && !hash.contains(':'));
        assert!(!hash.starts_with(['!', '*']));
        // The entry written back as a line parses to the same entry.
        let days = |d: Option<i64>| d.map(|d| d.to_string()).unwrap_or_default();
        let line = format!(
            "{}:{hash}:{}:{}:{}:{}:::",
            entry.user,
            days(entry.last_change_days),
            days(entry.min_days),
            days(entry.max_days),
            days(entry.warn_days)
        );
        let Ok(again) = parse_shadow_line(&line) else {
            panic!("a parsed entry written back does not parse");
        };
        assert_eq!(again.user, entry.user);
        assert!(again.hash.ct_eq(&entry.hash));
        assert_eq!(
            (
                again.last_change_days,
                again.min_days,
                again.max_days,
                again.warn_days
            ),
            (
                entry.last_change_days,
                entry.min_days,
                entry.max_days,
                entry.warn_days
            )
        );
        hash_string(hash);
    }
    hash_string(text);
}

fn hash_string(hash: &str) {
    let supported = crypt::is_crypt_hash(hash);
    if supported {
        assert!(hash.starts_with('$') && !hash.contains('\0'));
    }
    let Ok(params) = Params::new(19_456, 2, 1, Some(32)) else {
        panic!("the default Argon2 parameters are refused");
    };
    let weaker = hashing::weaker_than(hash, &params);
    if !hash.starts_with("$argon2id$") {
        assert!(weaker, "{hash:?} is not Argon2id, so it needs an upgrade");
    }
}
