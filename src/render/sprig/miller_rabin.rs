//! Miller-Rabin rounds for RSA prime candidates on AVX-512 IFMA.
//!
//! Nearly all of an RSA key's generation goes to modular exponentiations: one
//! to reject each composite that passed the sieve (a 1024-bit prime is found
//! after about 32 of them, a 2048-bit one after about 64), and a few to accept
//! the prime. `crypto-bigint`'s portable arithmetic takes about 0.8 ms for one
//! at 1024 bits and 5.4 ms at 2048 bits. On processors with AVX-512 IFMA
//! (52-bit multiply-adds on eight lanes at once) this module's exponentiation
//! takes about 0.3 ms and 1.1 ms. No crate offers IFMA exponentiation, so it is
//! written here.
//!
//! [`round`] is one strong-probable-prime test (FIPS 186-5 B.3.1's steps for
//! one base): `n - 1 = d·2^s`, then `a^d` on IFMA and its squarings with
//! num-bigint. Its verdicts are checked against `crypto-primes`' own
//! Miller-Rabin for random moduli and bases. Without IFMA, or for sizes it does
//! not handle, it returns `None` and the caller decides with `crypto-primes`.
//!
//! The method is Montgomery multiplication on 52-bit limbs held in `K` vector
//! registers of eight lanes, in the "almost Montgomery" form: with
//! `R = 2^(52·L) ≥ 4n`, inputs below `2n` give outputs below `2n`, so no
//! conditional subtraction is needed until the end. Each step's reduction factor
//! is computed from a scalar copy of the lowest limb, which keeps the vector
//! results off that serial chain. The exponent is taken in windows of five bits,
//! and the table entry is selected by a full scan (no secret-dependent address).

use crypto_bigint::BoxedUint;

/// One Miller-Rabin round on `n` (odd, at least 64 bits) with `base`
/// (`2 ≤ base ≤ n - 2`): `Some(false)` when `n` is certainly composite,
/// `Some(true)` when it is a strong probable prime to that base, `None` when
/// the round cannot run here (no IFMA, or a size it does not handle).
pub fn round(n: &BoxedUint, base: &BoxedUint) -> Option<bool> {
    #[cfg(target_arch = "x86_64")]
    {
        // Words are u64 on x86-64.
        ifma::strong_probable_prime(n.as_words(), n.bits(), base.as_words())
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (n, base);
        None
    }
}

#[cfg(target_arch = "x86_64")]
mod ifma {
    use core::arch::x86_64::*;

    use num_bigint::BigUint;

    const M52: u64 = (1 << 52) - 1;
    /// The most 52-bit limbs handled: five registers of eight (2078-bit moduli).
    const MAX_LIMBS: usize = 40;
    /// Bits of exponent per window.
    const WINDOW: usize = 5;

    type Limbs = [u64; MAX_LIMBS];

    fn available() -> bool {
        std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512ifma")
    }

    /// One Miller-Rabin round for an odd `n` of `bits` bits with `base`, both as
    /// little-endian 64-bit words: `Some(true)` for a strong probable prime to
    /// that base, `None` when the round cannot run (or `base` is outside
    /// `2..=n-2`).
    pub fn strong_probable_prime(words: &[u64], bits: u32, base: &[u64]) -> Option<bool> {
        if bits < 64 || words.first().is_none_or(|w| w & 1 == 0) || !available() {
            return None;
        }
        let n = biguint(words);
        let base = biguint(base);
        let minus_one = &n - 1u32;
        if base < BigUint::from(2u32) || base >= minus_one {
            return None;
        }
        // n - 1 = d·2^s with d odd (n - 1 is even and not zero).
        let s = minus_one.trailing_zeros()?;
        let d = &minus_one >> s;
        let mut x = modpow(&base, &d, &n)?;
        if x == BigUint::from(1u32) || x == minus_one {
            return Some(true);
        }
        for _ in 1..s {
            x = &x * &x % &n;
            if x == minus_one {
                return Some(true);
            }
            if x == BigUint::from(1u32) {
                return Some(false);
            }
        }
        Some(false)
    }

