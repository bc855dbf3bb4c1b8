//! The key that encrypts TOTP secrets at rest (`[daemon] secret_key`), and
//! the keyed hash that protects recovery codes. Subkeys are derived from the
//! file's 32 bytes, one per purpose, so no two uses share a key.
#![forbid(unsafe_code)]

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Bytes in the key file.
pub const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
/// The HMAC-SHA256 block size: shorter keys are zero-padded to it (RFC 2104).
const HMAC_BLOCK: usize = 64;

/// Opens, seals and MACs with subkeys of the secret key file.
pub struct SecretBox {
    encryption: Zeroizing<[u8; KEY_LEN]>,
    mac: Zeroizing<[u8; KEY_LEN]>,
    check: Zeroizing<[u8; KEY_LEN]>,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "the secret key {} does not exist; monban-authd creates it at first start, or run `monban-authd --init-key`",
        path.display()
    )]
    Missing { path: PathBuf },
    #[error("the secret key {} is not a regular file; it must be a 32-byte file of mode 0600", path.display())]
    NotRegular { path: PathBuf },
    #[error(
        "the secret key {} can be accessed by group or others (mode {mode:04o}); run `chmod 600 {}`",
        path.display(), path.display()
    )]
    Permissions { path: PathBuf, mode: u32 },
    #[error(
        "the secret key {} is {len} bytes long, not 32: it is damaged or not a monban key; restore it from a backup",
        path.display()
    )]
    WrongSize { path: PathBuf, len: u64 },
    #[error(
        "the secret key {} already exists; it is never overwritten (remove it only if nothing was sealed with it)",
        path.display()
    )]
    Exists { path: PathBuf },
    #[error(
        "cannot create the secret key {}: the directory {} does not exist; create it first",
        path.display(), parent.display()
    )]
    NoParent { path: PathBuf, parent: PathBuf },
    #[error("cannot {action} the secret key {}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        source: std::io::Error,
    },
    #[error("the system random number generator failed: {0}")]
    Random(String),
    #[error("cannot encrypt a secret of {0} bytes")]
    Seal(usize),
    #[error(
        "cannot decrypt a stored secret: it is damaged, belongs to another user, or was sealed with a different secret key"
    )]
    Open,
}

