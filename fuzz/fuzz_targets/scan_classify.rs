//! Any bytes as a file in a scanned repository: the classifier never panics, and every finding is
//! well formed: a document and lines inside the file, at least one key, and for each key only an
//! 8-hex fingerprint (the report never carries the value).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // YAML line breaks: LF, CRLF, and a lone CR (which editors and kseal's positions count too).
    let lines = 1 + data
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')))
        .count();
    for f in kseal_scan::detect::scan_bytes("fuzz.yaml", data) {
        assert!(f.document >= 1);
        assert!(f.line >= 1 && f.line <= lines, "line {} of {lines}", f.line);
        assert!(!f.keys.is_empty());
        for k in &f.keys {
            assert!(k.line >= 1 && k.line <= lines);
            assert_eq!(k.fingerprint.len(), 8);
            assert!(k.fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
        }
    }
});