    /// `base^exponent mod n` for an odd `n` of at least 64 bits and at most
    /// [`MAX_LIMBS`] limbs (with two bits of headroom); `None` without IFMA or
    /// outside those sizes.
    fn modpow(base: &BigUint, exponent: &BigUint, n: &BigUint) -> Option<BigUint> {
        // R = 2^(52·L) ≥ 4n: two bits of headroom.
        let limbs = (n.bits() as usize + 2).div_ceil(52);
        let low = n.iter_u64_digits().next()?;
        if n.bits() < 64 || low & 1 == 0 || limbs > MAX_LIMBS {
            return None;
        }
        let r = BigUint::from(1u32) << (52 * limbs);
        let input = Input {
            n: &to_limbs(n),
            k0: neg_inverse(low) & M52,
            limbs,
            base: &to_limbs(base),
            r_mod: &to_limbs(&(&r % n)),
            r2_mod: &to_limbs(&(&r * &r % n)),
            exponent: &exponent.to_u64_digits(),
        };
        Some(from_limbs(&pow_checked(&input)?))
    }

    /// A number from little-endian 64-bit words.
    fn biguint(words: &[u64]) -> BigUint {
        BigUint::from_slice(
            &words
                .iter()
                .flat_map(|w| [*w as u32, (*w >> 32) as u32])
                .collect::<Vec<u32>>(),
        )
    }

    /// The number held in 52-bit limbs, lowest first.
    fn from_limbs(limbs: &Limbs) -> BigUint {
        limbs.iter().rev().fold(BigUint::default(), |acc, limb| {
            (acc << 52u32) | BigUint::from(*limb)
        })
    }

    /// [`pow`] with as many registers as the modulus needs; `None` without IFMA.
    fn pow_checked(input: &Input<'_>) -> Option<Limbs> {
        if !available() || input.limbs > MAX_LIMBS {
            return None;
        }
        // SAFETY (each arm): the CPU has AVX-512F and IFMA (checked above).
        Some(unsafe {
            match input.limbs.div_ceil(8) {
                1 => pow::<1>(input),
                2 => pow::<2>(input),
                3 => pow::<3>(input),
                4 => pow::<4>(input),
                _ => pow::<5>(input),
            }
        })
    }

