//! Mutual CHAP for an HBA's login engine (SPEC §5): challenges, checks, refusals.
//!
//! ```text
//!   login engine (any IRQL ≤ DISPATCH_LEVEL)              host (PASSIVE_LEVEL only)
//!     │ Reader::chap_secret(&mut ChapSecretBuffer)          │ seed at start, reseed when due,
//!     │ respond / begin_mutual / MutualChap::verify         │ from the platform's random source
//!   ┌─▼─────────────────────────────────────────────────────▼──────────────────┐
//!   │ chap (this file): the SPEC §5 rules; MD5 responses per RFC 1994          │
//!   │   generator: ChaCha20 DRBG ─┐                                            │
//!   │   slots: our outstanding    ├─ both behind one short spin lock           │
//!   │          challenges ────────┘                                            │
//!   └──────────────────────────────────────────────────────────────────────────┘
//! ```
//!
//! # The exchange (RFC 7143 §12.1.3) and where each call goes
//!
//! ```text
//!   initiator                                    target
//!   AuthMethod=CHAP                 ───────────►
//!                                   ◄─────────── AuthMethod=CHAP
//!   CHAP_A=5                        ───────────►
//!                                   ◄─────────── CHAP_A=5 CHAP_I=i CHAP_C=c
//!   one-way:  respond(i, c, per-target secret)          → CHAP_R
//!   mutual:   begin_mutual(i, c, per-target secret, initiator secret)
//!                                                       → CHAP_R, and our CHAP_I, CHAP_C
//!   CHAP_N=… CHAP_R=… [CHAP_I=… CHAP_C=…] ─────►
//!                                   ◄─────────── CHAP_N=… CHAP_R=…   (mutual only)
//!   mutual:   MutualChap::verify(CHAP_N, CHAP_R, initiator secret) → go on, or close
//! ```
//!
//! A response is `MD5(CHAP_I ‖ secret ‖ CHAP_C)` (RFC 1994 §4.1, the form RFC 7143 uses). The
//! per-target ("outgoing") secret answers the target; the initiator CHAP secret of method 71
//! is what the target's answer to our challenge must be made with.
//!
//! # Refusals (SPEC §5), in the order they are checked
//!
//! - no initiator secret is set ([`ChapRefusal::NoInitiatorSecret`]);
//! - the initiator secret is under 12 bytes and the connection is not IPsec-protected
//!   ([`ChapRefusal::ShortSecretWithoutIpsec`]): refused before it is used at all;
//! - both directions share one secret ([`ChapRefusal::SharedSecret`]): refused before use when
//!   the two secrets we hold are equal, and when the target's response equals what our
//!   per-target secret gives (the target answers with the secret we answer it with);
//! - the target's challenge equals one we have outstanding on another connection
//!   ([`ChapRefusal::Reflection`]), checked before we answer it, one-way or mutual;
//! - the target's answer is not made with the initiator secret ([`ChapRefusal::Mismatch`],
//!   constant-time compare); `CHAP_N` is required but not matched against any name (Windows
//!   configures no expected target name).
//!
//! We never send a challenge equal to the target's: a draw that equals it is drawn again.
//!
//! # Design: the generator and the slot table
//!
//! The two parts that are not lookups of stored state:
//!
//! - **Challenges come from a generator in the core**, a ChaCha20 DRBG (`chacha20`'s
//!   `ChaCha20Rng`, RustCrypto), seeded when the authenticator is made and reseeded by the host,
//!   both at `PASSIVE_LEVEL` from the platform's random source. The kernel's system RNG
//!   (`BCryptGenRandom`, system-preferred provider) is `PASSIVE_LEVEL` only, and a login engine
//!   makes its challenge where the target's PDU arrives, often at `DISPATCH_LEVEL`. Reseeding
//!   mixes fresh bytes into the key; after [`ChapConfig::reseed_interval`] challenges without a
//!   reseed, logins are refused ([`ChapRefusal::ReseedRequired`]);
//!   [`ChapAuthenticator::reseed_due`] turns true halfway there. See `chap/generator.rs`.
//! - **Outstanding challenges live in a bounded table**, [`ChapConfig::max_logins`] slots
//!   allocated once, one per mutual login in progress, which any processor reads and writes
//!   under one short spin lock (held for a slot scan and one ChaCha20 block; nothing is called
//!   out of this module while it is held). A full table refuses a new login
//!   ([`ChapRefusal::TableFull`]). The slot belongs to the [`MutualChap`] value: `verify`
//!   consumes it and dropping it (an abandoned login) frees the slot. See `chap/slots.rs`.
//!
//! # IRQL and locking
//!
//! Nothing on the login path allocates or blocks for longer than the spin lock. The
//! authenticator owns the adapter's [`Platform`] and takes the lock only inside
//! [`Platform::read`], which in the kernel raises to `DISPATCH_LEVEL` for the section (as
//! `KeAcquireSpinLock` does), so a holder is never preempted on its own processor by another
//! caller that would then spin on it forever. [`ChapAuthenticator::respond`],
//! [`ChapAuthenticator::begin_mutual`], [`MutualChap::verify`] and dropping a [`MutualChap`]
//! may therefore be called at any IRQL up to `DISPATCH_LEVEL`, from a worker thread or a DPC.
//! [`ChapAuthenticator::new`] and [`ChapAuthenticator::reseed`] call the platform's random
//! source and run at `PASSIVE_LEVEL`.
//!
//! # The initiator secret
//!
//! It is read the way the IKE path reads keys: the caller copies it into a [`ChapSecretBuffer`]
//! it owns with [`crate::Reader::chap_secret`] (or [`crate::Provider::chap_secret`]) and passes
//! the buffer. A read that misses (no secret, or the provider stopped) leaves the buffer empty,
//! which the checks here refuse as "no secret set".

