//! Raw socket traffic, for what the protocol client would never send.

use std::io::Read;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use crate::Harness;

impl Harness {
    /// A raw connection to the socket, for malformed traffic.
    pub fn raw(&self) -> UnixStream {
        let s = UnixStream::connect(&self.socket).expect("connect to daemon socket");
        s.set_read_timeout(Some(Duration::from_secs(10))).ok();
        s.set_write_timeout(Some(Duration::from_secs(10))).ok();
        s
    }
}

/// A frame as the protocol writes it: 4-byte big-endian length + body.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut v = (body.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(body);
    v
}

/// Reads one frame body from a raw stream; None when the peer closed or
/// sent nothing in time. Replies may be up to `MAX_REPLY_LEN`.
pub fn read_raw_frame(s: &mut UnixStream) -> Option<Vec<u8>> {
    let mut len = [0u8; 4];
    s.read_exact(&mut len).ok()?;
    let n = u32::from_be_bytes(len) as usize;
    if n > monban_proto::MAX_REPLY_LEN {
        return None;
    }
    let mut body = vec![0u8; n];
    s.read_exact(&mut body).ok()?;
    Some(body)
}
