use crate::finding::Finding;
use crate::placeholder::is_placeholder_only;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Checks a `CronJob`'s `spec.schedule` as the API server does (the `robfig/cron`
    /// standard parser): five fields — minute `0-59`, hour `0-23`, day of month `1-31`,
    /// month `1-12` or `JAN`–`DEC`, day of week `0-6` or `SUN`–`SAT` — each a `*`/`?`,
    /// a value, a range `a-b`, with an optional step `/n`, or a comma-separated list of
    /// those; or a macro (`@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`,
    /// `@midnight`, `@hourly`, `@every <duration>`). A `CRON_TZ=`/`TZ=` prefix is reported:
    /// it was never supported and API validation rejects it — `spec.timeZone` is the field.
    /// A `spec.timeZone` that is not an IANA zone name (`Europe/Berlin`, `UTC`; not `Local`,
    /// not an offset like `+02:00`) is reported too. Placeholders (`${SCHEDULE}`) are skipped.
    ///
    /// ## Why is this bad?
    /// The API server rejects the object, so the whole sync fails (Argo CD / Flux report
    /// the error only after merge). Common slips: a 6-field Quartz/Spring schedule with
    /// seconds, `7` for Sunday, `0-24` hours, Jenkins `H`.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   schedule: "CRON_TZ=Europe/Berlin 0 0 * * 7"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   schedule: "0 0 * * 0"
    ///   timeZone: Europe/Berlin
    /// ```
    pub struct CronjobInvalidSchedule {
        id: "cronjob-invalid-schedule",
        severity: Error,
        summary: "CronJob schedule or timeZone the API server rejects",
        group: "workloads",
    }
}

/// A field check: why a value is invalid, or `None`.
type Problem = fn(&str) -> Option<String>;

/// Why `schedule` is invalid, or `None`.
pub(crate) fn schedule_problem(schedule: &str) -> Option<String> {
    let s = schedule.trim();
    if s.starts_with("CRON_TZ=") || s.starts_with("TZ=") {
        return Some(
            "a CRON_TZ=/TZ= prefix is not supported (the API rejects it); set spec.timeZone".into(),
        );
    }
    if let Some(m) = s.strip_prefix('@') {
        if let Some(d) = m.strip_prefix("every ") {
            return (!is_go_duration(d.trim()))
                .then(|| format!("`@every` needs a duration like 1h30m, not `{}`", d.trim()));
        }
        return (!matches!(
            m,
            "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly"
        ))
        .then(|| format!("unknown macro `@{m}`"));
    }
    let fields: Vec<&str> = s.split_whitespace().collect();
    if fields.len() != 5 {
        return Some(format!(
            "has {} fields, expected 5 (minute hour day-of-month month day-of-week){}",
            fields.len(),
            if fields.len() == 6 {
                "; seconds are not supported"
            } else {
                ""
            }
        ));
    }
    const SPECS: [(&str, u32, u32, &[&str]); 5] = [
        ("minute", 0, 59, &[]),
        ("hour", 0, 23, &[]),
        ("day-of-month", 1, 31, &[]),
        (
            "month",
            1,
            12,
            &[
                "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
            ],
        ),
        (
            "day-of-week",
            0,
            6,
            &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
        ),
    ];
    for (field, (name, min, max, names)) in fields.iter().zip(SPECS) {
        if let Err(e) = check_field(field, min, max, names) {
            return Some(format!("{name} field `{field}`: {e}"));
        }
    }
    None
}

fn check_field(field: &str, min: u32, max: u32, names: &[&str]) -> Result<(), String> {
    let value = |v: &str| -> Result<u32, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(v)) {
            return Ok(i as u32 + min);
        }
        let n: u32 = v.parse().map_err(|_| format!("`{v}` is not a number"))?;
        if n < min || n > max {
            return Err(format!("{n} is outside {min}-{max}"));
        }
        Ok(n)
    };
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        if let Some(s) = step {
            match s.parse::<u32>() {
                Ok(0) | Err(_) => return Err(format!("step `{s}` must be a positive number")),
                Ok(_) => {}
            }
        }
        if range == "*" || range == "?" {
            continue;
        }
        match range.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (value(a)?, value(b)?);
                if a > b {
                    return Err(format!("range {a}-{b} is backwards"));
                }
            }
            None => {
                value(range)?;
            }
        }
    }
    Ok(())
}

