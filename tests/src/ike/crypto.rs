//! Phase-1 cryptography of the one proposal: MODP-2048, HMAC-SHA2-256, AES-CBC-128.
//!
//! ```text
//!   initiator ──► crypto (this file) ──► RustCrypto (aes, cbc, hmac, sha2), crypto-bigint
//! ```
//!
//! RFC 2409 §5 for preshared keys: `SKEYID = prf(key, Ni_b | Nr_b)`, then `SKEYID_d`, `_a`,
//! `_e` chained from it with `g^xy` and the cookies; `HASH_I` and `HASH_R` over the public
//! values, cookies, the initiator's SA body and an ID body. Appendix B: the encryption key is
//! the head of `SKEYID_e` (32 bytes cover AES-128), the first IV is the head of
//! `hash(g^xi | g^xr)`, and every later IV is the last ciphertext block of the message before.
//! Everything secret here is wiped on drop.

// Untrusted bytes pass through here: no panicking shortcuts outside tests.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

use std::fmt;

use aes::Aes128;
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U2048};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

/// Length of a MODP-2048 public value or shared secret.
pub const MODP2048_LEN: usize = 256;
/// Length of the PRF output (HMAC-SHA2-256).
pub const PRF_LEN: usize = 32;
/// AES block (and IV) length.
pub const BLOCK_LEN: usize = 16;
/// AES-128 key length.
pub const KEY_LEN: usize = 16;

/// The MODP-2048 prime of RFC 3526 §3 (generator 2), big-endian hex.
const MODP2048_PRIME_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF",
);

/// Why a cryptographic step failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CryptoError {
    /// The operating system's random source failed.
    Random,
    /// The peer's public value is not in `2..=p-2` or not 256 bytes.
    PublicValue,
    /// A ciphertext that is empty or not whole blocks.
    CiphertextLength,
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CryptoError::Random => "the OS random source failed",
            CryptoError::PublicValue => {
                "the peer's Diffie-Hellman public value is not a valid MODP-2048 element"
            }
            CryptoError::CiphertextLength => "ciphertext is not whole AES blocks",
        })
    }
}

impl std::error::Error for CryptoError {}

/// Fills `out` from the operating system.
///
/// # Errors
///
/// [`CryptoError::Random`] when the OS source fails.
pub fn random(out: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(out).map_err(|_| CryptoError::Random)
}

fn modp2048_params() -> FixedMontyParams<{ U2048::LIMBS }> {
    let prime = U2048::from_be_hex(MODP2048_PRIME_HEX);
    // The constant is odd (it ends in 0xFF); `Odd::new` only rejects even numbers.
    let odd = Odd::new(prime).expect("the RFC 3526 prime is odd");
    FixedMontyParams::new_vartime(odd)
}

/// Our half of a MODP-2048 exchange: the secret exponent and `g^x mod p`.
pub struct DhSecret {
    exponent: Zeroizing<[u8; MODP2048_LEN]>,
    public: [u8; MODP2048_LEN],
}

impl fmt::Debug for DhSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DhSecret([secret elided])")
    }
}

impl DhSecret {
    /// A fresh exponent from the OS and its public value.
    ///
    /// # Errors
    ///
    /// [`CryptoError::Random`].
    pub fn generate() -> Result<DhSecret, CryptoError> {
        let mut exponent = Zeroizing::new([0u8; MODP2048_LEN]);
        random(exponent.as_mut())?;
        let params = modp2048_params();
        let mut x = U2048::from_be_slice(exponent.as_ref());
        let g = FixedMontyForm::new(&U2048::from_u8(2), &params);
        let public = g.pow(&x).retrieve().to_be_bytes();
        x.zeroize();
        let mut out = [0u8; MODP2048_LEN];
        out.copy_from_slice(public.as_ref());
        Ok(DhSecret {
            exponent,
            public: out,
        })
    }

    /// `g^x`, big-endian, padded to 256 bytes (the KE payload).
    #[must_use]
    pub fn public(&self) -> &[u8; MODP2048_LEN] {
        &self.public
    }

    /// `g^xy` from the peer's public value, padded to 256 bytes.
    ///
    /// # Errors
    ///
    /// [`CryptoError::PublicValue`] unless `peer` is 256 bytes holding a value in `2..=p-2`.
    pub fn shared(&self, peer: &[u8]) -> Result<Zeroizing<[u8; MODP2048_LEN]>, CryptoError> {
        if peer.len() != MODP2048_LEN {
            return Err(CryptoError::PublicValue);
        }
        let params = modp2048_params();
        let y = U2048::from_be_slice(peer);
        let p = U2048::from_be_hex(MODP2048_PRIME_HEX);
        let p_minus_1 = p.wrapping_sub(&U2048::ONE);
        if y <= U2048::ONE || y >= p_minus_1 {
            return Err(CryptoError::PublicValue);
        }
        let mut x = U2048::from_be_slice(self.exponent.as_ref());
        let shared = FixedMontyForm::new(&y, &params).pow(&x).retrieve();
        x.zeroize();
        let mut out = Zeroizing::new([0u8; MODP2048_LEN]);
        out.copy_from_slice(shared.to_be_bytes().as_ref());
        Ok(out)
    }
}

