//! A small YAML node tree with byte spans, built from `granit-parser` events.
//!
//! kseal edits manifests by splicing new text into the original bytes, so it needs to know where
//! every scalar is, not just what it says. `serde-saphyr` answers "what does it say" for typed
//! configuration (`.kseal.yaml`); this tree answers "where is it" for manifests. JSON is read by
//! the same parser (JSON is YAML flow syntax).

use granit_parser::{Event, Options, Parser, ScalarStyle, Span, StructureStyle};
use zeroize::Zeroizing;

/// A parse error with a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The 1-based line.
    pub line: usize,
    /// The 1-based column.
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

/// What a node is.
#[non_exhaustive]
pub enum NodeKind {
    /// A scalar. `value` is zeroized on drop: it may be a Secret value.
    Scalar {
        /// The scalar's value.
        value: Zeroizing<String>,
        /// How it is written (plain, quoted, block).
        style: ScalarStyle,
    },
    /// A mapping.
    Mapping {
        /// Its keys and values, in order.
        entries: Vec<(Node, Node)>,
        /// Written `{...}`.
        flow: bool,
    },
    /// A sequence.
    Sequence {
        /// Its items.
        items: Vec<Node>,
        /// Written `[...]`.
        flow: bool,
    },
    /// An alias (`*name`): kseal never follows one into a Secret.
    Alias,
}

/// Debug never shows a scalar's value (it may be a Secret value), only its length and style.
impl std::fmt::Debug for NodeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NodeKind::Scalar { value, style } => f
                .debug_struct("Scalar")
                .field("len", &value.len())
                .field("style", style)
                .finish_non_exhaustive(),
            NodeKind::Mapping { entries, flow } => f
                .debug_struct("Mapping")
                .field("entries", entries)
                .field("flow", flow)
                .finish(),
            NodeKind::Sequence { items, flow } => f
                .debug_struct("Sequence")
                .field("items", items)
                .field("flow", flow)
                .finish(),
            NodeKind::Alias => f.write_str("Alias"),
        }
    }
}

#[derive(Debug)]
/// A YAML/JSON node with the byte span it covers in the source.
pub struct Node {
    /// Byte range of the node in the source. For a quoted scalar it includes the quotes; for a
    /// block scalar (`|`, `>`) it covers only the content lines (see `splice::value_range`).
    pub start: usize,
    /// Where it ends (exclusive).
    pub end: usize,
    /// 1-based position of `start`.
    pub line: usize,
    /// The 1-based column.
    pub col: usize,
    /// YAML properties written on the node ([`ANCHORED`], [`TAGGED`]): kseal refuses them in
    /// Secrets, so it keeps only whether they were there.
    pub props: u8,
    /// What it is.
    pub kind: NodeKind,
}

/// [`Node::props`]: the node defines an anchor (`&name`).
pub const ANCHORED: u8 = 1;
/// [`Node::props`]: the node has an explicit tag (`!!str`, `!custom`).
pub const TAGGED: u8 = 2;

impl Node {
    /// The scalar's value, if it is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { value, .. } => Some(value.as_str()),
            _ => None,
        }
    }

    /// The scalar's style, if it is a scalar.
    pub fn style(&self) -> Option<ScalarStyle> {
        match &self.kind {
            NodeKind::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    /// The mapping's entries, if it is a mapping.
    pub fn entries(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            NodeKind::Mapping { entries, .. } => Some(entries),
            _ => None,
        }
    }

    /// Whether it is a `{...}` mapping.
    pub fn is_flow_mapping(&self) -> bool {
        matches!(self.kind, NodeKind::Mapping { flow: true, .. })
    }

    /// The value of a mapping entry whose key is the scalar `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The (key, value) of a mapping entry whose key is the scalar `key`.
    pub fn entry(&self, key: &str) -> Option<&(Node, Node)> {
        self.entries()?.iter().find(|(k, _)| k.as_str() == Some(key))
    }

    /// A plain scalar that YAML reads as null (`key:`, `~`, `null`).
    pub fn is_null(&self) -> bool {
        match &self.kind {
            NodeKind::Scalar {
                value,
                style: ScalarStyle::Plain,
            } => {
                matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL")
            }
            _ => false,
        }
    }
}

