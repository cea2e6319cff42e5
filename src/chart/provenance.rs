//! Chart provenance, as Helm's `pkg/provenance` defines it: a `<chart>.tgz.prov`
//! file beside the archive holding an OpenPGP clear-signed message whose body is
//! the chart's metadata as YAML, the YAML document end marker `...`, and a
//! `files:` map from the archive's base name to `sha256:<hex>`.
//!
//! [`sign`] writes that message the way Go's `clearsign` package does (SHA-512,
//! a text signature over the lines with trailing blanks trimmed and joined by
//! CRLF, the final line break left out, dash-escaping, no trailing newline after
//! the armor), so Helm verifies what charter signs. [`verify`] checks the
//! signature against a [`Keyring`] and then the archive's digest, with Helm's
//! error wording, so scripts that read Helm's messages keep working.
//!
//! The OpenPGP work (key parsing, secret-key unlocking, RSA/ECDSA/EdDSA signing
//! and verification, armor) is the `pgp` crate's (rPGP, pure Rust); this file
//! only shapes Helm's message and picks keys as Helm picks them. Keyrings are
//! GnuPG's legacy binary keyrings (`gpg --export` / `--export-secret-keys`), as
//! Helm reads them, or the same keys ASCII-armored, which Helm does not read.

use std::io::Cursor;
use std::path::Path;

use pgp::composed::{
    ArmorOptions, CleartextSignedMessage, PublicOrSecret, SignedPublicKey, SignedSecretKey,
};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{Signature, SignatureConfig, SignatureType, Subpacket, SubpacketData};
use pgp::types::{KeyDetails, Password, Timestamp};
use sha2::{Digest, Sha256};

use crate::gotmpl::{Map, Value};

/// Why a provenance operation failed, worded as Helm words it where Helm has words.
#[derive(Debug, thiserror::Error)]
pub enum ProvenanceError {
    #[error("failed to load keyring: open {path}: {reason}")]
    KeyringOpen { path: String, reason: String },
    #[error("failed to load keyring: {path}: {reason}")]
    KeyringParse { path: String, reason: String },
    #[error("private key not found: no key in {keyring} has a user id matching {id:?}")]
    KeyNotFound { keyring: String, id: String },
    #[error("more than one key contain the id {0:?}")]
    VagueKey(String),
    #[error(
        "provided key is not a private key. Try providing a keyring with secret keys (key {0:?})"
    )]
    NotPrivate(String),
    #[error("failed to unlock the key {key:?}: {reason} (wrong passphrase?)")]
    Unlock { key: String, reason: String },
    #[error("failed to sign the chart with key {key:?}: {reason}")]
    Sign { key: String, reason: String },
    #[error("failed to decode signature: {0}")]
    Decode(String),
    #[error(
        "openpgp: signature made by unknown entity (key {0}); is its public key in the keyring?"
    )]
    UnknownSigner(String),
    #[error("openpgp: invalid signature: {0}")]
    BadSignature(String),
    #[error("message block must have at least two parts")]
    MessageParts,
    #[error("provenance message block: {0}")]
    MessageYaml(String),
    #[error("provenance does not contain a SHA for a file named {0:?}")]
    NoSum(String),
    #[error("sha256 sum does not match for {name}: {expected:?} != {actual:?}")]
    SumMismatch {
        name: String,
        expected: String,
        actual: String,
    },
    #[error("{0}")]
    Chart(#[from] super::ChartError),
}

type Result<T> = std::result::Result<T, ProvenanceError>;

/// Go's wording for a failed file operation (`no such file or directory`).
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "is a directory".into(),
        _ => e.to_string(),
    }
}

/// The keys of a keyring file, in file order.
pub struct Keyring {
    keys: Vec<PublicOrSecret>,
}

/// The outcome of a successful verification.
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    /// The user ids of the signing key, in key order.
    pub signed_by: Vec<String>,
    /// The primary key's fingerprint, upper-case hex (Go's `%X`).
    pub fingerprint: String,
    /// `sha256:<hex>` of the archive.
    pub file_hash: String,
    /// The archive's base name.
    pub file_name: String,
}

impl Verification {
    /// Helm's report: `Signed by:` per user id, the fingerprint, the hash.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for id in &self.signed_by {
            out.push_str(&format!("Signed by: {id}\n"));
        }
        out.push_str(&format!(
            "Using Key With Fingerprint: {}\n",
            self.fingerprint
        ));
        out.push_str(&format!("Chart Hash Verified: {}\n", self.file_hash));
        out
    }
}

