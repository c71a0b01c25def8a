//! The cryptographic core: RFC 9180 HPKE for one suite, age-format X25519 keys, and the sealed
//! value format v3 (docs/FORMAT.md).

pub mod binding;
pub mod hpke;
pub mod keys;
pub mod sealed;
pub mod spelling;

pub use binding::{Binding, BindingTag, Scope};
pub use keys::{Identity, Kid, Recipient};
pub use sealed::{SealedValue, Version};
