//! API errors as the API server returns them: `Status` objects with a reason, a code
//! and details (name, group, kind, causes), built by the constructors clients rely on.

use serde_json::{Value, json};

use crate::sandbox::registry::ResourceType;

/// An API error, rendered as a `Status` object.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: Value::Null,
        }
    }
    pub fn not_found(rt: &ResourceType, name: &str) -> Self {
        let mut e = Self::new(
            404,
            "NotFound",
            format!("{} \"{name}\" not found", qualified(rt)),
        );
        e.details = json!({"name": name, "group": rt.group, "kind": rt.plural});
        e
    }
    pub fn already_exists(rt: &ResourceType, name: &str) -> Self {
        let mut e = Self::new(
            409,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", qualified(rt)),
        );
        e.details = json!({"name": name, "group": rt.group, "kind": rt.plural});
        e
    }
    pub fn conflict(rt: &ResourceType, name: &str) -> Self {
        let mut e = Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                qualified(rt)
            ),
        );
        e.details = json!({"name": name, "group": rt.group, "kind": rt.plural});
        e
    }
    pub fn bad_request(msg: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", msg)
    }
    pub fn invalid(rt: &ResourceType, name: &str, causes: Vec<(String, String)>) -> Self {
        let text: Vec<String> = causes.iter().map(|(f, m)| format!("{f}: {m}")).collect();
        let mut e = Self::new(
            422,
            "Invalid",
            format!(
                "{} \"{name}\" is invalid: {}",
                qualified_kind(rt),
                aggregate(&text)
            ),
        );
        let causes: Vec<Value> = causes
            .into_iter()
            .map(|(f, m)| json!({"reason": "FieldValueInvalid", "message": m, "field": f}))
            .collect();
        e.details = json!({"name": name, "group": rt.group, "kind": rt.kind, "causes": causes});
        e
    }
    /// The `Status` object a client receives.
    pub fn status(&self) -> Value {
        let mut s = json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {},
            "status": "Failure", "message": self.message, "reason": self.reason, "code": self.code,
        });
        if !self.details.is_null() {
            s["details"] = self.details.clone();
        }
        if self.reason.is_empty()
            && let Some(m) = s.as_object_mut()
        {
            // Errors the API server did not classify carry no reason.
            m.remove("reason");
        }
        s
    }
}

/// `Kind.group` (`Deployment.apps`, `Service`), as validation errors name kinds.
pub fn qualified_kind(rt: &ResourceType) -> String {
    if rt.group.is_empty() {
        rt.kind.clone()
    } else {
        format!("{}.{}", rt.kind, rt.group)
    }
}

/// Go's aggregate of several errors: one alone, else `[a, b]`.
fn aggregate(errs: &[String]) -> String {
    if errs.len() == 1 {
        errs[0].clone()
    } else {
        format!("[{}]", errs.join(", "))
    }
}

/// `plural.group`, as error messages name resources.
pub fn qualified(rt: &ResourceType) -> String {
    if rt.group.is_empty() {
        rt.plural.clone()
    } else {
        format!("{}.{}", rt.plural, rt.group)
    }
}

impl ApiError {
    /// Adds the object name to the details when none are set.
    pub fn with_name(mut self, name: &str) -> Self {
        if self.details.is_null() && !name.is_empty() {
            self.details = json!({"name": name});
        }
        self
    }
}
