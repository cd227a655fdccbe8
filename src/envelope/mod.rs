//! Encrypted envelopes: SOPS files (structure, `.sops.yaml` policy, and with age keys the
//! real MAC and per-value authentication) and Bitnami SealedSecrets (structure, scope, and
//! with the controller's cert or keys the key size and a decryption proof).

pub mod check;
pub mod sealed;
pub mod sops;
pub mod sops_policy;
