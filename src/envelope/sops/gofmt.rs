//! Go standard-library parsing and formatting that sops relies on (`strconv`, `time`).
//!
//! Only what the MAC needs: the exact bytes Go produces for ints, floats, bools and times.

/// `strconv.FormatFloat(f, 'f', -1, 64)`: shortest round-trip digits, never an exponent.
pub(crate) fn format_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_string()
    } else if f == f64::INFINITY {
        "+Inf".to_string()
    } else if f == f64::NEG_INFINITY {
        "-Inf".to_string()
    } else {
        // Rust's `Display` for f64 is also shortest-round-trip without exponent.
        format!("{f}")
    }
}

/// `strconv.ParseBool`.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Python-heritage bool bytes written by sops' `ToBytes`.
pub(crate) fn format_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// `strconv.Atoi` (decimal, optional sign, 64-bit).
pub(crate) fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

/// `strconv.ParseFloat(s, 64)` for the decimal forms (hex floats are not supported).
pub(crate) fn parse_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return s.parse::<f64>().ok();
    }
    if body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    s.parse::<f64>().ok()
}

/// `strconv.ParseInt(s, 0, 64)` / `ParseUint(s, 0, 64)` in one: the value as i128 so the
/// caller can tell int64 from uint64 range. Underscores must already be removed.
pub(crate) fn parse_int_base0(s: &str) -> Option<i128> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = rest.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string())
    } else {
        (10, lower)
    };
    if digits.is_empty() || digits.len() > 70 || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = u128::from_str_radix(&digits, radix).ok()?;
    if v > u64::MAX as u128 {
        return None;
    }
    let v = v as i128;
    if neg {
        if v > i64::MAX as i128 + 1 {
            return None;
        }
        Some(-v)
    } else {
        Some(v)
    }
}

