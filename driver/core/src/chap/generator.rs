//! The CHAP challenge generator: a ChaCha20 DRBG, (re)seeded at `PASSIVE_LEVEL`.
//!
//! ```text
//!   platform random source ──seed (PASSIVE_LEVEL)──► generator (this file)
//!                                                        │ draw (any IRQL ≤ DISPATCH, under
//!                                                        ▼       the authenticator's spin lock)
//!                                                  CHAP_I and CHAP_C of one login
//! ```
//!
//! Why a generator of our own at all: the kernel's system RNG (`BCryptGenRandom` with the
//! system-preferred provider) may only be called at `PASSIVE_LEVEL`, while an HBA's login engine
//! makes its challenge wherever the target's PDU arrives, often in a DPC. So the platform's
//! source seeds a ChaCha20 keystream generator (`chacha20::ChaCha20Rng`, RustCrypto: the
//! construction `rand`'s `StdRng` uses, `no_std`, no allocation, state wiped on drop) and the
//! login path only draws from it.
//!
//! Reseeding mixes, it never replaces: the new key is 32 bytes of the current keystream XOR 32
//! fresh platform bytes, so a weak reseed cannot make the state weaker than it was. After
//! `reseed_interval` draws without a reseed the generator refuses to draw
//! ([`ReseedRequired`]) until the host reseeds it at `PASSIVE_LEVEL`; past half that count it
//! says a reseed is due, so a host that reseeds when told never meets the refusal. Challenges
//! go over the wire in clear, so the generator needs unpredictability, not backtracking
//! resistance (nothing it produced is secret).

use chacha20::ChaCha20Rng;
use chacha20::rand_core::{Rng, SeedableRng};
use zeroize::Zeroize;

/// Bytes of platform randomness per seed or reseed: ChaCha20's 256-bit key.
pub const SEED_LEN: usize = 32;

/// The generator drew `reseed_interval` times since its last (re)seed and waits for a reseed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ReseedRequired;

/// ChaCha20 keystream with a reseed policy. Not `Clone`: two copies would repeat challenges.
pub(super) struct Generator {
    rng: ChaCha20Rng,
    draws_since_reseed: u32,
    reseed_interval: u32,
}

impl Generator {
    /// Keys the generator with `seed` (wiped here) and allows `reseed_interval` draws (at least
    /// one) before the next reseed.
    pub(super) fn new(seed: &mut [u8; SEED_LEN], reseed_interval: u32) -> Generator {
        let rng = ChaCha20Rng::from_seed(*seed);
        seed.zeroize();
        Generator {
            rng,
            draws_since_reseed: 0,
            reseed_interval: reseed_interval.max(1),
        }
    }

    /// Mixes `fresh` (wiped here) into the key and restarts the draw count.
    pub(super) fn reseed(&mut self, fresh: &mut [u8; SEED_LEN]) {
        let mut next = [0u8; SEED_LEN];
        self.rng.fill_bytes(&mut next);
        for (n, f) in next.iter_mut().zip(fresh.iter()) {
            *n ^= *f;
        }
        // The old generator is dropped here, and chacha20's `zeroize` feature wipes it.
        self.rng = ChaCha20Rng::from_seed(next);
        next.zeroize();
        fresh.zeroize();
        self.draws_since_reseed = 0;
    }

    /// Fills `out` with keystream, counting one draw.
    pub(super) fn draw(&mut self, out: &mut [u8]) -> Result<(), ReseedRequired> {
        if self.draws_since_reseed >= self.reseed_interval {
            return Err(ReseedRequired);
        }
        self.rng.fill_bytes(out);
        self.draws_since_reseed = self.draws_since_reseed.saturating_add(1);
        Ok(())
    }

    /// True once half the reseed interval is used up.
    pub(super) fn reseed_due(&self) -> bool {
        self.draws_since_reseed >= self.reseed_interval.div_ceil(2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_the_seed_is_wiped() {
        let mut s1 = [7u8; SEED_LEN];
        let mut s2 = [7u8; SEED_LEN];
        let mut a = Generator::new(&mut s1, 10);
        let mut b = Generator::new(&mut s2, 10);
        assert_eq!(s1, [0; SEED_LEN]);
        let (mut x, mut y) = ([0u8; 17], [0u8; 17]);
        a.draw(&mut x).unwrap();
        b.draw(&mut y).unwrap();
        assert_eq!(x, y);
        assert_ne!(x, [0; 17]);
    }

    #[test]
    fn draws_stop_at_the_interval_until_reseeded() {
        let mut seed = [1u8; SEED_LEN];
        let mut g = Generator::new(&mut seed, 4);
        let mut out = [0u8; 16];
        assert!(!g.reseed_due());
        g.draw(&mut out).unwrap();
        g.draw(&mut out).unwrap();
        assert!(g.reseed_due());
        g.draw(&mut out).unwrap();
        g.draw(&mut out).unwrap();
        assert_eq!(g.draw(&mut out), Err(ReseedRequired));
        let mut fresh = [9u8; SEED_LEN];
        g.reseed(&mut fresh);
        assert_eq!(fresh, [0; SEED_LEN]);
        assert!(!g.reseed_due());
        g.draw(&mut out).unwrap();
    }

    #[test]
    fn reseeding_changes_the_stream_even_with_an_all_zero_reseed() {
        // Mixing, not replacing: a zero reseed still leads to a key no one else holds.
        let draw_after = |reseed: Option<[u8; SEED_LEN]>| {
            let mut seed = [3u8; SEED_LEN];
            let mut generator = Generator::new(&mut seed, 100);
            if let Some(mut bytes) = reseed {
                generator.reseed(&mut bytes);
            }
            let mut drawn = [0u8; 16];
            generator.draw(&mut drawn).unwrap();
            drawn
        };
        let reseeded = draw_after(Some([0; SEED_LEN]));
        assert_eq!(
            reseeded,
            draw_after(Some([0; SEED_LEN])),
            "same state, same reseed, same stream"
        );
        assert_ne!(
            reseeded,
            draw_after(None),
            "a reseed moved the stream away from the unreseeded one"
        );
    }
}