impl SecretBox {
    /// Reads an existing key file: a regular file of exactly 32 bytes that
    /// neither group nor others may access.
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        let io = |action| {
            move |source| KeyError::Io {
                path: path.to_path_buf(),
                action,
                source,
            }
        };
        // Checked before opening, so a FIFO planted there cannot block us.
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(KeyError::Missing {
                    path: path.to_path_buf(),
                });
            }
            Err(e) => return Err(io("read")(e)),
            Ok(meta) if !meta.is_file() => {
                return Err(KeyError::NotRegular {
                    path: path.to_path_buf(),
                });
            }
            Ok(_) => {}
        }
        let mut file = File::open(path).map_err(io("open"))?;
        // Judged on the opened file, not the name, which may have changed.
        let meta = file.metadata().map_err(io("inspect"))?;
        if !meta.is_file() {
            return Err(KeyError::NotRegular {
                path: path.to_path_buf(),
            });
        }
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(KeyError::Permissions {
                path: path.to_path_buf(),
                mode,
            });
        }
        if meta.len() != KEY_LEN as u64 {
            return Err(KeyError::WrongSize {
                path: path.to_path_buf(),
                len: meta.len(),
            });
        }
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        file.read_exact(&mut key[..]).map_err(io("read"))?;
        Ok(Self::from_key(&key))
    }

    /// Creates a new random key file of mode 0600. The directory must
    /// exist; an existing file is never overwritten.
    pub fn create(path: &Path) -> Result<Self, KeyError> {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if !parent.is_dir() {
            return Err(KeyError::NoParent {
                path: path.to_path_buf(),
                parent: parent.to_path_buf(),
            });
        }
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        rand::rngs::OsRng
            .try_fill_bytes(&mut key[..])
            .map_err(|e| KeyError::Random(e.to_string()))?;
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|source| {
                if source.kind() == std::io::ErrorKind::AlreadyExists {
                    KeyError::Exists {
                        path: path.to_path_buf(),
                    }
                } else {
                    KeyError::Io {
                        path: path.to_path_buf(),
                        action: "create",
                        source,
                    }
                }
            })?;
        if let Err(source) = file.write_all(&key[..]).and_then(|()| file.sync_all()) {
            // A short key file would be refused at every later start.
            let _ = std::fs::remove_file(path);
            return Err(KeyError::Io {
                path: path.to_path_buf(),
                action: "write",
                source,
            });
        }
        // Make the new name durable too; failing here loses nothing yet.
        if let Ok(dir) = File::open(parent) {
            let _ = dir.sync_all();
        }
        Ok(Self::from_key(&key))
    }

    /// Loads the key, creating it if there is none yet; also says whether
    /// it was created (worth a log line).
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), KeyError> {
        match Self::load(path) {
            Err(KeyError::Missing { .. }) => match Self::create(path) {
                Ok(key) => Ok((key, true)),
                // Another process created it in between: use theirs.
                Err(KeyError::Exists { .. }) => Self::load(path).map(|k| (k, false)),
                Err(e) => Err(e),
            },
            other => other.map(|k| (k, false)),
        }
    }

    fn from_key(key: &[u8; KEY_LEN]) -> Self {
        Self {
            encryption: derive(key, b"monban secretbox v1: encryption"),
            mac: derive(key, b"monban secretbox v1: mac"),
            check: derive(key, b"monban secretbox v1: check value"),
        }
    }

    /// Encrypts with XChaCha20-Poly1305 under a random 24-byte nonce, which
    /// leads the output. `aad` (e.g. the user's row) must be given again to
    /// open it, so a sealed value moved to another row does not open.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(|e| KeyError::Random(e.to_string()))?;
        let ciphertext = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| KeyError::Seal(plaintext.len()))?;
        let mut sealed = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    /// Decrypts what [`SecretBox::seal`] produced with the same `aad`.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        if sealed.len() < NONCE_LEN {
            return Err(KeyError::Open);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        self.cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| KeyError::Open)
    }

    /// HMAC-SHA256 under the MAC subkey: stored instead of recovery codes,
    /// useless to whoever copies the database without the key file.
    pub fn mac(&self, data: &[u8]) -> [u8; 32] {
        hmac_sha256(&self.mac, data)
    }

    /// A value to store beside sealed data, so that a wrong key file is
    /// recognised at start-up rather than at the first failing login.
    pub fn check_value(&self) -> Vec<u8> {
        hmac_sha256(&self.check, b"monban secret key check").to_vec()
    }

    /// Whether `stored` came from [`SecretBox::check_value`] under this key.
    pub fn verify_check_value(&self, stored: &[u8]) -> bool {
        self.check_value().ct_eq(stored).into()
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.encryption.as_ref().into())
    }
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

/// A subkey for one purpose: HMAC-SHA256(key, label).
fn derive(key: &[u8; KEY_LEN], label: &[u8]) -> Zeroizing<[u8; KEY_LEN]> {
    Zeroizing::new(hmac_sha256(key, label))
}

