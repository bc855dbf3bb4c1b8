//! The monban wire protocol, shared by the PAM module, the CLI and the daemon.
//!
//! Every message travels in a frame: a 4-byte big-endian length followed by
//! that many bytes of JSON. Each JSON body is an envelope carrying the
//! protocol version, so a mismatched peer gets a coded error instead of a
//! misread message.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod client;
mod error;
mod frame;
mod lookup;
mod names;
mod reply;
mod request;
mod secret;
mod server_identity;
mod shadow;

pub use client::{Client, ClientError, Timeouts};
pub use error::{ErrorCode, WireError};
pub use frame::{
    FrameError, MAX_FRAME_LEN, MAX_REPLY_LEN, check_len, decode, decode_with, encode, encode_reply,
    encode_reply_in, encode_request, read_frame, read_reply, write_frame,
};
pub use lookup::{GroupEntry, Lookup, LookupReply, PasswdEntry};
pub use monban_i18n::{Arg, Catalog, Catalogs, Lang, LangHint, Text};
pub use names::valid_name;
pub use reply::*;
pub use request::*;
pub use secret::{MAX_SECRET_LEN, Secret};
pub use server_identity::{DEFAULT_SERVER_USER, TrustedServer};
pub use shadow::parse_shadow_line;

/// Version spoken by this build; bumped on any incompatible change.
pub const PROTOCOL_VERSION: u16 = 2;

/// Where clients look for the daemon when nothing else is configured.
pub const DEFAULT_SOCKET: &str = "/run/monban/authd.sock";