#[derive(Debug)]
/// One document of a stream.
pub struct Document {
    /// 1-based position in the stream.
    pub index: usize,
    /// Its root node; `None` for an empty document or one not kept.
    pub root: Option<Node>,
}

/// A collection being built; its children go straight into the node's own `kind`.
struct Frame {
    node: Node,
    /// For a mapping: the key waiting for its value.
    key: Option<Node>,
    /// For a mapping of more than [`SCAN_KEYS`] keys: its keys so far, so that the duplicate
    /// check stays linear in the mapping's size (a scan per key made 80,000 keys take minutes).
    seen: Option<std::collections::HashSet<String>>,
}

/// Up to this many keys a mapping's duplicate check scans its entries (cheaper than hashing).
const SCAN_KEYS: usize = 16;

impl Frame {
    fn open(span: &Span, kind: NodeKind, props: u8) -> Frame {
        let mut node = leaf(span, kind);
        node.props = props;
        Frame {
            node,
            key: None,
            seen: None,
        }
    }

    /// Finishes the collection: a flow collection ends at its closing bracket, a block one at the
    /// end of its last child.
    fn close(self, end_marker_end: usize) -> Node {
        let mut node = self.node;
        node.end = match &node.kind {
            NodeKind::Mapping { flow: true, .. } | NodeKind::Sequence { flow: true, .. } => end_marker_end,
            NodeKind::Mapping { entries, .. } => entries.last().map_or(node.start, |(_, v)| v.end),
            NodeKind::Sequence { items, .. } => items.last().map_or(node.start, |v| v.end),
            _ => node.end,
        };
        node
    }

    /// Adds a child; in a mapping, keys and values alternate and duplicate keys are refused, or,
    /// with `last_wins`, replace the earlier entry (as kubectl's reader does).
    fn push(&mut self, child: Node, last_wins: bool) -> Result<(), ParseError> {
        match &mut self.node.kind {
            NodeKind::Sequence { items, .. } => items.push(child),
            NodeKind::Mapping { entries, .. } => match self.key.take() {
                Some(k) => entries.push((k, child)),
                None => {
                    if let Some(k) = child.as_str() {
                        let duplicate = match &mut self.seen {
                            Some(seen) => !seen.insert(k.to_string()),
                            None => {
                                let dup = entries.iter().any(|(e, _)| e.as_str() == Some(k));
                                if entries.len() >= SCAN_KEYS {
                                    let mut seen: std::collections::HashSet<String> = entries
                                        .iter()
                                        .filter_map(|(e, _)| e.as_str().map(str::to_string))
                                        .collect();
                                    seen.insert(k.to_string());
                                    self.seen = Some(seen);
                                }
                                dup
                            }
                        };
                        if duplicate && last_wins {
                            entries.retain(|(e, _)| e.as_str() != Some(k));
                        } else if duplicate {
                            // Both places, as kubectl would take the last one silently.
                            let first = entries
                                .iter()
                                .find(|(e, _)| e.as_str() == Some(k))
                                .map_or(0, |(e, _)| e.line);
                            return Err(ParseError {
                                line: child.line,
                                col: child.col,
                                message: format!(
                                    "duplicate key `{k}` in a mapping (first at line {first}): kubectl would take the last one"
                                ),
                            });
                        }
                    }
                    self.key = Some(child);
                }
            },
            _ => unreachable!("frames are collections"),
        }
        Ok(())
    }
}

fn position(span: &Span) -> (usize, usize, usize, usize) {
    // StrInput always provides byte offsets.
    let start = span.start.byte_offset().unwrap_or(0);
    let end = span.end.byte_offset().unwrap_or(start);
    (start, end, span.start.line(), span.start.col() + 1)
}

fn leaf(span: &Span, kind: NodeKind) -> Node {
    let (start, end, line, col) = position(span);
    Node {
        start,
        end,
        line,
        col,
        props: 0,
        kind,
    }
}

fn props(anchor: usize, tagged: bool) -> u8 {
    (if anchor != 0 { ANCHORED } else { 0 }) | (if tagged { TAGGED } else { 0 })
}

/// Parses every document of a YAML or JSON stream. Duplicate keys in any mapping are an error
/// (the YAML spec requires unique keys, and a duplicate in a Secret hides which value is used).
pub fn parse(src: &str) -> Result<Vec<Document>, ParseError> {
    parse_keeping(src, |_| true)
}

