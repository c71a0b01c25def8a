//! One SOPS leaf: the `ENC[AES256_GCM,...]` string, its decryption, and its value written back
//! with the type sops recorded; and the bytes sops's MAC covers for a leaf.

use aes_gcm::aead::consts::U32;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::aes::Aes256;
use aes_gcm::AesGcm;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use granit_parser::ScalarStyle;
use zeroize::Zeroizing;

use crate::manifest::splice::double_quoted;
use crate::manifest::tree::Node;

type Aes256Gcm32 = AesGcm<Aes256, U32>;

/// A decrypted leaf's type, from the `type:` field of its `ENC[...]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Type {
    Str,
    Int,
    Float,
    Bool,
    Bytes,
    /// An encrypted YAML comment (`#ENC[...,type:comment]`).
    Comment,
    /// A YAML timestamp (an unquoted date), encrypted as its RFC 3339 text.
    Time,
}

pub(super) struct Enc {
    pub(super) data: Vec<u8>,
    pub(super) iv: Vec<u8>,
    pub(super) tag: Vec<u8>,
    pub(super) ty: Type,
}

/// Why an `ENC[...]` leaf does not parse or decrypt. Field and type names only: never data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum EncError {
    #[error("not an ENC[AES256_GCM,...] value")]
    NotEnc,
    #[error("a field without `name:`")]
    NoName,
    #[error("`{0}` is not base64")]
    NotBase64(String),
    #[error("unsupported value type `{0}`")]
    UnsupportedType(String),
    #[error("unknown field `{0}`")]
    UnknownField(String),
    #[error("no `{0}`")]
    Missing(&'static str),
    #[error("the iv must be 32 bytes and the tag 16")]
    Lengths,
    #[error("does not decrypt: wrong data key, or the value or its path was altered")]
    DoesNotDecrypt,
}

pub(super) fn parse_enc(s: &str) -> Result<Enc, EncError> {
    let inner = s
        .strip_prefix("ENC[AES256_GCM,")
        .and_then(|r| r.strip_suffix(']'))
        .ok_or(EncError::NotEnc)?;
    let (mut data, mut iv, mut tag, mut ty) = (None, None, None, None);
    for part in inner.split(',') {
        let (name, value) = part.split_once(':').ok_or(EncError::NoName)?;
        let b64 = || {
            STANDARD
                .decode(value)
                .map_err(|_| EncError::NotBase64(name.to_string()))
        };
        match name {
            "data" => data = Some(b64()?),
            "iv" => iv = Some(b64()?),
            "tag" => tag = Some(b64()?),
            "type" => {
                ty = Some(match value {
                    "str" => Type::Str,
                    "int" => Type::Int,
                    "float" => Type::Float,
                    "bool" => Type::Bool,
                    "bytes" => Type::Bytes,
                    "comment" => Type::Comment,
                    "time" => Type::Time,
                    other => return Err(EncError::UnsupportedType(other.to_string())),
                })
            }
            other => return Err(EncError::UnknownField(other.to_string())),
        }
    }
    let enc = Enc {
        data: data.ok_or(EncError::Missing("data"))?,
        iv: iv.ok_or(EncError::Missing("iv"))?,
        tag: tag.ok_or(EncError::Missing("tag"))?,
        ty: ty.ok_or(EncError::Missing("type"))?,
    };
    if enc.iv.len() != 32 || enc.tag.len() != 16 {
        return Err(EncError::Lengths);
    }
    Ok(enc)
}

