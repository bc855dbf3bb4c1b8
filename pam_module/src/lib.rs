//! pam_monban: the PAM module of monban. Every check is handed to
//! monban-authd over its Unix socket; see `logic` for what each hook does.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable
    )
)]
#![deny(unsafe_code)]

mod args;
// The libpam glue: the only place allowed `unsafe`.
#[allow(unsafe_code)]
mod ffi;
mod log;
mod logic;

use ffi::PamMonban;

pam::pam_hooks!(PamMonban);