mod generator;
mod slots;

use core::fmt;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use md5::{Digest, Md5};
use spin::Mutex;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::lookup::ChapSecretBuffer;
use crate::platform::{Platform, RandomError};
use crate::secret::MIN_CHAP_SECRET_LEN_WITHOUT_IPSEC;

use generator::Generator;
pub use generator::SEED_LEN;
use slots::{Outstanding, Slots};

/// `CHAP_A` value for MD5 (RFC 7143 §12.1.3), the only algorithm here.
pub const CHAP_A_MD5: u8 = 5;
/// Length of an MD5 CHAP response.
pub const RESPONSE_LEN: usize = 16;
/// Length of the challenges we send: 128 bits, as long as the MD5 response. RFC 1994 asks for
/// challenges that are unique and unpredictable; 128 random bits never repeat in practice.
/// Targets accept any length from 1 to 1024 (tgtd checks exactly that).
pub const CHALLENGE_LEN: usize = 16;
/// Longest challenge a target may send us (RFC 7143 §12.1.3: 1024 binary bytes).
pub const MAX_TARGET_CHALLENGE_LEN: usize = 1024;
/// Default [`ChapConfig::max_logins`].
pub const DEFAULT_MAX_LOGINS: usize = 64;
/// Default [`ChapConfig::reseed_interval`].
pub const DEFAULT_RESEED_INTERVAL: u32 = 1 << 16;
/// How many times a challenge equal to the target's is drawn again before giving up (a
/// working generator never needs a second try).
const MAX_DRAWS: usize = 4;

/// Settings of an adapter's CHAP authenticator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChapConfig {
    /// Mutual-CHAP logins that may be in progress at once (slots in the challenge table).
    pub max_logins: usize,
    /// Challenges drawn after a (re)seed before the generator refuses to draw again.
    pub reseed_interval: u32,
}

impl Default for ChapConfig {
    fn default() -> ChapConfig {
        ChapConfig {
            max_logins: DEFAULT_MAX_LOGINS,
            reseed_interval: DEFAULT_RESEED_INTERVAL,
        }
    }
}

/// Whether the connection a login runs on is protected by IPsec (SPEC §5: a secret under 12
/// bytes may only be used on one that is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionSecurity {
    /// Plain TCP.
    Cleartext,
    /// The connection runs inside an IPsec security association.
    Ipsec,
}

/// The target's `CHAP_I` and `CHAP_C`, decoded.
#[derive(Debug, Clone, Copy)]
pub struct TargetChallenge<'a> {
    /// `CHAP_I`.
    pub identifier: u8,
    /// `CHAP_C`, the binary value.
    pub challenge: &'a [u8],
}

