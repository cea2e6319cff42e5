//! HTTP chart repositories as Helm keeps them: the index model ([`index`]),
//! `repositories.yaml` and the cache layout ([`config`]), fetching with retries
//! ([`http`]), a fast index reader for the fields `repo add`/`update` keep
//! ([`scan`]) and chart search over a slim per-repository cache ([`search`]).
//! Nothing here prints; `actions` decides what the user sees.

pub mod config;
pub mod http;
pub mod index;
pub mod scan;
pub mod search;
