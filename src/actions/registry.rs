//! Registry operations: `registry login|logout`, `push`, and pulling a chart from
//! an `oci://` reference (used by `pull`, `show` and `template`). Version
//! resolution follows Helm's `ValidateReference`: a tag in the reference, else a
//! `--version` that parses as a version is used as the tag, else the repository's
//! tags (`_` read back as `+`, strict SemVer only, highest first) are matched
//! against the constraint. Each operation returns what happened; the command
//! prints it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::chart::constraint::{Constraint, parse_version};
use crate::registry::credentials::{self, Credential};
use crate::registry::manifest::{self, Descriptor, Manifest};
use crate::registry::{
    CHART_LAYER_MEDIA_TYPE, CONFIG_MEDIA_TYPE, Client, ClientOptions,
    LEGACY_CHART_LAYER_MEDIA_TYPE, PROV_LAYER_MEDIA_TYPE, Reference, RegistryError, hostname,
};

/// Helm's registry config (see [`crate::repo::config::registry_config`]).
pub fn registry_config() -> PathBuf {
    crate::repo::config::registry_config()
}

/// Connection flags shared by the registry commands.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    pub plain_http: bool,
    pub insecure_skip_tls_verify: bool,
    pub ca_file: String,
    pub cert_file: String,
    pub key_file: String,
    pub username: String,
    pub password: String,
}

impl RegistryOptions {
    fn client(&self) -> Result<Client> {
        Ok(Client::new(&ClientOptions {
            plain_http: self.plain_http,
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            ca_file: self.ca_file.clone(),
            cert_file: self.cert_file.clone(),
            key_file: self.key_file.clone(),
            username: self.username.clone(),
            password: self.password.clone(),
            credentials_file: registry_config(),
            ..ClientOptions::default()
        })?)
    }
}

/// `registry login`.
#[derive(Debug, Clone, Default)]
pub struct LoginOptions {
    pub host: String,
    pub username: String,
    pub password: String,
    pub insecure: bool,
    pub cert_file: String,
    pub key_file: String,
    pub ca_file: String,
}

/// Checks the credentials against the registry, then stores them.
pub fn login(o: &LoginOptions) -> Result<()> {
    let host = hostname(&o.host);
    if host.is_empty() {
        bail!("registry login: no host given");
    }
    let cred = Credential {
        username: o.username.clone(),
        password: if o.username.is_empty() {
            String::new()
        } else {
            o.password.clone()
        },
        identity_token: if o.username.is_empty() {
            o.password.clone()
        } else {
            String::new()
        },
    };
    let mut opts = RegistryOptions {
        insecure_skip_tls_verify: o.insecure,
        ca_file: o.ca_file.clone(),
        cert_file: o.cert_file.clone(),
        key_file: o.key_file.clone(),
        ..RegistryOptions::default()
    };
    let result = opts.client()?.check_login(&host, cred.clone());
    // Docker's rule for insecure registries: when HTTPS cannot be spoken, try HTTP.
    let result = match result {
        Err(RegistryError::Transport { .. }) if o.insecure => {
            opts.plain_http = true;
            opts.client()?.check_login(&host, cred.clone())
        }
        other => other,
    };
    result?;
    credentials::store(&registry_config(), &host, &cred)?;
    Ok(())
}

/// `registry logout`: fails with Helm's `not logged in` when nothing was stored.
pub fn logout(host: &str) -> Result<()> {
    let host = hostname(host);
    if !credentials::remove(&registry_config(), &host)? {
        bail!("not logged in");
    }
    Ok(())
}

/// `push CHART.tgz oci://...`.
#[derive(Debug, Clone, Default)]
pub struct PushOptions {
    pub chart: PathBuf,
    pub remote: String,
    pub registry: RegistryOptions,
}

/// What a push or pull did: Helm prints `Pushed:`/`Pulled:` with the reference,
/// then `Digest:` with the manifest digest.
#[derive(Debug, Clone)]
pub struct Transfer {
    pub reference: String,
    pub digest: String,
}

impl Transfer {
    /// Helm's status lines for this transfer (`verb` is `Pushed` or `Pulled`).
    pub fn lines(&self, verb: &str) -> Vec<String> {
        let mut l = vec![
            format!("{verb}: {}", self.reference),
            format!("Digest: {}", self.digest),
        ];
        if self.reference.contains('_') {
            l.push(format!("{} contains an underscore.", self.reference));
            l.push(crate::registry::UNDERSCORE_MESSAGE.to_string());
        }
        l
    }
}

