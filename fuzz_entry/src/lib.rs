//! One plain function per fuzz target. The libFuzzer targets in `fuzz/`
//! and the stable replay test (`tests/replay.rs`) both call these, so the
//! committed corpora exercise exactly the code that was fuzzed. Each one
//! panics when an invariant breaks (that is how libFuzzer sees a finding);
//! the parsers they call must never panic.

pub mod alloc;
mod config;
mod dates;
mod frame;
mod request;
mod shadow;

pub use config::config;
pub use dates::durations_dates;
pub use frame::frame;
pub use request::request;
pub use shadow::shadow_hash;

/// A fuzz entry point.
pub type Entry = fn(&[u8]);

/// Each target by the name of its corpus directory, for the replay test.
pub const TARGETS: &[(&str, Entry)] = &[
    ("frame", frame),
    ("request", request),
    ("config", config),
    ("shadow_hash", shadow_hash),
    ("durations_dates", durations_dates),
];
