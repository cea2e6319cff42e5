//! Sprig's key and certificate functions: `genPrivateKey`, `genCA`,
//! `genSelfSignedCert`, `genSignedCert` (and their `WithKey` forms),
//! `buildCustomCert`, `bcrypt`, `htpasswd`. Keys are RSA (2048 bits for
//! certificates, 4096 for `genPrivateKey "rsa"`, as Sprig), ECDSA P-256 or Ed25519,
//! in the PEM blocks Sprig writes; certificates carry Sprig's key usages.

use std::any::Any;

use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};

use super::Reg;
use super::args::{arity, int, list, s, strval};
use crate::gotmpl::{FuncError, Object, Value};

/// Sprig's `certificate` struct: `.Cert` and `.Key` in PEM.
pub struct Certificate {
    pub cert: String,
    pub key: String,
}

impl Object for Certificate {
    fn type_name(&self) -> &str {
        "sprig.certificate"
    }
    fn kind(&self) -> &str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::str(&self.cert)),
            "Key" => Some(Value::str(&self.key)),
            _ => None,
        }
    }
    fn format(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }
    fn to_data(&self) -> Value {
        let mut m = crate::gotmpl::Map::new();
        m.insert("Cert".into(), Value::str(&self.cert));
        m.insert("Key".into(), Value::str(&self.key));
        Value::map(m)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn fail(e: impl std::fmt::Display) -> FuncError {
    FuncError::failed(e.to_string())
}

/// A prime search's result as the `rsa` crate's integer.
fn to_rsa(n: &crypto_bigint::BoxedUint) -> rsa::BigUint {
    rsa::BigUint::from_bytes_be(&n.to_be_bytes())
}

/// A new RSA key of `bits` bits with exponent 65537, its primes found by
/// [`primes`](super::primes) on two threads (Go's `crypto/rsa` finds them one
/// after the other).
fn rsa_private_key(bits: usize) -> Result<rsa::RsaPrivateKey, FuncError> {
    let e = rsa::BigUint::from(65_537u32);
    let bits_p = u32::try_from(bits / 2)
        .ok()
        .filter(|b| *b >= 64)
        .ok_or_else(|| fail(format!("RSA keys of {bits} bits are not supported")))?;
    let bits_q = u32::try_from(bits - bits / 2).map_err(fail)?;
    // Each round fails only with tiny probability (e not coprime to p-1 or
    // q-1); the bound keeps the loop finite regardless.
    for _ in 0..64 {
        let pair = if bits_p == bits_q {
            super::primes::prime_pair(bits_p)
        } else {
            std::thread::scope(|scope| {
                let other = crate::threads::beside(scope, || super::primes::prime(bits_p));
                let q = super::primes::prime(bits_q);
                let p = if other.started() {
                    other.result()?
                } else {
                    super::primes::prime(bits_p)
                };
                Some((p?, q?))
            })
        };
        let (p, q) = pair.ok_or_else(|| fail("RSA prime search failed"))?;
        if let Ok(key) = rsa::RsaPrivateKey::from_p_q(to_rsa(&p), to_rsa(&q), e.clone())
            && rsa::traits::PublicKeyParts::n(&key).bits() == bits
        {
            return Ok(key);
        }
    }
    Err(fail("RSA key generation failed"))
}

/// A new RSA key: its PKCS#1 PEM and an rcgen signing key.
fn rsa_key(bits: usize) -> Result<(String, KeyPair), FuncError> {
    let key = rsa_private_key(bits)?;
    let pem = key.to_pkcs1_pem(LineEnding::LF).map_err(fail)?.to_string();
    let der = key.to_pkcs8_der().map_err(fail)?;
    let pair =
        KeyPair::from_pkcs8_der_and_sign_algo(&der.as_bytes().into(), &rcgen::PKCS_RSA_SHA256)
            .map_err(fail)?;
    Ok((pem, pair))
}

/// A signing key from a PEM block (RSA PKCS#1 or PKCS#8, or an rcgen-readable key).
fn key_from_pem(pem: &str) -> Result<KeyPair, FuncError> {
    if let Ok(k) =
        rsa::RsaPrivateKey::from_pkcs1_pem(pem).or_else(|_| rsa::RsaPrivateKey::from_pkcs8_pem(pem))
    {
        let der = k.to_pkcs8_der().map_err(fail)?;
        return KeyPair::from_pkcs8_der_and_sign_algo(
            &der.as_bytes().into(),
            &rcgen::PKCS_RSA_SHA256,
        )
        .map_err(fail);
    }
    KeyPair::from_pem(pem)
        .map_err(|_| FuncError::failed("error decoding PEM block: unsupported private key type"))
}

fn base_params(cn: &str, days: i64) -> Result<CertificateParams, FuncError> {
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    p.distinguished_name = dn;
    let now = time::OffsetDateTime::now_utc();
    p.not_before = now;
    p.not_after = now + time::Duration::days(days.clamp(-36500, 36500));
    let serial: [u8; 16] = rand::random();
    p.serial_number = Some(SerialNumber::from_slice(&serial));
    p.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    p.use_authority_key_identifier_extension = false;
    Ok(p)
}

fn sans(ips: &[Value], dns: &[Value]) -> Result<Vec<SanType>, FuncError> {
    let mut out = Vec::new();
    for ip in ips {
        let text = strval(ip);
        let addr: std::net::IpAddr = text
            .parse()
            .map_err(|_| FuncError::failed(format!("error parsing ip: {text}")))?;
        out.push(SanType::IpAddress(addr));
    }
    for d in dns {
        out.push(SanType::DnsName(strval(d).try_into().map_err(fail)?));
    }
    Ok(out)
}

fn ca(cn: &str, days: i64, key: Option<&str>) -> Result<Value, FuncError> {
    let (key_pem, pair) = match key {
        Some(pem) => (pem.to_string(), key_from_pem(pem)?),
        None => rsa_key(2048)?,
    };
    let mut p = base_params(cn, days)?;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
    ];
    let cert = p.self_signed(&pair).map_err(fail)?;
    Ok(Value::object(Certificate {
        cert: cert.pem(),
        key: key_pem,
    }))
}

