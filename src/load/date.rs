//! The one date the documents print, fixed by `SOURCE_DATE_EPOCH` when it is set.
//!
//! See <https://reproducible-builds.org/specs/source-date-epoch/>. Without it the date comes
//! from the spec's Created line, never from the clock.

/// `SOURCE_DATE_EPOCH` as a `YYYY-MM-DD` date in UTC, if set and valid.
/// An invalid value is an error, as the specification asks: a build that meant to be
/// reproducible must not silently fall back to another date.
pub fn source_date_epoch() -> Result<Option<String>, String> {
    let Ok(value) = std::env::var("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    if value.trim().is_empty() {
        return Ok(None);
    }
    let secs: i64 = value
        .trim()
        .parse()
        .map_err(|_| format!("SOURCE_DATE_EPOCH must be a number of seconds since 1970, not `{value}`"))?;
    Ok(Some(civil_date(secs.div_euclid(86_400))))
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::civil_date;

    #[test]
    fn known_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_115), "2025-01-27");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(-1), "1969-12-31");
    }
}
