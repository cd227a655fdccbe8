//! Credential detection: patterns as data (`rules/secrets/*.yaml`), a keyword-prefiltered
//! matching engine, and the Kubernetes context that decides what is not a secret.

pub mod assignment;
pub mod context;
pub mod detect;
pub mod engine;
pub mod entropy;
pub mod pattern;

pub use detect::{Detector, detect};
pub use engine::{Engine, Hit};
