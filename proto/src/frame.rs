//! Length-prefixed frames with a hard size limit.

use std::io::{self, Read, Write};

use serde::{Serialize, de::DeserializeOwned};
use zeroize::Zeroizing;

use crate::PROTOCOL_VERSION;

/// Largest frame body either side accepts. A length above it is refused
/// before anything is allocated.
pub const MAX_FRAME_LEN: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("frame of {0} bytes exceeds the {MAX_FRAME_LEN}-byte limit")]
    TooLarge(usize),
    #[error("empty frame")]
    Empty,
    #[error("peer closed the connection")]
    Closed,
    #[error("malformed message: {0}")]
    Malformed(String),
    #[error("protocol version {0} is not supported (this side speaks {PROTOCOL_VERSION})")]
    Version(u16),
    #[error("i/o error: {0}")]
    Io(#[from] io::Error),
}

#[derive(serde::Serialize)]
struct EnvelopeOut<'a, T> {
    v: u16,
    msg: &'a T,
}

#[derive(serde::Deserialize)]
struct EnvelopeIn<T> {
    v: u16,
    msg: Option<T>,
}

/// Serialises a message into a frame body (wiped on drop: it may hold secrets).
pub fn encode<T: Serialize>(msg: &T) -> Result<Zeroizing<Vec<u8>>, FrameError> {
    let body = serde_json::to_vec(&EnvelopeOut {
        v: PROTOCOL_VERSION,
        msg,
    })
    .map_err(|e| FrameError::Malformed(e.to_string()))?;
    let body = Zeroizing::new(body);
    if body.len() > MAX_FRAME_LEN {
        return Err(FrameError::TooLarge(body.len()));
    }
    Ok(body)
}

/// Parses a frame body, checking the version before the message.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, FrameError> {
    #[derive(serde::Deserialize)]
    struct VersionOnly {
        v: u16,
    }
    let version: VersionOnly =
        serde_json::from_slice(body).map_err(|e| FrameError::Malformed(e.to_string()))?;
    if version.v != PROTOCOL_VERSION {
        return Err(FrameError::Version(version.v));
    }
    let env: EnvelopeIn<T> =
        serde_json::from_slice(body).map_err(|e| FrameError::Malformed(e.to_string()))?;
    debug_assert_eq!(env.v, PROTOCOL_VERSION);
    env.msg
        .ok_or_else(|| FrameError::Malformed("missing message".into()))
}

/// Writes one frame (length prefix and body in a single buffer).
pub fn write_frame<W: Write>(w: &mut W, body: &[u8]) -> Result<(), FrameError> {
    if body.is_empty() {
        return Err(FrameError::Empty);
    }
    if body.len() > MAX_FRAME_LEN {
        return Err(FrameError::TooLarge(body.len()));
    }
    let len = u32::try_from(body.len()).map_err(|_| FrameError::TooLarge(body.len()))?;
    let mut buf = Zeroizing::new(Vec::with_capacity(4 + body.len()));
    buf.extend_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(body);
    w.write_all(&buf)?;
    w.flush()?;
    Ok(())
}

/// Checks a length prefix; shared by the blocking and the async reader.
pub fn check_len(prefix: [u8; 4]) -> Result<usize, FrameError> {
    let len = u32::from_be_bytes(prefix) as usize;
    if len == 0 {
        return Err(FrameError::Empty);
    }
    if len > MAX_FRAME_LEN {
        return Err(FrameError::TooLarge(len));
    }
    Ok(len)
}

/// Reads one frame body. Refuses an oversized length without allocating it.
pub fn read_frame<R: Read>(r: &mut R) -> Result<Zeroizing<Vec<u8>>, FrameError> {
    let mut prefix = [0u8; 4];
    match r.read_exact(&mut prefix) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Err(FrameError::Closed),
        Err(e) => return Err(e.into()),
    }
    let len = check_len(prefix)?;
    let mut body = Zeroizing::new(vec![0u8; len]);
    r.read_exact(&mut body).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            FrameError::Malformed("truncated frame".into())
        } else {
            FrameError::Io(e)
        }
    })?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Request, Response};

    #[test]
    fn round_trip() {
        let req = Request::Status {
            user: Some("alice".into()),
            step_up: None,
        };
        let body = encode(&req).unwrap();
        let mut wire = Vec::new();
        write_frame(&mut wire, &body).unwrap();
        assert_eq!(&wire[..4], &(body.len() as u32).to_be_bytes());
        let back: Request = decode(&read_frame(&mut wire.as_slice()).unwrap()).unwrap();
        assert!(matches!(back, Request::Status { user: Some(u), .. } if u == "alice"));
    }

    #[test]
    fn oversized_length_is_refused_before_allocation() {
        let wire = u32::MAX.to_be_bytes();
        assert!(matches!(
            read_frame(&mut wire.as_slice()),
            Err(FrameError::TooLarge(n)) if n == u32::MAX as usize
        ));
        let just_over = ((MAX_FRAME_LEN + 1) as u32).to_be_bytes();
        assert!(matches!(
            read_frame(&mut just_over.as_slice()),
            Err(FrameError::TooLarge(_))
        ));
    }

    #[test]
    fn zero_length_and_truncation_are_errors() {
        assert!(matches!(
            read_frame(&mut [0u8; 4].as_slice()),
            Err(FrameError::Empty)
        ));
        let mut wire = 10u32.to_be_bytes().to_vec();
        wire.extend_from_slice(b"abc");
        assert!(matches!(
            read_frame(&mut wire.as_slice()),
            Err(FrameError::Malformed(_))
        ));
        assert!(matches!(
            read_frame(&mut [0u8, 0].as_slice()),
            Err(FrameError::Closed)
        ));
    }

    #[test]
    fn garbage_and_wrong_version_are_coded_errors() {
        assert!(matches!(
            decode::<Request>(b"\xff\xfe not json"),
            Err(FrameError::Malformed(_))
        ));
        assert!(matches!(
            decode::<Request>(br#"{"v":99,"msg":"ping"}"#),
            Err(FrameError::Version(99))
        ));
        assert!(matches!(
            decode::<Request>(br#"{"v":1,"msg":{"nonsense":1}}"#),
            Err(FrameError::Malformed(_))
        ));
    }

    #[test]
    fn writer_refuses_oversized_body() {
        let big = vec![b'x'; MAX_FRAME_LEN + 1];
        assert!(matches!(
            write_frame(&mut Vec::new(), &big),
            Err(FrameError::TooLarge(_))
        ));
    }

    #[test]
    fn responses_round_trip() {
        let resp = Response::Error(crate::WireError::new(
            crate::ErrorCode::PermissionDenied,
            "no",
        ));
        let back: Response = decode(&encode(&resp).unwrap()).unwrap();
        assert!(matches!(back, Response::Error(e) if e.code == crate::ErrorCode::PermissionDenied));
    }
}
