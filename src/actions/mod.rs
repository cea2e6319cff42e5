//! One function per operation, with its options. Actions work through the chart,
//! values and render modules (and later the release store and cluster traits),
//! never through clap, terminals or raw HTTP.

pub mod lint;
pub mod package;
pub mod pull;
pub mod render;
pub mod repo;
pub mod search;
pub mod show;
pub mod template;
pub mod verify;
