//! Where a sealed value lives: its scope, the binding built from it, and the version 3 binding
//! tag that lets anyone without the private key tell where a value is bound (docs/FORMAT.md).

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// Which context a sealed value is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Scope {
    /// Bound to namespace, Secret name and key: the value opens only where it was sealed.
    Strict,
    /// Bound to the namespace: the value may move between Secrets and keys of one namespace.
    Namespace,
    /// Bound to nothing but the cluster key.
    Cluster,
}

impl Scope {
    /// Every scope, strictest first.
    pub const ALL: [Scope; 3] = [Scope::Strict, Scope::Namespace, Scope::Cluster];

    /// The scope as written in a value: `strict`, `namespace` or `cluster`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Strict => "strict",
            Scope::Namespace => "namespace",
            Scope::Cluster => "cluster",
        }
    }

    /// Whether this scope needs a namespace.
    pub fn needs_namespace(self) -> bool {
        self != Scope::Cluster
    }
}

/// Why a scope name was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope (expected strict, namespace or cluster)")]
pub struct UnknownScope;

impl FromStr for Scope {
    type Err = UnknownScope;

    fn from_str(s: &str) -> Result<Scope, UnknownScope> {
        Scope::ALL
            .into_iter()
            .find(|sc| sc.as_str() == s)
            .ok_or(UnknownScope)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a value lives. The binding is built from the fields its scope names, joined by single
/// 0x00 bytes (Kubernetes names cannot contain 0x00, and callers validate them first, so the join
/// is unambiguous). It is the `aad` of every stanza and of the body, and part of the MAC input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding<'a> {
    /// The Secret's namespace.
    pub namespace: &'a str,
    /// The Secret's name.
    pub name: &'a str,
    /// The key under `data`/`stringData`.
    pub key: &'a str,
}

impl Binding<'_> {
    /// The associated data the value is bound to under `scope` (docs/FORMAT.md).
    pub fn aad(&self, scope: Scope) -> Vec<u8> {
        let (parts, n) = self.parts(scope);
        parts[..n].join("\0").into_bytes()
    }

    /// The fields of the binding under `scope`, in order.
    fn parts(&self, scope: Scope) -> ([&str; 4], usize) {
        match scope {
            Scope::Strict => (["strict", self.namespace, self.name, self.key], 4),
            Scope::Namespace => (["namespace", self.namespace, "", ""], 2),
            Scope::Cluster => (["cluster", "", "", ""], 1),
        }
    }

    /// The version 3 binding tag of this binding under `scope`: [`BindingTag::of`] its
    /// [`Binding::aad`], hashed field by field (verify computes one per value, and a Secret may
    /// have hundreds of thousands).
    pub fn tag(&self, scope: Scope) -> BindingTag {
        let (parts, n) = self.parts(scope);
        let mut h = Sha256::new();
        h.update(TAG_LABEL);
        h.update([0]);
        for (i, p) in parts[..n].iter().enumerate() {
            if i > 0 {
                h.update([0]);
            }
            h.update(p.as_bytes());
        }
        BindingTag::first4(&h.finalize())
    }

    /// The place as people read it, as far as `scope` binds it: `prod/db, key password`,
    /// `namespace prod`, or `any namespace`.
    pub fn describe(&self, scope: Scope) -> String {
        match scope {
            Scope::Strict => format!("{}/{}, key {}", self.namespace, self.name, self.key),
            Scope::Namespace => format!("namespace {}", self.namespace),
            Scope::Cluster => "any namespace (cluster scope)".into(),
        }
    }
}

/// The first 4 bytes of SHA-256(`kseal v3 binding tag` || 0x00 || binding), written as 8
/// lowercase hex characters in a version 3 value's header. It says nothing the manifest does not
/// (namespace, name and key are in the file) and lets `verify` check a binding with no key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BindingTag(pub [u8; 4]);

/// The label hashed before the binding.
pub const TAG_LABEL: &[u8] = b"kseal v3 binding tag";

impl BindingTag {
    /// The tag of a binding (its bytes, as [`Binding::aad`] gives them).
    pub fn of(binding: &[u8]) -> BindingTag {
        let mut h = Sha256::new();
        h.update(TAG_LABEL);
        h.update([0]);
        h.update(binding);
        BindingTag::first4(&h.finalize())
    }

    fn first4(d: &[u8]) -> BindingTag {
        BindingTag([d[0], d[1], d[2], d[3]])
    }

    /// Parses 8 lowercase hex characters.
    pub fn parse(s: &str) -> Option<BindingTag> {
        super::keys::parse_hex4(s).map(BindingTag)
    }
}

impl fmt::Display for BindingTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for BindingTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BindingTag({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding() -> Binding<'static> {
        Binding {
            namespace: "prod",
            name: "db",
            key: "password",
        }
    }

    #[test]
    fn aad_joins_scope_fields_with_nul() {
        let b = binding();
        assert_eq!(b.aad(Scope::Strict), b"strict\0prod\0db\0password");
        assert_eq!(b.aad(Scope::Namespace), b"namespace\0prod");
        assert_eq!(b.aad(Scope::Cluster), b"cluster");
    }

    #[test]
    fn scope_names_round_trip() {
        for s in Scope::ALL {
            assert_eq!(s.as_str().parse::<Scope>(), Ok(s));
        }
        assert_eq!("Strict".parse::<Scope>(), Err(UnknownScope));
    }

    /// The tag from its definition, with the `sha2` crate fed one buffer (not the streaming
    /// calls above), and the hex form both ways.
    #[test]
    fn tag_is_the_first_four_bytes_of_the_labelled_hash() {
        let b = binding();
        let mut input = b"kseal v3 binding tag\0".to_vec();
        input.extend_from_slice(b"strict\0prod\0db\0password");
        let want = hex::encode(&Sha256::digest(&input)[..4]);
        assert_eq!(b.tag(Scope::Strict).to_string(), want);
        assert_eq!(BindingTag::parse(&want), Some(b.tag(Scope::Strict)));
        assert_ne!(
            b.tag(Scope::Strict),
            Binding { key: "user", ..b }.tag(Scope::Strict)
        );
        assert_eq!(
            b.tag(Scope::Namespace),
            Binding {
                key: "user",
                name: "x",
                ..b
            }
            .tag(Scope::Namespace)
        );
        for scope in Scope::ALL {
            assert_eq!(b.tag(scope), BindingTag::of(&b.aad(scope)), "{scope}");
        }
        for bad in ["", "0011223", "001122334", "ABCDEF01", "0011223g", "+0112233"] {
            assert_eq!(BindingTag::parse(bad), None, "{bad}");
        }
    }
}