/// Like [`parse`], but keeps the tree of a document only if `keep` accepts its root; the others
/// are checked and then dropped (`root: None`), so that memory holds one of them at a time.
pub fn parse_keeping(src: &str, keep: impl Fn(&Node) -> bool) -> Result<Vec<Document>, ParseError> {
    parse_with(src, keep, false)
}

/// Like [`parse`], but a duplicate key replaces the earlier entry, as kubectl reads such a file
/// (its YAML reader keeps the last value): for `scan`, which must see what kubectl would store.
/// Every other command refuses the file ([`parse`]).
pub fn parse_last_wins(src: &str) -> Result<Vec<Document>, ParseError> {
    parse_with(src, |_| true, true)
}

fn parse_with(src: &str, keep: impl Fn(&Node) -> bool, last_wins: bool) -> Result<Vec<Document>, ParseError> {
    let mut options = Options::default();
    options.set_emit_comments(false);
    let mut parser = Parser::new_from_str_with_options(src, options);
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;

    while let Some(item) = parser.next_event() {
        let (event, span) = item.map_err(|e| ParseError {
            line: e.marker().line(),
            col: e.marker().col() + 1,
            message: e.info().to_string(),
        })?;
        let finished = match event {
            Event::DocumentStart(..) => {
                root = None;
                None
            }
            Event::DocumentEnd => {
                docs.push(Document {
                    index: docs.len() + 1,
                    root: root.take().filter(|r| keep(r)),
                });
                None
            }
            Event::Scalar(value, style, anchor, tag) => {
                let mut node = leaf(
                    &span,
                    NodeKind::Scalar {
                        value: Zeroizing::new(value.into_owned()),
                        style,
                    },
                );
                node.props = props(anchor, tag.is_some());
                Some(node)
            }
            Event::Alias(_) | Event::UnresolvedAlias(_) => Some(leaf(&span, NodeKind::Alias)),
            Event::MappingStart(style, anchor, tag) => {
                let kind = NodeKind::Mapping {
                    entries: Vec::new(),
                    flow: style == StructureStyle::Flow,
                };
                stack.push(Frame::open(&span, kind, props(anchor, tag.is_some())));
                None
            }
            Event::SequenceStart(style, anchor, tag) => {
                let kind = NodeKind::Sequence {
                    items: Vec::new(),
                    flow: style == StructureStyle::Flow,
                };
                stack.push(Frame::open(&span, kind, props(anchor, tag.is_some())));
                None
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let (_, end_marker_end, _, _) = position(&span);
                stack.pop().map(|frame| frame.close(end_marker_end))
            }
            // Stream markers, anchors and comments (the event enum is non-exhaustive).
            _ => None,
        };
        if let Some(node) = finished {
            match stack.last_mut() {
                None => root = Some(node),
                Some(frame) => frame.push(node, last_wins)?,
            }
        }
    }
    Ok(docs)
}

/// Checks that `bytes` are UTF-8 and returns them as a zeroizing string, or says where the first
/// invalid byte is.
pub fn decode_utf8(bytes: Vec<u8>) -> Result<Zeroizing<String>, ParseError> {
    if let Some(text) = utf16_with_bom(&bytes) {
        drop(Zeroizing::new(bytes));
        return text;
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(Zeroizing::new(s)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = Zeroizing::new(e.into_bytes());
            let before = &bytes[..valid];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let col = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
            Err(ParseError {
                line,
                col,
                message: "not valid UTF-8 (kseal reads YAML and JSON as UTF-8)".into(),
            })
        }
    }
}

