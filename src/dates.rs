//! Calendar dates as days since 1970-01-01 (UTC): reading the date that starts a
//! metadata time stamp, writing `YYYY-MM-DD`, and today. The one-month hold, consent
//! and the command line's `--today` all count in these days. Depends on nothing of ours.

/// Today, in days since 1970-01-01 (UTC).
pub fn today() -> i64 {
    let secs =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    secs.div_euclid(86_400)
}

/// Days since 1970-01-01 of the date that starts `value` (`2026:11:20 08:15:00`,
/// `2026-11-20T08:15:00-05:00`). The time of day is ignored: the hold is in days.
pub fn days_from_date(value: &str) -> Option<i64> {
    let b = value.as_bytes();
    if b.len() < 10 || !matches!(b[4], b':' | b'-') || b[7] != b[4] {
        return None;
    }
    let num = |r: std::ops::Range<usize>| value.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || y < 1900 {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Howard Hinnant's days-from-civil: proleptic Gregorian date to days since 1970-01-01.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse, as `YYYY-MM-DD`.
pub fn date_of(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
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
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(days_from_date("1970:01:01 00:00:00"), Some(0));
        assert_eq!(days_from_date("2026-11-25T10:00:00Z").map(date_of).as_deref(), Some("2026-11-25"));
        assert_eq!(date_of(days_from_civil(2024, 2, 29) + 1), "2024-03-01");
        assert_eq!(days_from_date("0000:00:00 00:00:00"), None, "cameras write zeros when unset");
        assert_eq!(days_from_date("garbage"), None);
    }
}
