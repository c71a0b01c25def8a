//! Format-preserving edits: replace, remove or insert text at byte ranges of the original source,
//! applied from the end backwards so earlier offsets stay valid.

use granit_parser::ScalarStyle;

use super::tree::{Node, NodeKind};

/// Replace `src[start..end]` with `text`.
#[derive(Clone, PartialEq, Eq)]
pub struct Edit {
    /// Where the replaced bytes start.
    pub start: usize,
    /// Where they end (exclusive).
    pub end: usize,
    /// What goes there.
    pub text: String,
}

impl Drop for Edit {
    // Edit texts carry plaintext when `open` renders values.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.text);
    }
}

/// Debug shows where, never the text (it may be an opened value).
impl std::fmt::Debug for Edit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Edit")
            .field("start", &self.start)
            .field("end", &self.end)
            .field("text_len", &self.text.len())
            .finish()
    }
}

/// Applies non-overlapping edits to `src`.
pub fn apply(src: &str, mut edits: Vec<Edit>) -> zeroize::Zeroizing<String> {
    edits.sort_by_key(|e| (e.start, e.end));
    for pair in edits.windows(2) {
        assert!(pair[0].end <= pair[1].start, "overlapping edits");
    }
    let grow: usize = edits.iter().map(|e| e.text.len()).sum();
    let mut out = zeroize::Zeroizing::new(String::with_capacity(src.len() + grow));
    let mut at = 0;
    for e in &edits {
        out.push_str(&src[at..e.start]);
        out.push_str(&e.text);
        at = e.end;
    }
    out.push_str(&src[at..]);
    out
}

/// The line ending a file uses (its first line break), for inserted lines.
pub fn line_ending(src: &str) -> &'static str {
    match src.find('\n') {
        Some(i) if i > 0 && src.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

fn is_line_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// The whole source extent of a value: for a block scalar, from its `|`/`>` indicator to the end
/// of its last content line; for anything else, the node's own span. Also returns the text that
/// sits between the block indicator and the end of its line (a comment), which a replacement keeps.
pub fn value_range<'s>(src: &'s str, key: &Node, value: &Node) -> (usize, usize, &'s str) {
    let is_block = matches!(value.style(), Some(ScalarStyle::Literal | ScalarStyle::Folded));
    if !is_block {
        return (value.start, value.end, "");
    }
    let bytes = src.as_bytes();
    // After the key: `:`, then optional properties (`&anchor`, `!tag`), then the indicator.
    let mut i = key.end;
    while i < value.start && bytes[i] != b':' {
        i += 1;
    }
    i += 1;
    let (mut indicator, mut header_end) = (value.start, value.start);
    // The parser may start an empty block scalar's span at its indicator (at the end of the
    // input), so the indicator is looked for up to and including `value.start`.
    let limit = (value.start + 1).min(src.len());
    while i < limit {
        while i < limit && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        let tok = i;
        while i < src.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if matches!(bytes.get(tok), Some(b'|' | b'>')) {
            (indicator, header_end) = (tok, i);
            break;
        }
        if tok == i {
            break;
        }
    }
    let mut eol = header_end;
    while eol < src.len() && !is_line_break(bytes[eol]) {
        eol += 1;
    }
    let mut content_end = value.end.min(src.len());
    while content_end > value.start && bytes[content_end - 1].is_ascii_whitespace() {
        content_end -= 1;
    }
    // No content lines (an empty block scalar): the node's span can start on the next line, so
    // only the header is the value; the line break after it belongs to the file.
    if content_end <= eol || content_end <= value.start {
        (indicator, header_end, "")
    } else {
        (indicator, content_end, &src[header_end..eol])
    }
}

/// Replaces a scalar value (with its key, for block scalars) by `text`.
pub fn replace_value(src: &str, key: &Node, value: &Node, text: String) -> Edit {
    let (start, end, keep) = value_range(src, key, value);
    let text = if keep.is_empty() { text } else { text + keep };
    Edit { start, end, text }
}

