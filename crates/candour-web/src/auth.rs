//! Identity at the edge: argon2id passwords, random tokens stored as SHA-256 hashes, and the extractor
//! that turns a request's credentials into a [`Principal`].

use crate::error::ApiError;
use crate::AppState;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine;
use candour_core::identity::Principal;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Session cookie name.
pub const SESSION_COOKIE: &str = "candour_session";

/// Hash a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(format!("argon2: {e}")))
}

/// Check a password against a PHC string. Any malformed hash counts as a mismatch.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A new random token (256 bits, URL-safe base64) and its stored hash.
pub fn new_token() -> (String, String) {
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let hash = token_hash(&token);
    (token, hash)
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The caller, from `Authorization: Bearer <token>` (API token or session token) or the session cookie.
/// No credentials means [`Principal::Anonymous`]; credentials that do not match are refused, never
/// silently downgraded.
pub struct Caller(pub Principal);

/// A cookie from the request.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.split(';').find_map(|kv| {
                let (k, val) = kv.trim().split_once('=')?;
                (k == name).then(|| val.to_string())
            })
        })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap_or_default())
            .map(|v| v.strip_prefix("Bearer ").map(str::trim).map(str::to_string));
        let token = match bearer {
            Some(Some(t)) => Some(t),
            Some(None) => return Err(ApiError::Unauthorized("use 'Authorization: Bearer <token>'".into())),
            None => cookie(&parts.headers, SESSION_COOKIE),
        };
        let Some(token) = token else {
            return Ok(Caller(Principal::Anonymous));
        };
        let hash = token_hash(&token);
        let user = match state.store.user_by_api_token(&hash).await? {
            Some(u) => Some(u),
            None => state.store.user_by_session(&hash, chrono::Utc::now()).await?,
        };
        match user {
            Some(u) => Ok(Caller(u.principal())),
            None => Err(ApiError::Unauthorized(
                "the token or session is not valid (it may have expired)".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_secret() {
        let h = hash_password("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery staple", &h));
        assert!(!verify_password("Correct horse battery staple", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_unique_and_stored_hashed() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(ha, token_hash(&a));
        assert_ne!(ha, a);
    }
}
