//! The pure parsers of the `monban` tool, as a library so the fuzz targets
//! and their replay tests call the very code the binary runs.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod when;
