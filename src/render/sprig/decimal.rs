//! shopspring/decimal arithmetic as Sprig's `addf`, `subf`, `mulf`, `divf` and
//! `add1f` use it: each float becomes the exact decimal of its shortest text
//! (`decimal.NewFromFloat`), sums and products are exact, quotients round half
//! away from zero to 16 decimal places (`DivisionPrecision`), and the result is
//! parsed back to the nearest float64. Hand-written because no Rust decimal crate
//! has that precision model (rust_decimal caps at 28 digits; 1e200 must work).

use num_bigint::BigInt;
use num_traits::{Signed, Zero};

use crate::gotmpl::value::shortest_digits;

/// `coef × 10^exp`.
#[derive(Clone, Debug)]
pub struct Decimal {
    coef: BigInt,
    exp: i64,
}

/// Keeps exponents where big-integer work stays cheap; floats never need more.
const MAX_SHIFT: i64 = 2000;

fn pow10(n: i64) -> BigInt {
    num_traits::pow(BigInt::from(10), n.clamp(0, MAX_SHIFT) as usize)
}

impl Decimal {
    /// `decimal.NewFromFloat` (NaN and infinities are Go panics).
    pub fn from_f64(x: f64) -> Result<Decimal, String> {
        if x.is_nan() || x.is_infinite() {
            return Err(format!(
                "Cannot create a Decimal from {}",
                crate::gotmpl::value::format_float(x)
            ));
        }
        if x == 0.0 {
            return Ok(Decimal {
                coef: BigInt::zero(),
                exp: 0,
            });
        }
        let (neg, digits, exp) = shortest_digits(x);
        let mut coef: BigInt = digits.parse().map_err(|_| "bad float digits".to_string())?;
        if neg {
            coef = -coef;
        }
        Ok(Decimal {
            coef,
            exp: i64::from(exp) - (digits.len() as i64 - 1),
        })
    }

    fn align(&self, other: &Decimal) -> (BigInt, BigInt, i64) {
        let exp = self.exp.min(other.exp);
        (
            &self.coef * pow10(self.exp - exp),
            &other.coef * pow10(other.exp - exp),
            exp,
        )
    }

    pub fn add(&self, other: &Decimal) -> Decimal {
        let (a, b, exp) = self.align(other);
        Decimal { coef: a + b, exp }
    }

    pub fn sub(&self, other: &Decimal) -> Decimal {
        let (a, b, exp) = self.align(other);
        Decimal { coef: a - b, exp }
    }

    pub fn mul(&self, other: &Decimal) -> Decimal {
        Decimal {
            coef: &self.coef * &other.coef,
            exp: self.exp + other.exp,
        }
    }

    /// `Div`: `DivRound(other, 16)`.
    pub fn div(&self, other: &Decimal) -> Result<Decimal, String> {
        if other.coef.is_zero() {
            return Err("decimal division by 0".into());
        }
        let k = self.exp - other.exp + 16;
        let (n, d) = if k >= 0 {
            (&self.coef * pow10(k), other.coef.clone())
        } else {
            (self.coef.clone(), &other.coef * pow10(-k))
        };
        let q = &n / &d;
        let r = &n % &d;
        let mut q = q;
        if (r.abs() * 2) >= d.abs() {
            if n.is_negative() != d.is_negative() {
                q -= 1;
            } else {
                q += 1;
            }
        }
        Ok(Decimal { coef: q, exp: -16 })
    }

    /// `Float64`: the nearest float64 (±Inf when out of range).
    pub fn to_f64(&self) -> f64 {
        format!("{}e{}", self.coef, self.exp)
            .parse()
            .unwrap_or(f64::NAN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(x: f64) -> Decimal {
        Decimal::from_f64(x).expect("finite")
    }

    #[test]
    fn arithmetic_is_decimal() {
        assert_eq!(d(0.1).add(&d(0.2)).to_f64(), 0.3);
        assert_eq!(
            d(1.0).div(&d(3.0)).map(|x| x.to_f64()),
            Ok(0.3333333333333333)
        );
        assert_eq!(
            d(2.0).div(&d(3.0)).map(|x| x.to_f64()),
            Ok(0.6666666666666667)
        );
        assert_eq!(
            d(-2.0).div(&d(3.0)).map(|x| x.to_f64()),
            Ok(-0.6666666666666667)
        );
        assert_eq!(d(1e200).mul(&d(1e200)).to_f64(), f64::INFINITY);
        assert_eq!(d(5.0).sub(&d(1.5)).to_f64(), 3.5);
        assert!(d(1.0).div(&d(0.0)).is_err());
    }
}
