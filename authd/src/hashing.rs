//! Password hashing on a fixed pool of worker threads.
//!
//! Each of the `hash_workers` threads owns one Argon2 memory area, allocated
//! once and reused (and wiped) for every hash: memory stays at
//! `hash_workers × memory_kib` however many guesses arrive. Allocating per
//! hash let the allocator keep every freed area (5.8 GiB under a 64-client
//! burst, see BENCHMARKS.md). Imported crypt(3) hashes are verified through
//! libcrypt and replaced by Argon2id at the next successful login.

use std::sync::Arc;

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use monban_config::Argon2Config;
use monban_proto::Secret;
use rand::rngs::OsRng;
use subtle::ConstantTimeEq;
use tokio::sync::oneshot;
use zeroize::{Zeroize, Zeroizing};

use crate::crypt;
use crate::lanes::{Lane, Lanes};

/// Bytes of an Argon2id output monban stores.
const OUTPUT_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("argon2 parameters rejected: {0}")]
    Params(String),
    #[error("hashing failed: {0}")]
    Hash(String),
    #[error("the hashing pool stopped")]
    PoolGone,
}

enum Work {
    Hash(Secret),
    /// True when the password matches any of the hashes.
    Verify(Vec<Zeroizing<String>>, Secret),
}

enum Done {
    Hashed(Result<Zeroizing<String>, HashError>),
    Verified(bool),
}

struct Job {
    work: Work,
    reply: oneshot::Sender<Done>,
}

/// Closes the queue when the last `Hasher` goes, so the threads end.
struct Pool(Arc<Lanes<Job>>);

impl Drop for Pool {
    fn drop(&mut self) {
        self.0.close();
    }
}

#[derive(Clone)]
pub struct Hasher {
    params: Params,
    pool: Arc<Pool>,
    /// Verified in place of a missing user's hash, at the same cost.
    dummy: Arc<Zeroizing<String>>,
}

impl Hasher {
    /// Starts `workers` threads, each with its own Argon2 memory.
    pub fn new(cfg: &Argon2Config, workers: usize) -> Result<Self, HashError> {
        let params = Params::new(
            cfg.memory_kib,
            cfg.iterations,
            cfg.parallelism,
            Some(OUTPUT_LEN),
        )
        .map_err(|e| HashError::Params(e.to_string()))?;
        let mut scratch = vec![Block::default(); params.block_count()];
        let dummy = hash_with(&params, &mut scratch, "monban timing equaliser")?;
        drop(scratch);
        // Jobs are small and each connection has at most one in flight, so
        // the queue is bounded by the connection limit.
        let queue = Arc::new(Lanes::new());
        for n in 0..workers.max(1) {
            let queue = Arc::clone(&queue);
            let params = params.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || worker(&params, &queue))
                .map_err(|e| HashError::Hash(format!("cannot start a hashing thread: {e}")))?;
        }
        Ok(Self {
            params,
            pool: Arc::new(Pool(queue)),
            dummy: Arc::new(dummy),
        })
    }

    async fn submit(&self, lane: Lane, work: Work) -> Result<Done, HashError> {
        let (reply, answer) = oneshot::channel();
        if !self.pool.0.push(lane, Job { work, reply }) {
            return Err(HashError::PoolGone);
        }
        answer.await.map_err(|_| HashError::PoolGone)
    }

    /// A new Argon2id PHC string for `password`.
    pub async fn hash(&self, password: &Secret) -> Result<Zeroizing<String>, HashError> {
        match self
            .submit(Lane::High, Work::Hash(password.clone()))
            .await?
        {
            Done::Hashed(result) => result,
            Done::Verified(_) => Err(HashError::PoolGone),
        }
    }

    /// Whether `password` matches `stored`. Unknown formats never match.
    pub async fn verify(&self, stored: Zeroizing<String>, password: &Secret) -> bool {
        self.verify_in(Lane::High, stored, password).await
    }

    /// [`Hasher::verify`] for a login attempt, queued in `lane`.
    pub async fn verify_in(
        &self,
        lane: Lane,
        stored: Zeroizing<String>,
        password: &Secret,
    ) -> bool {
        matches!(
            self.submit(lane, Work::Verify(vec![stored], password.clone()))
                .await,
            Ok(Done::Verified(true))
        )
    }

    /// Checks `password` against every hash of `stored` (history checks),
    /// one after another on one worker.
    pub async fn matches_any(&self, stored: Vec<Zeroizing<String>>, password: &Secret) -> bool {
        matches!(
            self.submit(Lane::High, Work::Verify(stored, password.clone()))
                .await,
            Ok(Done::Verified(true))
        )
    }

    /// Spends the same time as verifying a real Argon2id hash, queued in
    /// `lane` like the attempt it stands in for.
    pub async fn waste_in(&self, lane: Lane, password: &Secret) {
        let dummy = Zeroizing::new(self.dummy.as_str().to_owned());
        let _ = self.verify_in(lane, dummy, password).await;
    }

    /// True when `stored` is not Argon2id with at least the current cost.
    pub fn needs_upgrade(&self, stored: &str) -> bool {
        weaker_than(stored, &self.params)
    }
}

