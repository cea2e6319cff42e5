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

/// Sprig's AES scheme: the key is the password's bytes cut or zero-padded to 32
/// (AES-256), PKCS#7 padding, CBC with a random IV written before the
/// ciphertext, all base64-encoded.
pub fn encrypt_aes(password: &str, plaintext: &str) -> String {
    use aes::cipher::{BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
    if plaintext.is_empty() {
        return String::new();
    }
    let key = aes_key(password);
    let iv: [u8; 16] = rand::random();
    let enc = cbc::Encryptor::<aes::Aes256>::new(&key.into(), &iv.into());
    let ct = enc.encrypt_padded_vec_mut::<Pkcs7>(plaintext.as_bytes());
    let mut out = iv.to_vec();
    out.extend_from_slice(&ct);
    b64().encode(out)
}

fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let p = password.as_bytes();
    let n = p.len().min(32);
    key[..n].copy_from_slice(&p[..n]);
    key
}

/// The inverse of [`encrypt_aes`]. Sprig strips the padding without checking
/// it; where Go would panic (short or ragged input) this returns Go's runtime
/// error text instead.
pub fn decrypt_aes(password: &str, crypt64: &str) -> Result<String, String> {
    use aes::cipher::{BlockDecryptMut, KeyIvInit, block_padding::NoPadding};
    if crypt64.is_empty() {
        return Ok(String::new());
    }
    let crypt = b64()
        .decode(crypt64)
        .map_err(|e| go_base64_error(crypt64, &e))?;
    if crypt.len() < 16 {
        return Err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            crypt.len()
        ));
    }
    let (iv, body) = crypt.split_at(16);
    if body.len() % 16 != 0 {
        return Err("crypto/cipher: input not full blocks".into());
    }
    let key = aes_key(password);
    let iv: [u8; 16] = iv.try_into().map_err(|_| "bad IV".to_string())?;
    let dec = cbc::Decryptor::<aes::Aes256>::new(&key.into(), &iv.into());
    let plain = dec
        .decrypt_padded_vec_mut::<NoPadding>(body)
        .map_err(|_| "crypto/cipher: input not full blocks".to_string())?;
    let Some(&last) = plain.last() else {
        return Err("runtime error: index out of range [-1]".into());
    };
    let cut = plain.len().checked_sub(usize::from(last)).ok_or_else(|| {
        format!(
            "runtime error: slice bounds out of range [:{}]",
            plain.len() as i64 - i64::from(last)
        )
    })?;
    Ok(String::from_utf8_lossy(&plain[..cut]).into_owned())
}

/// Go's `base64.CorruptInputError` text.
fn go_base64_error(text: &str, e: &base64::DecodeError) -> String {
    let at = match e {
        base64::DecodeError::InvalidByte(i, _) => *i,
        base64::DecodeError::InvalidLength(n) => *n,
        base64::DecodeError::InvalidLastSymbol(i, _) => *i,
        base64::DecodeError::InvalidPadding => text.len(),
    };
    format!("illegal base64 data at input byte {at}")
}

const MASTER_PASSWORD_SEED: &str = "com.lyndir.masterpassword";

fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
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

fn template_chars(class: u8) -> &'static [u8] {
    match class {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// Sprig's `derivePassword`: the Master Password algorithm (scrypt N=32768, r=8,
/// p=2 keyed by the user name, HMAC-SHA256 seeded by the site and counter).
pub fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    use hmac::Mac;
    let Some(templates) = password_templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = MASTER_PASSWORD_SEED.as_bytes().to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let params = match scrypt::Params::new(15, 8, 2, 64) {
        Ok(p) => p,
        Err(e) => return format!("failed to derive password: {e}"),
    };
    if let Err(e) = scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key) {
        return format!("failed to derive password: {e}");
    }
    let mut msg = MASTER_PASSWORD_SEED.as_bytes().to_vec();
    msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
    msg.extend_from_slice(site.as_bytes());
    msg.extend_from_slice(&counter.to_be_bytes());
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key) else {
        return "failed to derive password: bad key".into();
    };
    mac.update(&msg);
    let seed = mac.finalize().into_bytes();
    let template = templates[usize::from(seed[0]) % templates.len()].as_bytes();
    template
        .iter()
        .enumerate()
        .map(|(i, &class)| {
            let pool = template_chars(class);
            pool[usize::from(seed[i + 1]) % pool.len()] as char
        })
        .collect()
}

/// Registers `encryptAES`, `decryptAES` and `derivePassword`.
pub fn register_secrets(r: &mut Reg) {
    r.f("encryptAES", |a| {
        arity(a, 2)?;
        Ok(Value::string(encrypt_aes(s(&a[0])?, s(&a[1])?)))
    });
    r.f("decryptAES", |a| {
        arity(a, 2)?;
        decrypt_aes(s(&a[0])?, s(&a[1])?)
            .map(Value::string)
            .map_err(crate::gotmpl::FuncError::Failed)
    });
    r.f("derivePassword", |a| {
        arity(a, 5)?;
        let counter = match &a[0] {
            Value::Int(i) => u32::try_from(*i).map_err(|_| {
                crate::gotmpl::FuncError::failed(format!("value {i} overflows uint32"))
            })?,
            other => {
                return Err(crate::gotmpl::FuncError::WrongType {
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
mod secret_tests {
    use super::*;

    #[test]
    fn aes_round_trips() {
        let c = encrypt_aes("secretkey", "plaintext");
        assert_eq!(b64().decode(&c).map(|v| v.len()), Ok(32));
        assert_eq!(decrypt_aes("secretkey", &c), Ok("plaintext".into()));
        assert_eq!(encrypt_aes("k", ""), "");
        assert!(decrypt_aes("k", "YWJj").is_err());
    }

    #[test]
    fn derives_master_passwords() {
        // Expectations published in Sprig's crypto_test.go.
        assert_eq!(
            derive_password(1, "long", "password", "user", "example.com"),
            "ZedaFaxcZaso9*"
        );
        assert_eq!(
            derive_password(1, "pin", "password", "user", "example.com"),
            "6685"
        );
        assert_eq!(
            derive_password(1, "nope", "password", "user", "example.com"),
            "cannot find password template nope"
        );
    }
}
