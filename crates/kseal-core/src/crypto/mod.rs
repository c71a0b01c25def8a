//! The cryptographic core: RFC 9180 HPKE for one suite, age-format X25519 keys, and the sealed
//! value format v2 (docs/FORMAT.md).

pub mod hpke;
pub mod keys;
pub mod sealed;
pub mod spelling;

pub use keys::{Identity, Kid, Recipient};
pub use sealed::{Binding, Scope, SealedValue};
