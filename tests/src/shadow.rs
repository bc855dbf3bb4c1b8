//! Fake shadow(5) material for import tests.

use std::process::Command;

use crate::clock::now;
use crate::harness::{PROCESS_LIMIT, artefact};
use crate::process::run;

/// A crypt(3) hash made by the system's libcrypt (`monban-test-crypt`),
/// for fake shadow files: `salt` like `$y$j9T$<16 chars>$` or `$6$<salt>$`.
pub fn system_crypt(password: &str, salt: &str) -> String {
    let mut cmd = Command::new(artefact("monban-test-crypt"));
    cmd.args([password, salt]);
    let out = run(cmd, b"", PROCESS_LIMIT);
    out.assert_exit(0, "monban-test-crypt");
    let hash = out.stdout.trim().to_string();
    assert!(
        hash.starts_with(&salt[..3]),
        "libcrypt made no {salt} hash: {hash:?}"
    );
    hash
}

/// Days since the epoch, as shadow(5) counts them.
pub fn today_days() -> i64 {
    now() / 86_400
}