/// A file that starts with a UTF-16 byte order mark, as kubectl reads it (its YAML reader
/// transcodes UTF-16 with a BOM to UTF-8: issue 36, such a file was stored as a Secret while kseal
/// refused it or, in scan, never looked): its text, or why it is not UTF-16. `None`: no such mark.
pub fn utf16_with_bom(bytes: &[u8]) -> Option<Result<Zeroizing<String>, ParseError>> {
    let little = match bytes {
        [0xff, 0xfe, ..] => true,
        [0xfe, 0xff, ..] => false,
        _ => return None,
    };
    let body = &bytes[2..];
    let units = body.chunks(2).map(|c| match c {
        [a, b] if little => u16::from_le_bytes([*a, *b]),
        [a, b] => u16::from_be_bytes([*a, *b]),
        _ => 0xd800, // an odd byte at the end: not UTF-16
    });
    let mut text = Zeroizing::new(String::with_capacity(body.len() / 2));
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => text.push(c),
            Err(_) => {
                let line = text.matches('\n').count() + 1;
                return Some(Err(ParseError {
                    line,
                    col: 1,
                    message: "starts with a UTF-16 byte order mark but is not valid UTF-16".into(),
                }));
            }
        }
    }
    Some(Ok(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_with_a_byte_order_mark_reads_as_its_text() {
        let text = "apiVersion: v1\nkind: Secret\n";
        let le: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xfe, 0xff]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode_utf8(le).unwrap().as_str(), text);
        assert_eq!(decode_utf8(be).unwrap().as_str(), text);
        assert!(decode_utf8(vec![0xff, 0xfe, 0x00, 0xd8, 0x41]).is_err());
        assert_eq!(decode_utf8(text.as_bytes().to_vec()).unwrap().as_str(), text);
    }

    fn text<'a>(src: &'a str, n: &Node) -> &'a str {
        &src[n.start..n.end]
    }

    #[test]
    fn spans_cover_scalars_and_flow_collections() {
        let src = "a: 'x'\nb: {c: \"d\"}\n---\n[1, 2]\n";
        let docs = parse(src).unwrap();
        assert_eq!(docs.len(), 2);
        let root = docs[0].root.as_ref().unwrap();
        assert_eq!(text(src, root.get("a").unwrap()), "'x'");
        let b = root.get("b").unwrap();
        assert_eq!(text(src, b), "{c: \"d\"}");
        assert_eq!(text(src, b.get("c").unwrap()), "\"d\"");
        assert_eq!(b.get("c").unwrap().line, 2);
        assert_eq!(b.get("c").unwrap().col, 8);
        assert_eq!(docs[1].index, 2);
    }

    #[test]
    fn duplicate_keys_are_errors_with_position() {
        let err = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!((err.line, err.col), (3, 1));
        assert!(err.message.contains("duplicate key `a`") && err.message.contains("first at line 1"));
        assert!(parse("{\"a\": 1, \"a\": 2}").is_err());
        // Past the scan's size, the set finds them too, at the same place.
        let mut big: String = (0..40).map(|i| format!("k{i}: v\n")).collect();
        big.push_str("k7: again\n");
        let err = parse(&big).unwrap_err();
        assert_eq!(err.line, 41);
        assert!(
            err.message
                .contains("duplicate key `k7` in a mapping (first at line 8)"),
            "{}",
            err.message
        );
        let unique: String = (0..40).map(|i| format!("k{i}: v\n")).collect();
        assert!(parse(&unique).is_ok());
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse("a: \"unclosed\nb: 2\n").unwrap_err();
        assert!(err.line >= 1 && !err.message.is_empty());
        let err = parse("a:\n\tb: 1\n").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn anchors_tags_and_aliases_are_recorded() {
        let src = "a: &x 1\nb: *x\nc: !!str 2\nd: &m {e: f}\ng: !t [h]\ni: plain\n";
        let docs = parse(src).unwrap();
        let root = docs[0].root.as_ref().unwrap();
        assert_eq!(root.get("a").unwrap().props, ANCHORED);
        assert!(matches!(root.get("b").unwrap().kind, NodeKind::Alias));
        assert_eq!(root.get("c").unwrap().props, TAGGED);
        assert_eq!(root.get("d").unwrap().props, ANCHORED);
        assert_eq!(root.get("g").unwrap().props, TAGGED);
        assert_eq!(root.get("i").unwrap().props, 0);
    }

    #[test]
    fn invalid_utf8_is_located() {
        let err = decode_utf8(b"a: 1\nbb: \xff\n".to_vec()).unwrap_err();
        assert_eq!((err.line, err.col), (2, 5));
    }

    #[test]
    fn debug_output_never_shows_scalar_values() {
        let docs = parse("stringData:\n  password: hunter2-s3cret\n").unwrap();
        let shown = format!("{docs:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("len: 14"), "{shown}");
        let edit = crate::manifest::splice::Edit {
            start: 1,
            end: 2,
            text: "hunter2-s3cret".into(),
        };
        assert!(!format!("{edit:?}").contains("hunter2"));
    }
}