/// A civil time with a fixed UTC offset, as Go's `time.Time` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GoTime {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    min: u32,
    sec: u32,
    nanos: u32,
    /// Offset east of UTC in seconds.
    offset: i32,
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Reads 1..=max digits (`min` at least).
fn take_num(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

impl GoTime {
    /// Parses RFC 3339 (`time.Parse(time.RFC3339, s)`; fractional seconds accepted).
    /// With `lenient` the short-field layouts go-yaml accepts for unquoted timestamps
    /// (`2006-1-2T15:4:5Z`, lower-case `t`, `2006-1-2 15:4:5` without zone, `2006-1-2`).
    pub(crate) fn parse(s: &str, lenient: bool) -> Option<GoTime> {
        let (dmin, tsep): (usize, &[char]) = if lenient {
            (1, &['T', 't', ' '])
        } else {
            (2, &['T'])
        };
        let (year, r) = take_num(s, 4, 4)?;
        let r = r.strip_prefix('-')?;
        let (month, r) = take_num(r, dmin, 2)?;
        let r = r.strip_prefix('-')?;
        let (day, r) = take_num(r, dmin, 2)?;
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year as i64, month) {
            return None;
        }
        let mut t = GoTime {
            year: year as i64,
            month,
            day,
            hour: 0,
            min: 0,
            sec: 0,
            nanos: 0,
            offset: 0,
        };
        if r.is_empty() {
            return lenient.then_some(t);
        }
        let sep = r.chars().next()?;
        if !tsep.contains(&sep) {
            return None;
        }
        let r = &r[1..];
        let (hour, r) = take_num(r, dmin, 2)?;
        let r = r.strip_prefix(':')?;
        let (min, r) = take_num(r, dmin, 2)?;
        let r = r.strip_prefix(':')?;
        let (sec, mut r) = take_num(r, dmin, 2)?;
        if hour > 23 || min > 59 || sec > 59 {
            return None;
        }
        (t.hour, t.min, t.sec) = (hour, min, sec);
        if let Some(f) = r.strip_prefix('.') {
            let n = f.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 || n > 9 {
                return None;
            }
            t.nanos = f[..n].parse::<u32>().ok()? * 10u32.pow(9 - n as u32);
            r = &f[n..];
        }
        if sep == ' ' {
            // go-yaml's space layout has no zone.
            return r.is_empty().then_some(t);
        }
        if r == "Z" {
            return Some(t);
        }
        let sign = match r.as_bytes().first()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let (oh, r2) = take_num(&r[1..], 2, 2)?;
        let r2 = r2.strip_prefix(':')?;
        let (om, r2) = take_num(r2, 2, 2)?;
        if !r2.is_empty() || oh > 23 || om > 59 {
            return None;
        }
        t.offset = sign * (oh as i32 * 3600 + om as i32 * 60);
        Some(t)
    }

    fn zone(&self) -> String {
        if self.offset == 0 {
            "Z".to_string()
        } else {
            let sign = if self.offset < 0 { '-' } else { '+' };
            let o = self.offset.unsigned_abs();
            format!("{sign}{:02}:{:02}", o / 3600, (o % 3600) / 60)
        }
    }

    /// `Format(time.RFC3339)`: fractional seconds dropped.
    pub(crate) fn rfc3339(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
            self.year,
            self.month,
            self.day,
            self.hour,
            self.min,
            self.sec,
            self.zone()
        )
    }

    /// `MarshalText` = `Format(time.RFC3339Nano)`: trailing zeros of the fraction trimmed.
    pub(crate) fn rfc3339_nano(&self) -> String {
        let mut frac = String::new();
        if self.nanos != 0 {
            frac = format!(".{:09}", self.nanos);
            while frac.ends_with('0') {
                frac.pop();
            }
        }
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{}",
            self.year,
            self.month,
            self.day,
            self.hour,
            self.min,
            self.sec,
            frac,
            self.zone()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_go() {
        assert_eq!(format_float(1e-7), "0.0000001");
        assert_eq!(format_float(3.0), "3");
        assert_eq!(format_float(1234.56789), "1234.56789");
        assert_eq!(format_float(9007199254740993.0), "9007199254740992");
        assert_eq!(format_float(1e21), "1000000000000000000000");
        assert_eq!(format_float(-0.0), "-0");
        assert_eq!(format_float(f64::INFINITY), "+Inf");
        assert_eq!(parse_float("1.5e3"), Some(1500.0));
        assert_eq!(parse_float("0x1p3"), None);
        assert_eq!(parse_float(""), None);
    }

    #[test]
    fn ints_like_go() {
        assert_eq!(parse_int_base0("0x1F"), Some(31));
        assert_eq!(parse_int_base0("017"), Some(15));
        assert_eq!(parse_int_base0("0o17"), Some(15));
        assert_eq!(parse_int_base0("-0b101"), Some(-5));
        assert_eq!(parse_int_base0("08"), None);
        assert_eq!(parse_int_base0("0"), Some(0));
        assert_eq!(
            parse_int_base0("18446744073709551615"),
            Some(u64::MAX as i128)
        );
        assert_eq!(parse_int_base0("18446744073709551616"), None);
        assert_eq!(atoi("+42"), Some(42));
        assert_eq!(atoi("4 2"), None);
        assert_eq!(atoi(""), None);
    }

    #[test]
    fn bools_like_go() {
        assert_eq!(parse_bool("True"), Some(true));
        assert_eq!(parse_bool("f"), Some(false));
        assert_eq!(parse_bool("yes"), None);
    }

    #[test]
    fn times_like_go() {
        let t = GoTime::parse("2024-01-01", true).unwrap();
        assert_eq!(t.rfc3339_nano(), "2024-01-01T00:00:00Z");
        assert!(GoTime::parse("2024-01-01", false).is_none());
        let t = GoTime::parse("2006-01-02T15:04:05+07:00", false).unwrap();
        assert_eq!(t.rfc3339_nano(), "2006-01-02T15:04:05+07:00");
        let t = GoTime::parse("2023-12-25T10:31:01.5000Z", false).unwrap();
        assert_eq!(t.rfc3339(), "2023-12-25T10:31:01Z");
        assert_eq!(t.rfc3339_nano(), "2023-12-25T10:31:01.5Z");
        let t = GoTime::parse("2023-12-25T10:31:01+00:00", false).unwrap();
        assert_eq!(t.rfc3339(), "2023-12-25T10:31:01Z");
        assert!(GoTime::parse("2023-02-30T00:00:00Z", false).is_none());
        assert!(GoTime::parse("2023-1-2 3:4:5", true).is_some());
        assert!(GoTime::parse("garbage", true).is_none());
        assert!(GoTime::parse("2023-", true).is_none());
    }
}
