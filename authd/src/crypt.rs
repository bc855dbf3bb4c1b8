//! Verifies password hashes imported from /etc/shadow (yescrypt,
//! sha512crypt, …) through the system's libcrypt (libxcrypt), so migrating
//! users keep their password until it is rehashed with Argon2id.
//!
//! The only `unsafe` code of the daemon lives here. libcrypt is slow on
//! purpose (yescrypt): call `verify` from a blocking thread.
#![allow(unsafe_code)]

use std::ffi::{CStr, c_char, c_int, c_void};

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// `sizeof(struct crypt_data)` in libxcrypt's <crypt.h>.
const CRYPT_DATA_SIZE: usize = 32_768;
/// `CRYPT_MAX_PASSPHRASE_SIZE`, counting the terminating NUL.
const MAX_PASSPHRASE: usize = 512;
/// `crypt_checksalt` results.
const CRYPT_SALT_OK: c_int = 0;
const CRYPT_SALT_METHOD_LEGACY: c_int = 3;

#[link(name = "crypt")]
unsafe extern "C" {
    fn crypt_rn(
        phrase: *const c_char,
        setting: *const c_char,
        data: *mut c_void,
        size: c_int,
    ) -> *mut c_char;
    fn crypt_checksalt(setting: *const c_char) -> c_int;
}

/// Whether `password` matches the crypt(3) string `hash`. False for locked
/// or empty fields ("*", "!…", ""), unknown methods and any failure.
pub fn verify(hash: &str, password: &str) -> bool {
    if !is_crypt_hash(hash) || password.len() >= MAX_PASSPHRASE || password.contains('\0') {
        return false;
    }
    let Some(setting) = nul_terminated(hash) else {
        return false;
    };
    let Some(phrase) = nul_terminated(password) else {
        return false;
    };
    // Zeroed as libcrypt asks before first use; wiped on drop, since it
    // holds intermediate state derived from the password.
    let mut data = Zeroizing::new(vec![0u8; CRYPT_DATA_SIZE]);
    let size = CRYPT_DATA_SIZE as c_int;
    // SAFETY: `phrase` and `setting` are NUL-terminated and live until the
    // end of this function; `data` is a writable, zeroed buffer of exactly
    // `size` bytes (sizeof(struct crypt_data)), which crypt_rn uses as its
    // only scratch and output area; it has no alignment requirement beyond
    // char. crypt_rn is thread-safe with a caller-owned data area.
    let out = unsafe {
        crypt_rn(
            phrase.as_ptr().cast(),
            setting.as_ptr().cast(),
            data.as_mut_ptr().cast(),
            size,
        )
    };
    if out.is_null() {
        return false;
    }
    // SAFETY: on success crypt_rn returns a pointer to the NUL-terminated
    // `output` field inside `data`, which is alive and not written to
    // while `computed` is used.
    let computed = unsafe { CStr::from_ptr(out) }.to_bytes();
    // "*0" / "*1" mark a failure in the output; never a valid hash.
    if computed.first() == Some(&b'*') {
        return false;
    }
    computed.ct_eq(hash.as_bytes()).into()
}

/// Whether `hash` is a `$id$…` string of a method this libcrypt supports.
pub fn is_crypt_hash(hash: &str) -> bool {
    if !hash.starts_with('$') || hash.len() >= 512 {
        return false;
    }
    let Some(setting) = nul_terminated(hash) else {
        return false;
    };
    // SAFETY: `setting` is a NUL-terminated string that outlives the call;
    // crypt_checksalt only reads it.
    let status = unsafe { crypt_checksalt(setting.as_ptr().cast()) };
    matches!(status, CRYPT_SALT_OK | CRYPT_SALT_METHOD_LEGACY)
}

/// `s` with a NUL appended, in a buffer wiped on drop; None if `s`
/// contains a NUL itself.
fn nul_terminated(s: &str) -> Option<Zeroizing<Vec<u8>>> {
    if s.contains('\0') {
        return None;
    }
    let mut buf = Zeroizing::new(Vec::with_capacity(s.len() + 1));
    buf.extend_from_slice(s.as_bytes());
    buf.push(0);
    Some(buf)
}

#[cfg(test)]
mod tests {
    use std::ffi::c_ulong;

    use super::*;