fn user_ids(key: &PublicOrSecret) -> Vec<String> {
    let users = match key {
        PublicOrSecret::Public(k) => &k.details.users,
        PublicOrSecret::Secret(k) => &k.details.users,
    };
    users
        .iter()
        .map(|u| String::from_utf8_lossy(u.id.id()).into_owned())
        .collect()
}

fn public_of(key: &PublicOrSecret) -> SignedPublicKey {
    match key {
        PublicOrSecret::Public(k) => k.clone(),
        PublicOrSecret::Secret(k) => k.to_public_key(),
    }
}

impl Keyring {
    /// Reads a keyring file (binary or armored, public and/or secret keys).
    pub fn load(path: &Path) -> Result<Keyring> {
        let shown = path.display().to_string();
        let data = std::fs::read(path).map_err(|e| ProvenanceError::KeyringOpen {
            path: shown.clone(),
            reason: io_reason(&e),
        })?;
        Keyring::from_bytes(&data).map_err(|reason| ProvenanceError::KeyringParse {
            path: shown,
            reason,
        })
    }

    /// Parses keyring bytes. Keys whose self-signatures do not verify, or that use
    /// algorithms the OpenPGP library does not know, are left out (Go's
    /// `ReadKeyRing` skips unsupported keys too); a ring with no usable key at
    /// all is an error.
    pub fn from_bytes(data: &[u8]) -> std::result::Result<Keyring, String> {
        if data.iter().all(|b| b.is_ascii_whitespace()) {
            return Err("the file is empty".into());
        }
        let (iter, _) = PublicOrSecret::from_reader_many(Cursor::new(data.to_vec()))
            .map_err(|e| format!("not an OpenPGP keyring (binary or ASCII-armored): {e}"))?;
        let mut keys = Vec::new();
        let mut last_err = None;
        for k in iter {
            match k {
                Ok(k) if k.verify_bindings().is_ok() => keys.push(k),
                Ok(_) => last_err = Some("a key's self-signatures do not verify".to_string()),
                Err(e) => last_err = Some(e.to_string()),
            }
        }
        if keys.is_empty() {
            return Err(format!(
                "no usable OpenPGP key found{}",
                last_err.map(|e| format!(" ({e})")).unwrap_or_default()
            ));
        }
        Ok(Keyring { keys })
    }

    /// Picks the signing key as Helm's `NewFromKeyring` does: a key with a user
    /// id equal to `id` wins at once; otherwise the one key whose user id
    /// contains `id` (more than one such user id is an error).
    pub fn signer(&self, id: &str, keyring_name: &str) -> Result<&SignedSecretKey> {
        let mut candidate: Option<&PublicOrSecret> = None;
        let mut vague = false;
        'keys: for k in &self.keys {
            for n in user_ids(k) {
                if n == id {
                    candidate = Some(k);
                    vague = false;
                    break 'keys;
                }
                if n.contains(id) {
                    if candidate.is_some() {
                        vague = true;
                    }
                    candidate = Some(k);
                }
            }
        }
        if vague {
            return Err(ProvenanceError::VagueKey(id.to_string()));
        }
        match candidate {
            None => Err(ProvenanceError::KeyNotFound {
                keyring: keyring_name.to_string(),
                id: id.to_string(),
            }),
            Some(PublicOrSecret::Public(_)) => Err(ProvenanceError::NotPrivate(id.to_string())),
            Some(PublicOrSecret::Secret(k)) => Ok(k),
        }
    }
}

/// The first user id of a key, or `Unknown` (what Helm shows when asking for a
/// passphrase).
pub fn key_name(key: &SignedSecretKey) -> String {
    key.details
        .users
        .first()
        .map(|u| String::from_utf8_lossy(u.id.id()).into_owned())
        .unwrap_or_else(|| "Unknown".into())
}

/// Whether the key's secret material is protected by a passphrase.
pub fn is_encrypted(key: &SignedSecretKey) -> bool {
    key.primary_key.secret_params().is_encrypted()
}

/// Checks that `passphrase` unlocks the key's secret material (any passphrase
/// does for an unprotected key).
pub fn check_passphrase(key: &SignedSecretKey, passphrase: &Password) -> Result<()> {
    key.primary_key
        .unlock(passphrase, |_, _| Ok(()))
        .and_then(|r| r)
        .map_err(|e| ProvenanceError::Unlock {
            key: key_name(key),
            reason: e.to_string(),
        })
}

