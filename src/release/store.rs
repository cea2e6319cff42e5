//! Where release records live: one Secret (Helm's default driver) or ConfigMap
//! (`HELM_DRIVER=configmap`) per revision, named `sh.helm.release.v1.NAME.vREV`
//! in the release's namespace, labelled `owner=helm`, `name=NAME`,
//! `version=REV`, `status=STATUS` (`pkg/storage/driver/secrets.go`, `cfgmaps.go`).
//! Lookups go by those labels exactly as Helm's drivers do, so each tool sees the
//! other's releases.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::{Api, ListParams};

use super::{Release, codec};

/// The labels a store sets itself; the rest are the user's (`Release::labels`).
const SYSTEM_LABELS: &[&str] = &[
    "name",
    "owner",
    "status",
    "version",
    "createdAt",
    "modifiedAt",
];

/// Which kind of object holds the records (`HELM_DRIVER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    Secret,
    ConfigMap,
}

impl Driver {
    /// `HELM_DRIVER`'s value as Helm reads it: empty, `secret` or `secrets` for
    /// Secrets, `configmap` or `configmaps` for ConfigMaps.
    pub fn from_name(name: &str) -> Result<Driver, StoreError> {
        match name {
            "" | "secret" | "secrets" => Ok(Driver::Secret),
            "configmap" | "configmaps" => Ok(Driver::ConfigMap),
            "memory" | "sql" => Err(StoreError::Driver(format!(
                "HELM_DRIVER={name}: charter does not support the {name} storage driver yet; use secret (the default) or configmap"
            ))),
            other => Err(StoreError::Driver(format!(
                "unknown driver {other:?} (HELM_DRIVER): use secret (the default) or configmap"
            ))),
        }
    }
}

/// A store could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No record matched (Helm's `driver.ErrReleaseNotFound`).
    #[error("release: not found")]
    NotFound,
    #[error("{0}")]
    Driver(String),
    /// The API refused or failed a request.
    #[error("{0}")]
    Api(String),
    /// A record could not be decoded.
    #[error("{object}: {reason}")]
    Corrupt { object: String, reason: String },
}

/// Records read by a listing; those that could not be decoded are named in
/// `skipped` (Helm logs and skips them too).
#[derive(Debug, Default)]
pub struct Listing {
    pub releases: Vec<Release>,
    pub skipped: Vec<String>,
}

/// Reading release records.
pub trait ReleaseStore {
    /// Every record (`owner=helm`), all revisions.
    fn list(&self) -> Result<Listing, StoreError>;
    /// Every revision of one release, in no particular order; `NotFound` when
    /// there is none.
    fn history(&self, name: &str) -> Result<Vec<Release>, StoreError>;
    /// One revision.
    fn get(&self, name: &str, revision: i64) -> Result<Release, StoreError>;
    /// Stores a new revision (Helm's `Create`: the record's labels, with
    /// `name`, `owner`, `status` and `version` from the record).
    fn create(&self, release: &Release) -> Result<(), StoreError>;
    /// Writes a revision over its stored record (Helm's `Update`: the record's
    /// labels kept, `status` from the record, `modifiedAt` now).
    fn update(&self, release: &Release) -> Result<(), StoreError>;
    /// Removes a revision's record.
    fn delete(&self, name: &str, revision: i64) -> Result<(), StoreError>;
}

/// Records kept in the cluster, in one namespace or (for `list -A`) all.
pub struct KubeStore {
    client: kube::Client,
    runtime: tokio::runtime::Handle,
    namespace: Option<String>,
    driver: Driver,
}

impl KubeStore {
    /// A store over `client`, whose requests run on `runtime`. `namespace: None`
    /// reads every namespace (only listings can).
    pub fn new(
        client: kube::Client,
        runtime: tokio::runtime::Handle,
        namespace: Option<String>,
        driver: Driver,
    ) -> KubeStore {
        KubeStore {
            client,
            runtime,
            namespace,
            driver,
        }
    }

    fn query(&self, selector: &str) -> Result<Vec<Stored>, StoreError> {
        let params = ListParams::default().labels(selector);
        let run = |e: kube::Error| StoreError::Api(api_error("list", self.kind(), &e));
        match self.driver {
            Driver::Secret => {
                let api: Api<Secret> = self.api();
                let list = self.runtime.block_on(api.list(&params)).map_err(run)?;
                Ok(list.items.into_iter().map(Stored::from_secret).collect())
            }
            Driver::ConfigMap => {
                let api: Api<ConfigMap> = self.api();
                let list = self.runtime.block_on(api.list(&params)).map_err(run)?;
                Ok(list
                    .items
                    .into_iter()
                    .map(Stored::from_config_map)
                    .collect())
            }
        }
    }

