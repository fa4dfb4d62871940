//! The originals compartment: by organisation policy (`keep_originals`), the report as typed and each
//! screenshot as uploaded are kept encrypted with AES-256-GCM under a key from configuration
//! (`CANDOUR_ORIGINALS_KEY`, 32 bytes in base64), which never reaches the database. Only the
//! organisation's CSO or an administrator may read them, and each read is audited. Without a key nothing
//! is kept, whatever the policy says: an original is never stored in the clear.

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use base64::Engine;
use candour_store::Sealed;
use sha2::{Digest, Sha256};

/// Additional data binding a sealed text to its purpose.
pub const TEXT_AAD: &[u8] = b"candour original: report as typed";
/// Additional data binding a sealed image to its purpose.
pub const IMAGE_AAD: &[u8] = b"candour original: screenshot as uploaded";

/// Encrypts and decrypts originals. `Debug` shows the key's id, never the key.
pub struct Sealer {
    cipher: Aes256Gcm,
    key_id: String,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sealer(key {})", self.key_id)
    }
}

/// Why an original could not be sealed or opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("the originals key must be 32 bytes in base64 (e.g. from `openssl rand -base64 32`)")]
    BadKey,
    #[error("this original was kept under another key ({0}); configure that key to read it")]
    OtherKey(String),
    #[error("this original could not be decrypted: it has been altered or the key is wrong")]
    Tampered,
}

impl Sealer {
    /// From the configured key (base64 of 32 bytes).
    pub fn from_base64(key: &str) -> Result<Sealer, SealError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(key.trim())
            .map_err(|_| SealError::BadKey)?;
        if bytes.len() != 32 {
            return Err(SealError::BadKey);
        }
        let key_id = hex::encode(
            &Sha256::new()
                .chain_update(b"candour originals key id")
                .chain_update(&bytes)
                .finalize()[..8],
        );
        Ok(Sealer {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes)),
            key_id,
        })
    }

    /// The key's id (a digest, safe to show and store).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Encrypt with a fresh random nonce.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Sealed, SealError> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher
            .encrypt(&nonce, Payload { msg: plaintext, aad })
            .map_err(|_| SealError::Tampered)?;
        Ok(Sealed {
            key_id: self.key_id.clone(),
            nonce: nonce.to_vec(),
            ciphertext,
        })
    }

    /// Decrypt, checking the key and the integrity of what was stored.
    pub fn open(&self, sealed: &Sealed, aad: &[u8]) -> Result<Vec<u8>, SealError> {
        if sealed.key_id != self.key_id {
            return Err(SealError::OtherKey(sealed.key_id.clone()));
        }
        if sealed.nonce.len() != 12 {
            return Err(SealError::Tampered);
        }
        self.cipher
            .decrypt(
                Nonce::from_slice(&sealed.nonce),
                Payload {
                    msg: &sealed.ciphertext,
                    aad,
                },
            )
            .map_err(|_| SealError::Tampered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // "0123456789abcdef0123456789abcdef"

    #[test]
    fn sealed_originals_open_only_with_their_key_purpose_and_untouched() {
        let s = Sealer::from_base64(KEY).unwrap();
        let sealed = s.seal(b"Mrs Jane Smith 943 476 5919", TEXT_AAD).unwrap();
        assert!(!sealed.ciphertext.windows(5).any(|w| w == b"Smith"), "not in the clear");
        assert_eq!(s.open(&sealed, TEXT_AAD).unwrap(), b"Mrs Jane Smith 943 476 5919");
        assert_ne!(
            s.seal(b"x", TEXT_AAD).unwrap().nonce,
            s.seal(b"x", TEXT_AAD).unwrap().nonce
        );
        assert_eq!(
            s.open(&sealed, IMAGE_AAD),
            Err(SealError::Tampered),
            "bound to its purpose"
        );
        let mut bad = sealed.clone();
        bad.ciphertext[0] ^= 1;
        assert_eq!(s.open(&bad, TEXT_AAD), Err(SealError::Tampered));
        let other = Sealer::from_base64("ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=").unwrap();
        assert!(matches!(other.open(&sealed, TEXT_AAD), Err(SealError::OtherKey(_))));
        assert!(!format!("{s:?}").contains(KEY));
        assert_eq!(Sealer::from_base64("c2hvcnQ=").unwrap_err(), SealError::BadKey);
        assert_eq!(Sealer::from_base64("not base64!").unwrap_err(), SealError::BadKey);
    }
}
