//! What kubectl's YAML reader makes of a plain (unquoted) mapping key: kubectl and the API server
//! read YAML 1.1 through go-yaml v2 and sigs.k8s.io/yaml, kseal reads YAML 1.2, and where the two
//! disagree on a Secret's key, kseal refuses rather than bind a value to a name the cluster will
//! not store. Written by hand: no crate emulates go-yaml v2's resolver and Go's float formatting;
//! `tests/kubectl_reading.rs` checks it against the real kubectl on generated keys.

/// The key kubectl would store for an unquoted key written `text`, when that differs from the text
/// itself. kubectl and the API server read YAML 1.1 (go-yaml v2 through sigs.k8s.io/yaml), where an
/// unquoted `on`, `yes` or `y` is the boolean true, `0x10`, `0o17` and `010` are integers, `1_000`
/// is 1000 and `1e3` or `1.00000001` a float; converting to JSON then writes the key as `"true"`,
/// `"16"`, `"15"`, `"8"`, `"1000"`, and a float as Go formats a float32 (`"1"`, `"1e+08"`). kseal
/// reads YAML 1.2, where they are strings. A value bound to the key as written would not open
/// under the key the cluster stores, and two keys kseal sees as different could become one there
/// (last wins), so such keys are refused. The steps are go-yaml v2's `resolve` and
/// sigs.k8s.io/yaml's key conversion, in order; tests/kubectl_reading.rs checks generated keys
/// against the real kubectl.
pub fn kubectl_key(text: &str) -> Option<String> {
    const TRUE: &[&str] = &[
        "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y",
    ];
    const FALSE: &[&str] = &[
        "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N",
    ];
    let reading = if TRUE.contains(&text) {
        "true".to_string()
    } else if FALSE.contains(&text) {
        "false".to_string()
    } else if matches!(text, "~" | "null" | "Null" | "NULL") {
        // A null key: kubectl refuses the map. Nothing kseal could bind.
        return Some("null (kubectl refuses a null key)".into());
    } else if matches!(text, ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF") {
        ".inf".to_string()
    } else if matches!(text, "-.inf" | "-.Inf" | "-.INF") {
        "-.inf".to_string()
    } else if matches!(text, ".nan" | ".NaN" | ".NAN") {
        ".nan".to_string()
    } else {
        match text.as_bytes().first()? {
            // go-yaml v2 drops underscores here too (`.3_9` is 0.39 to kubectl).
            b'.' => go_format_float32(text.replace('_', "").parse().ok()?),
            b'0'..=b'9' | b'+' | b'-' => {
                let plain = text.replace('_', "");
                if let Some(i) = go_parse_int(&plain) {
                    if i > i128::from(i64::MAX) {
                        // go-yaml reads it as a uint64, a key sigs.k8s.io/yaml does not convert.
                        return Some(format!(
                            "{i}, an unsigned 64-bit integer (kubectl refuses such a key)"
                        ));
                    }
                    i.to_string()
                } else if is_yaml_style_float(&plain) {
                    go_format_float32(plain.parse().ok()?)
                } else {
                    return None;
                }
            }
            _ => return None,
        }
    };
    (reading != text).then_some(reading)
}

/// Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint` (what go-yaml v2 tries first): an optional
/// sign, then `0x`/`0X` hex, `0b`/`0B` binary, `0o`/`0O` or a leading `0` octal, else decimal; in
/// range of int64 (or, unsigned, uint64).
fn go_parse_int(s: &str) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (digits, radix) = if let Some(h) = lower.strip_prefix("0x") {
        (h, 16)
    } else if let Some(b) = lower.strip_prefix("0b") {
        (b, 2)
    } else if let Some(o) = lower.strip_prefix("0o") {
        (o, 8)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (&lower[1..], 8)
    } else {
        (lower.as_str(), 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = i128::from_str_radix(digits, radix).ok()?;
    let v = if neg { -v } else { v };
    let fits = (i128::from(i64::MIN)..=i128::from(u64::MAX)).contains(&v) && !(neg && v > 0);
    fits.then_some(v)
}

/// go-yaml v2's float syntax: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(t: &str) -> bool {
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`, which sigs.k8s.io/yaml writes a float key with:
/// the shortest digits of the float32, `%e` form (`1e+08`, `1e-05`, two exponent digits at
/// least) when the exponent is below -4 or at least 6 (Go's rule for the shortest precision),
/// else `%f` form without trailing zeros.
fn go_format_float32(f: f64) -> String {
    let x = f as f32;
    if x.is_infinite() {
        return if x > 0.0 { ".inf".into() } else { "-.inf".into() };
    }
    if x.is_nan() {
        return ".nan".into();
    }
    let sign = if x.is_sign_negative() && x != 0.0 { "-" } else { "" };
    // Rust's `{:e}` gives the shortest digits that round-trip, as Go's -1 precision does.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let nd = digits.len() as i32;
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.abs());
    }
    let dp = exp + 1;
    let body = if dp <= 0 {
        format!("0.{}{digits}", "0".repeat((-dp) as usize))
    } else if dp >= nd {
        format!("{digits}{}", "0".repeat((dp - nd) as usize))
    } else {
        let (int, frac) = digits.split_at(dp as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{body}")
}
