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

/// The characters of a value's base64 that [`is_kseal_bytes`] and the API server's CEL look at:
/// the base64 of its first 72 bytes (whole groups: more than the longest match, 22 groups and a
/// 3-group tail). CEL takes the same prefix with `substring`, so its cost is bounded whatever the
/// value's size.
pub const PREFIX_CHARS: usize = 96;

/// The rule as a regular expression over a value's base64 text (RE2 and Rust `regex` syntax,
/// anchored at the start): what `deploy/webhook/webhook.yaml`'s CEL expressions hold.
pub fn base64_regex() -> &'static str {
    &spelled().regex
}

/// The expression, and two necessary conditions of it that cost little (see [`cel_holds`]).
struct Spelled {
    regex: String,
    /// The first group (4 characters) of every alternative: what the first 4 characters of a
    /// match are.
    first_group: String,
    /// What the first 2 characters of a match are (fewer alternatives than `first_group`).
    first_two: String,
}

fn spelled() -> &'static Spelled {
    static SPELLED: OnceLock<Spelled> = OnceLock::new();
    SPELLED.get_or_init(|| {
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
        let group_sets = [lead.clone(), lead.clone(), lead.clone()];
        let group = pattern(&group_sets);
        // `kseal:` after 0, 1 or 2 lead bytes of a group, the last group filled with any bytes.
        let tail_sets: Vec<Vec<Vec<u8>>> = (0..3)
            .map(|a| {
                let mut sets = vec![lead.clone(); a];
                sets.extend(marker.iter().cloned());
                while sets.len() % 3 != 0 {
                    sets.push(any.clone());
                }
                sets
            })
            .collect();
        let tails: Vec<String> = tail_sets.iter().map(|s| pattern(s)).collect();
        // 3m + a lead bytes, at most MAX_LEAD (64 = 3 * 21 + 1).
        let full = MAX_LEAD / 3;
        let rest = MAX_LEAD % 3;
        let last: Vec<&str> = tails[..=rest].iter().map(String::as_str).collect();
        let regex = format!(
            "^(?:{group}){{0,{}}}(?:{})|^(?:{group}){{{full}}}(?:{})",
            full - 1,
            tails.join("|"),
            last.join("|")
        );
        // Every match begins with a lead group or one of the tails: their first group, and of
        // that, the first two characters.
        let mut firsts = vec![&group_sets[..]];
        firsts.extend(tail_sets.iter().map(|s| &s[..3]));
        let first_group = format!(
            "^(?:{})",
            firsts.iter().map(|s| pattern(s)).collect::<Vec<_>>().join("|")
        );
        let starts: Vec<_> = firsts.iter().map(|s| character_sets(s)).collect();
        Spelled {
            regex,
            first_group,
            first_two: first_two(&starts),
        }
    })
}

/// An expression for the first two characters a match can start with, from the character
/// classes of each alternative's first two positions: a first character whose possible second
/// characters are few (`a`, `S`: `kseal:` and `Kseal:`) is written with them (`a[13]`), any other
/// alone (`C` for a tab or newline lead).
fn first_two(starts: &[Vec<[bool; 64]>]) -> String {
    let index = |c: u8| ALPHABET.iter().position(|a| *a == c).expect("a base64 character");
    let (mut alone, mut pairs) = (String::new(), Vec::new());
    for &first in ALPHABET {
        let seconds: String = ALPHABET
            .iter()
            .filter(|&&s| starts.iter().any(|cls| cls[0][index(first)] && cls[1][index(s)]))
            .map(|&s| char::from(s))
            .collect();
        match seconds.len() {
            0 => {}
            1..=4 => pairs.push(format!("{}[{seconds}]", char::from(first))),
            _ => alone.push(char::from(first)),
        }
    }
    format!("^(?:[{alone}]|{})", pairs.join("|"))
}