/// The target's answer to our challenge: `CHAP_N` and `CHAP_R`, decoded.
#[derive(Debug, Clone, Copy)]
pub struct TargetAnswer<'a> {
    /// `CHAP_N`, `None` when the target sent none.
    pub name: Option<&'a [u8]>,
    /// `CHAP_R`, the binary value.
    pub response: &'a [u8],
}

/// Why a CHAP step was refused. Every refusal aborts the login: the caller closes the
/// connection. Messages never contain secret bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChapRefusal {
    /// No initiator CHAP secret is set (method 71 never called, or called with size 0, or
    /// `ClearCache`), so the target cannot be authenticated.
    NoInitiatorSecret,
    /// The initiator CHAP secret is under 12 bytes and the connection is not IPsec-protected.
    ShortSecretWithoutIpsec,
    /// No per-target secret to answer the target's challenge with.
    NoOutgoingSecret,
    /// Both directions share one secret (RFC 7143 §9.2.1 forbids it).
    SharedSecret,
    /// The target's challenge equals one of ours still outstanding on another connection.
    Reflection,
    /// Every slot of the challenge table holds a login in progress.
    TableFull,
    /// The challenge generator waits for a reseed at `PASSIVE_LEVEL`.
    ReseedRequired,
    /// The generator kept producing the target's challenge (not seen with a working one).
    GeneratorFailure,
    /// The target's challenge is empty or longer than 1024 bytes.
    BadChallenge,
    /// The target's answer has no (or an empty) `CHAP_N`.
    MissingName,
    /// The target's `CHAP_R` is not 16 bytes.
    BadResponse,
    /// The target's `CHAP_R` is not made with the initiator secret.
    Mismatch,
}

impl fmt::Display for ChapRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChapRefusal::NoInitiatorSecret => {
                "no initiator CHAP secret is set (SetCHAPSharedSecret): cannot authenticate \
                 the target"
            }
            ChapRefusal::ShortSecretWithoutIpsec => {
                "the initiator CHAP secret is under 12 bytes and the connection has no IPsec"
            }
            ChapRefusal::NoOutgoingSecret => "no CHAP secret for this target",
            ChapRefusal::SharedSecret => {
                "the target and the initiator use the same CHAP secret in both directions"
            }
            ChapRefusal::Reflection => {
                "the target's challenge is one we sent on another connection (reflection)"
            }
            ChapRefusal::TableFull => "too many CHAP logins in progress (challenge table full)",
            ChapRefusal::ReseedRequired => "the CHAP challenge generator needs a reseed",
            ChapRefusal::GeneratorFailure => "the CHAP challenge generator failed",
            ChapRefusal::BadChallenge => "the target's CHAP challenge is empty or too long",
            ChapRefusal::MissingName => "the target's CHAP answer has no CHAP_N",
            ChapRefusal::BadResponse => "the target's CHAP_R is not an MD5 response",
            ChapRefusal::Mismatch => "the target's CHAP response does not verify",
        })
    }
}

/// Why an authenticator could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChapSetupError {
    /// The slot table could not be allocated.
    OutOfMemory,
    /// The platform's random source failed.
    Random(RandomError),
}

impl fmt::Display for ChapSetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChapSetupError::OutOfMemory => f.write_str("no memory for the CHAP challenge table"),
            ChapSetupError::Random(e) => write!(f, "cannot seed the CHAP challenge generator: {e}"),
        }
    }
}

impl core::error::Error for ChapSetupError {}

/// An MD5 CHAP response (16 bytes, sent in clear). Deliberately not `PartialEq`: responses
/// are compared in constant time inside this module only.
#[derive(Clone)]
pub struct ChapResponse([u8; RESPONSE_LEN]);

impl ChapResponse {
    /// The 16 response bytes, as `CHAP_R` carries them.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; RESPONSE_LEN] {
        &self.0
    }
}

impl fmt::Debug for ChapResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ChapResponse(..)")
    }
}

