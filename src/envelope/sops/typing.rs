//! How a store types a plaintext leaf (go-yaml v3 / encoding/json as used by sops), and
//! the bytes sops' `ToBytes` feeds into the MAC for it.

use std::borrow::Cow;

use super::gofmt::{self, GoTime};
use crate::yaml::{Scalar, ScalarStyle};

/// A leaf value as sops sees it after loading the file.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Typed<'a> {
    /// Skipped entirely (never encrypted, not in the MAC).
    Null,
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Already in `MarshalText` form.
    Time(String),
    /// sops refuses it (e.g. `uint64` above int64, invalid tagged scalar).
    Unsupported(&'static str),
}

impl Typed<'_> {
    /// `ToBytes` (sops.go); `None` for null and unsupported values.
    pub(crate) fn mac_bytes(&self) -> Option<Cow<'_, [u8]>> {
        Some(match self {
            Typed::Null | Typed::Unsupported(_) => return None,
            Typed::Str(s) => Cow::Borrowed(s.as_bytes()),
            Typed::Int(i) => Cow::Owned(i.to_string().into_bytes()),
            Typed::Float(f) => Cow::Owned(gofmt::format_float(*f).into_bytes()),
            Typed::Bool(b) => Cow::Borrowed(gofmt::format_bool(*b).as_bytes()),
            Typed::Time(t) => Cow::Borrowed(t.as_bytes()),
        })
    }
}

fn yaml_style_float(s: &str) -> bool {
    // ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
    let b = s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes();
    let digits = |b: &[u8]| b.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i;
    if b.first() == Some(&b'.') {
        let n = digits(&b[1..]);
        if n == 0 {
            return false;
        }
        i = 1 + n;
    } else {
        let n = digits(b);
        if n == 0 {
            return false;
        }
        i = n;
        if b.get(i) == Some(&b'.') {
            i += 1 + digits(&b[i + 1..]);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(&b[i..]);
        if n == 0 {
            return false;
        }
        i += n;
    }
    i == b.len()
}

fn int_or_unsupported(v: i128) -> Typed<'static> {
    if v >= i64::MIN as i128 && v <= i64::MAX as i128 {
        Typed::Int(v as i64)
    } else {
        Typed::Unsupported("integer above int64 (uint64)")
    }
}

/// go-yaml v3 `resolve` for an untagged plain scalar.
fn resolve_plain(v: &str) -> Typed<'_> {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => return Typed::Null,
        "true" | "True" | "TRUE" => return Typed::Bool(true),
        "false" | "False" | "FALSE" => return Typed::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Typed::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Typed::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Typed::Float(f64::NAN),
        _ => {}
    }
    let first = v.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return Typed::Str(Cow::Borrowed(v));
    }
    if let Some(t) = GoTime::parse(v, true) {
        return Typed::Time(t.rfc3339_nano());
    }
    let plain = v.replace('_', "");
    if let Some(i) = gofmt::parse_int_base0(&plain) {
        return int_or_unsupported(i);
    }
    // go-yaml's strconv.ParseFloat fails (ErrRange) where Rust saturates to ±Inf: such a
    // scalar (`1e400`) stays a string for sops, and so here.
    if yaml_style_float(&plain)
        && let Ok(f) = plain.parse::<f64>()
        && f.is_finite()
    {
        return Typed::Float(f);
    }
    Typed::Str(Cow::Borrowed(v))
}

fn short_tag(tag: &str) -> &str {
    tag.strip_prefix("tag:yaml.org,2002:")
        .or_else(|| tag.strip_prefix("!!"))
        .unwrap_or(tag)
}