/// HMAC-SHA2-256 of the concatenation of `parts` under `key`.
#[must_use]
pub fn prf(key: &[u8], parts: &[&[u8]]) -> [u8; PRF_LEN] {
    // HMAC takes keys of any length, so this never fails; the fallback keeps it panic-free.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
        return [0; PRF_LEN];
    };
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// The keying material of one phase-1 SA.
pub struct Phase1Keys {
    skeyid: Zeroizing<[u8; PRF_LEN]>,
    skeyid_d: Zeroizing<[u8; PRF_LEN]>,
    skeyid_a: Zeroizing<[u8; PRF_LEN]>,
    enc_key: Zeroizing<[u8; KEY_LEN]>,
}

impl fmt::Debug for Phase1Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Phase1Keys([secret elided])")
    }
}

/// The public inputs of the key derivation and the two hashes.
#[derive(Debug, Clone, Copy)]
pub struct Transcript<'a> {
    /// Initiator's public value `g^xi`.
    pub gxi: &'a [u8],
    /// Responder's public value `g^xr`.
    pub gxr: &'a [u8],
    /// Initiator cookie.
    pub cky_i: &'a [u8; 8],
    /// Responder cookie.
    pub cky_r: &'a [u8; 8],
    /// The body of the initiator's SA payload (`SAi_b`).
    pub sai_b: &'a [u8],
}

impl Phase1Keys {
    /// Derives the keys for preshared-key authentication (RFC 2409 §5).
    #[must_use]
    pub fn derive(
        psk: &[u8],
        ni: &[u8],
        nr: &[u8],
        gxy: &[u8],
        cky_i: &[u8; 8],
        cky_r: &[u8; 8],
    ) -> Phase1Keys {
        let skeyid = Zeroizing::new(prf(psk, &[ni, nr]));
        let skeyid_d = Zeroizing::new(prf(skeyid.as_ref(), &[gxy, cky_i, cky_r, &[0]]));
        let skeyid_a = Zeroizing::new(prf(
            skeyid.as_ref(),
            &[skeyid_d.as_ref(), gxy, cky_i, cky_r, &[1]],
        ));
        let mut skeyid_e = Zeroizing::new(prf(
            skeyid.as_ref(),
            &[skeyid_a.as_ref(), gxy, cky_i, cky_r, &[2]],
        ));
        let mut enc_key = Zeroizing::new([0u8; KEY_LEN]);
        for (d, s) in enc_key.iter_mut().zip(skeyid_e.iter()) {
            *d = *s;
        }
        skeyid_e.zeroize();
        Phase1Keys {
            skeyid,
            skeyid_d,
            skeyid_a,
            enc_key,
        }
    }

    /// `HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)`.
    #[must_use]
    pub fn hash_i(&self, t: &Transcript<'_>, idii_b: &[u8]) -> [u8; PRF_LEN] {
        prf(
            self.skeyid.as_ref(),
            &[t.gxi, t.gxr, t.cky_i, t.cky_r, t.sai_b, idii_b],
        )
    }

    /// `HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)`.
    #[must_use]
    pub fn hash_r(&self, t: &Transcript<'_>, idir_b: &[u8]) -> [u8; PRF_LEN] {
        prf(
            self.skeyid.as_ref(),
            &[t.gxr, t.gxi, t.cky_r, t.cky_i, t.sai_b, idir_b],
        )
    }

    /// A fingerprint of `SKEYID_d` and `SKEYID_a` (first 8 bytes of their SHA-256), so that a
    /// test can tell two SAs' keys apart without seeing them.
    #[must_use]
    pub fn fingerprint(&self) -> [u8; 8] {
        let digest = Sha256::new()
            .chain_update(self.skeyid_d.as_ref())
            .chain_update(self.skeyid_a.as_ref())
            .finalize();
        let mut out = [0u8; 8];
        for (d, s) in out.iter_mut().zip(digest.iter()) {
            *d = *s;
        }
        out
    }

    /// Pads `plain` with zeros to whole blocks (1 to 16 bytes, as strongSwan does) and
    /// encrypts it with AES-128-CBC under `iv`.
    #[must_use]
    pub fn encrypt(&self, iv: &[u8; BLOCK_LEN], plain: &[u8]) -> Vec<u8> {
        let pad = BLOCK_LEN - plain.len() % BLOCK_LEN;
        let mut buf = Zeroizing::new(plain.to_vec());
        buf.resize(plain.len().saturating_add(pad), 0);
        let len = buf.len();
        let enc = cbc::Encryptor::<Aes128>::new((&*self.enc_key).into(), iv.into());
        // The buffer is whole blocks, so `NoPadding` cannot fail; an empty result stands in.
        enc.encrypt_padded::<NoPadding>(&mut buf, len)
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    }