    /// `-n⁻¹ mod 2^64` for odd `n`, by Newton's iteration (each step doubles the
    /// correct low bits: 5 → 10 → ... → 80).
    fn neg_inverse(n: u64) -> u64 {
        let mut inv = n.wrapping_mul(3) ^ 2;
        for _ in 0..4 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(n.wrapping_mul(inv)));
        }
        inv.wrapping_neg()
    }

    /// A number below 2^(52·MAX_LIMBS) as 52-bit limbs, lowest first.
    fn to_limbs(x: &BigUint) -> Limbs {
        let words = x.to_u64_digits();
        let mut out = [0u64; MAX_LIMBS];
        for (j, limb) in out.iter_mut().enumerate() {
            let bit = 52 * j;
            let (w, shift) = (bit / 64, bit % 64);
            let mut v = words.get(w).map_or(0, |x| x >> shift);
            if shift > 12 {
                v |= words.get(w + 1).map_or(0, |x| x << (64 - shift));
            }
            *limb = v & M52;
        }
        out
    }

    struct Input<'a> {
        n: &'a Limbs,
        /// `-n⁻¹ mod 2^52`.
        k0: u64,
        limbs: usize,
        base: &'a Limbs,
        r_mod: &'a Limbs,
        r2_mod: &'a Limbs,
        exponent: &'a [u64],
    }

    /// The modulus in registers, with what each multiplication needs.
    struct Modulus<const K: usize> {
        n: [__m512i; K],
        k0: u64,
        limbs: usize,
        n0: u64,
        n1: u64,
    }

    #[target_feature(enable = "avx512f")]
    fn load<const K: usize>(x: &Limbs) -> [__m512i; K] {
        let mut out = [_mm512_setzero_si512(); K];
        for (k, v) in out.iter_mut().enumerate() {
            let lanes = &x[8 * k..8 * k + 8];
            // SAFETY: `lanes` holds eight u64, the 64 bytes read.
            *v = unsafe { _mm512_loadu_si512(lanes.as_ptr().cast()) };
        }
        out
    }

    #[target_feature(enable = "avx512f")]
    fn store<const K: usize>(v: &[__m512i; K]) -> Limbs {
        let mut out = [0u64; MAX_LIMBS];
        for (k, reg) in v.iter().enumerate() {
            let lanes = &mut out[8 * k..8 * k + 8];
            // SAFETY: `lanes` holds eight u64, the 64 bytes written.
            unsafe { _mm512_storeu_si512(lanes.as_mut_ptr().cast(), *reg) };
        }
        out
    }

    /// `a·b·R⁻¹` modulo n, below 2n when `a` and `b` are; limbs normalized.
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn multiply<const K: usize>(
        m: &Modulus<K>,
        a: &[__m512i; K],
        b: &[__m512i; K],
    ) -> [__m512i; K] {
        let b_limbs = store(b);
        let a_limbs = store(a);
        let (a0, a1) = (u128::from(a_limbs[0]), u128::from(a_limbs[1]));
        let (n0, n1) = (u128::from(m.n0), u128::from(m.n1));
        let zero = _mm512_setzero_si512();
        // The a·b terms go to x and the n·q terms to y, two independent chains.
        let mut x = [zero; K];
        let mut y = [zero; K];
        // The true value of the lowest limb (the vectors' lane 0 lacks carries).
        let mut low: u64 = 0;
        for &bi in &b_limbs[..m.limbs] {
            let lane1 = (_mm_extract_epi64::<1>(_mm512_castsi512_si128(x[0])) as u64)
                .wrapping_add(_mm_extract_epi64::<1>(_mm512_castsi512_si128(y[0])) as u64);
            let ab0 = a0 * u128::from(bi);
            let ab1 = a1 * u128::from(bi);
            let sum = low + (ab0 as u64 & M52);
            let q = sum.wrapping_mul(m.k0) & M52;
            let nq0 = n0 * u128::from(q);
            let nq1 = n1 * u128::from(q);
            let carry = (sum + (nq0 as u64 & M52)) >> 52;
            low = lane1
                + (ab1 as u64 & M52)
                + (nq1 as u64 & M52)
                + (ab0 >> 52) as u64
                + (nq0 >> 52) as u64
                + carry;
            let bv = _mm512_set1_epi64(bi as i64);
            let qv = _mm512_set1_epi64(q as i64);
            for k in 0..K {
                x[k] = _mm512_madd52lo_epu64(x[k], a[k], bv);
                y[k] = _mm512_madd52lo_epu64(y[k], m.n[k], qv);
            }
            // Lane 0 is now 0 mod 2^52: drop it, every lane moves down one.
            for k in 0..K - 1 {
                x[k] = _mm512_alignr_epi64::<1>(x[k + 1], x[k]);
                y[k] = _mm512_alignr_epi64::<1>(y[k + 1], y[k]);
            }
            x[K - 1] = _mm512_alignr_epi64::<1>(zero, x[K - 1]);
            y[K - 1] = _mm512_alignr_epi64::<1>(zero, y[K - 1]);
            for k in 0..K {
                x[k] = _mm512_madd52hi_epu64(x[k], a[k], bv);
                y[k] = _mm512_madd52hi_epu64(y[k], m.n[k], qv);
            }
        }
        for k in 0..K {
            x[k] = _mm512_add_epi64(x[k], y[k]);
        }
        x[0] = _mm512_mask_mov_epi64(x[0], 1, _mm512_set1_epi64(low as i64));
        normalize(x)
    }

    /// Carries each lane's bits above 52 into the next lane (lanes below 2^63,
    /// the value below 2^(52·8K)).
    #[target_feature(enable = "avx512f")]
    fn normalize<const K: usize>(mut acc: [__m512i; K]) -> [__m512i; K] {
        let zero = _mm512_setzero_si512();
        let mask = _mm512_set1_epi64(M52 as i64);
        let mut carry = [zero; K];
        for k in 0..K {
            carry[k] = _mm512_srli_epi64::<52>(acc[k]);
            acc[k] = _mm512_and_si512(acc[k], mask);
        }
        for k in (0..K).rev() {
            let below = if k == 0 { zero } else { carry[k - 1] };
            acc[k] = _mm512_add_epi64(acc[k], _mm512_alignr_epi64::<7>(carry[k], below));
        }
        // Lanes are now at most M52 + 2^12: at most one carry each, resolved as a
        // carry-lookahead over the lane bit masks (generate, propagate).
        let mut generate: u64 = 0;
        let mut propagate: u64 = 0;
        for (k, lane) in acc.iter().enumerate() {
            generate |= u64::from(_mm512_cmpgt_epu64_mask(*lane, mask)) << (8 * k);
            propagate |= u64::from(_mm512_cmpeq_epu64_mask(*lane, mask)) << (8 * k);
        }
        let carry_in = ((generate << 1).wrapping_add(propagate)) ^ propagate;
        let one = _mm512_set1_epi64(1);
        for (k, lane) in acc.iter_mut().enumerate() {
            let lanes = (carry_in >> (8 * k)) as u8;
            *lane = _mm512_and_si512(_mm512_mask_add_epi64(*lane, lanes, *lane, one), mask);
        }
        acc
    }

    /// `base^exponent mod n` as normalized limbs (below n).
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn pow<const K: usize>(input: &Input<'_>) -> Limbs {
        let m = Modulus::<K> {
            n: load(input.n),
            k0: input.k0,
            limbs: input.limbs,
            n0: input.n[0],
            n1: input.n[1],
        };
        let one_mont = load::<K>(input.r_mod);
        let r2 = load::<K>(input.r2_mod);
        let mut table = [[_mm512_setzero_si512(); K]; 1 << WINDOW];
        table[0] = one_mont;
        table[1] = multiply(&m, &load(input.base), &r2);
        for i in 2..(1 << WINDOW) {
            table[i] = if i % 2 == 0 {
                multiply(&m, &table[i / 2], &table[i / 2])
            } else {
                multiply(&m, &table[i - 1], &table[1])
            };
        }
        let bits = input.exponent.len() * 64;
        let windows = bits.div_ceil(WINDOW);
        let mut acc = one_mont;
        for w in (0..windows).rev() {
            for _ in 0..WINDOW {
                acc = multiply(&m, &acc, &acc);
            }
            let mut index = 0u64;
            for b in 0..WINDOW {
                let bit = w * WINDOW + b;
                if bit < bits {
                    index |= ((input.exponent[bit / 64] >> (bit % 64)) & 1) << b;
                }
            }
            let wanted = _mm512_set1_epi64(index as i64);
            let mut chosen = [_mm512_setzero_si512(); K];
            for (t, entry) in table.iter().enumerate() {
                let hit = _mm512_cmpeq_epi64_mask(wanted, _mm512_set1_epi64(t as i64));
                for k in 0..K {
                    chosen[k] = _mm512_mask_mov_epi64(chosen[k], hit, entry[k]);
                }
            }
            acc = multiply(&m, &acc, &chosen);
        }
        // Out of Montgomery form: multiplying by 1 gives a value of at most n.
        let mut one = [0u64; MAX_LIMBS];
        one[0] = 1;
        let value = store(&multiply(&m, &acc, &load(&one)));
        if value[..] == input.n[..] {
            [0u64; MAX_LIMBS]
        } else {
            value
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// `base^exponent mod n` here against num-bigint's, for random odd moduli
        /// of many sizes (when the CPU has IFMA; otherwise there is nothing to test).
        #[test]
        fn exponentiation_agrees_with_num_bigint() {
            if !available() {
                return;
            }
            use rand::RngCore as _;
            let mut rng = rand::thread_rng();
            let mut random = |bits: u32| {
                let mut bytes = vec![0u8; bits.div_ceil(8) as usize];
                rng.fill_bytes(&mut bytes);
                BigUint::from_bytes_le(&bytes) % (BigUint::from(1u32) << bits)
            };
            for bits in [
                64u32, 65, 100, 256, 414, 415, 512, 1022, 1024, 1038, 1039, 1500, 2048, 2078,
            ] {
                for round in 0..12 {
                    let mut n = random(bits);
                    n |= BigUint::from(1u32) << (bits - 1);
                    n |= BigUint::from(1u32);
                    let base = if round % 3 == 0 {
                        BigUint::from(2u32)
                    } else {
                        random(bits) % &n
                    };
                    let exponent = if round % 2 == 0 {
                        &n - 1u32
                    } else {
                        random(bits)
                    };
                    let got = modpow(&base, &exponent, &n).expect("IFMA is available");
                    assert_eq!(got, base.modpow(&exponent, &n), "{bits} bits");
                }
            }
        }

        /// One round here against `crypto-primes`' Miller-Rabin with the same
        /// base: primes, products of primes, Carmichael numbers (which pass
        /// Fermat's test for every base), composite Mersenne numbers (strong
        /// pseudoprimes to base 2) and random odd numbers, of many sizes.
        #[test]
        fn rounds_agree_with_crypto_primes() {
            if !available() {
                return;
            }
            use crypto_bigint::{BoxedUint, Odd};
            use crypto_primes::hazmat::MillerRabin;
            use rand::RngCore as _;
            let mut rng = rand::rngs::OsRng;
            let mut random_below = |n: &BigUint| {
                let mut bytes = vec![0u8; (n.bits() as usize).div_ceil(8) + 8];
                rng.fill_bytes(&mut bytes);
                BigUint::from_bytes_le(&bytes) % n
            };
            let one = BigUint::from(1u32);
            let mersenne = |p: u32| -> BigUint { (&one << p) - 1u32 };
            let chernick =
                |k: BigUint| (&k * 6u32 + 1u32) * (&k * 12u32 + 1u32) * (&k * 18u32 + 1u32);
            let prime = |bits: u32| {
                let p: BoxedUint =
                    crypto_primes::generate_prime_with_rng(&mut rand::rngs::OsRng, bits);
                BigUint::from_bytes_be(&p.to_be_bytes())
            };
            let mut numbers = vec![
                // Mersenne primes; the exponents 67, 101, 1031 and 2039 are prime
                // but their Mersenne numbers are not.
                (mersenne(127), true),
                (mersenne(521), true),
                (mersenne(1279), true),
                (mersenne(67), false),
                (mersenne(101), false),
                (mersenne(1031), false),
                (mersenne(2039), false),
                // Chernick's Carmichael numbers (6k+1)(12k+1)(18k+1), the three
                // factors prime for these k (71 and 461 bits).
                (chernick(BigUint::from(1_048_665u32)), false),
                (
                    chernick(
                        "1427247692705959881058285969449495136382773530"
                            .parse()
                            .expect("a number"),
                    ),
                    false,
                ),
            ];
            for bits in [64u32, 100, 512, 1024, 1500, 2048] {
                let p = prime(bits);
                let q = prime(bits);
                if bits <= 1024 {
                    numbers.push((&p * &q, false));
                }
                numbers.push((p, true));
                numbers.push((q, true));
                let mut odd = random_below(&(&one << bits)) | &one;
                odd |= &one << (bits - 1);
                numbers.push((odd, false));
            }
            for (n, is_prime) in &numbers {
                let bits = n.bits() as u32;
                let words = n.to_u64_digits();
                let boxed = BoxedUint::from_words(words.iter().copied());
                let reference = MillerRabin::new(Odd::new(boxed.clone()).expect("odd"));
                let bases = (0..6).map(|i| match i {
                    0 => BigUint::from(2u32),
                    1 => n - 2u32,
                    _ => random_below(&(n - 3u32)) + 2u32,
                });
                for base in bases {
                    let base_words = base.to_u64_digits();
                    let got =
                        strong_probable_prime(&words, bits, &base_words).unwrap_or_else(|| {
                            panic!("the round runs: {bits} bits, n {n}, base {base}")
                        });
                    let base = BoxedUint::from_words(base_words.iter().copied())
                        .widen(boxed.bits_precision());
                    let want = reference.test(&base).is_probably_prime();
                    assert_eq!(got, want, "{bits}-bit n {n}, base {base}");
                    if *is_prime {
                        assert!(got, "a prime is a strong probable prime to every base");
                    }
                }
            }
            // Composite Mersenne numbers 2^p - 1 are strong pseudoprimes to base
            // 2 (2^p ≡ 1 mod n, and p divides d): base 2 alone never decides.
            for p in [67, 101, 1031, 2039] {
                let n = mersenne(p).to_u64_digits();
                assert_eq!(strong_probable_prime(&n, p, &[2]), Some(true), "2^{p} - 1");
            }
            assert_eq!(
                strong_probable_prime(&[7 << 60 | 1], 63, &[2]),
                None,
                "too small"
            );
            let even = mersenne(521) - 1u32;
            assert_eq!(
                strong_probable_prime(&even.to_u64_digits(), 521, &[2]),
                None,
                "even"
            );
            let big: BigUint = (&one << 2100u32) | &one;
            assert_eq!(
                strong_probable_prime(&big.to_u64_digits(), 2101, &[2]),
                None,
                "too large"
            );
            let n = mersenne(127).to_u64_digits();
            assert_eq!(strong_probable_prime(&n, 127, &[1]), None, "base below 2");
        }

        #[test]
        fn neg_inverse_inverts() {
            for n in [1u64, 3, 5, 0xffff_ffff_ffff_ffff, 0x1234_5678_9abc_def1] {
                assert_eq!(n.wrapping_mul(neg_inverse(n)), u64::MAX, "{n}");
            }
        }
    }
}
