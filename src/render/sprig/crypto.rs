//! Sprig's encoding, hashing, random and UUID functions.

use base64::Engine as _;
use sha2::Digest;

use super::Reg;
use super::args::{arity, s};
use crate::gotmpl::Value;

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn b32_encode(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                out.push(B32[((bits >> (35 - i * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn b32_decode(text: &str) -> Result<Vec<u8>, String> {
    let clean = text.trim_end_matches('=');
    let mut bits: u64 = 0;
    let mut n = 0;
    let mut out = Vec::new();
    for (i, c) in clean.bytes().enumerate() {
        let v = B32
            .iter()
            .position(|b| *b == c)
            .ok_or_else(|| format!("illegal base32 data at input byte {i}"))?;
        bits = (bits << 5) | v as u64;
        n += 5;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    Ok(out)
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + x as u32) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

pub fn register(r: &mut Reg) {
    r.f("b64enc", |a| {
        arity(a, 1)?;
        Ok(Value::string(b64().encode(s(&a[0])?.as_bytes())))
    });
    r.f("b64dec", |a| {
        arity(a, 1)?;
        Ok(Value::string(match b64().decode(s(&a[0])?.as_bytes()) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => match e {
                base64::DecodeError::InvalidByte(i, _)
                | base64::DecodeError::InvalidLastSymbol(i, _) => {
                    format!("illegal base64 data at input byte {i}")
                }
                // Go reports an incomplete final quantum at its first byte.
                _ => format!(
                    "illegal base64 data at input byte {}",
                    s(&a[0])?.len() / 4 * 4
                ),
            },
        }))
    });
    r.f("b32enc", |a| {
        arity(a, 1)?;
        Ok(Value::string(b32_encode(s(&a[0])?.as_bytes())))
    });
    r.f("b32dec", |a| {
        arity(a, 1)?;
        Ok(Value::string(match b32_decode(s(&a[0])?) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => e,
        }))
    });
    r.f("sha1sum", |a| {
        arity(a, 1)?;
        Ok(Value::string(hex::encode(sha1::Sha1::digest(
            s(&a[0])?.as_bytes(),
        ))))
    });
    r.f("sha256sum", |a| {
        arity(a, 1)?;
        Ok(Value::string(hex::encode(sha2::Sha256::digest(
            s(&a[0])?.as_bytes(),
        ))))
    });
    r.f("sha512sum", |a| {
        arity(a, 1)?;
        Ok(Value::string(hex::encode(sha2::Sha512::digest(
            s(&a[0])?.as_bytes(),
        ))))
    });
    r.f("adler32sum", |a| {
        arity(a, 1)?;
        Ok(Value::string(adler32(s(&a[0])?.as_bytes()).to_string()))
    });
    r.f("uuidv4", |a| {
        arity(a, 0)?;
        Ok(Value::string(uuid::Uuid::new_v4().to_string()))
    });
    r.f("randBytes", |a| {
        arity(a, 1)?;
        use rand::RngCore;
        let n = super::args::int(&a[0])?.clamp(0, 1 << 20) as usize;
        let mut buf = vec![0u8; n];
        rand::thread_rng().fill_bytes(&mut buf);
        Ok(Value::string(b64().encode(buf)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(b32_encode(b"hello"), "NBSWY3DP");
        assert_eq!(b32_decode("NBSWY3DP").unwrap(), b"hello");
        assert_eq!(adler32(b"Wikipedia"), 300286872);
    }
}