/// The creation time Helm records: the archive's status-change time, RFC 3339 in local time.
fn created_time(meta: &std::fs::Metadata) -> String {
    use std::os::unix::fs::MetadataExt;
    let t = chrono::DateTime::from_timestamp(meta.ctime(), 0).unwrap_or_default();
    t.with_timezone(&chrono::Local)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Uploads a packaged chart (and `<chart>.prov` beside it, when present).
pub fn push(o: &PushOptions) -> Result<Transfer> {
    let remote = o.remote.as_str();
    let scheme = remote.split_once("://").map(|(s, _)| s);
    match scheme {
        None => bail!("scheme prefix missing from remote (e.g. \"oci://\")"),
        Some("oci") => {}
        Some(s) => bail!("scheme \"{s}\" not supported"),
    }
    let path = &o.chart;
    let stat = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("{}: no such file", path.display())
        }
        Err(e) => return Err(anyhow!("{}: {e}", path.display())),
    };
    if stat.is_dir() {
        bail!("cannot push directory, must provide chart archive (.tgz)");
    }
    let data = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let chart = crate::chart::load_archive(&data)
        .with_context(|| format!("{} is not a valid chart archive", path.display()))?;
    let meta = &chart.metadata;
    let base = remote.trim_start_matches("oci://").trim_end_matches('/');
    let reference = Reference::parse(&format!("{base}/{}:{}", meta.name, meta.version))?;

    let chart_desc = Descriptor::of(CHART_LAYER_MEDIA_TYPE, &data);
    let config = manifest::config_json(meta)?;
    let config_desc = Descriptor::of(CONFIG_MEDIA_TYPE, &config);
    let mut layers = vec![(chart_desc, data.clone())];
    let mut prov_path = path.as_os_str().to_owned();
    prov_path.push(".prov");
    let prov_path = PathBuf::from(prov_path);
    if prov_path.is_file() {
        let prov = std::fs::read(&prov_path)
            .with_context(|| format!("reading {}", prov_path.display()))?;
        layers.push((Descriptor::of(PROV_LAYER_MEDIA_TYPE, &prov), prov));
    }
    let annotations = manifest::annotations(meta, &created_time(&stat));
    let layer_descs: Vec<Descriptor> = layers.iter().map(|(d, _)| d.clone()).collect();
    let body = manifest::manifest_json(&config_desc, &layer_descs, &annotations);

    let client = o.registry.client()?;
    for (d, bytes) in &layers {
        client.push_blob(&reference, d, bytes)?;
    }
    client.push_blob(&reference, &config_desc, &config)?;
    let digest = client.push_manifest(&reference, &body)?;
    Ok(Transfer {
        reference: reference.to_string(),
        digest,
    })
}

/// A chart fetched from a registry.
pub struct PulledChart {
    pub data: Vec<u8>,
    /// `<name>-<version>.tgz`, as Helm names the download.
    pub file_name: String,
    pub transfer: Transfer,
    /// Warnings to show (a deprecated layer media type).
    pub warnings: Vec<String>,
    /// The provenance layer, when the manifest has one and it was asked for.
    pub prov: Option<Vec<u8>>,
}

/// Turns `--version` and the reference's own tag into the reference to pull.
fn resolve(client: &Client, r: &Reference, version: &str) -> Result<Reference> {
    let version = version.trim();
    if !version.is_empty()
        && let Some(tag) = &r.tag
        && *tag != version.replace('+', "_")
    {
        bail!("chart reference and version mismatch: {version} is not {tag}");
    }
    if let Some(d) = &r.digest {
        if let Some(tag) = &r.tag
            && let Ok((_, found)) = client.manifest(&r.with_tag(tag))
            && found != *d
        {
            bail!("chart reference digest mismatch: {found} is not {d}");
        }
        return Ok(Reference {
            tag: None,
            ..r.clone()
        });
    }
    let wanted = if version.is_empty() {
        r.tag.clone().unwrap_or_default()
    } else {
        version.to_string()
    };
    if !wanted.is_empty() && parse_version(&wanted.replace('_', "+")).is_ok() {
        return Ok(r.with_tag(&wanted));
    }
    let mut versions: Vec<(crate::chart::constraint::Version, String)> = client
        .tags(r)?
        .into_iter()
        .filter_map(|t| {
            let v = t.replace('_', "+");
            semver::Version::parse(&v).ok()?;
            Some((parse_version(&v).ok()?, v))
        })
        .collect();
    versions.sort_by(|a, b| b.0.compare(&a.0));
    let shown = format!("oci://{}/{}", r.registry, r.repository);
    if versions.is_empty() {
        bail!("Unable to locate any tags in provided repository: {shown}");
    }
    if let Some((_, v)) = versions.iter().find(|(_, v)| *v == wanted) {
        return Ok(r.with_tag(v));
    }
    let constraint = Constraint::parse(if wanted.is_empty() { "*" } else { &wanted })
        .map_err(|e| anyhow!("invalid version constraint {wanted:?}: {e}"))?;
    versions
        .iter()
        .find(|(v, _)| constraint.check(v))
        .map(|(_, t)| r.with_tag(t))
        .ok_or_else(|| {
            anyhow!(
                "Could not locate a version matching provided version string {wanted} in {shown}"
            )
        })
}