    /// Decrypts a ciphertext of whole blocks with AES-128-CBC under `iv`.
    ///
    /// # Errors
    ///
    /// [`CryptoError::CiphertextLength`] for an empty ciphertext or one of partial blocks.
    pub fn decrypt(
        &self,
        iv: &[u8; BLOCK_LEN],
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(BLOCK_LEN) {
            return Err(CryptoError::CiphertextLength);
        }
        let mut buf = Zeroizing::new(ciphertext.to_vec());
        let dec = cbc::Decryptor::<Aes128>::new((&*self.enc_key).into(), iv.into());
        let len = dec
            .decrypt_padded::<NoPadding>(&mut buf)
            .map(<[u8]>::len)
            .map_err(|_| CryptoError::CiphertextLength)?;
        buf.truncate(len);
        Ok(buf)
    }
}

/// The first phase-1 IV: the head of `SHA-256(g^xi | g^xr)`.
#[must_use]
pub fn initial_iv(gxi: &[u8], gxr: &[u8]) -> [u8; BLOCK_LEN] {
    let digest = Sha256::new().chain_update(gxi).chain_update(gxr).finalize();
    let mut iv = [0u8; BLOCK_LEN];
    for (d, s) in iv.iter_mut().zip(digest.iter()) {
        *d = *s;
    }
    iv
}

/// The IV that follows a message: its last ciphertext block (zeros if it had none).
#[must_use]
pub fn next_iv(ciphertext: &[u8]) -> [u8; BLOCK_LEN] {
    let mut iv = [0u8; BLOCK_LEN];
    if let Some(start) = ciphertext.len().checked_sub(BLOCK_LEN)
        && let Some(last) = ciphertext.get(start..)
    {
        iv.copy_from_slice(last);
    }
    iv
}

/// Compares two byte strings in time that does not depend on where they differ.
#[must_use]
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffie_hellman_agrees_and_rejects_degenerate_values() {
        let a = DhSecret::generate().expect("random");
        let b = DhSecret::generate().expect("random");
        let ab = a.shared(b.public()).expect("valid");
        let ba = b.shared(a.public()).expect("valid");
        assert_eq!(ab.as_ref(), ba.as_ref());
        assert_ne!(a.public(), b.public());
        let mut one = [0u8; MODP2048_LEN];
        one[MODP2048_LEN - 1] = 1;
        assert_eq!(a.shared(&one).err(), Some(CryptoError::PublicValue));
        assert_eq!(
            a.shared(&[0xff; MODP2048_LEN]).err(),
            Some(CryptoError::PublicValue)
        );
        assert_eq!(a.shared(&[2; 10]).err(), Some(CryptoError::PublicValue));
    }

    #[test]
    fn prf_is_hmac_sha256() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let out = prf(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        let hex: String = out.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn cbc_round_trip_pads_like_strongswan() {
        let keys = Phase1Keys::derive(b"k", b"ni", b"nr", &[5; 256], &[1; 8], &[2; 8]);
        let iv = [9u8; BLOCK_LEN];
        for len in [0usize, 1, 15, 16, 17, 40] {
            let plain: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let c = keys.encrypt(&iv, &plain);
            assert_eq!(
                c.len(),
                (len / BLOCK_LEN + 1) * BLOCK_LEN,
                "1..16 pad bytes"
            );
            let p = keys.decrypt(&iv, &c).expect("whole blocks");
            assert_eq!(&p[..len], &plain[..]);
            assert!(p[len..].iter().all(|b| *b == 0));
        }
        assert_eq!(
            keys.decrypt(&iv, &[0; 15]).err(),
            Some(CryptoError::CiphertextLength)
        );
        assert_eq!(
            keys.decrypt(&iv, &[]).err(),
            Some(CryptoError::CiphertextLength)
        );
    }

    #[test]
    fn the_key_changes_every_derived_value() {
        let t = Transcript {
            gxi: &[1; 256],
            gxr: &[2; 256],
            cky_i: &[3; 8],
            cky_r: &[4; 8],
            sai_b: b"sa",
        };
        let a = Phase1Keys::derive(b"key-a", b"ni", b"nr", &[5; 256], t.cky_i, t.cky_r);
        let b = Phase1Keys::derive(b"key-b", b"ni", b"nr", &[5; 256], t.cky_i, t.cky_r);
        assert_ne!(a.hash_i(&t, b"id"), b.hash_i(&t, b"id"));
        assert_ne!(a.hash_r(&t, b"id"), a.hash_i(&t, b"id"));
        assert_ne!(a.fingerprint(), b.fingerprint());
    }
}