fn leaf(a: &[Value], signer: Option<&Value>, key: Option<&str>) -> Result<Value, FuncError> {
    let cn = s(&a[0])?;
    let ips = match &a[1] {
        Value::Nil => Vec::new(),
        v => list(v)?.to_vec(),
    };
    let dns = match &a[2] {
        Value::Nil => Vec::new(),
        v => list(v)?.to_vec(),
    };
    let days = int(&a[3])?;
    let (key_pem, pair) = match key {
        Some(pem) => (pem.to_string(), key_from_pem(pem)?),
        None => rsa_key(2048)?,
    };
    let mut p = base_params(cn, days)?;
    p.subject_alt_names = sans(&ips, &dns)?;
    p.key_usages = vec![
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::DigitalSignature,
    ];
    let cert = match signer {
        None => p.self_signed(&pair).map_err(fail)?,
        Some(ca) => {
            let (ca_cert, ca_key) = match ca {
                Value::Object(o) => match o.as_any().downcast_ref::<Certificate>() {
                    Some(c) => (c.cert.clone(), c.key.clone()),
                    None => {
                        return Err(FuncError::WrongType {
                            expected: "sprig.certificate".into(),
                            got: o.type_name().into(),
                        });
                    }
                },
                other => {
                    return Err(FuncError::WrongType {
                        expected: "sprig.certificate".into(),
                        got: super::args::go_type(other),
                    });
                }
            };
            let ca_pair = key_from_pem(&ca_key)?;
            let ca_params = CertificateParams::from_ca_cert_pem(&ca_cert)
                .map_err(|e| FuncError::failed(format!("error parsing CA certificate: {e}")))?;
            let issuer = ca_params.self_signed(&ca_pair).map_err(fail)?;
            p.use_authority_key_identifier_extension = true;
            p.signed_by(&pair, &issuer, &ca_pair).map_err(fail)?
        }
    };
    Ok(Value::object(Certificate {
        cert: cert.pem(),
        key: key_pem,
    }))
}

fn bcrypt_hash(pass: &str) -> Result<String, FuncError> {
    let h = bcrypt::hash_with_result(pass, 10).map_err(fail)?;
    Ok(h.format_for_version(bcrypt::Version::TwoA))
}

/// A DER length.
fn der_len(out: &mut Vec<u8>, n: usize) {
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
}

/// A DER INTEGER from unsigned big-endian bytes.
fn der_uint(out: &mut Vec<u8>, be: &[u8]) {
    let trimmed: Vec<u8> = be.iter().copied().skip_while(|b| *b == 0).collect();
    let mut body = Vec::new();
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        body.push(0);
    }
    body.extend_from_slice(&trimmed);
    out.push(0x02);
    der_len(out, body.len());
    out.extend_from_slice(&body);
}

