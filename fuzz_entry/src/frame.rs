//! Target `frame`: arbitrary bytes as a stream of request frames (as the
//! daemon reads them) and as a stream of reply frames (as clients do).

use monban_proto::{
    FrameError, MAX_FRAME_LEN, MAX_REPLY_LEN, Request, Response, check_len, read_frame, read_reply,
    write_frame,
};

use crate::alloc::largest_during;
use crate::request::round_trip_envelope;

/// Slack for the allocations a read makes besides the body itself.
const SLACK: usize = 64;

pub fn frame(data: &[u8]) {
    if let Ok(prefix) = <[u8; 4]>::try_from(data.get(..4).unwrap_or_default()) {
        // The async reader of the daemon checks the prefix with the same
        // function before it allocates.
        if let Ok(len) = check_len(prefix) {
            assert!((1..=MAX_FRAME_LEN).contains(&len));
        }
    }
    stream(data, MAX_FRAME_LEN, |body| {
        round_trip_envelope::<Request>(body);
    });
    stream(data, MAX_REPLY_LEN, |body| {
        round_trip_envelope::<Response>(body);
    });
}

/// Reads frames until the first error; each one must be within `limit`,
/// allocate no more than that, and be written back byte for byte.
fn stream(data: &[u8], limit: usize, each: impl Fn(&[u8])) {
    let mut rest = data;
    loop {
        let before = rest;
        let (read, largest) = largest_during(|| {
            if limit == MAX_FRAME_LEN {
                read_frame(&mut rest)
            } else {
                read_reply(&mut rest)
            }
        });
        assert!(
            largest <= limit + SLACK,
            "reading a frame allocated {largest} bytes (limit {limit})"
        );
        let body = match read {
            Ok(body) => body,
            Err(FrameError::TooLarge(n)) => {
                assert!(n > limit);
                return;
            }
            Err(_) => return,
        };
        assert!(!body.is_empty() && body.len() <= limit);
        let used = before.len() - rest.len();
        assert_eq!(used, 4 + body.len());
        let mut wire = Vec::new();
        assert!(write_frame(&mut wire, &body).is_ok());
        assert_eq!(wire.as_slice(), &before[..used]);
        each(&body);
    }
}
