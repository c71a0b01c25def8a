//! SOPS-encrypted comments, decrypted as `sops -d` prints them.

use super::leaf::{decrypt, parse_enc, Type};
use crate::error::Location;
use crate::manifest::splice::Edit;
use crate::manifest::tree::{Document, Node, NodeKind};

/// The path strings sops authenticates a comment with: the keys from the document's root to the
/// mapping the comment is in, each followed by `:` (`:` alone at the root). Every mapping's is a
/// candidate: a comment's place in sops's tree (head, line or foot comment of which node) does not
/// follow from its place in the text alone, and AES-GCM tells the right one.
pub(super) fn comment_paths(
    node: &Node,
    path: &mut Vec<String>,
    out: &mut std::collections::BTreeSet<String>,
) {
    match &node.kind {
        NodeKind::Mapping { entries, .. } => {
            out.insert(format!("{}:", path.join(":")));
            for (k, v) in entries {
                if let Some(name) = k.as_str() {
                    path.push(name.to_string());
                    comment_paths(v, path, out);
                    path.pop();
                }
            }
        }
        NodeKind::Sequence { items, .. } => items.iter().for_each(|i| comment_paths(i, path, out)),
        _ => {}
    }
}

/// Decrypts the comments sops encrypted (by default it encrypts every comment, and they are part
/// of what it protects): `#ENC[...,type:comment]` becomes `#` and the comment's text, as `sops -d`
/// prints it. One that opens under no path is dropped with a warning, never left as ciphertext
/// that kseal's readers would then refuse. Comments are not part of sops's MAC.
pub(super) fn comments(
    src: &str,
    docs: &[Document],
    key: &[u8; 32],
    warnings: &mut Vec<String>,
    file: &Location,
) -> Vec<Edit> {
    let mut paths = std::collections::BTreeSet::new();
    for root in docs.iter().filter_map(|d| d.root.as_ref()) {
        comment_paths(root, &mut Vec::new(), &mut paths);
    }
    let mut edits = Vec::new();
    for at in memchr::memmem::find_iter(src.as_bytes(), b"#ENC[AES256_GCM,") {
        let end = src[at..].find(['\n', '\r']).map_or(src.len(), |n| at + n);
        let line = src[..at].matches('\n').count() + 1;
        let text = src[at + 1..end].trim_end();
        let opened = parse_enc(text)
            .ok()
            .filter(|e| e.ty == Type::Comment)
            .and_then(|enc| paths.iter().find_map(|p| decrypt(key, &enc, p).ok()))
            .and_then(|plain| String::from_utf8(plain.to_vec()).ok());
        let replacement = match opened {
            // A comment is one line: a line break in it would be text outside the comment.
            Some(c) if !c.contains(['\n', '\r']) => format!("#{c}"),
            _ => {
                warnings.push(format!(
                    "{file}: line {line}: a SOPS-encrypted comment that does not decrypt was dropped"
                ));
                String::new()
            }
        };
        edits.push(Edit {
            start: at,
            end,
            text: replacement,
        });
    }
    edits
}
