//! Target `config`: arbitrary text as monban.toml.

use std::path::Path;

use monban_config::{Config, Limit};

pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::parse(text, Path::new("/fuzz/monban.toml")) {
        Ok(cfg) => {
            // A few of the cross-field rules, seen from outside.
            let p = &cfg.password;
            assert!(p.min_length >= 1 && p.min_length <= p.max_length && p.max_length <= 256);
            if let Limit::After(max) = p.max_age {
                assert!(p.min_age.as_duration() < max.as_duration());
            }
            assert!((6..=8).contains(&cfg.otp.digits));
            assert!(cfg.daemon.socket.is_absolute());
            if let monban_config::Database::Sqlite(path) = &cfg.daemon.database {
                assert!(path.is_absolute());
            }
        }
        Err(e) => {
            // An error points at a line of the text, or at none.
            let lines = text.lines().count().max(1);
            if let Some(line) = e.line {
                assert!((1..=lines + 1).contains(&line), "line {line} of {lines}");
            }
            assert_eq!(e.path, Path::new("/fuzz/monban.toml"));
        }
    }
}
