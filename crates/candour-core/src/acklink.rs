//! Acknowledgement links: each message carries a link where a person at the destination records that
//! they have seen the report. The link names the message, expires, and is signed, so it cannot be forged
//! or altered; it is single use because a destination acknowledges once.
//!
//! Token: `<message id>.<expiry, unix seconds>.<hex HMAC-SHA256 of "ack:<id>:<expiry>">`.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// How long a link stays valid.
pub const VALID_FOR: Duration = Duration::days(30);

/// The placeholder messages carry until the delivery worker puts the real link in.
pub const PLACEHOLDER: &str = "{{ack_link}}";

fn mac(key: &[u8], id: Uuid, exp: i64) -> Option<Vec<u8>> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).ok()?;
    m.update(format!("ack:{id}:{exp}").as_bytes());
    Some(m.finalize().into_bytes().to_vec())
}

/// A token for message `id`, valid until `now + VALID_FOR`.
pub fn token(key: &[u8], id: Uuid, now: DateTime<Utc>) -> String {
    let exp = (now + VALID_FOR).timestamp();
    format!("{id}.{exp}.{}", hex::encode(mac(key, id, exp).unwrap_or_default()))
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Not a token, or a wrong signature.
    #[error("this acknowledgement link is not valid")]
    Invalid,
    /// Past its expiry.
    #[error("this acknowledgement link has expired; ask the sender for a new one")]
    Expired,
}

/// The message a token names, if it is genuine and unexpired.
pub fn verify(key: &[u8], token: &str, now: DateTime<Utc>) -> Result<Uuid, LinkError> {
    let mut parts = token.split('.');
    let (Some(id), Some(exp), Some(sig), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(LinkError::Invalid);
    };
    let id = Uuid::parse_str(id).map_err(|_| LinkError::Invalid)?;
    let exp: i64 = exp.parse().map_err(|_| LinkError::Invalid)?;
    let sig = hex::decode(sig).map_err(|_| LinkError::Invalid)?;
    let mut m = Hmac::<Sha256>::new_from_slice(key).map_err(|_| LinkError::Invalid)?;
    m.update(format!("ack:{id}:{exp}").as_bytes());
    m.verify_slice(&sig).map_err(|_| LinkError::Invalid)?;
    if now.timestamp() > exp {
        return Err(LinkError::Expired);
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genuine_links_verify_and_forgeries_and_old_links_do_not() {
        let id = Uuid::now_v7();
        let now = Utc::now();
        let t = token(b"key", id, now);
        assert_eq!(verify(b"key", &t, now), Ok(id));
        assert_eq!(verify(b"other key", &t, now), Err(LinkError::Invalid));
        let other = Uuid::now_v7();
        let forged = t.replacen(&id.to_string(), &other.to_string(), 1);
        assert_eq!(verify(b"key", &forged, now), Err(LinkError::Invalid));
        let parts: Vec<&str> = t.split('.').collect();
        let extended = format!("{}.{}.{}", parts[0], parts[1].parse::<i64>().unwrap() + 86400, parts[2]);
        assert_eq!(
            verify(b"key", &extended, now),
            Err(LinkError::Invalid),
            "expiry is signed"
        );
        assert_eq!(
            verify(b"key", &t, now + VALID_FOR + Duration::seconds(1)),
            Err(LinkError::Expired)
        );
        assert_eq!(verify(b"key", "nonsense", now), Err(LinkError::Invalid));
    }
}
