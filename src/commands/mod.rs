//! One thin file per verb: typed settings in, one call into `actions`, output out.

pub mod completion;
pub mod create;
pub mod dependency;
pub mod env;
pub mod get;
pub mod history;
pub mod install;
pub mod lint;
pub mod list;
pub mod package;
pub mod pull;
pub mod push;
pub mod registry;
pub mod repo;
pub mod search;
pub mod show;
pub mod status;
pub mod template;
pub mod test;
pub mod uninstall;
pub mod upgrade;
pub mod verify;

pub mod version;
