//! Encrypted envelopes: SOPS files (structure, and with age keys the real MAC and
//! per-value authentication). SealedSecrets come next.

pub mod check;
pub mod sops;
pub mod sops_policy;