/// `MD5(identifier ‖ secret ‖ challenge)`: the CHAP response of RFC 1994 §4.1.
#[must_use]
pub fn md5_response(identifier: u8, secret: &[u8], challenge: &[u8]) -> ChapResponse {
    ChapResponse(md5_raw(identifier, secret, challenge))
}

fn md5_raw(identifier: u8, secret: &[u8], challenge: &[u8]) -> [u8; RESPONSE_LEN] {
    // The hasher saw the secret; md-5's `zeroize` feature wipes its state on drop.
    let mut hasher = Md5::new();
    hasher.update([identifier]);
    hasher.update(secret);
    hasher.update(challenge);
    hasher.finalize().into()
}

/// One adapter's CHAP state: the challenge generator and the table of outstanding challenges,
/// on the adapter's platform (whose read-side sections guard the lock; see the module's
/// "IRQL and locking"). `Send + Sync`; share it by reference between the connections of an
/// adapter.
pub struct ChapAuthenticator<P: Platform> {
    platform: P,
    capacity: usize,
    inner: Mutex<Inner>,
    /// Slots in use, written under the lock, read without it (diagnostics at any IRQL).
    in_progress: AtomicUsize,
    /// The generator's `reseed_due`, written under the lock, read without it.
    reseed_due: AtomicBool,
}

struct Inner {
    generator: Generator,
    slots: Slots,
}

impl<P: Platform> ChapAuthenticator<P> {
    /// Makes the authenticator on `platform`: allocates `config.max_logins` slots and seeds the
    /// generator with [`SEED_LEN`] bytes from the platform's secure random source
    /// ([`Platform::fill_random`]). `PASSIVE_LEVEL`, like the random source.
    ///
    /// # Errors
    ///
    /// [`ChapSetupError::OutOfMemory`] if the table cannot be allocated,
    /// [`ChapSetupError::Random`] if the random source fails.
    pub fn new(config: ChapConfig, platform: P) -> Result<ChapAuthenticator<P>, ChapSetupError> {
        let slots =
            Slots::with_capacity(config.max_logins).map_err(|_| ChapSetupError::OutOfMemory)?;
        let mut seed = Zeroizing::new([0u8; SEED_LEN]);
        platform
            .fill_random(seed.as_mut_slice())
            .map_err(ChapSetupError::Random)?;
        let generator = Generator::new(&mut seed, config.reseed_interval);
        Ok(ChapAuthenticator {
            platform,
            capacity: slots.capacity(),
            inner: Mutex::new(Inner { generator, slots }),
            in_progress: AtomicUsize::new(0),
            reseed_due: AtomicBool::new(false),
        })
    }

    /// Mixes [`SEED_LEN`] fresh bytes from the platform's random source into the generator
    /// and restarts its reseed count. `PASSIVE_LEVEL`; the source is called before the lock is
    /// taken.
    ///
    /// # Errors
    ///
    /// [`RandomError`] when the source fails; the generator is then unchanged.
    pub fn reseed(&self) -> Result<(), RandomError> {
        let mut fresh = Zeroizing::new([0u8; SEED_LEN]);
        self.platform.fill_random(fresh.as_mut_slice())?;
        self.locked(|inner| {
            inner.generator.reseed(&mut fresh);
            self.reseed_due
                .store(inner.generator.reseed_due(), Ordering::Relaxed);
        });
        Ok(())
    }

