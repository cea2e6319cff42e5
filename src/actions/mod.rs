//! One function per operation, with its options. Actions work through the chart,
//! values and render modules, the release store and the cluster connection,
//! never through clap, terminals or raw HTTP.

pub mod apply;
pub mod create;
pub mod dependency;
pub mod hooks;
pub mod install;
pub mod lint;
pub mod locate;
pub mod lookup;
pub mod package;
pub mod pull;
pub mod record;
pub mod registry;
pub mod releases;
pub mod render;
pub mod repo;
pub mod search;
pub mod show;
pub mod template;
pub mod test;
pub mod uninstall;
pub mod upgrade;
pub mod verify;
