//! The object store: every object as JSON keyed by resource, namespace and name, one
//! global resourceVersion counter, and a bounded log of changes that watches replay from
//! a resourceVersion. Writers publish each change on a broadcast channel for live
//! watches. With a data directory the whole store is saved as one JSON file after each
//! change and loaded at start, which is all the durability a test sandbox needs.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};

/// How many past changes are kept for watches that start from an old resourceVersion.
const EVENT_LOG: usize = 4096;

/// One change, as a watch reports it.
#[derive(Debug, Clone)]
pub struct Change {
    pub rv: u64,
    pub key: String,
    pub namespace: String,
    pub kind: &'static str,
    pub object: Value,
}

/// (namespace, name) → object.
pub type Bucket = BTreeMap<(String, String), Value>;

#[derive(Debug, Default)]
pub struct Store {
    pub objects: BTreeMap<String, Bucket>,
    pub rv: u64,
    pub log: VecDeque<Arc<Change>>,
    pub data_file: Option<PathBuf>,
}

impl Store {
    pub fn new(data_dir: Option<PathBuf>) -> Result<Self, String> {
        let mut store = Store {
            data_file: data_dir.map(|d| d.join("store.json")),
            ..Store::default()
        };
        if let Some(file) = &store.data_file
            && file.exists()
        {
            let text = std::fs::read_to_string(file)
                .map_err(|e| format!("failed to read {}: {e}", file.display()))?;
            let doc: Value = serde_json::from_str(&text)
                .map_err(|e| format!("failed to parse {}: {e}", file.display()))?;
            store.rv = doc["resourceVersion"].as_u64().unwrap_or(0);
            if let Some(objs) = doc["objects"].as_object() {
                for (key, items) in objs {
                    let bucket = store.objects.entry(key.clone()).or_default();
                    for item in items.as_array().into_iter().flatten() {
                        let ns = item["metadata"]["namespace"].as_str().unwrap_or_default();
                        let name = item["metadata"]["name"].as_str().unwrap_or_default();
                        bucket.insert((ns.to_string(), name.to_string()), item.clone());
                    }
                }
            }
        }
        Ok(store)
    }

    /// Writes the store to its data file, if it has one.
    pub fn save(&self) -> Result<(), String> {
        let Some(file) = &self.data_file else {
            return Ok(());
        };
        let objects: serde_json::Map<String, Value> = self
            .objects
            .iter()
            .map(|(k, b)| (k.clone(), Value::Array(b.values().cloned().collect())))
            .collect();
        let doc = json!({"resourceVersion": self.rv, "objects": objects});
        let tmp = file.with_extension("json.tmp");
        std::fs::write(&tmp, doc.to_string())
            .and_then(|()| std::fs::rename(&tmp, file))
            .map_err(|e| format!("failed to write {}: {e}", file.display()))
    }

    pub fn get(&self, key: &str, ns: &str, name: &str) -> Option<&Value> {
        self.objects
            .get(key)?
            .get(&(ns.to_string(), name.to_string()))
    }

    /// Next resourceVersion.
    pub fn bump(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    /// Records a change in the log and returns it for broadcasting.
    pub fn record(&mut self, key: &str, kind: &'static str, object: Value) -> Arc<Change> {
        let rv = object["metadata"]["resourceVersion"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or(self.rv);
        let change = Arc::new(Change {
            rv,
            key: key.to_string(),
            namespace: object["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            kind,
            object,
        });
        if self.log.len() >= EVENT_LOG {
            self.log.pop_front();
        }
        self.log.push_back(change.clone());
        change
    }

    /// Stores `object` (its resourceVersion already set) and logs the change.
    pub fn put(&mut self, key: &str, object: Value, kind: &'static str) -> Arc<Change> {
        let ns = object["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        self.objects
            .entry(key.to_string())
            .or_default()
            .insert((ns.to_string(), name.to_string()), object.clone());
        self.record(key, kind, object)
    }

    /// Removes an object and logs the deletion.
    pub fn remove(&mut self, key: &str, ns: &str, name: &str) -> Option<Arc<Change>> {
        let mut obj = self
            .objects
            .get_mut(key)?
            .remove(&(ns.to_string(), name.to_string()))?;
        let rv = self.bump();
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        Some(self.record(key, "DELETED", obj))
    }

    /// Oldest resourceVersion a watch can resume from.
    pub fn oldest_logged(&self) -> u64 {
        self.log
            .front()
            .map(|c| c.rv.saturating_sub(1))
            .unwrap_or(self.rv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_remove_and_persist() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = Store::new(Some(dir.path().to_path_buf())).expect("store");
        let rv = s.bump();
        let obj =
            json!({"metadata": {"name": "a", "namespace": "n", "resourceVersion": rv.to_string()}});
        s.put("/configmaps", obj, "ADDED");
        s.save().expect("saves");
        let s2 = Store::new(Some(dir.path().to_path_buf())).expect("reloads");
        assert!(s2.get("/configmaps", "n", "a").is_some());
        assert_eq!(s2.rv, 1);
        let mut s2 = s2;
        assert!(s2.remove("/configmaps", "n", "a").is_some());
        assert!(s2.get("/configmaps", "n", "a").is_none());
    }
}
