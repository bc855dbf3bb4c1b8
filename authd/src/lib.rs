//! The daemon's pure parts as a library: the rules, the hash-string checks
//! and crypt(3) verification. The binary uses them from here, and so do
//! the fuzz targets and their replay tests.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable
    )
)]

pub mod crypt;
pub mod hashing;
pub mod lanes;
pub mod rules;
