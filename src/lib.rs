//! envgate: guards a GitOps environment repository before anything merges.
//!
//! Data flows one way: [`walk`] → [`source`] (load/classify) → [`yaml`] (spanned parse) →
//! [`rules`] (per-document checks) → [`scan`] (sort) → [`report`].

pub mod baseline;
pub mod cli;
pub mod config;
pub mod cross_file;
pub mod envelope;
pub mod finding;
pub mod flux;
pub mod git;
pub mod image_ref;
pub mod kube_api;
pub mod kustomize;
pub mod manifest;
pub mod placeholder;
pub mod project;
pub mod redact;
pub mod report;
pub mod revision;
pub mod rules;
pub mod scan;
pub mod secrets;
pub mod snippet;
pub mod source;
pub mod suppress;
pub mod walk;
pub mod workload;
pub mod yaml;