    unsafe extern "C" {
        fn crypt_gensalt_rn(
            prefix: *const c_char,
            count: c_ulong,
            rbytes: *const c_char,
            nrbytes: c_int,
            output: *mut c_char,
            output_size: c_int,
        ) -> *mut c_char;
    }

    /// Hashes `password` with a fresh salt for `prefix` ("$y$", "$6$").
    fn hash(prefix: &str, password: &str) -> String {
        let prefix = nul_terminated(prefix).unwrap();
        let mut salt = vec![0u8; 192];
        // SAFETY: `prefix` is NUL-terminated; a null `rbytes` with 0 bytes
        // asks libcrypt for OS randomness; `salt` is writable for the 192
        // bytes passed (CRYPT_GENSALT_OUTPUT_SIZE).
        let ok = unsafe {
            crypt_gensalt_rn(
                prefix.as_ptr().cast(),
                0,
                std::ptr::null(),
                0,
                salt.as_mut_ptr().cast(),
                192,
            )
        };
        assert!(!ok.is_null(), "crypt_gensalt_rn failed");
        let phrase = nul_terminated(password).unwrap();
        let mut data = vec![0u8; CRYPT_DATA_SIZE];
        // SAFETY: as in `verify`: NUL-terminated inputs, a zeroed buffer of
        // the declared size.
        let out = unsafe {
            crypt_rn(
                phrase.as_ptr().cast(),
                salt.as_ptr().cast(),
                data.as_mut_ptr().cast(),
                CRYPT_DATA_SIZE as c_int,
            )
        };
        assert!(!out.is_null(), "crypt_rn failed");
        // SAFETY: a NUL-terminated string inside `data`, still alive.
        unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_owned()
    }

    // Made with `openssl passwd -6 -salt Qq8V0Ra2xW3bF9jK 'correct horse'`.
    const SHA512_VECTOR: &str = "$6$Qq8V0Ra2xW3bF9jK$Sq4L.qEWCyu1pUA1Qpl7QnN1Mm2kDsNQ9OVB9pmeXNqvuJ09YLHQyJ3rVUH4FzNs0NLhlJM5Q9K.6za5R0lxj1";
    // Made with python3 `crypt.crypt('correct horse', '$y$j9T$F5Jx5fExrKuPp53xLKQ..1$')`.
    const YESCRYPT_VECTOR: &str =
        "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$zwtVrjrUCmXcyLTs6oxLTQlzifSUkF8RHJ./tK5KU79";

    #[test]
    fn yescrypt_hash_verifies() {
        let h = hash("$y$", "correct horse");
        assert!(h.starts_with("$y$"));
        assert!(is_crypt_hash(&h));
        assert!(verify(&h, "correct horse"));
        assert!(!verify(&h, "correct horsE"));
        assert!(verify(YESCRYPT_VECTOR, "correct horse"));
        assert!(!verify(YESCRYPT_VECTOR, "wrong"));
    }

    #[test]
    fn sha512crypt_hash_verifies() {
        let h = hash("$6$", "correct horse");
        assert!(h.starts_with("$6$"));
        assert!(is_crypt_hash(&h));
        assert!(verify(&h, "correct horse"));
        assert!(!verify(&h, "wrong"));
        assert!(verify(SHA512_VECTOR, "correct horse"));
        assert!(!verify(SHA512_VECTOR, "correct horse "));
    }

    #[test]
    fn locked_and_empty_fields_never_verify() {
        for field in ["!", "*", "", "!!", "x"] {
            assert!(!verify(field, ""), "{field:?}");
            assert!(!verify(field, "correct horse"), "{field:?}");
            assert!(!is_crypt_hash(field), "{field:?}");
        }
        // A usermod -L locked hash: "!" before a valid one.
        let locked = format!("!{SHA512_VECTOR}");
        assert!(!verify(&locked, "correct horse"));
    }

    #[test]
    fn unknown_or_broken_hashes_never_verify() {
        for hash in ["$zz$abc$def", "$6$", "$y$", "$", "$6$salt$short"] {
            assert!(!verify(hash, "correct horse"), "{hash:?}");
        }
        assert!(!is_crypt_hash("$zz$abc$def"));
    }

    #[test]
    fn nul_and_overlong_passwords_never_verify() {
        assert!(!verify(SHA512_VECTOR, "correct\0horse"));
        assert!(!verify(SHA512_VECTOR, &"a".repeat(600)));
    }
}
