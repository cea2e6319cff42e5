//! Helm's registry config (`$HELM_REGISTRY_CONFIG`, by default
//! `~/.config/helm/registry/config.json`): Docker's `config.json` format,
//! `{"auths": {"host": {"auth": base64("user:pass")}}}`, written with tabs as
//! Docker's `configfile` writes it, mode 0600. Keys charter does not know
//! (`credsStore`, `credHelpers`, other hosts) are kept as they were. Credential
//! helpers are not run: a host found only in a helper is treated as anonymous.

use std::path::Path;

use base64::Engine;
use serde_json::{Map, Value};

use super::{RegistryError, hostname};

/// Credentials for one registry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credential {
    pub username: String,
    pub password: String,
    /// An OAuth2 refresh token (`identitytoken`), used instead of a password.
    pub identity_token: String,
}

impl Credential {
    pub fn is_empty(&self) -> bool {
        self.username.is_empty() && self.password.is_empty() && self.identity_token.is_empty()
    }
}

fn read(path: &Path) -> Result<Map<String, Value>, RegistryError> {
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Map::new()),
        Err(e) => {
            return Err(RegistryError::Other(format!(
                "can't read registry config {}: {e}",
                path.display()
            )));
        }
    };
    if text.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(&text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(RegistryError::Other(format!(
            "registry config {} is not a JSON object",
            path.display()
        ))),
        Err(e) => Err(RegistryError::Other(format!(
            "can't parse registry config {}: {e}",
            path.display()
        ))),
    }
}

fn write(path: &Path, doc: &Map<String, Value>) -> Result<(), RegistryError> {
    use std::io::Write;
    let fail = |e: &dyn std::fmt::Display| {
        RegistryError::Other(format!(
            "can't write registry config {}: {e}",
            path.display()
        ))
    };
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    let mut body = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"\t");
    let mut ser = serde_json::Serializer::with_formatter(&mut body, fmt);
    serde::Serialize::serialize(doc, &mut ser).map_err(|e| fail(&e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&e))?;
    tmp.write_all(&body).map_err(|e| fail(&e))?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o600))
            .map_err(|e| fail(&e))?;
    }
    tmp.persist(path).map_err(|e| fail(&e.error))?;
    Ok(())
}

/// The credential stored for `host`, if any. Keys are compared as Docker does,
/// after dropping a scheme and path (`https://host/v1/` matches `host`).
pub fn lookup(path: &Path, host: &str) -> Result<Option<Credential>, RegistryError> {
    let doc = read(path)?;
    let Some(Value::Object(auths)) = doc.get("auths") else {
        return Ok(None);
    };
    let entry = auths
        .get(host)
        .or_else(|| auths.iter().find(|(k, _)| hostname(k) == host).map(|e| e.1));
    let Some(Value::Object(entry)) = entry else {
        return Ok(None);
    };
    let field = |k: &str| entry.get(k).and_then(Value::as_str).unwrap_or("");
    let mut cred = Credential {
        username: field("username").to_string(),
        password: field("password").to_string(),
        identity_token: field("identitytoken").to_string(),
    };
    let auth = field("auth");
    if !auth.is_empty() {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .map_err(|e| {
                RegistryError::Other(format!(
                    "registry config {}: invalid auth for {host}: {e}",
                    path.display()
                ))
            })?;
        let text = String::from_utf8_lossy(&decoded).into_owned();
        let Some((u, p)) = text.split_once(':') else {
            return Err(RegistryError::Other(format!(
                "registry config {}: invalid auth for {host}: no `user:password` pair",
                path.display()
            )));
        };
        cred.username = u.to_string();
        cred.password = p.to_string();
    }
    Ok((!cred.is_empty()).then_some(cred))
}

/// Stores `cred` for `host` (Docker's `Store`: `auth`, plus `identitytoken` when set).
pub fn store(path: &Path, host: &str, cred: &Credential) -> Result<(), RegistryError> {
    let mut doc = read(path)?;
    let auths = doc
        .entry("auths")
        .or_insert_with(|| Value::Object(Map::new()));
    if !auths.is_object() {
        *auths = Value::Object(Map::new());
    }
    let mut entry = Map::new();
    if !cred.username.is_empty() || !cred.password.is_empty() {
        let pair = format!("{}:{}", cred.username, cred.password);
        entry.insert(
            "auth".into(),
            Value::String(base64::engine::general_purpose::STANDARD.encode(pair)),
        );
    }
    if !cred.identity_token.is_empty() {
        entry.insert(
            "identitytoken".into(),
            Value::String(cred.identity_token.clone()),
        );
    }
    if let Value::Object(a) = auths {
        a.retain(|k, _| hostname(k) != host);
        a.insert(host.to_string(), Value::Object(entry));
    }
    write(path, &doc)
}

/// Removes `host`'s credential; `Ok(false)` when there was none (Helm's `not logged in`).
pub fn remove(path: &Path, host: &str) -> Result<bool, RegistryError> {
    let mut doc = read(path)?;
    let Some(Value::Object(auths)) = doc.get_mut("auths") else {
        return Ok(false);
    };
    let before = auths.len();
    auths.retain(|k, _| k != host && hostname(k) != host);
    if auths.len() == before {
        return Ok(false);
    }
    write(path, &doc)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_lookup_remove_keeps_other_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry/config.json");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            r#"{"auths":{"https://other.io/v1/":{"auth":"YTpi"}},"credsStore":"x"}"#,
        )
        .unwrap();
        let c = Credential {
            username: "alice".into(),
            password: "pa:ss".into(),
            identity_token: String::new(),
        };
        store(&path, "127.0.0.1:5000", &c).unwrap();
        assert_eq!(lookup(&path, "127.0.0.1:5000").unwrap(), Some(c));
        let other = lookup(&path, "other.io").unwrap().unwrap();
        assert_eq!(
            (other.username.as_str(), other.password.as_str()),
            ("a", "b")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\t\"credsStore\": \"x\""), "{text}");
        assert!(text.contains("\"auth\": \"YWxpY2U6cGE6c3M=\""), "{text}");
        assert!(remove(&path, "127.0.0.1:5000").unwrap());
        assert!(!remove(&path, "127.0.0.1:5000").unwrap());
        assert_eq!(lookup(&path, "127.0.0.1:5000").unwrap(), None);
        assert!(
            lookup(&dir.path().join("missing.json"), "h")
                .unwrap()
                .is_none()
        );
        std::fs::write(&path, "{nope").unwrap();
        assert!(
            lookup(&path, "h")
                .unwrap_err()
                .to_string()
                .contains("config.json")
        );
    }
}