/// True when the stored hash string is not Argon2id with at least the cost
/// of `params` (anything unparsable included).
pub fn weaker_than(stored: &str, params: &Params) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return true;
    };
    // Without a salt and an output it verifies nothing: never "strong".
    if parsed.algorithm.as_str() != "argon2id" || parsed.salt.is_none() || parsed.hash.is_none() {
        return true;
    }
    match Params::try_from(&parsed) {
        Ok(p) => {
            p.m_cost() < params.m_cost()
                || p.t_cost() < params.t_cost()
                || p.p_cost() < params.p_cost()
        }
        Err(_) => true,
    }
}

/// One hashing thread: takes jobs until the daemon drops the pool.
fn worker(params: &Params, queue: &Lanes<Job>) {
    let mut memory = vec![Block::default(); params.block_count()];
    while let Some(job) = queue.pop() {
        let done = match job.work {
            Work::Hash(password) => Done::Hashed(hash_with(params, &mut memory, password.expose())),
            Work::Verify(stored, password) => Done::Verified(
                stored
                    .iter()
                    .any(|h| verify_with(&mut memory, h, password.expose())),
            ),
        };
        // The area held password-derived state.
        memory.iter_mut().for_each(Zeroize::zeroize);
        let _ = job.reply.send(done);
    }
}

fn hash_with(
    params: &Params,
    memory: &mut [Block],
    password: &str,
) -> Result<Zeroizing<String>, HashError> {
    let fail = |e: &dyn std::fmt::Display| HashError::Hash(e.to_string());
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(|e| fail(&e))?;
    let mut out = Zeroizing::new([0u8; OUTPUT_LEN]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out[..], memory)
        .map_err(|e| fail(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| fail(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out[..]).map_err(|e| fail(&e))?),
    };
    Ok(Zeroizing::new(phc.to_string()))
}

/// Verifies a PHC Argon2 string in `memory` (grown for a stored hash that
/// asks for more, e.g. after `memory_kib` was lowered), or a crypt(3) hash.
fn verify_with(memory: &mut Vec<Block>, stored: &str, password: &str) -> bool {
    if !stored.starts_with("$argon2") {
        return crypt::verify(stored, password);
    }
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
        parsed.salt,
        parsed.hash,
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::V0x13,
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    let mut out = Zeroizing::new(vec![0u8; expected.len()]);
    let computed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password.as_bytes(),
        salt_bytes,
        &mut out,
        &mut memory[..],
    );
    computed.is_ok() && bool::from(out.as_slice().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use argon2::PasswordHasher;

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
        assert!(stored.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert!(h.verify(stored.clone(), &pw).await);
        assert!(!h.verify(stored, &Secret::new("wrong".into())).await);
        assert!(
            !h.verify(Zeroizing::new("garbage".into()), &pw).await,
            "an unknown format never matches"
        );
    }

    #[tokio::test]
    async fn hashes_made_elsewhere_verify_including_costlier_ones() {
        let h = Hasher::new(&cheap(), 1).unwrap();
        let pw = Secret::new("from another tool".into());
        let params = Params::new(256, 2, 2, None).unwrap();
        let salt = SaltString::generate(&mut OsRng);
        let foreign = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(pw.expose().as_bytes(), &salt)
            .unwrap()
            .to_string();
        assert!(h.verify(Zeroizing::new(foreign.clone()), &pw).await);
        assert!(
            !h.verify(Zeroizing::new(foreign), &Secret::new("x".into()))
                .await
        );
    }

    #[tokio::test]
    async fn history_matches_any_of_several() {
        let h = Hasher::new(&cheap(), 2).unwrap();
        let a = h.hash(&Secret::new("first".into())).await.unwrap();
        let b = h.hash(&Secret::new("second".into())).await.unwrap();
        assert!(
            h.matches_any(vec![a.clone(), b.clone()], &Secret::new("second".into()))
                .await
        );
        assert!(
            !h.matches_any(vec![a, b], &Secret::new("third".into()))
                .await
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