    /// Runs `f` on the generator and the slots: the lock is taken, and held, only inside a
    /// read-side section of the platform (`DISPATCH_LEVEL` in the kernel). Every use of the
    /// lock goes through here.
    fn locked<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        self.platform.read(|| f(&mut self.inner.lock()))
    }

    /// True when the host should call [`ChapAuthenticator::reseed`] (half the reseed interval
    /// is used up). Takes no lock: any IRQL.
    #[must_use]
    pub fn reseed_due(&self) -> bool {
        self.reseed_due.load(Ordering::Relaxed)
    }

    /// Slots in the challenge table ([`ChapConfig::max_logins`]).
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Mutual-CHAP logins in progress (slots in use). Takes no lock: any IRQL.
    #[must_use]
    pub fn in_progress(&self) -> usize {
        self.in_progress.load(Ordering::Relaxed)
    }

    /// One-way CHAP: answers the target's challenge with the per-target secret
    /// (`outgoing_secret`), after checking it is not one of our outstanding challenges.
    ///
    /// # Errors
    ///
    /// [`ChapRefusal::NoOutgoingSecret`], [`ChapRefusal::BadChallenge`],
    /// [`ChapRefusal::Reflection`].
    pub fn respond(
        &self,
        target: &TargetChallenge<'_>,
        outgoing_secret: &[u8],
    ) -> Result<ChapResponse, ChapRefusal> {
        if outgoing_secret.is_empty() {
            return Err(ChapRefusal::NoOutgoingSecret);
        }
        check_target_challenge(target.challenge)?;
        if self.locked(|inner| inner.slots.holds(target.challenge)) {
            return Err(ChapRefusal::Reflection);
        }
        Ok(md5_response(
            target.identifier,
            outgoing_secret,
            target.challenge,
        ))
    }

    /// Mutual CHAP: checks the secrets and the target's challenge, takes a slot, makes our
    /// challenge and answers the target's. Send [`MutualChap::response`] as `CHAP_R` and
    /// [`MutualChap::identifier`], [`MutualChap::challenge`] as `CHAP_I`, `CHAP_C`; then pass
    /// the target's answer to [`MutualChap::verify`]. Dropping the value instead (an abandoned
    /// login) frees the slot.
    ///
    /// `initiator_secret` is the buffer the caller filled from the provider; an empty one
    /// means no secret is set.
    ///
    /// # Errors
    ///
    /// In this order: [`ChapRefusal::NoInitiatorSecret`],
    /// [`ChapRefusal::ShortSecretWithoutIpsec`], [`ChapRefusal::NoOutgoingSecret`],
    /// [`ChapRefusal::SharedSecret`] (the two secrets are equal), [`ChapRefusal::BadChallenge`],
    /// [`ChapRefusal::Reflection`], [`ChapRefusal::TableFull`], [`ChapRefusal::ReseedRequired`],
    /// [`ChapRefusal::GeneratorFailure`]. Nothing is held after a refusal.
    pub fn begin_mutual<'a>(
        &'a self,
        target: &TargetChallenge<'_>,
        outgoing_secret: &[u8],
        initiator_secret: &ChapSecretBuffer,
        security: ConnectionSecurity,
    ) -> Result<MutualChap<'a, P>, ChapRefusal> {
        check_secrets(initiator_secret.expose_secret(), outgoing_secret, security)?;
        check_target_challenge(target.challenge)?;
        let (slot, ours) = self.locked(|inner| {
            if inner.slots.holds(target.challenge) {
                return Err(ChapRefusal::Reflection);
            }
            let slot = inner.slots.free_slot().ok_or(ChapRefusal::TableFull)?;
            let drawn = inner.fresh_challenge(target.challenge);
            self.reseed_due
                .store(inner.generator.reseed_due(), Ordering::Relaxed);
            let ours = drawn?;
            inner.slots.put(slot, ours);
            self.in_progress.fetch_add(1, Ordering::Relaxed);
            Ok((slot, ours))
        })?;
        Ok(MutualChap {
            authenticator: self,
            slot,
            ours,
            security,
            response: md5_response(target.identifier, outgoing_secret, target.challenge),
        })
    }

    fn release(&self, slot: usize) {
        self.locked(|inner| {
            inner.slots.release(slot);
            self.in_progress.fetch_sub(1, Ordering::Relaxed);
        });
    }
}

impl Inner {
    /// Draws `CHAP_I` and a `CHAP_C` that differs from the target's challenge.
    fn fresh_challenge(&mut self, theirs: &[u8]) -> Result<Outstanding, ChapRefusal> {
        for _ in 0..MAX_DRAWS {
            let mut bytes = [0u8; 1 + CHALLENGE_LEN];
            self.generator
                .draw(&mut bytes)
                .map_err(|_| ChapRefusal::ReseedRequired)?;
            let [identifier, challenge @ ..] = bytes;
            if challenge.as_slice() != theirs {
                return Ok(Outstanding {
                    identifier,
                    challenge,
                });
            }
        }
        Err(ChapRefusal::GeneratorFailure)
    }
}

