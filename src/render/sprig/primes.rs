//! The search for an RSA key's two primes, for `genPrivateKey "rsa"` and the
//! certificate functions.
//!
//! This module chooses which numbers to test and decides with Miller-Rabin:
//! - Candidates first pass the sieve below.
//! - On processors with AVX-512 IFMA, a candidate then takes one Miller-Rabin
//!   round with base 2 ([`super::miller_rabin`]), which rules out nearly every
//!   composite left, and a candidate that passes takes [`random_rounds`] more
//!   rounds with random bases. That is FIPS 186-5's test (B.3.1), the one Go's
//!   `crypto/rsa` has used since Go 1.24, with at least as many rounds as its
//!   table asks for: enough that a composite is accepted with probability below
//!   2^-128 by the Damgård-Landrock-Pomerance bound (FIPS 186-5, C.1).
//! - Elsewhere, and for sizes below 1024 bits, `crypto-primes` decides
//!   (Baillie-PSW plus a random-base Miller-Rabin round, on its fixed-size
//!   integers for 1024- and 2048-bit candidates).
//!
//! The search is written here because the crate's own is slower for this job
//! in two ways that matter when a chart makes several 4096-bit keys:
//! - It sieves candidates by the 2,047 primes below 17,864. Sieving a window of
//!   candidates by every prime below 2^18 costs a few milliseconds and rules out
//!   a fifth more of them, each of which would cost a modular exponentiation
//!   (about 1 ms at 2048 bits on IFMA, 5 ms without).
//! - Finding `p` and `q` on two threads, one each, waits for the slower of two
//!   searches whose length varies widely. Here both threads search for both
//!   primes and the first two found are taken, which on two cores halves the
//!   expected wait for the pair instead of taking the longer of two.
//!
//! Each search starts at a random odd number with its two top bits set (so the
//! product of two has exactly twice the bits) and walks up a window from there,
//! as Go's `crypto/rand.Prime` does; the two primes always come from different
//! random starts.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use crypto_bigint::{BoxedUint, RandomBits};

/// Candidates are sieved by the odd primes below this.
const SIEVE_LIMIT: usize = 1 << 18;

/// A search gives up after this many windows without a prime (each holds a
/// prime with near certainty, so this is never reached in practice).
const MAX_WINDOWS: usize = 100_000;

/// Consecutive odd primes below [`SIEVE_LIMIT`] whose product fits 64 bits,
/// with the product as a [`Divisor`]: a candidate's remainder by the product is
/// one pass over the big number, and each prime's remainder then comes from it
/// with a machine division (three to nine primes per pass instead of one).
struct PrimeGroup {
    primes: Vec<u32>,
    product: Divisor,
}

/// A 64-bit divisor, shifted until its top bit is set, with the reciprocal that
/// Möller and Granlund's division of a two-word number by it needs ("Improved
/// division by invariant integers", 2011, algorithm 4). Written here rather than
/// taken from `crypto-bigint`, whose remainder runs in constant time: the sieve
/// (a fifth of a key's search) spent most of its time there, and the
/// candidates it sieves are tested in variable time anyway.
#[derive(Clone, Copy)]
struct Divisor {
    /// The divisor shifted left by `shift`.
    normalized: u64,
    shift: u32,
    reciprocal: u64,
}

impl Divisor {
    fn new(d: u64) -> Divisor {
        let shift = d.leading_zeros();
        let normalized = d << shift;
        // ⌊(2^128 - 1) / d⌋ - 2^64, which fits 64 bits as d ≥ 2^63.
        let reciprocal = (u128::MAX / u128::from(normalized)) as u64;
        Divisor {
            normalized,
            shift,
            reciprocal,
        }
    }

    /// `(high · 2^64 + low) mod normalized`, for `high < normalized`.
    fn rem_two_words(&self, high: u64, low: u64) -> u64 {
        let d = self.normalized;
        let q = u128::from(self.reciprocal) * u128::from(high)
            + ((u128::from(high) << 64) | u128::from(low));
        let (q1, q0) = (((q >> 64) as u64).wrapping_add(1), q as u64);
        let mut r = low.wrapping_sub(q1.wrapping_mul(d));
        if r > q0 {
            r = r.wrapping_add(d);
        }
        if r >= d {
            r -= d;
        }
        r
    }
}