/// `sha256:<hex>` of some bytes.
pub fn digest(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

/// The message Helm signs for an archive: the metadata of the chart inside it
/// as YAML, a blank line, `...`, then the `files:` map.
pub fn message_block(archive_name: &str, archive: &[u8]) -> Result<String> {
    let chart = super::load_archive(archive)?;
    let meta = crate::yaml::try_to_yaml(&chart.metadata.to_data())
        .map_err(|e| ProvenanceError::MessageYaml(e.to_string()))?;
    let mut files = Map::new();
    files.insert(archive_name.to_string(), Value::string(digest(archive)));
    let mut sums = Map::new();
    sums.insert("files".to_string(), Value::map(files));
    let sums = crate::yaml::try_to_yaml(&Value::map(sums))
        .map_err(|e| ProvenanceError::MessageYaml(e.to_string()))?;
    Ok(format!("{meta}\n...\n{sums}"))
}

/// The bytes a clear-text signature covers, as Go's `clearsign` hashes them:
/// each line without trailing spaces and tabs, lines joined by CRLF, no line
/// break after the last line.
fn canonical_text(text: &str) -> String {
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.split('\n')
        .map(|l| l.trim_end_matches([' ', '\t', '\r']))
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// Clear-signs the provenance message for `archive` (named `archive_name`)
/// with the primary key of `key`, returning the `.prov` text.
pub fn sign(
    key: &SignedSecretKey,
    passphrase: &Password,
    archive_name: &str,
    archive: &[u8],
) -> Result<String> {
    let message = message_block(archive_name, archive)?;
    let name = key_name(key);
    let failed = |e: pgp::errors::Error| ProvenanceError::Sign {
        key: name.clone(),
        reason: e.to_string(),
    };
    // Unlocking first separates a wrong passphrase from a signing failure.
    check_passphrase(key, passphrase)?;
    let signed = canonical_text(&message);
    let signer = &key.primary_key;
    let mut config = SignatureConfig::v4(
        SignatureType::Text,
        signer.algorithm(),
        HashAlgorithm::Sha512,
    );
    config.hashed_subpackets = vec![
        Subpacket::regular(SubpacketData::SignatureCreationTime(Timestamp::now()))
            .map_err(failed)?,
        Subpacket::regular(SubpacketData::IssuerFingerprint(signer.fingerprint()))
            .map_err(failed)?,
    ];
    config.unhashed_subpackets = vec![
        Subpacket::regular(SubpacketData::IssuerKeyId(signer.legacy_key_id())).map_err(failed)?,
    ];
    let sig: Signature = config
        .sign(signer, passphrase, signed.as_bytes())
        .map_err(failed)?;
    let body = message.strip_suffix('\n').unwrap_or(&message);
    let msg = CleartextSignedMessage::new_many(body, |_| Ok(vec![sig])).map_err(failed)?;
    let armored = msg
        .to_armored_string(ArmorOptions::default())
        .map_err(failed)?;
    Ok(armored.trim_end_matches(['\n', '\r']).to_string())
}

/// Parses a `.prov`: the clear-signed block and its signatures.
fn decode(prov: &[u8]) -> Result<CleartextSignedMessage> {
    const HEADER: &[u8] = b"-----BEGIN PGP SIGNED MESSAGE-----";
    // Like Go's `clearsign.Decode`, anything before the block is skipped.
    let start = prov
        .windows(HEADER.len())
        .position(|w| w == HEADER)
        .ok_or_else(|| ProvenanceError::Decode("signature block not found".into()))?;
    let text = std::str::from_utf8(&prov[start..])
        .map_err(|_| ProvenanceError::Decode("the provenance file is not UTF-8 text".into()))?;
    let (message, _) = CleartextSignedMessage::from_string(text)
        .map_err(|e| ProvenanceError::Decode(e.to_string()))?;
    if message.signatures().is_empty() {
        return Err(ProvenanceError::Decode("signature block not found".into()));
    }
    Ok(message)
}

/// The message text as Go's decoder gives it: lines unescaped, each ending in `\n`.
fn plaintext(message: &CleartextSignedMessage) -> String {
    let mut out = message.signed_text().replace("\r\n", "\n");
    out.push('\n');
    out
}

/// Why a signature did not verify, in Go's words where the cause is the usual
/// one: the signed text was changed after signing.
fn signature_failure(e: &pgp::errors::Error) -> String {
    let text = e.to_string();
    if text.contains("invalid signed hash value") {
        "hash tag doesn't match (the provenance message was changed after signing)".into()
    } else {
        text
    }
}

/// Finds the key that made `sig` and checks the signature over `data`. Returns
/// the signer's user ids and primary fingerprint.
fn check_signature(
    keyring: &Keyring,
    sig: &Signature,
    data: &[u8],
) -> Result<(Vec<String>, String)> {
    let ids: Vec<String> = sig.issuer_key_id().iter().map(hex::encode_upper).collect();
    let fps: Vec<String> = sig
        .issuer_fingerprint()
        .iter()
        .map(|f| format!("{f:X}"))
        .collect();
    let matches = |fp: String, id: String| fps.contains(&fp) || ids.contains(&id);
    for entry in &keyring.keys {
        let key = public_of(entry);
        let primary_fp = format!("{:X}", key.primary_key.fingerprint());
        let mut tried = false;
        let mut last = None;
        if matches(
            primary_fp.clone(),
            hex::encode_upper(key.primary_key.legacy_key_id()),
        ) {
            tried = true;
            match sig.verify(&key.primary_key, data) {
                Ok(()) => return Ok((user_ids(entry), primary_fp)),
                Err(e) => last = Some(signature_failure(&e)),
            }
        }
        for sub in &key.public_subkeys {
            if matches(
                format!("{:X}", sub.key.fingerprint()),
                hex::encode_upper(sub.key.legacy_key_id()),
            ) {
                tried = true;
                match sig.verify(&sub.key, data) {
                    Ok(()) => return Ok((user_ids(entry), primary_fp)),
                    Err(e) => last = Some(signature_failure(&e)),
                }
            }
        }
        if tried {
            return Err(ProvenanceError::BadSignature(
                last.unwrap_or_else(|| "verification failure".into()),
            ));
        }
    }
    let who = fps
        .first()
        .or(ids.first())
        .cloned()
        .unwrap_or_else(|| "with no issuer".into());
    Err(ProvenanceError::UnknownSigner(who))
}

/// Verifies `prov` for the archive bytes `archive` named `archive_name`: the
/// signature against the keyring first, then the archive's SHA-256 against the
/// one the signed message records for that name.
pub fn verify(
    keyring: &Keyring,
    archive_name: &str,
    archive: &[u8],
    prov: &[u8],
) -> Result<Verification> {
    let message = decode(prov)?;
    let signed = message.signed_text();
    // Go checks the first signature of the block.
    let sig = &message.signatures()[0];
    let (signed_by, fingerprint) = check_signature(keyring, sig, signed.as_bytes())?;

    let text = plaintext(&message);
    let mut parts = text.splitn(2, "\n...\n");
    let (Some(meta), Some(sums)) = (parts.next(), parts.next()) else {
        return Err(ProvenanceError::MessageParts);
    };
    crate::yaml::unmarshal_map(meta).map_err(ProvenanceError::MessageYaml)?;
    let sums = crate::yaml::unmarshal_map(sums).map_err(ProvenanceError::MessageYaml)?;
    let actual = digest(archive);
    let expected = sums
        .get("files")
        .and_then(|f| f.as_map())
        .and_then(|m| m.get(archive_name))
        .ok_or_else(|| ProvenanceError::NoSum(archive_name.to_string()))?;
    let expected = expected.as_str().ok_or_else(|| {
        ProvenanceError::MessageYaml(format!("the sum for {archive_name} is not a string"))
    })?;
    if expected != actual {
        return Err(ProvenanceError::SumMismatch {
            name: archive_name.to_string(),
            expected: expected.to_string(),
            actual,
        });
    }
    Ok(Verification {
        signed_by,
        fingerprint,
        file_hash: actual,
        file_name: archive_name.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_text_trims_and_joins_with_crlf() {
        assert_eq!(canonical_text("a  \nb\t\n\nc\n"), "a\r\nb\r\n\r\nc");
        assert_eq!(canonical_text("x"), "x");
    }

    #[test]
    fn bad_keyrings_are_errors() {
        assert!(Keyring::from_bytes(b"").is_err());
        assert!(Keyring::from_bytes(b"not a key at all\n").is_err());
    }

    #[test]
    fn missing_block_is_reported() {
        let err = decode(b"hello").err().unwrap();
        assert_eq!(
            err.to_string(),
            "failed to decode signature: signature block not found"
        );
    }

    #[test]
    fn report_has_helms_lines() {
        let v = Verification {
            signed_by: vec!["A <a@example.com>".into()],
            fingerprint: "ABCD".into(),
            file_hash: "sha256:00".into(),
            file_name: "x-1.0.0.tgz".into(),
        };
        assert_eq!(
            v.report(),
            "Signed by: A <a@example.com>\nUsing Key With Fingerprint: ABCD\nChart Hash Verified: sha256:00\n"
        );
    }
}