    fn api<K>(&self) -> Api<K>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        <K as kube::Resource>::DynamicType: Default,
    {
        match &self.namespace {
            Some(ns) => Api::namespaced(self.client.clone(), ns),
            None => Api::all(self.client.clone()),
        }
    }

    fn kind(&self) -> &'static str {
        match self.driver {
            Driver::Secret => "secrets",
            Driver::ConfigMap => "configmaps",
        }
    }
}

impl ReleaseStore for KubeStore {
    fn list(&self) -> Result<Listing, StoreError> {
        let mut out = Listing::default();
        for s in self.query("owner=helm")? {
            match s.decode(false) {
                Ok(r) => out.releases.push(r),
                Err(e) => out.skipped.push(e.to_string()),
            }
        }
        Ok(out)
    }

    fn history(&self, name: &str) -> Result<Vec<Release>, StoreError> {
        let found = self.query(&format!("name={name},owner=helm"))?;
        if found.is_empty() {
            return Err(StoreError::NotFound);
        }
        found.into_iter().map(|s| s.decode(false)).collect()
    }

    fn get(&self, name: &str, revision: i64) -> Result<Release, StoreError> {
        let key = format!("sh.helm.release.v1.{name}.v{revision}");
        let run = |e: kube::Error| StoreError::Api(api_error("get", self.kind(), &e));
        let stored = match self.driver {
            Driver::Secret => {
                let api: Api<Secret> = self.api();
                self.runtime
                    .block_on(api.get_opt(&key))
                    .map_err(run)?
                    .map(Stored::from_secret)
            }
            Driver::ConfigMap => {
                let api: Api<ConfigMap> = self.api();
                self.runtime
                    .block_on(api.get_opt(&key))
                    .map_err(run)?
                    .map(Stored::from_config_map)
            }
        };
        stored.ok_or(StoreError::NotFound)?.decode(true)
    }

    fn create(&self, release: &Release) -> Result<(), StoreError> {
        self.write(release, Self::record_labels(release, &[]), true)
    }

    fn update(&self, release: &Release) -> Result<(), StoreError> {
        let now = chrono::Utc::now().timestamp().to_string();
        self.write(
            release,
            Self::record_labels(release, &[("modifiedAt", now)]),
            false,
        )
    }

    fn delete(&self, name: &str, revision: i64) -> Result<(), StoreError> {
        let key = format!("sh.helm.release.v1.{name}.v{revision}");
        let params = kube::api::DeleteParams::default();
        let fail = |e: kube::Error| match e {
            kube::Error::Api(s) if s.code == 404 => StoreError::NotFound,
            e => StoreError::Api(api_error("delete", self.kind(), &e)),
        };
        match self.driver {
            Driver::Secret => {
                let api: Api<Secret> = self.api();
                self.runtime
                    .block_on(api.delete(&key, &params))
                    .map_err(fail)?;
            }
            Driver::ConfigMap => {
                let api: Api<ConfigMap> = self.api();
                self.runtime
                    .block_on(api.delete(&key, &params))
                    .map_err(fail)?;
            }
        }
        Ok(())
    }
}

impl KubeStore {
    /// The labels Helm writes on a record: the release's own, then `name`,
    /// `owner`, `status` and `version` from the record.
    fn record_labels(release: &Release, extra: &[(&str, String)]) -> BTreeMap<String, String> {
        let mut labels = release.labels.clone();
        for (k, v) in extra {
            labels.insert(k.to_string(), v.clone());
        }
        labels.insert("name".into(), release.name.clone());
        labels.insert("owner".into(), "helm".into());
        labels.insert("status".into(), release.info.status.clone());
        labels.insert("version".into(), release.version.to_string());
        labels
    }

