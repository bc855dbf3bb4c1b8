//! End-to-end harness: a real `monban-authd` in a scratch directory, real
//! libpam through `monban-pam-driver`, and the real `monban` CLI, optionally
//! run under another uid.
//!
//! Build everything first: `cargo build --workspace`, then
//! `cargo test -p monban-e2e`. The tests must run as root (they start the
//! daemon and drop children to `daemon` and `nobody`).
#![forbid(unsafe_code)]

mod cli;
mod clock;
mod db;
mod flood;
mod harness;
mod holder;
mod nss;
mod otp;
mod pam;
pub mod pg;
mod process;
mod raw;
mod setuid;
mod shadow;
pub mod smtp;
pub mod sshd;

pub use cli::{CliRun, user_entry, users_in};
pub use clock::{now, sleep_until};
pub use flood::{FloodPlan, FloodReport, flooder_main};
pub use harness::{
    Account, DAEMON, Harness, NOBODY, PROCESS_LIMIT, READY_LIMIT, artefact, bin_dir,
};
pub use holder::{HeldConnections, connection_holder_main};
pub use nss::NssNamespace;
pub use otp::{OtpEnrolment, fresh_step, totp};
pub use pam::{PamOutcome, PamRun, change_flow};
pub use process::{Output, Proc, run};
pub use raw::{frame, read_raw_frame};
pub use shadow::{system_crypt, today_days};