/// A Go `time.ParseDuration` string with a positive value: `90s`, `1h30m`, `1.5h`.
fn is_go_duration(d: &str) -> bool {
    let mut rest = d;
    if rest.is_empty() || rest == "0" {
        return false;
    }
    while !rest.is_empty() {
        let num = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num == 0 {
            return false;
        }
        rest = &rest[num..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .iter()
            .filter(|u| rest.starts_with(*u))
            .max_by_key(|u| u.len());
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

/// Why `tz` is not a usable `spec.timeZone`, or `None`.
fn time_zone_problem(tz: &str) -> Option<String> {
    if tz == "Local" {
        return Some("`Local` depends on the controller's host and is rejected".into());
    }
    let ok = !tz.is_empty()
        && tz.split('/').all(|p| {
            !p.is_empty()
                && p.starts_with(|c: char| c.is_ascii_alphabetic())
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
        });
    (!ok).then(|| format!("`{tz}` is not an IANA time zone name (like Europe/Berlin or UTC)"))
}

fn is_placeholder(v: &str) -> bool {
    is_placeholder_only(v) || v.contains("${") || v.contains("{{")
}

impl DocumentRule for CronjobInvalidSchedule {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        if !matches!(
            cx.doc.root.get_str("kind"),
            Some("CronJob" | "List" | "CronJobList")
        ) {
            return;
        }
        for obj in cx.objects() {
            if obj.kind != Some("CronJob") || obj.api_version.is_none() {
                continue;
            }
            let Some(spec) = obj.spec else {
                continue;
            };
            let checks: [(&str, Problem); 2] = [
                ("schedule", schedule_problem),
                ("timeZone", time_zone_problem),
            ];
            for (field, problem) in checks {
                let Some(v): Option<&Node> = spec.get(field) else {
                    continue;
                };
                let Some(s) = v.as_str() else { continue };
                if v.is_null() || is_placeholder(s) {
                    continue;
                }
                if let Some(why) = problem(s) {
                    out.push(
                        Finding::new(
                            &Self::META,
                            cx.path,
                            v.span,
                            format!("CronJob {} has an invalid {field}: {why}", obj.display_name()),
                            &format!("CronJob/{}/{field}", obj.display_name()),
                        )
                        .help(if field == "schedule" {
                            "write 5 fields (minute hour day-of-month month day-of-week) or a @macro; put the zone in spec.timeZone"
                        } else {
                            "use an IANA zone name such as Etc/UTC or Europe/Berlin"
                        }),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn valid_schedules() {
        for s in [
            "*/5 * * * *",
            "0 0 * * *",
            "0 3 * * 1-5",
            "0 3 * * MON-FRI",
            "15,45 */2 1,15 jan-jun sun",
            "0 0 ? * *",
            "5/15 * * * *",
            "@hourly",
            "@daily",
            "@every 1h30m",
            "0 0 31 12 6",
            " 0 0 * * * ",
        ] {
            assert_eq!(schedule_problem(s), None, "{s}");
        }
    }

    #[test]
    fn invalid_schedules() {
        for (s, why) in [
            ("CRON_TZ=Europe/Berlin 0 0 * * *", "CRON_TZ"),
            ("TZ=UTC 0 0 * * *", "CRON_TZ"),
            ("0 0 0 * * *", "6 fields"),
            ("0 0 * *", "4 fields"),
            ("0 24 * * *", "outside 0-23"),
            ("0 0 * * 7", "outside 0-6"),
            ("0 0 0 * *", "outside 1-31"),
            ("60 * * * *", "outside 0-59"),
            ("H 0 * * *", "not a number"),
            ("*/0 * * * *", "step"),
            ("0 5-1 * * *", "backwards"),
            ("0 0 * FOO *", "not a number"),
            ("@weekdays", "unknown macro"),
            ("@every 1 hour", "duration"),
            ("", "0 fields"),
        ] {
            let p = schedule_problem(s).unwrap_or_default();
            assert!(p.contains(why), "{s}: {p}");
        }
    }

    #[test]
    fn time_zones() {
        for tz in [
            "UTC",
            "Etc/UTC",
            "Europe/Berlin",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+2",
        ] {
            assert_eq!(time_zone_problem(tz), None, "{tz}");
        }
        for tz in ["Local", "+02:00", "UTC +2", "Europe/", ""] {
            assert!(time_zone_problem(tz).is_some(), "{tz}");
        }
    }

    #[test]
    fn cronjobs() {
        let src = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: backup, namespace: db}\nspec:\n  schedule: '0 0 * * 7'\n  timeZone: Local\n  jobTemplate: {}\n---\napiVersion: batch/v1\nkind: CronJob\nspec:\n  schedule: ${BACKUP_SCHEDULE}\n---\napiVersion: batch/v1\nkind: CronJob\nspec:\n  schedule: '@daily'\n  timeZone: Europe/Paris\n---\napiVersion: v1\nkind: ConfigMap\ndata:\n  schedule: nonsense\n";
        let f = check(&CronjobInvalidSchedule, "c.yaml", src);
        let pos: Vec<(u32, u32)> = f
            .iter()
            .map(|x| (x.span.start.line, x.span.start.col))
            .collect();
        assert_eq!(pos, [(5, 13), (6, 13)]);
        assert!(
            f[0].message
                .contains("CronJob db/backup has an invalid schedule: day-of-week field `7`")
        );
    }
}
