//! Go's float formatting (`strconv.FormatFloat` with the shortest digits), which the
//! JSON encoder, go-yaml's encoder and sigs.k8s.io/yaml's key conversion all use.
//! Rust's `{:e}` gives the same shortest digits; only the layout differs.

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`: the shortest float32 digits.
pub(crate) fn format_float_g32(f: f64) -> String {
    let x = f as f32;
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let (neg, digits, exp) = shortest_digits(&format!("{x:e}"));
    format_g(neg, &digits, exp, 6)
}

/// Splits Rust's `{:e}` output (`-1.2345e-7`) into sign, digits and decimal exponent.
pub(crate) fn shortest_digits(e: &str) -> (bool, String, i32) {
    let (neg, e) = match e.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, e),
    };
    let (mant, exp) = e.split_once('e').unwrap_or((e, "0"));
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    (neg, digits, exp.parse().unwrap_or(0))
}

/// Go's `'g'` format of shortest digits: `%e` style when the exponent is below -4
/// or at least `eprec` (strconv uses 6 for the shortest precision), else positional.
pub(crate) fn format_g(neg: bool, digits: &str, exp: i32, eprec: i32) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if exp < -4 || exp >= eprec {
        s.push_str(&digits[..1]);
        if digits.len() > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        s.push('e');
        s.push(if exp < 0 { '-' } else { '+' });
        let a = exp.unsigned_abs();
        if a < 10 {
            s.push('0');
        }
        s.push_str(&a.to_string());
    } else {
        s.push_str(&fixed(digits, exp));
    }
    s
}

/// Digits `d1 d2 ...` with decimal exponent `exp` (value `d1.d2... * 10^exp`) in plain
/// positional notation, no trailing zeros after the point.
pub(crate) fn fixed(digits: &str, exp: i32) -> String {
    let n = digits.len() as i32;
    if exp < 0 {
        let zeros = (-exp - 1) as usize;
        format!("0.{}{}", "0".repeat(zeros), digits)
    } else if exp + 1 >= n {
        format!("{digits}{}", "0".repeat((exp + 1 - n) as usize))
    } else {
        let (a, b) = digits.split_at((exp + 1) as usize);
        format!("{a}.{b}")
    }
}

/// Go's `%v` of a float64: `strconv.FormatFloat(f, 'g', -1, 64)`.
pub(crate) fn format_float_g64(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let (neg, digits, exp) = shortest_digits(&format!("{f:e}"));
    format_g(neg, &digits, exp, 6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float32_g_format() {
        assert_eq!(format_float_g32(1.5), "1.5");
        assert_eq!(format_float_g32(1e6), "1e+06");
        assert_eq!(format_float_g32(123456.0), "123456");
        assert_eq!(format_float_g32(0.0001), "0.0001");
        assert_eq!(format_float_g32(0.00001), "1e-05");
        assert_eq!(format_float_g32(std::f64::consts::PI), "3.1415927");
    }

    #[test]
    fn float64_g_format() {
        assert_eq!(format_float_g64(1e20), "1e+20");
        assert_eq!(format_float_g64(1e21), "1e+21");
        assert_eq!(format_float_g64(1.5), "1.5");
        assert_eq!(format_float_g64(f64::NAN), "NaN");
    }
}
