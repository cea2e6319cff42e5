//! The sandbox's own certificate authority, its serving certificate for 127.0.0.1 and
//! localhost, and the kubeconfig that points real clients at it (CA data plus a bearer
//! token). A kubeconfig is written as JSON, which kubectl and Helm read as YAML.

use std::sync::Arc;

use base64::Engine;
use rcgen::{BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, KeyPair};
use serde_json::json;

/// Generated TLS material.
pub struct Certs {
    pub ca_pem: String,
    pub server_config: Arc<rustls::ServerConfig>,
}

/// Creates a fresh CA and a server certificate signed by it; ALPN offers h2 and http/1.1.
pub fn generate() -> Result<Certs, String> {
    let err = |e: rcgen::Error| format!("failed to generate sandbox certificates: {e}");
    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "charter-sandbox-ca");
    ca_params.distinguished_name = dn;
    let ca_cert = ca_params.self_signed(&ca_key).map_err(err)?;

    let key = KeyPair::generate().map_err(err)?;
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .map_err(err)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "charter-sandbox");
    params.distinguished_name = dn;
    let cert = params.signed_by(&key, &ca_cert, &ca_key).map_err(err)?;

    let key_der = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der())
        .map_err(|e| format!("failed to load sandbox key: {e}"))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("failed to configure TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key_der)
        .map_err(|e| format!("failed to configure TLS: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Certs {
        ca_pem: ca_cert.pem(),
        server_config: Arc::new(config),
    })
}

/// A kubeconfig for `server` (`https://127.0.0.1:PORT` or `http://...`).
pub fn kubeconfig(server: &str, ca_pem: Option<&str>, token: &str) -> String {
    let mut cluster = json!({"server": server});
    if let Some(pem) = ca_pem {
        cluster["certificate-authority-data"] =
            json!(base64::engine::general_purpose::STANDARD.encode(pem));
    }
    let doc = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "sandbox", "cluster": cluster}],
        "users": [{"name": "sandbox", "user": {"token": token}}],
        "contexts": [{"name": "sandbox", "context": {"cluster": "sandbox", "user": "sandbox", "namespace": "default"}}],
        "current-context": "sandbox",
        "preferences": {},
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_ca_and_kubeconfig() {
        let certs = generate().expect("certificates generate");
        assert!(certs.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        let kc = kubeconfig("https://127.0.0.1:1", Some(&certs.ca_pem), "tok");
        let v: serde_json::Value = serde_json::from_str(&kc).expect("json");
        assert_eq!(v["users"][0]["user"]["token"], "tok");
        assert!(v["clusters"][0]["cluster"]["certificate-authority-data"].is_string());
    }
}
