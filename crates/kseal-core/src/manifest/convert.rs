//! `kseal convert`: a sealed file switched between a v1 Secret and a `kseal.dev/v1` KsealSecret
//! (the kind the in-cluster controller turns into a Secret). Values are sealed and bound alike in
//! both (the namespace, name and key), so only the `apiVersion` and `kind` values change, in
//! their own quoting style: converting there and back gives the file byte for byte.

use zeroize::Zeroizing;

use super::parse;
use super::secret::{self, KSEAL_SECRET_API_VERSION, KSEAL_SECRET_KIND};
use super::splice::{self, Edit};
use super::tree::Node;
use crate::error::{Error, Location};

/// The kind a file's Secrets are converted to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// `apiVersion: v1`, `kind: Secret`.
    Secret,
    /// `apiVersion: kseal.dev/v1`, `kind: KsealSecret`.
    KsealSecret,
}

impl Kind {
    fn api_version(self) -> &'static str {
        match self {
            Kind::Secret => "v1",
            Kind::KsealSecret => KSEAL_SECRET_API_VERSION,
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Kind::Secret => "Secret",
            Kind::KsealSecret => KSEAL_SECRET_KIND,
        }
    }
}

/// A converted file.
pub struct Converted {
    /// The whole file.
    pub text: Zeroizing<String>,
    /// Secrets converted (those already of the kind asked for are not counted).
    pub converted: usize,
}

/// Every Secret and KsealSecret of `src` (documents and items of lists) made `to`.
pub fn convert(src: &str, file: &Location, to: Kind) -> Result<Converted, Error> {
    let docs = parse(src, file)?;
    let secrets = secret::find_secrets(&docs, file)?;
    let mut edits = Vec::new();
    let mut converted = 0;
    for s in &secrets {
        let is_kseal = secret::is_kseal_secret(s.root);
        if (to == Kind::KsealSecret) == is_kseal {
            continue;
        }
        let Some(found) = kind_edits(src, s.root, to) else {
            // A SecretList's item that names no kind: it has nothing to switch.
            continue;
        };
        edits.extend(found);
        converted += 1;
    }
    Ok(Converted {
        text: splice::apply(src, edits),
        converted,
    })
}

/// The two edits that make `root` (a Secret or a KsealSecret) `to`; `None` when it does not
/// write both.
pub(super) fn kind_edits(src: &str, root: &Node, to: Kind) -> Option<[Edit; 2]> {
    let (api_key, api) = root.entry("apiVersion")?;
    let (kind_key, kind) = root.entry("kind")?;
    Some([
        splice::replace_value(
            src,
            api_key,
            api,
            super::seal::styled(to.api_version().to_string(), api.style()),
        ),
        splice::replace_value(
            src,
            kind_key,
            kind,
            super::seal::styled(to.kind().to_string(), kind.style()),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, to: Kind) -> (String, usize) {
        let c = convert(text, &Location::file("t"), to).unwrap();
        (c.text.to_string(), c.converted)
    }

    #[test]
    fn only_the_two_values_change_and_the_round_trip_is_exact() {
        let text = "# db\napiVersion: v1 # core\nkind: Secret\nmetadata: {name: db, namespace: shop}\nstringData:\n  password: kseal:v3:x\n---\n{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"j\"}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: 'v1'\nkind: \"Secret\"\nmetadata: {name: q}\n";
        let (k, n) = run(text, Kind::KsealSecret);
        assert_eq!(n, 3);
        assert_eq!(
            k,
            "# db\napiVersion: kseal.dev/v1 # core\nkind: KsealSecret\nmetadata: {name: db, namespace: shop}\nstringData:\n  password: kseal:v3:x\n---\n{\"apiVersion\": \"kseal.dev/v1\", \"kind\": \"KsealSecret\", \"metadata\": {\"name\": \"j\"}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: 'kseal.dev/v1'\nkind: \"KsealSecret\"\nmetadata: {name: q}\n"
        );
        let (back, n) = run(&k, Kind::Secret);
        assert_eq!((back.as_str(), n), (text, 3));
        // Already of the kind asked for: nothing to do.
        assert_eq!(run(text, Kind::Secret), (text.to_string(), 0));
    }

    #[test]
    fn list_items_are_converted() {
        let text =
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: a}\n";
        let (k, n) = run(text, Kind::KsealSecret);
        assert_eq!(n, 1);
        assert!(
            k.contains("- apiVersion: kseal.dev/v1\n  kind: KsealSecret\n")
                && k.starts_with("apiVersion: v1\nkind: List\n")
        );
    }
}