fn hmac_sha256(key: &[u8; KEY_LEN], data: &[u8]) -> [u8; 32] {
    // HMAC zero-pads a short key to the block size (RFC 2104), so this is
    // `new_from_slice(key)` without its error case, which cannot happen.
    let mut block = Zeroizing::new([0u8; HMAC_BLOCK]);
    block[..KEY_LEN].copy_from_slice(key);
    let mut mac = <Hmac<Sha256> as KeyInit>::new((&*block).into());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn dir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn create_then_load_gives_the_same_key() {
        let d = dir();
        let path = d.path().join("secret.key");
        let created = SecretBox::create(&path).unwrap();
        let meta = fs::metadata(&path).unwrap();
        assert_eq!(meta.len(), 32);
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let loaded = SecretBox::load(&path).unwrap();
        let sealed = created.seal(b"totp secret", b"user 1").unwrap();
        assert_eq!(
            &loaded.open(&sealed, b"user 1").unwrap()[..],
            b"totp secret"
        );
        assert_eq!(created.mac(b"code"), loaded.mac(b"code"));
        assert!(loaded.verify_check_value(&created.check_value()));
    }

    #[test]
    fn create_never_overwrites() {
        let d = dir();
        let path = d.path().join("secret.key");
        fs::write(&path, b"precious").unwrap();
        let err = SecretBox::create(&path).unwrap_err();
        assert!(matches!(err, KeyError::Exists { .. }), "{err}");
        assert_eq!(fs::read(&path).unwrap(), b"precious");
        assert!(err.to_string().contains(path.to_str().unwrap()));
    }

    #[test]
    fn create_needs_the_directory() {
        let d = dir();
        let path = d.path().join("missing/secret.key");
        let err = SecretBox::create(&path).unwrap_err();
        assert!(matches!(err, KeyError::NoParent { .. }), "{err}");
        assert!(err.to_string().contains("create it first"));
    }

    #[test]
    fn load_of_a_missing_file_says_how_to_create_it() {
        let d = dir();
        let err = SecretBox::load(&d.path().join("secret.key")).unwrap_err();
        assert!(matches!(err, KeyError::Missing { .. }), "{err}");
        assert!(err.to_string().contains("--init-key"));
    }

    #[test]
    fn load_or_create_creates_once() {
        let d = dir();
        let path = d.path().join("secret.key");
        let (first, created) = SecretBox::load_or_create(&path).unwrap();
        assert!(created);
        let (second, created) = SecretBox::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(first.mac(b"x"), second.mac(b"x"));
    }

    #[test]
    fn load_refuses_group_or_other_access() {
        let d = dir();
        let path = d.path().join("secret.key");
        SecretBox::create(&path).unwrap();
        for mode in [0o640, 0o604, 0o660, 0o620] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            let err = SecretBox::load(&path).unwrap_err();
            assert!(matches!(err, KeyError::Permissions { .. }), "{err}");
            assert!(err.to_string().contains("chmod 600"), "{err}");
        }
        fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
        assert!(SecretBox::load(&path).is_ok());
    }

    #[test]
    fn load_refuses_a_file_of_the_wrong_size() {
        let d = dir();
        let path = d.path().join("secret.key");
        for len in [0, 31, 33] {
            let _ = fs::remove_file(&path);
            fs::write(&path, vec![7u8; len]).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
            let err = SecretBox::load(&path).unwrap_err();
            assert!(matches!(err, KeyError::WrongSize { .. }), "{len}: {err}");
        }
    }

    #[test]
    fn load_refuses_a_directory() {
        let d = dir();
        let err = SecretBox::load(d.path()).unwrap_err();
        assert!(matches!(err, KeyError::NotRegular { .. }), "{err}");
    }

    #[test]
    fn sealing_twice_gives_different_ciphertexts() {
        let b = SecretBox::from_key(&[1; 32]);
        let one = b.seal(b"same", b"").unwrap();
        let two = b.seal(b"same", b"").unwrap();
        assert_ne!(one, two);
        assert_eq!(one.len(), 24 + 4 + 16);
    }

    #[test]
    fn open_refuses_other_keys_other_rows_and_damage() {
        let b = SecretBox::from_key(&[1; 32]);
        let sealed = b.seal(b"totp secret", b"alice").unwrap();
        assert!(matches!(b.open(&sealed, b"bob"), Err(KeyError::Open)));
        let other = SecretBox::from_key(&[2; 32]);
        assert!(matches!(other.open(&sealed, b"alice"), Err(KeyError::Open)));
        let mut damaged = sealed.clone();
        damaged[30] ^= 1;
        assert!(matches!(b.open(&damaged, b"alice"), Err(KeyError::Open)));
        assert!(matches!(
            b.open(&sealed[..10], b"alice"),
            Err(KeyError::Open)
        ));
    }

    #[test]
    fn check_value_tells_a_wrong_key() {
        let right = SecretBox::from_key(&[1; 32]);
        let wrong = SecretBox::from_key(&[2; 32]);
        let stored = right.check_value();
        assert!(right.verify_check_value(&stored));
        assert!(!wrong.verify_check_value(&stored));
        assert!(!right.verify_check_value(&stored[..16]));
    }

    #[test]
    fn subkeys_differ_per_purpose_and_from_the_key() {
        let key = [9u8; 32];
        let b = SecretBox::from_key(&key);
        assert_ne!(*b.encryption, *b.mac);
        assert_ne!(*b.mac, *b.check);
        assert_ne!(*b.encryption, key);
    }

    #[test]
    fn padded_hmac_equals_hmac_from_slice() {
        let key = [5u8; 32];
        let mut reference = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
        reference.update(b"data");
        let expected: [u8; 32] = reference.finalize().into_bytes().into();
        assert_eq!(hmac_sha256(&key, b"data"), expected);
    }

    #[test]
    fn debug_hides_the_key() {
        let b = SecretBox::from_key(&[1; 32]);
        assert_eq!(format!("{b:?}"), "SecretBox(..)");
    }
}