pub(super) fn decrypt(key: &[u8; 32], enc: &Enc, aad: &str) -> Result<Zeroizing<Vec<u8>>, EncError> {
    let cipher = Aes256Gcm32::new(key.into());
    let mut msg = Zeroizing::new(Vec::with_capacity(enc.data.len() + 16));
    msg.extend_from_slice(&enc.data);
    msg.extend_from_slice(&enc.tag);
    cipher
        .decrypt(
            enc.iv.as_slice().into(),
            Payload {
                msg: &msg,
                aad: aad.as_bytes(),
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| EncError::DoesNotDecrypt)
}

/// The bytes sops hashes for a plain (unencrypted) scalar, as Go's yaml decoder types it and
/// sops's `ToBytes` prints it. `None` for null, which sops skips.
pub(super) fn plain_mac_bytes(node: &Node) -> Option<Vec<u8>> {
    let text = node.as_str()?;
    if node.style() != Some(ScalarStyle::Plain) {
        return Some(text.as_bytes().to_vec());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => None,
        "true" | "True" | "TRUE" => Some(b"True".to_vec()),
        "false" | "False" | "FALSE" => Some(b"False".to_vec()),
        _ => {
            if let Ok(i) = text.parse::<i64>() {
                Some(i.to_string().into_bytes())
            } else if let Some(f) = text.parse::<f64>().ok().filter(|f| f.is_finite()) {
                if text
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
                {
                    Some(f.to_string().into_bytes())
                } else {
                    Some(text.as_bytes().to_vec())
                }
            } else {
                Some(text.as_bytes().to_vec())
            }
        }
    }
}

/// The bytes sops hashes for a decrypted value of type `ty`, and how kseal writes it back.
pub(super) fn typed(
    ty: Type,
    plain: &[u8],
    json: bool,
) -> Result<(Zeroizing<Vec<u8>>, Zeroizing<String>), &'static str> {
    let text = std::str::from_utf8(plain).map_err(|_| "the decrypted value is not UTF-8")?;
    Ok(match ty {
        Type::Str | Type::Bytes => (
            Zeroizing::new(plain.to_vec()),
            Zeroizing::new(double_quoted(text)),
        ),
        Type::Int => {
            let i: i64 = text
                .parse()
                .map_err(|_| "an `int` value that is not an integer")?;
            (
                Zeroizing::new(i.to_string().into_bytes()),
                Zeroizing::new(i.to_string()),
            )
        }
        Type::Float => {
            let f: f64 = text.parse().map_err(|_| "a `float` value that is not a number")?;
            (
                Zeroizing::new(go_mac_float(f).into_bytes()),
                Zeroizing::new(go_float(f, json)),
            )
        }
        // sops hashes and encrypts a timestamp as its RFC 3339 text; written back as a string,
        // which is what a Secret's value is (`sops -d` prints it unquoted).
        Type::Time => (
            Zeroizing::new(plain.to_vec()),
            Zeroizing::new(double_quoted(text)),
        ),
        Type::Bool => match text {
            "true" | "True" => (Zeroizing::new(b"True".to_vec()), Zeroizing::new("true".into())),
            "false" | "False" => (Zeroizing::new(b"False".to_vec()), Zeroizing::new("false".into())),
            _ => return Err("a `bool` value that is neither true nor false"),
        },
        Type::Comment => return Err("a comment's ciphertext in place of a value"),
    })
}

/// The bytes sops hashes for a float: Go's `strconv.FormatFloat(f, 'f', -1, 64)`, whose
/// infinities and NaN are `+Inf`, `-Inf` and `NaN` (Rust writes `inf` and `NaN`).
pub(super) fn go_mac_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        f.to_string()
    }
}

/// A float as `sops -d` prints it. YAML (Go's yaml.v3): `strconv.FormatFloat(f, 'g', -1, 64)`,
/// the shortest digits that read back as `f`, in exponent form when the exponent is below -4 or at
/// least 6 (`1e+06`, `1e-05`). JSON (Go's encoding/json): plain digits unless |f| < 1e-6 or
/// ≥ 1e21, then exponent form with a one-digit negative exponent kept short (`1e-7`, `1e+21`).
/// Written by hand: no crate formats floats Go's way.
pub(super) fn go_float(f: f64, json: bool) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // Rust's `{:e}` gives the same shortest round-trip digits: `1.2345e19`, `-1e-7`.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` has an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` has an integer exponent");
    let (sign, mantissa) = mantissa.strip_prefix('-').map_or(("", mantissa), |m| ("-", m));
    let exponent_form = if json {
        f.abs() < 1e-6 || f.abs() >= 1e21
    } else {
        !(-4..6).contains(&exp)
    };
    if !exponent_form {
        return format!("{sign}{}", f.abs());
    }
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let (first, rest) = digits.split_at(1);
    let dot = if rest.is_empty() { "" } else { "." };
    let esign = if exp < 0 { '-' } else { '+' };
    let width = if json && exp < 0 { 1 } else { 2 };
    format!("{sign}{first}{dot}{rest}e{esign}{:0width$}", exp.abs())
}
