//! Helm's release encoding (`pkg/storage/driver/util.go`): the record's JSON,
//! gzipped at the best compression, then base64 (standard alphabet). A Secret's
//! data holds that text (so the API shows it base64'd twice); a ConfigMap holds
//! it as is. Records from before compression are plain JSON under the base64.

use std::io::{Read, Write};

use base64::Engine;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use super::Release;

/// The most a record may inflate to (a release holds a chart and its manifest;
/// Kubernetes caps a Secret at 1 MiB, so gzip's ratio bounds the rest).
const MAX_JSON: u64 = 256 << 20;

/// Unpacks a stored record: base64, gunzip when it starts with gzip's magic, JSON.
pub fn decode(stored: &[u8]) -> Result<Release, String> {
    let stored: Vec<u8> = stored
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&stored)
        .map_err(|e| format!("invalid release encoding: base64: {e}"))?;
    if bytes.starts_with(&[0x1f, 0x8b, 0x08]) {
        let mut json = Vec::new();
        GzDecoder::new(&bytes[..])
            .take(MAX_JSON + 1)
            .read_to_end(&mut json)
            .map_err(|e| format!("invalid release encoding: gzip: {e}"))?;
        if json.len() as u64 > MAX_JSON {
            return Err(format!(
                "invalid release encoding: inflates past {} MiB",
                MAX_JSON >> 20
            ));
        }
        Release::from_json(&json)
    } else {
        Release::from_json(&bytes)
    }
}

/// Packs a record's JSON as Helm does: gzip at level 9, then base64.
pub fn encode(json: &[u8]) -> String {
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    // Writing to a Vec cannot fail.
    gz.write_all(json).expect("gzip into memory");
    let bytes = gz.finish().expect("gzip into memory");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_records_decode_and_plain_json_is_read_too() {
        let json = br#"{"name":"a","version":2,"namespace":"n"}"#;
        let r = decode(encode(json).as_bytes()).unwrap();
        assert_eq!((r.name.as_str(), r.version), ("a", 2));
        let plain = base64::engine::general_purpose::STANDARD.encode(json);
        assert_eq!(decode(plain.as_bytes()).unwrap().namespace, "n");
    }

    #[test]
    fn broken_encodings_are_errors_not_panics() {
        assert!(decode(b"%%%").unwrap_err().contains("base64"));
        let mut gz = base64::engine::general_purpose::STANDARD
            .decode(encode(b"{}"))
            .unwrap();
        gz.truncate(12);
        let cut = base64::engine::general_purpose::STANDARD.encode(gz);
        assert!(decode(cut.as_bytes()).unwrap_err().contains("gzip"));
    }
}