/// Removes entry `index` of a mapping, with its line (block) or its comma (flow).
pub fn remove_entry(src: &str, map: &Node, index: usize) -> Edit {
    let NodeKind::Mapping { entries, flow } = &map.kind else {
        panic!("remove_entry on a non-mapping");
    };
    let bytes = src.as_bytes();
    let (key, value) = &entries[index];
    let (_, value_end, _) = value_range(src, key, value);
    if *flow {
        let mut end = value_end;
        let mut j = end;
        while j < src.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if bytes.get(j) == Some(&b',') {
            end = j + 1;
            while end < src.len() && (bytes[end] == b' ' || bytes[end] == b'\t') {
                end += 1;
            }
            return Edit {
                start: key.start,
                end,
                text: String::new(),
            };
        }
        // Last entry: take the comma before it.
        let mut start = key.start;
        if index > 0 {
            let prev_end = entries[index - 1].1.end;
            if let Some(c) = src[prev_end..key.start].find(',') {
                start = prev_end + c;
            }
        }
        return Edit {
            start,
            end,
            text: String::new(),
        };
    }
    // Block: from the start of the key's line through the end of the value's line.
    let mut start = key.start;
    while start > 0 && (bytes[start - 1] == b' ' || bytes[start - 1] == b'\t') {
        start -= 1;
    }
    let mut end = value_end;
    while end < src.len() && !is_line_break(bytes[end]) {
        end += 1;
    }
    if bytes.get(end) == Some(&b'\r') {
        end += 1;
    }
    if bytes.get(end) == Some(&b'\n') {
        end += 1;
    }
    Edit {
        start,
        end,
        text: String::new(),
    }
}