    fn write(
        &self,
        release: &Release,
        labels: BTreeMap<String, String>,
        create: bool,
    ) -> Result<(), StoreError> {
        let key = format!("sh.helm.release.v1.{}.v{}", release.name, release.version);
        let data = codec::encode(release.to_json().as_bytes());
        let meta = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
            name: Some(key.clone()),
            namespace: self.namespace.clone(),
            labels: Some(labels),
            ..Default::default()
        };
        let params = kube::api::PostParams::default();
        let verb = if create { "create" } else { "update" };
        let fail = |e: kube::Error| StoreError::Api(api_error(verb, self.kind(), &e));
        match self.driver {
            Driver::Secret => {
                let secret = Secret {
                    metadata: meta,
                    type_: Some("helm.sh/release.v1".into()),
                    data: Some(
                        [(
                            "release".to_string(),
                            k8s_openapi::ByteString(data.into_bytes()),
                        )]
                        .into(),
                    ),
                    ..Default::default()
                };
                let api: Api<Secret> = self.api();
                if create {
                    self.runtime
                        .block_on(api.create(&params, &secret))
                        .map_err(fail)?;
                } else {
                    self.runtime
                        .block_on(api.replace(&key, &params, &secret))
                        .map_err(fail)?;
                }
            }
            Driver::ConfigMap => {
                let cm = ConfigMap {
                    metadata: meta,
                    data: Some([("release".to_string(), data)].into()),
                    ..Default::default()
                };
                let api: Api<ConfigMap> = self.api();
                if create {
                    self.runtime
                        .block_on(api.create(&params, &cm))
                        .map_err(fail)?;
                } else {
                    self.runtime
                        .block_on(api.replace(&key, &params, &cm))
                        .map_err(fail)?;
                }
            }
        }
        Ok(())
    }
}

/// A record's object: its name, labels and the `release` data.
struct Stored {
    object: String,
    labels: BTreeMap<String, String>,
    data: Option<Vec<u8>>,
}

impl Stored {
    fn from_secret(s: Secret) -> Stored {
        Stored {
            object: format!(
                "secret {}/{}",
                s.metadata.namespace.unwrap_or_default(),
                s.metadata.name.unwrap_or_default()
            ),
            labels: s.metadata.labels.unwrap_or_default(),
            data: s.data.and_then(|mut d| d.remove("release")).map(|b| b.0),
        }
    }

    fn from_config_map(c: ConfigMap) -> Stored {
        Stored {
            object: format!(
                "configmap {}/{}",
                c.metadata.namespace.unwrap_or_default(),
                c.metadata.name.unwrap_or_default()
            ),
            labels: c.metadata.labels.unwrap_or_default(),
            data: c
                .data
                .and_then(|mut d| d.remove("release"))
                .map(String::into_bytes),
        }
    }

    /// The record, with the object's labels; Helm drops its own labels
    /// (`name`, `owner`, ...) only when it gets one revision by key, and keeps
    /// them in listings and histories (so `list -l status=deployed` matches).
    fn decode(self, drop_system_labels: bool) -> Result<Release, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt {
            object: self.object.clone(),
            reason,
        };
        let data = self
            .data
            .as_deref()
            .ok_or_else(|| corrupt("no `release` data".into()))?;
        let mut r = codec::decode(data).map_err(corrupt)?;
        r.labels = self
            .labels
            .into_iter()
            .filter(|(k, _)| !drop_system_labels || !SYSTEM_LABELS.contains(&k.as_str()))
            .collect();
        Ok(r)
    }
}

fn api_error(verb: &str, kind: &str, e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => format!("cannot {verb} {kind}: {}", s.message),
        other => format!(
            "cannot {verb} {kind}: {}",
            crate::diagnostics::error_chain(other)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drivers_are_named_as_helm_names_them() {
        assert_eq!(Driver::from_name("").unwrap(), Driver::Secret);
        assert_eq!(Driver::from_name("secrets").unwrap(), Driver::Secret);
        assert_eq!(Driver::from_name("configmap").unwrap(), Driver::ConfigMap);
        assert!(
            Driver::from_name("sql")
                .unwrap_err()
                .to_string()
                .contains("sql storage driver")
        );
        assert!(
            Driver::from_name("bogus")
                .unwrap_err()
                .to_string()
                .contains("HELM_DRIVER")
        );
    }

    #[test]
    fn system_labels_are_dropped_and_bad_data_is_named() {
        let json = br#"{"name":"a","version":1}"#;
        let stored = || Stored {
            object: "secret ns/x".into(),
            labels: [("owner", "helm"), ("team", "web"), ("status", "deployed")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            data: Some(codec::encode(json).into_bytes()),
        };
        assert_eq!(stored().decode(false).unwrap().labels.len(), 3);
        let r = stored().decode(true).unwrap();
        assert_eq!(r.labels.len(), 1);
        assert_eq!(r.labels["team"], "web");
        let bad = Stored {
            object: "secret ns/y".into(),
            labels: BTreeMap::new(),
            data: None,
        };
        assert_eq!(
            bad.decode(false).unwrap_err().to_string(),
            "secret ns/y: no `release` data"
        );
    }
}