/// Go's DSA key for `genPrivateKey "dsa"`: L2048/N256 parameters, written as
/// Sprig's `DSAKeyFormat` (SEQUENCE of version 0, P, Q, G, Y, X) in a
/// `DSA PRIVATE KEY` block.
fn dsa_pem() -> Result<String, FuncError> {
    let mut rng = rand::thread_rng();
    let components = dsa::Components::generate(&mut rng, dsa::KeySize::DSA_2048_256);
    let key = dsa::SigningKey::generate(&mut rng, components);
    let vk = key.verifying_key();
    let c = vk.components();
    let mut body = Vec::new();
    der_uint(&mut body, &[0]);
    for n in [c.p(), c.q(), c.g(), vk.y(), key.x()] {
        der_uint(&mut body, &n.to_bytes_be());
    }
    let mut der = vec![0x30];
    der_len(&mut der, body.len());
    der.extend_from_slice(&body);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
    let mut pem = String::from("-----BEGIN DSA PRIVATE KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str("-----END DSA PRIVATE KEY-----\n");
    Ok(pem)
}

pub fn register(r: &mut Reg) {
    r.f("genCA", |a| {
        arity(a, 2)?;
        ca(s(&a[0])?, int(&a[1])?, None)
    });
    r.f("genCAWithKey", |a| {
        arity(a, 3)?;
        ca(s(&a[0])?, int(&a[1])?, Some(s(&a[2])?))
    });
    r.f("genSelfSignedCert", |a| {
        arity(a, 4)?;
        leaf(a, None, None)
    });
    r.f("genSelfSignedCertWithKey", |a| {
        arity(a, 5)?;
        leaf(a, None, Some(s(&a[4])?))
    });
    r.f("genSignedCert", |a| {
        arity(a, 5)?;
        leaf(a, Some(&a[4]), None)
    });
    r.f("genSignedCertWithKey", |a| {
        arity(a, 6)?;
        leaf(a, Some(&a[4]), Some(s(&a[5])?))
    });
    r.f("buildCustomCert", |a| {
        arity(a, 2)?;
        let dec = |v: &Value| -> Result<String, FuncError> {
            let b = base64::engine::general_purpose::STANDARD
                .decode(s(v)?.as_bytes())
                .map_err(|e| FuncError::failed(format!("unable to decode base64: {e}")))?;
            Ok(String::from_utf8_lossy(&b).into_owned())
        };
        let (cert, key) = (dec(&a[0])?, dec(&a[1])?);
        if !cert.contains("-----BEGIN CERTIFICATE-----") {
            return Err(FuncError::failed(
                "error parsing certificate: decoded cert is not a PEM certificate",
            ));
        }
        Ok(Value::object(Certificate { cert, key }))
    });
    r.f("genPrivateKey", |a| {
        arity(a, 1)?;
        let pem = match s(&a[0])? {
            "rsa" => rsa_private_key(4096)?
                .to_pkcs1_pem(LineEnding::LF)
                .map_err(fail)?
                .to_string(),
            "ecdsa" => {
                use p256::pkcs8::EncodePrivateKey as _;
                let k = p256::SecretKey::random(&mut rand::thread_rng());
                let _ = k.to_pkcs8_der();
                k.to_sec1_pem(LineEnding::LF).map_err(fail)?.to_string()
            }
            "ed25519" => {
                use ed25519_dalek::pkcs8::EncodePrivateKey as _;
                let k = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
                k.to_pkcs8_pem(LineEnding::LF).map_err(fail)?.to_string()
            }
            "dsa" => dsa_pem()?,
            other => format!("Unknown type {other}"),
        };
        Ok(Value::string(pem))
    });
    r.f("bcrypt", |a| {
        arity(a, 1)?;
        Ok(Value::string(bcrypt_hash(s(&a[0])?)?))
    });
    r.f("htpasswd", |a| {
        arity(a, 2)?;
        let (user, pass) = (s(&a[0])?, s(&a[1])?);
        if user.contains(':') {
            return Ok(Value::string(format!("invalid username: {user}")));
        }
        Ok(Value::string(format!("{user}:{}", bcrypt_hash(pass)?)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};

    #[test]
    fn rsa_keys_have_the_asked_size_and_two_distinct_primes_of_half_of_it() {
        for bits in [1024, 2048] {
            let key = rsa_private_key(bits).expect("key");
            key.validate().expect("a consistent key");
            assert_eq!(key.n().bits(), bits);
            assert_eq!(key.e(), &rsa::BigUint::from(65_537u32));
            let primes = key.primes();
            assert_eq!(primes.len(), 2);
            assert_ne!(primes[0], primes[1]);
            for p in primes {
                assert_eq!(p.bits(), bits / 2);
                // Both top bits set, so any two such primes make an n of `bits` bits.
                assert!(p >> (bits / 2 - 2) == rsa::BigUint::from(3u32));
            }
        }
    }
}
