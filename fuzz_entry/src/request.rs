//! Target `request`: every request type decoded straight from bytes, and
//! the same bytes as a versioned envelope. What decodes must re-encode to
//! bytes that decode to the same value (compared by their encodings: the
//! wire types have no `PartialEq`, and secrets should not grow one).

use monban_proto::{
    AdminOp, CredentialKind, FrameError, PamContext, Request, Secret, ShadowEntry, decode,
    encode_reply,
};
use serde::{Serialize, de::DeserializeOwned};

pub fn request(data: &[u8]) {
    round_trip_envelope::<Request>(data);
    round_trip::<Request>(data);
    round_trip::<AdminOp>(data);
    round_trip::<PamContext>(data);
    round_trip::<CredentialKind>(data);
    round_trip::<ShadowEntry>(data);
    round_trip::<Secret>(data);
    round_trip::<Vec<ShadowEntry>>(data);
}

/// `data` as a bare JSON value of `T`.
fn round_trip<T: Serialize + DeserializeOwned>(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<T>(data) else {
        return;
    };
    let Ok(once) = serde_json::to_vec(&value) else {
        panic!("a decoded value does not encode");
    };
    let Ok(again) = serde_json::from_slice::<T>(&once) else {
        panic!("an encoded value does not decode");
    };
    let Ok(twice) = serde_json::to_vec(&again) else {
        panic!("a decoded value does not encode");
    };
    assert_eq!(once, twice, "decode(encode(x)) differs from x");
}

/// `body` as a frame body (`{"v":2,"msg":…}`) of `T`, through the
/// protocol's own `decode` and encoder.
pub(crate) fn round_trip_envelope<T: Serialize + DeserializeOwned>(body: &[u8]) {
    let value = match decode::<T>(body) {
        Ok(value) => value,
        Err(FrameError::Malformed(why)) => {
            // Error texts name a position, never the input.
            assert!(why.len() < 80, "{why}");
            return;
        }
        Err(_) => return,
    };
    // The reply limit: a request body re-encoded may grow (escapes).
    let Ok(once) = encode_reply(&value) else {
        panic!("a decoded message does not encode");
    };
    let Ok(again) = decode::<T>(&once) else {
        panic!("an encoded message does not decode");
    };
    let Ok(twice) = encode_reply(&again) else {
        panic!("a decoded message does not encode");
    };
    assert_eq!(*once, *twice, "decode(encode(x)) differs from x");
}
