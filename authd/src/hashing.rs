//! Password hashing on a bounded pool.
//!
//! Argon2id costs `memory_kib` per computation; at most `hash_workers`
//! computations run at once, so memory stays bounded however many guesses
//! arrive. Imported crypt(3) hashes are verified through libcrypt and
//! replaced by Argon2id at the next successful login.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use monban_config::Argon2Config;
use monban_proto::Secret;
use rand::rngs::OsRng;
use tokio::sync::Semaphore;
use zeroize::Zeroizing;

use crate::crypt;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("argon2 parameters rejected: {0}")]
    Params(String),
    #[error("hashing failed: {0}")]
    Hash(String),
    #[error("the hashing pool stopped")]
    PoolGone,
}

#[derive(Clone)]
pub struct Hasher {
    params: Params,
    permits: Arc<Semaphore>,
    /// Verified in place of a missing user's hash, at the same cost.
    dummy: Arc<Zeroizing<String>>,
}

impl Hasher {
    pub fn new(cfg: &Argon2Config, workers: usize) -> Result<Self, HashError> {
        let params = Params::new(cfg.memory_kib, cfg.iterations, cfg.parallelism, None)
            .map_err(|e| HashError::Params(e.to_string()))?;
        let dummy = hash_with(&params, "monban timing equaliser")?;
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(workers)),
            dummy: Arc::new(dummy),
        })
    }

    /// A new Argon2id PHC string for `password`.
    pub async fn hash(&self, password: &Secret) -> Result<Zeroizing<String>, HashError> {
        let params = self.params.clone();
        let password = password.clone();
        self.on_pool(move || hash_with(&params, password.expose()))
            .await?
    }

    /// Whether `password` matches `stored`. Unknown formats never match.
    pub async fn verify(&self, stored: Zeroizing<String>, password: &Secret) -> bool {
        let password = password.clone();
        self.on_pool(move || verify_sync(&stored, password.expose()))
            .await
            .unwrap_or(false)
    }

    /// Checks `password` against the first matching hash of `stored`
    /// (history checks): one pool slot, one hash after another.
    pub async fn matches_any(&self, stored: Vec<Zeroizing<String>>, password: &Secret) -> bool {
        let password = password.clone();
        self.on_pool(move || stored.iter().any(|h| verify_sync(h, password.expose())))
            .await
            .unwrap_or(false)
    }

    /// Spends the same time as verifying a real Argon2id hash.
    pub async fn waste(&self, password: &Secret) {
        let dummy = Zeroizing::new(self.dummy.as_str().to_owned());
        let _ = self.verify(dummy, password).await;
    }

    /// True when `stored` is not Argon2id with at least the current cost.
    pub fn needs_upgrade(&self, stored: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(stored) else {
            return true;
        };
        if parsed.algorithm.as_str() != "argon2id" {
            return true;
        }
        match Params::try_from(&parsed) {
            Ok(p) => {
                p.m_cost() < self.params.m_cost()
                    || p.t_cost() < self.params.t_cost()
                    || p.p_cost() < self.params.p_cost()
            }
            Err(_) => true,
        }
    }

    async fn on_pool<R: Send + 'static>(
        &self,
        work: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| HashError::PoolGone)?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|_| HashError::PoolGone)
    }
}

fn hash_with(params: &Params, password: &str) -> Result<Zeroizing<String>, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password.as_bytes(), &salt)
        .map(|h| Zeroizing::new(h.to_string()))
        .map_err(|e| HashError::Hash(e.to_string()))
}

fn verify_sync(stored: &str, password: &str) -> bool {
    if stored.starts_with("$argon2") {
        return match PasswordHash::new(stored) {
            // The parameters come from the hash itself.
            Ok(parsed) => Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        };
    }
    crypt::verify(stored, password)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Argon2Config {
        Argon2Config {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        }
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let h = Hasher::new(&cheap(), 1).unwrap();
        let pw = Secret::new("correct horse".into());
        let stored = h.hash(&pw).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(h.verify(stored.clone(), &pw).await);
        assert!(!h.verify(stored, &Secret::new("wrong".into())).await);
        assert!(
            !h.verify(Zeroizing::new("garbage".into()), &pw).await,
            "an unknown format never matches"
        );
    }

    #[tokio::test]
    async fn weaker_parameters_need_an_upgrade() {
        let weak = Hasher::new(&cheap(), 1).unwrap();
        let strong = Hasher::new(
            &Argon2Config {
                memory_kib: 128,
                ..cheap()
            },
            1,
        )
        .unwrap();
        let stored = weak.hash(&Secret::new("pw".into())).await.unwrap();
        assert!(strong.needs_upgrade(&stored));
        assert!(!weak.needs_upgrade(&stored));
        assert!(weak.needs_upgrade("$6$salt$abcdef"));
    }
}
