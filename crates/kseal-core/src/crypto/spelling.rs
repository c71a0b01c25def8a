//! What counts as a kseal value: one rule, read the same way by every kseal reader (seal, open,
//! verify, scan, the webhook) and by the API server's CEL (the webhook's `matchConditions` and the
//! ValidatingAdmissionPolicy in `deploy/webhook/webhook.yaml`), so that a value kseal calls sealed
//! or damaged is never stored in a cluster as ciphertext, and nothing the cluster refuses is
//! plaintext to kseal.
//!
//! The rule, on a value's bytes (a `data` value decoded, a `stringData` value as UTF-8): at most
//! [`MAX_LEAD`] bytes of whitespace (ASCII whitespace, and the bytes of a no-break space and a byte
//! order mark, which editors and copy-paste insert), then `kseal:` in any letter case. Only `kseal:`
//! at the very start is well formed; the rest are damaged kseal values, errors everywhere.
//!
//! CEL in the API server cannot decode base64 (`object.data[k]` is the base64 text), so the rule is
//! compiled into a regular expression over that text ([`base64_regex`]): base64 turns every 3 bytes
//! into 4 characters, so a prefix of whitespace bytes becomes whole groups of 4 characters from a
//! known set, then one of three alignments of `kseal:`. Each character position is a class of the
//! characters the allowed bytes can give there, which admits a few byte strings the byte rule alone
//! would not (`!kseal:` encodes like ` kseal:`). kseal's readers therefore run this same expression
//! on the base64 of a value's first bytes ([`is_kseal_bytes`]): both sides then agree exactly,
//! by construction. Written by hand: no crate compiles a byte pattern into a pattern over its
//! base64 encoding.

use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Bytes that may come before `kseal:` in a damaged value: ASCII whitespace, and the bytes of
/// U+00A0 (C2 A0) and U+FEFF (EF BB BF).
pub const LEAD: [u8; 11] = [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xc2, 0xa0, 0xef, 0xbb, 0xbf];
/// How many such bytes at most.
pub const MAX_LEAD: usize = 64;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The base64 characters each byte position of `sets` (one set of possible bytes per position, a
/// multiple of 3 positions) can give, one set per character.
fn character_sets(sets: &[Vec<u8>]) -> Vec<[bool; 64]> {
    let mut out = Vec::new();
    for g in sets.chunks(3) {
        let mut chars = [[false; 64]; 4];
        for &x in &g[0] {
            chars[0][usize::from(x >> 2)] = true;
            for &y in &g[1] {
                chars[1][usize::from(((x & 3) << 4) | (y >> 4))] = true;
            }
        }
        for &y in &g[1] {
            for &z in &g[2] {
                chars[2][usize::from(((y & 15) << 2) | (z >> 6))] = true;
                chars[3][usize::from(z & 63)] = true;
            }
        }
        out.extend(chars);
    }
    out
}

/// `sets` as a sequence of character classes; trailing positions that can be any character are
/// left out (the expression is anchored at the start only).
fn pattern(sets: &[Vec<u8>]) -> String {
    let mut classes = character_sets(sets);
    while classes.last().is_some_and(|c| c.iter().all(|b| *b)) {
        classes.pop();
    }
    let mut out = String::new();
    for c in classes {
        let members: String = (0..64)
            .filter(|i| c[*i])
            .map(|i| char::from(ALPHABET[i]))
            .collect();
        match members.len() {
            1 => out.push_str(&members),
            64 => out.push_str("[A-Za-z0-9+/]"),
            _ => out.push_str(&format!("[{members}]")),
        }
    }
    out
}

/// The rule as a regular expression over a value's base64 text (RE2 and Rust `regex` syntax,
/// anchored at the start): what `deploy/webhook/webhook.yaml`'s CEL expressions hold.
pub fn base64_regex() -> &'static str {
    static RE: OnceLock<String> = OnceLock::new();
    RE.get_or_init(|| {
        let lead: Vec<u8> = LEAD.to_vec();
        let marker: Vec<Vec<u8>> = b"kseal:"
            .iter()
            .map(|c| {
                let (l, u) = (c.to_ascii_lowercase(), c.to_ascii_uppercase());
                if l == u {
                    vec![l]
                } else {
                    vec![l, u]
                }
            })
            .collect();
        let any: Vec<u8> = (0..=255).collect();
        let group = pattern(&[lead.clone(), lead.clone(), lead.clone()]);
        // `kseal:` after 0, 1 or 2 lead bytes of a group, the last group filled with any bytes.
        let tails: Vec<String> = (0..3)
            .map(|a| {
                let mut sets = vec![lead.clone(); a];
                sets.extend(marker.iter().cloned());
                while sets.len() % 3 != 0 {
                    sets.push(any.clone());
                }
                pattern(&sets)
            })
            .collect();
        // 3m + a lead bytes, at most MAX_LEAD (64 = 3 * 21 + 1).
        let full = MAX_LEAD / 3;
        let rest = MAX_LEAD % 3;
        let last: Vec<&str> = tails[..=rest].iter().map(String::as_str).collect();
        format!(
            "^(?:{group}){{0,{}}}(?:{})|^(?:{group}){{{full}}}(?:{})",
            full - 1,
            tails.join("|"),
            last.join("|")
        )
    })
}

/// Whether a value whose bytes are `bytes` is a kseal value (well formed or damaged), by the one
/// rule: [`base64_regex`] on the base64 of its first bytes, as CEL reads the whole value.
pub fn is_kseal_bytes(bytes: &[u8]) -> bool {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(base64_regex()).expect("the generated expression compiles"));
    // 72 bytes are 96 characters in whole groups: more than the longest match (22 groups and a
    // 3-group tail), and the same characters as the start of the whole value's base64.
    let head = &bytes[..bytes.len().min(72)];
    let text = zeroize::Zeroizing::new(STANDARD.encode(head));
    re.is_match(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expression_is_small_and_anchored() {
        let re = base64_regex();
        assert!(re.starts_with('^') && re.len() < 600, "{} chars", re.len());
        // `kseal:` itself is base64 `a3NlYWw6`.
        assert!(regex::Regex::new(re).unwrap().is_match("a3NlYWw6djI6"));
    }

    /// The rule, spelled out on bytes, agrees with the expression for every lead length and
    /// letter case, and random values are not kseal values.
    #[test]
    fn the_expression_is_the_byte_rule_for_whitespace_then_kseal_in_any_case() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for lead in 0..=70 {
            for _ in 0..40 {
                let mut v: Vec<u8> = (0..lead)
                    .map(|_| LEAD[(next() % LEAD.len() as u64) as usize])
                    .collect();
                for c in b"kseal:" {
                    v.push(if next() % 2 == 0 {
                        *c
                    } else {
                        c.to_ascii_uppercase()
                    });
                }
                let tail = next() % 40;
                v.extend((0..tail).map(|_| next() as u8));
                assert_eq!(is_kseal_bytes(&v), lead <= MAX_LEAD, "lead {lead}: {v:?}");
            }
        }
        let mut false_positives = 0;
        for _ in 0..100_000 {
            let len = 1 + next() % 100;
            let v: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            false_positives += usize::from(is_kseal_bytes(&v));
        }
        assert_eq!(false_positives, 0);
        for plain in [
            &b""[..],
            b"kseal",
            b"skseal:v2:",
            b"x kseal:",
            b"password",
            b"\xc2kseal",
        ] {
            assert!(!is_kseal_bytes(plain), "{plain:?}");
        }
    }
}