/// The CEL test "the value `v` is a kseal value" (`v` a CEL expression for a `data` value's base64
/// text, such as `object.data[k]`), as the webhook's `matchConditions` and the
/// ValidatingAdmissionPolicy run it on every Secret written in the cluster.
///
/// Its cost is bounded whatever the value's size, so that the Secrets etcd accepts stay within
/// the API server's CEL cost budget (about 10 million per object on kube-apiserver 1.36, for the
/// `matchConditions` and the policy alike; README "What the admission expressions cost").
/// cel-go's runtime costs, as Kubernetes sets them: `substring` costs a tenth of the value's
/// length, `matches` the product of a tenth of the text's length and a quarter of the pattern's. So, three steps on prefixes of the value, each a necessary condition of the next and
/// each dearer: its first 2 characters (turns away 7 in 8 random values and nearly every text),
/// its first group of 4 (passes about 1 random value in 350), and only then its first
/// [`PREFIX_CHARS`] characters against [`base64_regex`] (about 1,330). Each `substring` adds a
/// tenth of the value's length, which over a whole Secret is at most a tenth of its size. Few
/// steps matter as much as cheap ones: the API server's evaluation time grows with the square
/// of a Secret's key count times the steps per key (README "What the admission expressions
/// cost").
pub fn cel_holds(v: &str) -> String {
    let s = spelled();
    // An empty value is turned away first: base64 comes in groups of 4, so every other value
    // has the 4 characters `substring` takes.
    format!(
        "size({v}) > 0 && {v}.substring(0, 2).matches('{}') && {v}.substring(0, 4).matches('{}') && (size({v}) > {PREFIX_CHARS} ? {v}.substring(0, {PREFIX_CHARS}) : {v}).matches('{}')",
        s.first_two,
        s.first_group,
        s.regex
    )
}

/// [`cel_holds`] evaluated here, on a value's base64 text (its first [`PREFIX_CHARS`] characters
/// are enough): the same expressions on the same prefixes.
fn holds(text: &str) -> bool {
    struct Compiled {
        first_two: regex::Regex,
        first_group: regex::Regex,
        whole: regex::Regex,
    }
    static RE: OnceLock<Compiled> = OnceLock::new();
    let re = RE.get_or_init(|| {
        let s = spelled();
        let compile = |p: &str| regex::Regex::new(p).expect("the generated expression compiles");
        Compiled {
            first_two: compile(&s.first_two),
            first_group: compile(&s.first_group),
            whole: compile(&s.regex),
        }
    });
    let prefix = |n: usize| &text[..text.len().min(n)];
    !text.is_empty()
        && re.first_two.is_match(prefix(2))
        && re.first_group.is_match(prefix(4))
        && re.whole.is_match(prefix(PREFIX_CHARS))
}

/// Whether a value whose bytes are `bytes` is a kseal value (well formed or damaged), by the one
/// rule: [`cel_holds`] on the base64 of its first bytes, as CEL reads the whole value.
pub fn is_kseal_bytes(bytes: &[u8]) -> bool {
    // 72 bytes are 96 characters in whole groups: the same characters as the start of the whole
    // value's base64.
    let head = &bytes[..bytes.len().min(PREFIX_CHARS / 4 * 3)];
    let text = zeroize::Zeroizing::new(STANDARD.encode(head));
    holds(&text)
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

    /// The two cheap steps are necessary conditions of the expression: every value it matches
    /// (each lead byte and letter case) passes them; and they turn away the usual first
    /// characters of plain values and almost every random value.
    #[test]
    fn the_cheap_steps_admit_every_match_and_little_else() {
        let s = spelled();
        let [re, two, group] =
            [&s.regex, &s.first_two, &s.first_group].map(|p| regex::Regex::new(p).unwrap());
        for lead in 0..=8 {
            for &l in &LEAD {
                for case in 0..64u32 {
                    let mut v = vec![l; lead];
                    v.extend(b"kseal:".iter().enumerate().map(|(i, c)| {
                        if case >> i & 1 == 1 {
                            c.to_ascii_uppercase()
                        } else {
                            *c
                        }
                    }));
                    let text = STANDARD.encode(&v);
                    assert!(re.is_match(&text), "{v:?}");
                    assert!(two.is_match(&text[..2]) && group.is_match(&text[..4]), "{v:?}");
                }
            }
        }
        assert_eq!(s.first_two, "^(?:[CDIouvw7]|S[13]|a[13])");
        // Lowercase and uppercase words, URLs, PEM, Helm's gzip, digits.
        for plain in [
            "cGFzc3dvcmQ=",
            "aHR0cHM6Ly8=",
            "LS0tLS1CRUdJTg==",
            "SDRzSUFBQUFBQUFB",
            "MTIzNA==",
        ] {
            assert!(!two.is_match(&plain[..2]), "{plain}");
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let (mut passed_two, mut passed_group) = (0, 0);
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let text = STANDARD.encode(seed.to_le_bytes());
            if two.is_match(&text[..2]) {
                passed_two += 1;
                passed_group += usize::from(group.is_match(&text[..4]));
            }
        }
        assert!(
            passed_two < 30_000 && passed_group * 30 < passed_two,
            "{passed_two} {passed_group}"
        );
    }
}
