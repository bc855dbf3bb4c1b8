//! Length-prefixed frames with a hard size limit.

use std::io::{self, Read, Write};

use serde::{Serialize, de::DeserializeOwned};
use zeroize::Zeroizing;

use crate::PROTOCOL_VERSION;
use monban_i18n::{Lang, LangHint};

/// Largest request body the daemon accepts. A length above it is refused
/// before anything is allocated.
pub const MAX_FRAME_LEN: usize = 64 * 1024;

/// Largest reply body a client accepts: user lists and the audit trail
/// outgrow a request-sized frame long before they become a memory concern.
pub const MAX_REPLY_LEN: usize = 8 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("frame of {0} bytes exceeds the size limit")]
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

/// The envelope: the version, the language (a request's `LangHint`, the
/// `Lang` a reply was rendered in) and the message.
#[derive(serde::Serialize)]
struct EnvelopeOut<'a, T, L> {
    v: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    lang: Option<&'a L>,
    msg: &'a T,
}

#[derive(serde::Deserialize)]
struct EnvelopeIn<T, L> {
    v: u16,
    #[serde(default = "Option::default")]
    lang: Option<L>,
    msg: Option<T>,
}

/// Serialises a request into a frame body (wiped on drop: it may hold secrets).
pub fn encode<T: Serialize>(msg: &T) -> Result<Zeroizing<Vec<u8>>, FrameError> {
    encode_within::<T, LangHint>(msg, None, MAX_FRAME_LEN)
}

/// A request with what the client found about the reader's language.
pub fn encode_request<T: Serialize>(
    msg: &T,
    hint: &LangHint,
) -> Result<Zeroizing<Vec<u8>>, FrameError> {
    encode_within(msg, Some(hint), MAX_FRAME_LEN)
}

/// Serialises a reply, which may be larger than a request.
pub fn encode_reply<T: Serialize>(msg: &T) -> Result<Zeroizing<Vec<u8>>, FrameError> {
    encode_within::<T, Lang>(msg, None, MAX_REPLY_LEN)
}

/// A reply with the language its texts were rendered in.
pub fn encode_reply_in<T: Serialize>(
    msg: &T,
    lang: Lang,
) -> Result<Zeroizing<Vec<u8>>, FrameError> {
    encode_within(msg, Some(&lang), MAX_REPLY_LEN)
}

fn encode_within<T: Serialize, L: Serialize>(
    msg: &T,
    lang: Option<&L>,
    limit: usize,
) -> Result<Zeroizing<Vec<u8>>, FrameError> {
    let body = serde_json::to_vec(&EnvelopeOut {
        v: PROTOCOL_VERSION,
        lang,
        msg,
    })
    .map_err(|e| FrameError::Malformed(e.to_string()))?;
    let body = Zeroizing::new(body);
    if body.len() > limit {
        return Err(FrameError::TooLarge(body.len()));
    }
    Ok(body)
}

/// Describes a JSON error by kind and position only: serde's own text
/// quotes the offending value, which may be a password.
fn malformed(e: &serde_json::Error) -> FrameError {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "i/o error",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "unexpected message shape",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    FrameError::Malformed(format!("{kind} at line {} column {}", e.line(), e.column()))
}

/// Parses a frame body, checking the version before the message.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, FrameError> {
    decode_with::<T, serde::de::IgnoredAny>(body).map(|(msg, _)| msg)
}

/// Parses a frame body and its language (`LangHint` in a request, `Lang`
/// in a reply).
pub fn decode_with<T: DeserializeOwned, L: DeserializeOwned>(
    body: &[u8],
) -> Result<(T, Option<L>), FrameError> {
    #[derive(serde::Deserialize)]
    struct VersionOnly {
        v: u16,
    }
    let version: VersionOnly = serde_json::from_slice(body).map_err(|e| malformed(&e))?;
    if version.v != PROTOCOL_VERSION {
        return Err(FrameError::Version(version.v));
    }
    let env: EnvelopeIn<T, L> = serde_json::from_slice(body).map_err(|e| malformed(&e))?;
    debug_assert_eq!(env.v, PROTOCOL_VERSION);
    let msg = env
        .msg
        .ok_or_else(|| FrameError::Malformed("missing message".into()))?;
    Ok((msg, env.lang))
}