/// The remainders of a number (64-bit words, lowest first) by each divisor:
/// one pass over the words for all of them, whose divisions are independent, so
/// the processor overlaps them.
fn remainders<const N: usize>(words: &[u64], divisors: &[Divisor; N]) -> [u64; N] {
    let mut rest = [0u64; N];
    for (r, d) in rest.iter_mut().zip(divisors) {
        // The bits that the shift moves out of the top word.
        if d.shift > 0 {
            *r = words.last().map_or(0, |w| w >> (64 - d.shift));
        }
    }
    for i in (0..words.len()).rev() {
        for (r, d) in rest.iter_mut().zip(divisors) {
            let below = if d.shift > 0 && i > 0 {
                words[i - 1] >> (64 - d.shift)
            } else {
                0
            };
            *r = d.rem_two_words(*r, (words[i] << d.shift) | below);
        }
    }
    for (r, d) in rest.iter_mut().zip(divisors) {
        *r >>= d.shift;
    }
    rest
}

/// The odd primes below [`SIEVE_LIMIT`] (Eratosthenes' sieve), grouped, once.
fn small_primes() -> &'static [PrimeGroup] {
    static GROUPS: OnceLock<Vec<PrimeGroup>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut composite = vec![false; SIEVE_LIMIT];
        let mut groups = Vec::new();
        let mut primes: Vec<u32> = Vec::new();
        let mut product: u64 = 1;
        let mut close = |primes: &mut Vec<u32>, product: u64| {
            if product > 1 {
                groups.push(PrimeGroup {
                    primes: std::mem::take(primes),
                    product: Divisor::new(product),
                });
            }
        };
        for n in (3..SIEVE_LIMIT).step_by(2) {
            if composite[n] {
                continue;
            }
            for m in (n * n..SIEVE_LIMIT).step_by(2 * n) {
                composite[m] = true;
            }
            let p = u32::try_from(n).unwrap_or_else(|_| unreachable!("below 2^18"));
            match product.checked_mul(u64::from(p)) {
                Some(next) => product = next,
                None => {
                    close(&mut primes, product);
                    product = u64::from(p);
                }
            }
            primes.push(p);
        }
        close(&mut primes, product);
        groups
    })
}

/// How many odd candidates one window holds: about six times the average gap
/// between primes of this size, so that a window without one is rare.
fn window_len(bits: u32) -> usize {
    (bits as usize * 2).next_power_of_two().max(64)
}

/// A random odd number of exactly `bits` bits with its two top bits set.
fn random_start(bits: u32) -> BoxedUint {
    let one = BoxedUint::one_with_precision(bits);
    let top = one.shl(bits - 1).bitor(&one.shl(bits - 2));
    BoxedUint::random_bits(&mut rand::rngs::OsRng, bits)
        .bitor(&top)
        .bitor(&one)
}

/// Marks in `marks` each `i` for which `start + 2i` has a prime factor below
/// [`SIEVE_LIMIT`]. `start` must be odd and larger than that limit.
fn sieve(start: &BoxedUint, marks: &mut [bool]) {
    marks.fill(false);
    let words = words(start);
    const AT_ONCE: usize = 4;
    for chunk in small_primes().chunks(AT_ONCE) {
        // A short last chunk repeats its first group, whose extra remainders
        // go unused.
        let divisors: [Divisor; AT_ONCE] =
            std::array::from_fn(|i| chunk.get(i).unwrap_or(&chunk[0]).product);
        let rests = remainders(&words, &divisors);
        for (group, &rest) in chunk.iter().zip(&rests) {
            mark(rest, &group.primes, marks);
        }
    }
}

/// `n` as 64-bit words, lowest first, on any target.
fn words(n: &BoxedUint) -> Vec<u64> {
    n.to_be_bytes()
        .rchunks(8)
        .map(|c| c.iter().fold(0u64, |w, b| (w << 8) | u64::from(*b)))
        .collect()
}

/// Marks the candidates that the primes of a group divide, from the start's
/// remainder by their product.
fn mark(rest: u64, primes: &[u32], marks: &mut [bool]) {
    for &prime in primes {
        let p = u64::from(prime);
        let r = rest % p;
        // start + 2i ≡ 0 (mod p)  ⇔  i ≡ (p - r) · 2⁻¹, and 2⁻¹ is (p + 1) / 2.
        let first = (p - r) % p * p.div_ceil(2) % p;
        let mut i = usize::try_from(first).unwrap_or(usize::MAX);
        while i < marks.len() {
            marks[i] = true;
            i += prime as usize;
        }
    }
}