impl<P: Platform> fmt::Debug for ChapAuthenticator<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChapAuthenticator")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

/// A mutual-CHAP login in progress: owns one slot of the challenge table until
/// [`MutualChap::verify`] consumes it or it is dropped.
pub struct MutualChap<'a, P: Platform> {
    authenticator: &'a ChapAuthenticator<P>,
    slot: usize,
    ours: Outstanding,
    security: ConnectionSecurity,
    response: ChapResponse,
}

impl<P: Platform> MutualChap<'_, P> {
    /// Our answer to the target's challenge (`CHAP_R`, made with the per-target secret).
    #[must_use]
    pub fn response(&self) -> &ChapResponse {
        &self.response
    }

    /// Our `CHAP_I`.
    #[must_use]
    pub fn identifier(&self) -> u8 {
        self.ours.identifier
    }

    /// Our `CHAP_C`.
    #[must_use]
    pub fn challenge(&self) -> &[u8; CHALLENGE_LEN] {
        &self.ours.challenge
    }

    /// Checks the target's answer to our challenge and frees the slot, whatever the outcome.
    /// `initiator_secret` and `outgoing_secret` are checked again as in
    /// [`ChapAuthenticator::begin_mutual`] (the secret may have been changed or cleared since).
    ///
    /// # Errors
    ///
    /// In this order: the secret refusals of [`ChapAuthenticator::begin_mutual`],
    /// [`ChapRefusal::MissingName`], [`ChapRefusal::BadResponse`],
    /// [`ChapRefusal::SharedSecret`] (the answer is made with our per-target secret),
    /// [`ChapRefusal::Mismatch`]. Responses are compared in constant time.
    pub fn verify(
        self,
        answer: &TargetAnswer<'_>,
        initiator_secret: &ChapSecretBuffer,
        outgoing_secret: &[u8],
    ) -> Result<(), ChapRefusal> {
        let initiator = initiator_secret.expose_secret();
        check_secrets(initiator, outgoing_secret, self.security)?;
        if answer.name.is_none_or(<[u8]>::is_empty) {
            return Err(ChapRefusal::MissingName);
        }
        if answer.response.len() != RESPONSE_LEN {
            return Err(ChapRefusal::BadResponse);
        }
        let (id, challenge) = (self.ours.identifier, &self.ours.challenge);
        let shared = Zeroizing::new(md5_raw(id, outgoing_secret, challenge));
        if bool::from(answer.response.ct_eq(shared.as_slice())) {
            return Err(ChapRefusal::SharedSecret);
        }
        let expected = Zeroizing::new(md5_raw(id, initiator, challenge));
        if bool::from(answer.response.ct_eq(expected.as_slice())) {
            Ok(())
        } else {
            Err(ChapRefusal::Mismatch)
        }
    }
}

impl<P: Platform> Drop for MutualChap<'_, P> {
    fn drop(&mut self) {
        self.authenticator.release(self.slot);
    }
}

impl<P: Platform> fmt::Debug for MutualChap<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MutualChap")
            .field("slot", &self.slot)
            .field("security", &self.security)
            .finish_non_exhaustive()
    }
}

fn check_secrets(
    initiator: &[u8],
    outgoing: &[u8],
    security: ConnectionSecurity,
) -> Result<(), ChapRefusal> {
    if initiator.is_empty() {
        return Err(ChapRefusal::NoInitiatorSecret);
    }
    if security == ConnectionSecurity::Cleartext
        && initiator.len() < MIN_CHAP_SECRET_LEN_WITHOUT_IPSEC
    {
        return Err(ChapRefusal::ShortSecretWithoutIpsec);
    }
    if outgoing.is_empty() {
        return Err(ChapRefusal::NoOutgoingSecret);
    }
    // Lengths are not secret; `ct_eq` on slices of different lengths answers false at once.
    if bool::from(initiator.ct_eq(outgoing)) {
        return Err(ChapRefusal::SharedSecret);
    }
    Ok(())
}

fn check_target_challenge(challenge: &[u8]) -> Result<(), ChapRefusal> {
    if challenge.is_empty() || challenge.len() > MAX_TARGET_CHALLENGE_LEN {
        return Err(ChapRefusal::BadChallenge);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