/// Writes one frame (length prefix and body in a single buffer).
pub fn write_frame<W: Write>(w: &mut W, body: &[u8]) -> Result<(), FrameError> {
    if body.is_empty() {
        return Err(FrameError::Empty);
    }
    if body.len() > MAX_REPLY_LEN {
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

/// Checks a request's length prefix; shared by the blocking and the async
/// reader.
pub fn check_len(prefix: [u8; 4]) -> Result<usize, FrameError> {
    check_len_within(prefix, MAX_FRAME_LEN)
}

fn check_len_within(prefix: [u8; 4], limit: usize) -> Result<usize, FrameError> {
    let len = u32::from_be_bytes(prefix) as usize;
    if len == 0 {
        return Err(FrameError::Empty);
    }
    if len > limit {
        return Err(FrameError::TooLarge(len));
    }
    Ok(len)
}

/// Reads one request frame. Refuses an oversized length without
/// allocating it.
pub fn read_frame<R: Read>(r: &mut R) -> Result<Zeroizing<Vec<u8>>, FrameError> {
    read_frame_within(r, MAX_FRAME_LEN)
}

/// Reads one reply frame (the larger limit).
pub fn read_reply<R: Read>(r: &mut R) -> Result<Zeroizing<Vec<u8>>, FrameError> {
    read_frame_within(r, MAX_REPLY_LEN)
}

fn read_frame_within<R: Read>(r: &mut R, limit: usize) -> Result<Zeroizing<Vec<u8>>, FrameError> {
    let mut prefix = [0u8; 4];
    match r.read_exact(&mut prefix) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Err(FrameError::Closed),
        Err(e) => return Err(e.into()),
    }
    let len = check_len_within(prefix, limit)?;
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
    fn the_language_travels_in_the_envelope() {
        let hint = LangHint {
            explicit: Some(Lang::Ja),
            ambient: None,
        };
        let body = encode_request(&Request::Ping, &hint).unwrap();
        let (req, got) = decode_with::<Request, LangHint>(&body).unwrap();
        assert!(matches!(req, Request::Ping));
        assert_eq!(got, Some(hint));
        let (_, none) = decode_with::<Request, LangHint>(&encode(&Request::Ping).unwrap()).unwrap();
        assert_eq!(none, None, "a request without a hint has none");
        let reply = encode_reply_in(&Response::Pong, Lang::Ja).unwrap();
        assert_eq!(
            decode_with::<Response, Lang>(&reply).unwrap().1,
            Some(Lang::Ja)
        );
    }

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
            decode::<Request>(br#"{"v":2,"msg":{"nonsense":1}}"#),
            Err(FrameError::Malformed(_))
        ));
    }

    #[test]
    fn malformed_messages_never_quote_their_contents() {
        let e =
            decode::<Request>(br#"{"v":2,"msg":{"auth_answer":"hunter2-secret"}}"#).unwrap_err();
        assert!(matches!(e, FrameError::Malformed(_)));
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[test]
    fn replies_may_exceed_the_request_limit() {
        let big = Response::Error(crate::WireError::new(
            crate::ErrorCode::Internal,
            monban_i18n::Text::new(&"x".repeat(MAX_FRAME_LEN * 2)),
        ));
        assert!(matches!(encode(&big), Err(FrameError::TooLarge(_))));
        let body = encode_reply(&big).unwrap();
        let mut wire = Vec::new();
        write_frame(&mut wire, &body).unwrap();
        assert!(matches!(
            read_frame(&mut wire.as_slice()),
            Err(FrameError::TooLarge(_))
        ));
        assert_eq!(read_reply(&mut wire.as_slice()).unwrap().len(), body.len());
    }

    #[test]
    fn writer_refuses_oversized_body() {
        let big = vec![b'x'; MAX_REPLY_LEN + 1];
        assert!(matches!(
            write_frame(&mut Vec::new(), &big),
            Err(FrameError::TooLarge(_))
        ));
    }

    #[test]
    fn responses_round_trip() {
        let resp = Response::Error(crate::WireError::new(
            crate::ErrorCode::PermissionDenied,
            monban_i18n::Text::new("daemon-busy"),
        ));
        let back: Response = decode(&encode(&resp).unwrap()).unwrap();
        assert!(matches!(back, Response::Error(e) if e.code == crate::ErrorCode::PermissionDenied));
    }
}