/// One prime of exactly `bits` bits (at least 64), or `None` once `done` is set
/// or the search gives up.
fn find_prime(bits: u32, done: &AtomicBool) -> Option<BoxedUint> {
    let mut rng = rand::rngs::OsRng;
    let mut marks = vec![false; window_len(bits)];
    for _ in 0..MAX_WINDOWS {
        let start = random_start(bits);
        sieve(&start, &mut marks);
        for (i, _) in marks.iter().enumerate().filter(|(_, m)| !**m) {
            if done.load(Ordering::Relaxed) {
                return None;
            }
            let step = BoxedUint::from(2 * i as u64).widen(bits);
            let candidate = start.wrapping_add(&step);
            if candidate.bits() != bits {
                break;
            }
            if is_prime(&mut rng, &candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

/// How many random-base Miller-Rabin rounds, after the base-2 round, accept a
/// candidate of `bits` bits: the fewest for which the Damgård-Landrock-Pomerance
/// bound on accepting a composite (FIPS 186-5, C.1) is below 2^-128 at the
/// smallest size of each range (2^-138 at 2048 bits with 3, 2^-138 at 1536 with
/// 4, 2^-137 at 1024 with 6; FIPS 186-5's table asks for 4, 4 and 5). `None`
/// below 1024 bits, where `crypto-primes` decides.
fn random_rounds(bits: u32) -> Option<usize> {
    match bits {
        2048.. => Some(3),
        1536.. => Some(4),
        1024.. => Some(6),
        _ => None,
    }
}

/// Whether `n` (odd, above [`SIEVE_LIMIT`]) is prime: Miller-Rabin rounds on
/// IFMA where they run, otherwise `crypto-primes`' verdict.
fn is_prime(rng: &mut rand::rngs::OsRng, n: &BoxedUint) -> bool {
    let two = BoxedUint::from(2u64).widen(n.bits_precision());
    match super::miller_rabin::round(n, &two) {
        Some(false) => false,
        Some(true) => match random_rounds(n.bits()) {
            Some(rounds) => (0..rounds).all(|_| {
                random_base(rng, n).is_some_and(|a| super::miller_rabin::round(n, &a) == Some(true))
            }),
            None => crypto_primes_verdict(rng, n),
        },
        None => crypto_primes_verdict(rng, n),
    }
}

/// A uniformly random base in `2..=n-2` for `n` with its top bit set, by
/// rejection (at least half the draws are kept); `None` after 64 rejections.
fn random_base(rng: &mut rand::rngs::OsRng, n: &BoxedUint) -> Option<BoxedUint> {
    let two = BoxedUint::from(2u64).widen(n.bits_precision());
    let top = n.wrapping_sub(&two);
    (0..64)
        .map(|_| BoxedUint::random_bits(rng, n.bits()).widen(n.bits_precision()))
        .find(|a| *a >= two && *a <= top)
}

/// crypto-primes' verdict on `n`, with its fixed-size integers for the usual key
/// sizes (their arithmetic needs no heap and is unrolled for the size).
fn crypto_primes_verdict(rng: &mut rand::rngs::OsRng, n: &BoxedUint) -> bool {
    let words = n.as_words();
    if let Ok(w) = <[crypto_bigint::Word; 16]>::try_from(words) {
        return crypto_primes::is_prime_with_rng(rng, &crypto_bigint::U1024::from_words(w));
    }
    if let Ok(w) = <[crypto_bigint::Word; 32]>::try_from(words) {
        return crypto_primes::is_prime_with_rng(rng, &crypto_bigint::U2048::from_words(w));
    }
    crypto_primes::is_prime_with_rng(rng, n)
}

/// Two different primes of `bits` bits each (at least 64), searched for on two
/// threads at once; `None` only if the search gave up.
pub fn prime_pair(bits: u32) -> Option<(BoxedUint, BoxedUint)> {
    let done = AtomicBool::new(false);
    let found: Mutex<Vec<BoxedUint>> = Mutex::new(Vec::with_capacity(2));
    let search = || {
        while let Some(p) = find_prime(bits, &done) {
            let Ok(mut primes) = found.lock() else {
                return;
            };
            if !primes.contains(&p) {
                primes.push(p);
            }
            if primes.len() >= 2 {
                done.store(true, Ordering::Relaxed);
            }
        }
        // This search gave up: stop the other one too.
        done.store(true, Ordering::Relaxed);
    };
    std::thread::scope(|scope| {
        // On another CPU from the start (see `crate::threads`); without a
        // second thread, this one finds both.
        let _ = crate::threads::beside(scope, search);
        search();
    });
    let mut primes = found.into_inner().ok()?;
    let q = primes.pop()?;
    let p = primes.pop()?;
    Some((p, q))
}

/// One prime of `bits` bits (at least 64) on this thread.
pub fn prime(bits: u32) -> Option<BoxedUint> {
    find_prime(bits, &AtomicBool::new(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(n: &BoxedUint) -> num_bigint::BigUint {
        num_bigint::BigUint::from_bytes_be(&n.to_be_bytes())
    }

    #[test]
    fn remainders_agree_with_big_number_division() {
        let divisors = [3u64, 1 << 40, u64::MAX, (1 << 63) + 12_345];
        let by = divisors.map(Divisor::new);
        for bits in [64, 256, 1024] {
            let n = random_start(bits);
            let got = remainders(&words(&n), &by);
            for (d, r) in divisors.iter().zip(got) {
                assert_eq!(
                    num_bigint::BigUint::from(r),
                    big(&n) % d,
                    "{bits} bits mod {d}"
                );
            }
        }
    }

    #[test]
    fn the_sieve_marks_exactly_the_candidates_with_a_small_factor() {
        let start = random_start(256);
        let mut marks = vec![false; 512];
        sieve(&start, &mut marks);
        let start = big(&start);
        let primes: Vec<u32> = small_primes()
            .iter()
            .flat_map(|g| g.primes.iter().copied())
            .collect();
        assert_eq!(primes[..5], [3, 5, 7, 11, 13]);
        assert_eq!(primes.last(), Some(&262_139));
        for (i, marked) in marks.iter().enumerate() {
            let n = &start + 2 * i as u64;
            let has_factor = primes.iter().any(|&p| (&n % p) == 0u32.into());
            assert_eq!(*marked, has_factor, "start + {}", 2 * i);
        }
        assert!(marks.iter().any(|m| !m) && marks.iter().any(|m| *m));
    }

    #[test]
    fn a_pair_is_two_different_primes_with_the_two_top_bits_set() {
        for bits in [64, 512] {
            let (p, q) = prime_pair(bits).expect("a pair");
            assert_ne!(p, q);
            for n in [&p, &q] {
                let n = big(n);
                assert_eq!(n.bits(), u64::from(bits));
                assert_eq!(&n >> (bits - 2), 3u32.into());
                // Fermat tests with num-bigint's own arithmetic.
                for a in [2u32, 3, 5, 7, 11, 13] {
                    let a = num_bigint::BigUint::from(a);
                    assert_eq!(a.modpow(&(&n - 1u32), &n), 1u32.into());
                }
            }
        }
    }

    /// Both deciders, the IFMA rounds (where the processor has IFMA) and
    /// crypto-primes on its fixed-size integers, accept the primes found and
    /// refuse products of two primes and the composite Mersenne number 2^1031 - 1
    /// (a strong pseudoprime to base 2).
    #[test]
    fn both_verdicts_accept_primes_and_refuse_composites() {
        let mut rng = rand::rngs::OsRng;
        let mersenne = BoxedUint::one_with_precision(1088)
            .shl(1031)
            .wrapping_sub(&BoxedUint::one_with_precision(1088));
        assert!(!is_prime(&mut rng, &mersenne));
        assert!(!crypto_primes_verdict(&mut rng, &mersenne));
        // 2048-bit primes go through U2048, their 1024-bit halves through U1024.
        for bits in [1024, 2048] {
            let p = prime(bits).expect("a prime");
            let n = big(&p);
            assert_eq!(n.bits(), u64::from(bits));
            for a in [2u32, 3, 5, 7] {
                let a = num_bigint::BigUint::from(a);
                assert_eq!(a.modpow(&(&n - 1u32), &n), 1u32.into());
            }
            assert!(is_prime(&mut rng, &p));
            assert!(crypto_primes_verdict(&mut rng, &p));
            let q = prime(bits / 2).expect("a prime");
            let product = q.widen(bits / 2 * 2).wrapping_mul(&q.widen(bits / 2 * 2));
            assert_eq!(product.as_words().len() * 64, bits as usize);
            assert!(!is_prime(&mut rng, &product));
            assert!(!crypto_primes_verdict(&mut rng, &product));
        }
    }

    #[test]
    fn random_bases_are_in_range() {
        let mut rng = rand::rngs::OsRng;
        let n = BoxedUint::from(0xc000_0000_0000_0005u64);
        for _ in 0..1000 {
            let a = random_base(&mut rng, &n).expect("a base");
            assert!(a >= BoxedUint::from(2u64) && a <= BoxedUint::from(0xc000_0000_0000_0003u64));
        }
    }

    #[test]
    fn a_search_that_is_told_to_stop_stops() {
        assert_eq!(find_prime(512, &AtomicBool::new(true)), None);
    }
}
