//! Rendering a chart: the template context Helm builds (`.Values .Release .Chart
//! .Capabilities .Files .Template .Subcharts`), Sprig's and Helm's functions wired
//! into [`crate::gotmpl`], the engine that renders a chart and its subcharts, and
//! the split of the output into ordered manifests and hooks. The cluster is reached
//! only through the [`funcs::Lookup`] trait.

pub mod context;
pub mod engine;
pub mod funcs;
pub mod jinja;
pub mod manifest;
pub mod sprig;