/// The version a pull of `reference` with `version` (an exact version or a
/// constraint) would get: the newest tag that meets it, as Helm resolves
/// `oci://` dependencies and `--version`.
pub fn resolve_version(reference: &str, version: &str, o: &RegistryOptions) -> Result<String> {
    let parsed = Reference::parse(reference)?;
    let client = o.client()?;
    let r = resolve(&client, &parsed, version)?;
    r.tag
        .map(|t| t.replace('_', "+"))
        .ok_or_else(|| anyhow!("{reference}: no tag to resolve {version:?} to"))
}

/// Pulls the chart `reference` names (`oci://host/repo/chart[:tag][@digest]`),
/// resolving `version` as Helm does; the layers are verified against their digests.
pub fn pull_chart(reference: &str, version: &str, o: &RegistryOptions) -> Result<PulledChart> {
    pull_chart_with(reference, version, o, false)
}

/// [`pull_chart`], also fetching the provenance layer when `with_prov` (Helm's
/// `pull --verify`/`--prov` on `oci://` references).
pub fn pull_chart_with(
    reference: &str,
    version: &str,
    o: &RegistryOptions,
    with_prov: bool,
) -> Result<PulledChart> {
    let parsed = Reference::parse(reference)?;
    let client = o.client()?;
    let r = resolve(&client, &parsed, version)?;
    let (body, digest) = client.manifest(&r)?;
    let shown = r.to_string();
    let m = Manifest::parse(&body, &shown)?;
    if m.config.media_type != CONFIG_MEDIA_TYPE {
        bail!(
            "{shown} is not a Helm chart: its config media type is {:?}, not {CONFIG_MEDIA_TYPE}",
            m.config.media_type
        );
    }
    let mut warnings = Vec::new();
    let layer = m
        .layers
        .iter()
        .find(|l| l.media_type == CHART_LAYER_MEDIA_TYPE)
        .or_else(|| {
            let l = m
                .layers
                .iter()
                .find(|l| l.media_type == LEGACY_CHART_LAYER_MEDIA_TYPE)?;
            warnings.push(format!(
                "chart media type {LEGACY_CHART_LAYER_MEDIA_TYPE} is deprecated"
            ));
            Some(l)
        })
        .ok_or_else(|| {
            anyhow!(
                "{shown}: manifest does not contain a layer with mediatype {CHART_LAYER_MEDIA_TYPE}"
            )
        })?;
    let config = client.blob(&r, &m.config)?;
    let meta: serde_json::Value = serde_json::from_slice(&config)
        .map_err(|e| anyhow!("{shown}: the chart config is not JSON: {e}"))?;
    let data = client.blob(&r, layer)?;
    let prov = match m
        .layers
        .iter()
        .find(|l| l.media_type == crate::registry::PROV_LAYER_MEDIA_TYPE)
    {
        Some(l) if with_prov => Some(client.blob(&r, l)?),
        _ => None,
    };
    let version = match &r.tag {
        Some(t) => t.replace('_', "+"),
        None => meta
            .get("version")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string(),
    };
    Ok(PulledChart {
        data,
        file_name: format!("{}-{version}.tgz", r.name()),
        transfer: Transfer {
            reference: shown,
            digest,
        },
        warnings,
        prov,
    })
}

/// Writes a pulled chart into `dir` atomically; returns its path.
pub fn save(pulled: &PulledChart, dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let dest = dir.join(&pulled.file_name);
    crate::repo::config::write_atomic(&dest, &pulled.data, 0o644).map_err(|e| anyhow!(e))?;
    Ok(dest)
}