/// Quotes a mapping key for insertion when a plain scalar could be misread.
pub fn key_text(key: &str, json: bool) -> String {
    let plain_ok = !json
        && key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && !matches!(
            key.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain_ok {
        key.to_string()
    } else {
        double_quoted(key)
    }
}

/// A YAML (and JSON) double-quoted string. Escapes what either needs: quote, backslash, and
/// characters YAML does not allow raw (C0, DEL, C1, line/paragraph separators, BOM).
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32)) => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            '\u{2028}' | '\u{2029}' | '\u{feff}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Inserts `key: value` (texts already quoted as needed) as the last entry of a non-empty block
/// mapping or any flow mapping. A `value` that starts with a line break (a nested block mapping)
/// follows the colon directly.
pub fn insert_entry(src: &str, map: &Node, key: &str, value: &str) -> Edit {
    let NodeKind::Mapping { entries, flow } = &map.kind else {
        panic!("insert_entry on a non-mapping");
    };
    if *flow {
        let text = match entries.last() {
            Some((_, v)) => {
                return Edit {
                    start: v.end,
                    end: v.end,
                    text: format!(", {key}: {value}"),
                }
            }
            None => format!("{key}: {value}"),
        };
        // Empty flow mapping `{}`: insert after the brace.
        return Edit {
            start: map.start + 1,
            end: map.start + 1,
            text,
        };
    }
    let nl = line_ending(src);
    let (last_key, last_value) = entries.last().expect("a block mapping has at least one entry");
    let indent = " ".repeat(last_key.col - 1);
    let sep = if value.starts_with(['\r', '\n']) { "" } else { " " };
    let (_, value_end, _) = value_range(src, last_key, last_value);
    let bytes = src.as_bytes();
    let mut at = value_end;
    while at < src.len() && !is_line_break(bytes[at]) {
        at += 1;
    }
    if at == src.len() {
        return Edit {
            start: at,
            end: at,
            text: format!("{nl}{indent}{key}:{sep}{value}"),
        };
    }
    if bytes[at] == b'\r' {
        at += 1;
    }
    at += 1;
    Edit {
        start: at,
        end: at,
        text: format!("{indent}{key}:{sep}{value}{nl}"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse;
    use super::*;

    fn root(src: &str) -> Node {
        parse(src).unwrap().into_iter().next().unwrap().root.unwrap()
    }

    fn replace(src: &str, key: &str) -> String {
        let r = root(src);
        let (k, v) = r.entry(key).unwrap();
        apply(src, vec![replace_value(src, k, v, "NEW".into())]).to_string()
    }

    #[test]
    fn replaces_plain_quoted_and_block_scalars() {
        assert_eq!(replace("a: x # c\nb: y\n", "a"), "a: NEW # c\nb: y\n");
        assert_eq!(replace("a: 'x'\n", "a"), "a: NEW\n");
        assert_eq!(replace("a: |\n  l1\n  l2\n\nb: y\n", "a"), "a: NEW\n\nb: y\n");
        assert_eq!(
            replace("a: >-  # note\n  l1\n  l2\nb: y\n", "a"),
            "a: NEW  # note\nb: y\n"
        );
        assert_eq!(
            replace("a: !!str &x |2+\n  l1\nb: y\n", "a"),
            "a: !!str &x NEW\nb: y\n"
        );
        assert_eq!(
            replace("a: |\r\n  l1\r\n  l2\r\nb: y\r\n", "a"),
            "a: NEW\r\nb: y\r\n"
        );
        assert_eq!(replace("a: |\n  l1", "a"), "a: NEW");
    }

    /// Found by the `manifest_seal` fuzz target: an empty block scalar with a comment on its
    /// header, followed by a less indented key, lost the line break after the comment.
    #[test]
    fn an_empty_block_scalar_with_a_comment_keeps_its_line_break() {
        let src = "m:\n  a: |  # c\nb: y\n";
        let r = root(src);
        let (k, v) = r.get("m").unwrap().entry("a").unwrap();
        let out = apply(src, vec![replace_value(src, k, v, "NEW".into())]);
        assert_eq!(out.as_str(), "m:\n  a: NEW  # c\nb: y\n");
        let src = "a: >\nb: y\n";
        assert_eq!(replace(src, "a"), "a: NEW\nb: y\n");
        // The same at the very end of the input, with and without a final line break (the second
        // fuzz finding: the indicator was kept and the value inserted before it).
        assert_eq!(replace("a: |  # c\n", "a"), "a: NEW  # c\n");
        assert_eq!(replace("a: |  # c", "a"), "a: NEW  # c");
        assert_eq!(replace("a: |", "a"), "a: NEW");
    }

    #[test]
    fn removes_block_and_flow_entries() {
        let src = "m:\n  a: 1\n  b: |\n    x\n  c: 3\n";
        let r = root(src);
        let m = r.get("m").unwrap();
        assert_eq!(
            apply(src, vec![remove_entry(src, m, 1)]).as_str(),
            "m:\n  a: 1\n  c: 3\n"
        );
        assert_eq!(
            apply(src, vec![remove_entry(src, m, 0)]).as_str(),
            "m:\n  b: |\n    x\n  c: 3\n"
        );
        let src = "{\"a\": 1, \"b\": 2, \"c\": 3}";
        let r = root(src);
        assert_eq!(
            apply(src, vec![remove_entry(src, &r, 1)]).as_str(),
            "{\"a\": 1, \"c\": 3}"
        );
        assert_eq!(
            apply(src, vec![remove_entry(src, &r, 2)]).as_str(),
            "{\"a\": 1, \"b\": 2}"
        );
    }

    #[test]
    fn inserts_entries_keeping_indentation_and_line_endings() {
        let src = "d:\n    a: 1\n    b: |\n      x\nz: 1\n";
        let r = root(src);
        let e = insert_entry(src, r.get("d").unwrap(), "k", "v");
        assert_eq!(
            apply(src, vec![e]).as_str(),
            "d:\n    a: 1\n    b: |\n      x\n    k: v\nz: 1\n"
        );
        let src = "d:\r\n  a: 1";
        let r = root(src);
        let e = insert_entry(src, r.get("d").unwrap(), "k", "v");
        assert_eq!(apply(src, vec![e]).as_str(), "d:\r\n  a: 1\r\n  k: v");
        let src = "{\"d\": {}}";
        let r = root(src);
        let e = insert_entry(src, r.get("d").unwrap(), "\"k\"", "\"v\"");
        assert_eq!(apply(src, vec![e]).as_str(), "{\"d\": {\"k\": \"v\"}}");
    }

    #[test]
    fn double_quoted_round_trips_through_the_parser() {
        for s in [
            "plain",
            "with \"quotes\" and \\",
            "multi\nline\ttab\r",
            "\u{1}\u{7f}\u{85}é\u{2028}",
        ] {
            let src = format!("k: {}\n", double_quoted(s));
            assert_eq!(root(&src).get("k").unwrap().as_str(), Some(s), "{src}");
        }
        assert_eq!(key_text("password", false), "password");
        assert_eq!(key_text("true", false), "\"true\"");
        assert_eq!(key_text(".env", false), "\".env\"");
        assert_eq!(key_text("a", true), "\"a\"");
    }
}
