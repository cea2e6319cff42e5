//! The rest of Sprig: `dateModify`, `durationRound`, `encryptAES`/`decryptAES`
//! (Sprig's AES-256-CBC with a zero-padded key and a random IV in front, base64),
//! and `derivePassword` (the Master Password algorithm: scrypt then HMAC-SHA256).

use base64::Engine as _;
use hmac::Mac;

use super::Reg;
use super::args::{arity, s};
use super::numbers::Time;
use crate::gotmpl::{FuncError, Value};

/// Go's `time.ParseDuration`, in nanoseconds.
pub fn parse_go_duration(text: &str) -> Option<i128> {
    let (neg, mut rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_end == 0 {
            return None;
        }
        let n: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += n * scale;
        rest = &rest[unit_end..];
    }
    let v = total as i128;
    Some(if neg { -v } else { v })
}

fn duration_round(nanos: i128) -> String {
    let u = nanos.unsigned_abs();
    let second: u128 = 1_000_000_000;
    let (minute, hour) = (60 * second, 3600 * second);
    let (day, month, year) = (24 * hour, 30 * 24 * hour, 365 * 24 * hour);
    for (unit, suffix) in [
        (year, "y"),
        (month, "mo"),
        (day, "d"),
        (hour, "h"),
        (minute, "m"),
        (second, "s"),
    ] {
        if u > unit {
            return format!("{}{suffix}", u / unit);
        }
    }
    "0s".into()
}

type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;
type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let p = password.as_bytes();
    key[..p.len().min(32)].copy_from_slice(&p[..p.len().min(32)]);
    key
}

fn encrypt_aes(password: &str, plaintext: &str) -> Result<String, FuncError> {
    use aes::cipher::{BlockEncryptMut, KeyIvInit, block_padding::NoPadding};
    let mut content = plaintext.as_bytes().to_vec();
    let pad = 16 - content.len() % 16;
    content.extend(std::iter::repeat_n(pad as u8, pad));
    let iv: [u8; 16] = rand::random();
    let len = content.len();
    let enc = Aes256CbcEnc::new(&aes_key(password).into(), &iv.into())
        .encrypt_padded_mut::<NoPadding>(&mut content, len)
        .map_err(|e| FuncError::failed(e.to_string()))?
        .to_vec();
    let mut out = iv.to_vec();
    out.extend(enc);
    Ok(base64::engine::general_purpose::STANDARD.encode(out))
}

fn decrypt_aes(password: &str, crypt64: &str) -> Result<String, FuncError> {
    use aes::cipher::{BlockDecryptMut, KeyIvInit, block_padding::NoPadding};
    let data = base64::engine::general_purpose::STANDARD
        .decode(crypt64.as_bytes())
        .map_err(|e| FuncError::failed(e.to_string()))?;
    if data.len() < 16 || (data.len() - 16) % 16 != 0 {
        return Err(FuncError::failed(
            "ciphertext is not a multiple of the block size",
        ));
    }
    let (iv, body) = data.split_at(16);
    let mut buf = body.to_vec();
    let iv: [u8; 16] = iv.try_into().map_err(|_| FuncError::failed("bad iv"))?;
    let dec = Aes256CbcDec::new(&aes_key(password).into(), &iv.into())
        .decrypt_padded_mut::<NoPadding>(&mut buf)
        .map_err(|e| FuncError::failed(e.to_string()))?;
    let trailing = dec.last().copied().unwrap_or(0) as usize;
    let keep = dec.len().saturating_sub(trailing);
    Ok(String::from_utf8_lossy(&dec[..keep]).into_owned())
}

const SEED: &str = "com.lyndir.masterpassword";

fn templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_chars(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        b'x' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
        _ => b"",
    }
}

fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(templates) = templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = SEED.as_bytes().to_vec();
    salt.extend((user.len() as u32).to_be_bytes());
    salt.extend(user.as_bytes());
    let mut key = [0u8; 64];
    let Ok(params) = scrypt::Params::new(15, 8, 2, 64) else {
        return "failed to derive password: bad parameters".into();
    };
    if let Err(e) = scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key) {
        return format!("failed to derive password: {e}");
    }
    let mut msg = SEED.as_bytes().to_vec();
    msg.extend((site.len() as u32).to_be_bytes());
    msg.extend(site.as_bytes());
    msg.extend(counter.to_be_bytes());
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key) else {
        return "failed to derive password: bad key".into();
    };
    mac.update(&msg);
    let seed = mac.finalize().into_bytes();
    let template = templates[seed[0] as usize % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(i, t)| {
            let chars = template_chars(t);
            chars[seed[(i + 1) % seed.len()] as usize % chars.len()] as char
        })
        .collect()
}

pub fn register(r: &mut Reg) {
    for (name, must) in [
        ("dateModify", false),
        ("date_modify", false),
        ("mustDateModify", true),
        ("must_date_modify", true),
    ] {
        r.f(name, move |a| {
            arity(a, 2)?;
            let fmt = s(&a[0])?;
            let Value::Object(o) = &a[1] else {
                return Err(FuncError::WrongType {
                    expected: "time.Time".into(),
                    got: super::args::go_type(&a[1]),
                });
            };
            let Some(t) = o.as_any().downcast_ref::<Time>() else {
                return Err(FuncError::WrongType {
                    expected: "time.Time".into(),
                    got: o.type_name().into(),
                });
            };
            match parse_go_duration(fmt) {
                Some(ns) => Ok(Value::object(Time(
                    t.0 + chrono::Duration::nanoseconds(ns as i64),
                ))),
                None if must => Err(FuncError::failed(format!(
                    "time: invalid duration {}",
                    crate::gotmpl::go_quote(fmt)
                ))),
                None => Ok(a[1].clone()),
            }
        });
    }
    r.f("durationRound", |a| {
        arity(a, 1)?;
        let ns = match &a[0] {
            Value::String(v) => parse_go_duration(v).unwrap_or(0),
            Value::Object(o) => match o.as_any().downcast_ref::<Time>() {
                Some(t) => (chrono::Local::now().fixed_offset() - t.0)
                    .num_nanoseconds()
                    .unwrap_or(0) as i128,
                None => 0,
            },
            _ => 0,
        };
        Ok(Value::string(duration_round(ns)))
    });
    r.f("encryptAES", |a| {
        arity(a, 2)?;
        encrypt_aes(s(&a[0])?, s(&a[1])?).map(Value::string)
    });
    r.f("decryptAES", |a| {
        arity(a, 2)?;
        decrypt_aes(s(&a[0])?, s(&a[1])?).map(Value::string)
    });
    r.f("derivePassword", |a| {
        arity(a, 5)?;
        let counter = match &a[0] {
            Value::Int(i) if *i >= 0 && *i <= u32::MAX as i64 => *i as u32,
            other => {
                return Err(FuncError::WrongType {
                    expected: "uint32".into(),
                    got: super::args::go_type(other),
                });
            }
        };
        Ok(Value::string(derive_password(
            counter,
            s(&a[1])?,
            s(&a[2])?,
            s(&a[3])?,
            s(&a[4])?,
        )))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_aes_round_trip() {
        assert_eq!(parse_go_duration("1h30m"), Some(5_400_000_000_000));
        assert_eq!(parse_go_duration("-1.5s"), Some(-1_500_000_000));
        assert_eq!(parse_go_duration("x"), None);
        assert_eq!(duration_round(3 * 24 * 3600 * 1_000_000_000 + 1), "3d");
        let c = encrypt_aes("secret", "hello world").unwrap();
        assert_eq!(decrypt_aes("secret", &c).unwrap(), "hello world");
    }
}