/// Types a YAML scalar the way sops' YAML store (go-yaml v3) does.
pub(crate) fn resolve_yaml(s: &Scalar) -> Typed<'_> {
    let v: &str = &s.value;
    if let Some(tag) = &s.tag {
        return match short_tag(tag) {
            "str" | "binary" => Typed::Str(Cow::Borrowed(v)),
            "null" => Typed::Null,
            "bool" => match v {
                "true" | "True" | "TRUE" => Typed::Bool(true),
                "false" | "False" | "FALSE" => Typed::Bool(false),
                _ => Typed::Unsupported("invalid !!bool"),
            },
            "int" => match gofmt::parse_int_base0(&v.replace('_', "")) {
                Some(i) => int_or_unsupported(i),
                None => Typed::Unsupported("invalid !!int"),
            },
            "float" => match resolve_plain(v) {
                Typed::Float(f) => Typed::Float(f),
                Typed::Int(i) => Typed::Float(i as f64),
                _ => Typed::Unsupported("invalid !!float"),
            },
            "timestamp" => match GoTime::parse(v, true) {
                Some(t) => Typed::Time(t.rfc3339_nano()),
                None => Typed::Unsupported("invalid !!timestamp"),
            },
            _ => Typed::Str(Cow::Borrowed(v)),
        };
    }
    match s.style {
        ScalarStyle::Plain => resolve_plain(v),
        _ => Typed::Str(Cow::Borrowed(v)),
    }
}

/// Types a JSON scalar the way sops' JSON store does: numbers are float64, except that
/// sops ≥ 3.13.2 (`ints_as_int`) keeps integers that fit int64.
pub(crate) fn resolve_json(s: &Scalar, ints_as_int: bool) -> Typed<'_> {
    let v: &str = &s.value;
    if s.style != ScalarStyle::Plain {
        return Typed::Str(Cow::Borrowed(v));
    }
    match v {
        "null" => Typed::Null,
        "true" => Typed::Bool(true),
        "false" => Typed::Bool(false),
        _ => {
            if ints_as_int
                && !v.contains(['.', 'e', 'E'])
                && let Ok(i) = v.parse::<i64>()
            {
                return Typed::Int(i);
            }
            match v.parse::<f64>() {
                Ok(f) if yaml_style_float(v) => Typed::Float(f),
                _ => Typed::Str(Cow::Borrowed(v)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(v: &str) -> Scalar {
        Scalar {
            value: v.into(),
            style: ScalarStyle::Plain,
            tag: None,
        }
    }

    fn mac(v: &str) -> Option<String> {
        let s = plain(v);
        resolve_yaml(&s)
            .mac_bytes()
            .map(|b| String::from_utf8(b.into_owned()).unwrap())
    }

    #[test]
    fn yaml_plain_scalars_like_go_yaml() {
        assert_eq!(mac("3.0").as_deref(), Some("3"));
        assert_eq!(mac("0x1F").as_deref(), Some("31"));
        assert_eq!(mac("1_000").as_deref(), Some("1000"));
        assert_eq!(mac("017").as_deref(), Some("15"));
        assert_eq!(mac("0.0000001").as_deref(), Some("0.0000001"));
        assert_eq!(mac("1e3").as_deref(), Some("1000"));
        assert_eq!(mac("true").as_deref(), Some("True"));
        assert_eq!(mac("yes").as_deref(), Some("yes"));
        assert_eq!(mac("2024-01-01").as_deref(), Some("2024-01-01T00:00:00Z"));
        assert_eq!(mac("~"), None);
        assert_eq!(mac("-").as_deref(), Some("-"));
        assert_eq!(mac("1.2.3").as_deref(), Some("1.2.3"));
        assert_eq!(mac("+.inf").as_deref(), Some("+Inf"));
        assert_eq!(mac("18446744073709551615"), None);
        let quoted = Scalar {
            value: "3.0".into(),
            style: ScalarStyle::DoubleQuoted,
            tag: None,
        };
        assert_eq!(resolve_yaml(&quoted), Typed::Str("3.0".into()));
    }

    #[test]
    fn json_numbers_are_floats_before_3_13_2() {
        let big = plain("9007199254740993");
        assert_eq!(
            resolve_json(&big, false).mac_bytes().unwrap().as_ref(),
            b"9007199254740992"
        );
        assert_eq!(
            resolve_json(&big, true).mac_bytes().unwrap().as_ref(),
            b"9007199254740993"
        );
        assert_eq!(
            resolve_json(&plain("1.0"), false)
                .mac_bytes()
                .unwrap()
                .as_ref(),
            b"1"
        );
        assert_eq!(resolve_json(&plain("null"), false), Typed::Null);
    }
}
