//! The few calendar facts the runtime needs, on `std::time::SystemTime`: UTC civil time of a
//! Unix second and back (the proleptic Gregorian calendar, by the days-from-civil arithmetic),
//! and parsers for the two text forms it reads, RFC 3339 (the instance metadata's expiry) and
//! the HTTP date (`Retry-After`). `X-Sdk-Date` is formatted and parsed in [`crate::signing`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SECONDS_PER_DAY: i64 = 86_400;

/// A UTC calendar time to the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Civil {
    pub(crate) year: i64,
    pub(crate) month: u8,
    pub(crate) day: u8,
    pub(crate) hour: u8,
    pub(crate) minute: u8,
    pub(crate) second: u8,
}

/// Whole seconds since the Unix epoch, rounded down (so a time before the epoch with a
/// fraction is in the second before); saturates at the ends of `i64`.
pub(crate) fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => {
            let before = before.duration();
            let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            (-whole).saturating_sub(i64::from(before.subsec_nanos() > 0))
        }
    }
}

/// The time `seconds` after the Unix epoch (before it when negative), or `None` when the
/// platform's `SystemTime` cannot hold it.
pub(crate) fn from_unix_seconds(seconds: i64) -> Option<SystemTime> {
    let magnitude = Duration::from_secs(seconds.unsigned_abs());
    if seconds >= 0 {
        UNIX_EPOCH.checked_add(magnitude)
    } else {
        UNIX_EPOCH.checked_sub(magnitude)
    }
}

/// `a - b` in whole seconds, truncated toward zero, and its magnitude exactly.
pub(crate) fn difference(a: SystemTime, b: SystemTime) -> (i64, Duration) {
    match a.duration_since(b) {
        Ok(ahead) => (i64::try_from(ahead.as_secs()).unwrap_or(i64::MAX), ahead),
        Err(behind) => {
            let behind = behind.duration();
            (-i64::try_from(behind.as_secs()).unwrap_or(i64::MAX), behind)
        }
    }
}

impl Civil {
    /// The UTC calendar time of `time`, to the second (rounded down).
    pub(crate) fn of(time: SystemTime) -> Civil {
        let seconds = unix_seconds(time);
        let (days, in_day) = (
            seconds.div_euclid(SECONDS_PER_DAY),
            seconds.rem_euclid(SECONDS_PER_DAY),
        );
        let (year, month, day) = civil_from_days(days);
        // `in_day` is below 86,400, so each part fits a `u8`.
        Civil {
            year,
            month,
            day,
            hour: (in_day / 3600) as u8,
            minute: (in_day / 60 % 60) as u8,
            second: (in_day % 60) as u8,
        }
    }

    /// The time this names, or `None` for a day the month does not have, a clock past
    /// 23:59:59, or a time `SystemTime` cannot hold.
    pub(crate) fn to_system_time(self) -> Option<SystemTime> {
        if !(1..=12).contains(&self.month)
            || self.day == 0
            || self.day > days_in_month(self.year, self.month)
            || self.hour > 23
            || self.minute > 59
            || self.second > 59
        {
            return None;
        }
        // Years this far out are no calendar date anyone sends; bounding them keeps the
        // arithmetic below far from overflow.
        if self.year.unsigned_abs() > 1_000_000 {
            return None;
        }
        let days = days_from_civil(self.year, self.month, self.day);
        let in_day =
            i64::from(self.hour) * 3600 + i64::from(self.minute) * 60 + i64::from(self.second);
        from_unix_seconds(days * SECONDS_PER_DAY + in_day)
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1–12, day 1–31). Counts in
/// 400-year eras of 146,097 days, with years starting in March so that the leap day ends one.
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day) of a day count since 1970-01-01.
/// Exact for every `i64` day count a `SystemTime` second can give.
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u8;
    let month = (if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    }) as u8;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A run of ASCII digits as a number, `None` if any byte is not a digit (or it is empty).
fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 9 {
        return None;
    }
    bytes.iter().try_fold(0u32, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

fn two_digits(bytes: &[u8]) -> Option<u8> {
    if bytes.len() != 2 {
        return None;
    }
    digits(bytes).map(|n| n as u8)
}

/// Parses an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of a second,
/// then `Z` or `±HH:MM` (`T` and `Z` in either case). A leap second (`:60`) is read as the
/// last moment of its minute's 59th second.
pub(crate) fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let bytes = text.as_bytes();
    if bytes.len() < 20
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't')
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return None;
    }
    let year = digits(&bytes[0..4])?;
    let second = two_digits(&bytes[17..19])?;
    let leap = second == 60;
    let civil = Civil {
        year: i64::from(year),
        month: two_digits(&bytes[5..7])?,
        day: two_digits(&bytes[8..10])?,
        hour: two_digits(&bytes[11..13])?,
        minute: two_digits(&bytes[14..16])?,
        second: if leap { 59 } else { second },
    };
    let mut rest = &bytes[19..];
    let mut nanos = 0u32;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let len = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        // Nanoseconds: the first nine digits, padded; further digits are below resolution.
        for (index, digit) in fraction[..len.min(9)].iter().enumerate() {
            nanos += u32::from(digit - b'0') * 10u32.pow(8 - index as u32);
        }
        rest = &fraction[len..];
    }
    if leap {
        nanos = 999_999_999;
    }
    let offset_seconds: i64 = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = two_digits(&[*h1, *h2])?;
            let minutes = two_digits(&[*m1, *m2])?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = i64::from(hours) * 3600 + i64::from(minutes) * 60;
            if *sign == b'-' {
                -magnitude
            } else {
                magnitude
            }
        }
        _ => return None,
    };
    let local = civil.to_system_time()?;
    let utc = from_unix_seconds(unix_seconds(local) - offset_seconds)?;
    utc.checked_add(Duration::from_nanos(u64::from(nanos)))
}

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

fn month_number(name: &[u8]) -> Option<u8> {
    MONTHS
        .iter()
        .position(|m| m.as_slice() == name)
        .map(|index| index as u8 + 1)
}

/// `HH:MM:SS` as (hour, minute, second).
fn clock(bytes: &[u8]) -> Option<(u8, u8, u8)> {
    match bytes {
        [h1, h2, b':', m1, m2, b':', s1, s2] => Some((
            two_digits(&[*h1, *h2])?,
            two_digits(&[*m1, *m2])?,
            two_digits(&[*s1, *s2])?,
        )),
        _ => None,
    }
}

/// Parses an HTTP date in each of the three forms RFC 9110 tells recipients to accept:
/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form
/// (`Sunday, 06-Nov-94 08:49:37 GMT`, a two-digit year read as 1970–2069) and asctime
/// (`Sun Nov  6 08:49:37 1994`). The weekday is not checked against the date.
pub(crate) fn parse_http_date(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let civil = if let Some((_, rest)) = text.split_once(", ") {
        let parts: Vec<&str> = rest.split(' ').collect();
        match parts.as_slice() {
            // IMF-fixdate: `06 Nov 1994 08:49:37 GMT`.
            [day, month, year, time, "GMT"] if year.len() == 4 => {
                let (hour, minute, second) = clock(time.as_bytes())?;
                Civil {
                    year: i64::from(digits(year.as_bytes())?),
                    month: month_number(month.as_bytes())?,
                    day: two_digits(day.as_bytes())?,
                    hour,
                    minute,
                    second,
                }
            }
            // RFC 850: `06-Nov-94 08:49:37 GMT`.
            [date, time, "GMT"] => {
                let mut fields = date.split('-');
                let (day, month, year) = (fields.next()?, fields.next()?, fields.next()?);
                if fields.next().is_some() {
                    return None;
                }
                let year = i64::from(two_digits(year.as_bytes())?);
                let (hour, minute, second) = clock(time.as_bytes())?;
                Civil {
                    year: if year < 70 { 2000 + year } else { 1900 + year },
                    month: month_number(month.as_bytes())?,
                    day: two_digits(day.as_bytes())?,
                    hour,
                    minute,
                    second,
                }
            }
            _ => return None,
        }
    } else {
        // asctime: `Sun Nov  6 08:49:37 1994` (a one-digit day is padded with a space).
        let parts: Vec<&str> = text.split(' ').filter(|part| !part.is_empty()).collect();
        match parts.as_slice() {
            [weekday, month, day, time, year] if weekday.len() == 3 && year.len() == 4 => {
                let (hour, minute, second) = clock(time.as_bytes())?;
                let day = digits(day.as_bytes()).filter(|day| (1..=31).contains(day))?;
                Civil {
                    year: i64::from(digits(year.as_bytes())?),
                    month: month_number(month.as_bytes())?,
                    day: day as u8,
                    hour,
                    minute,
                    second,
                }
            }
            _ => return None,
        }
    };
    civil.to_system_time()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> SystemTime {
        from_unix_seconds(seconds).unwrap()
    }

    #[test]
    fn civil_round_trips_and_agrees_with_the_time_crate() {
        // Every day from 1600 to 2400 and some far ones, plus odd seconds within a day.
        let mut days: Vec<i64> = (-135_000..157_000).collect();
        days.extend([-719_468, -719_469, 2_932_896, 10_000_000, -10_000_000]);
        for day in days {
            let seconds = day * SECONDS_PER_DAY + (day.rem_euclid(86_400));
            let civil = Civil::of(at(seconds));
            assert_eq!(civil.to_system_time(), Some(at(seconds)), "{civil:?}");
            if let Ok(reference) = time::OffsetDateTime::from_unix_timestamp(seconds) {
                assert_eq!(
                    (civil.year, civil.month, civil.day),
                    (
                        i64::from(reference.year()),
                        u8::from(reference.month()),
                        reference.day()
                    ),
                    "{seconds}"
                );
                assert_eq!((civil.hour, civil.minute, civil.second), reference.to_hms());
            }
        }
    }

    #[test]
    fn unix_seconds_rounds_down_before_the_epoch() {
        let just_before = UNIX_EPOCH - Duration::from_millis(1);
        assert_eq!(unix_seconds(just_before), -1);
        assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_secs(1)), -1);
        assert_eq!(unix_seconds(UNIX_EPOCH + Duration::from_millis(1999)), 1);
        let civil = Civil::of(just_before);
        assert_eq!((civil.year, civil.month, civil.day), (1969, 12, 31));
        assert_eq!((civil.hour, civil.minute, civil.second), (23, 59, 59));
    }

    #[test]
    fn impossible_dates_are_refused() {
        let civil = |year, month, day| Civil {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
            second: 0,
        };
        assert!(civil(2024, 2, 29).to_system_time().is_some());
        assert!(civil(2026, 2, 29).to_system_time().is_none());
        assert!(civil(1900, 2, 29).to_system_time().is_none());
        assert!(civil(2000, 2, 29).to_system_time().is_some());
        assert!(civil(2026, 4, 31).to_system_time().is_none());
        assert!(civil(2026, 13, 1).to_system_time().is_none());
        assert!(civil(2026, 0, 1).to_system_time().is_none());
        assert!(civil(2026, 1, 0).to_system_time().is_none());
        assert!(civil(i64::MAX, 1, 1).to_system_time().is_none());
    }

    #[test]
    fn rfc3339_as_the_time_crate_reads_it() {
        use time::format_description::well_known::Rfc3339;
        for text in [
            "2026-11-29T12:00:00Z",
            "2026-11-29T12:00:00.000000Z",
            "2026-11-29t12:00:00.5z",
            "2026-11-29T20:00:00+08:00",
            "2026-11-29T04:30:00.123456789-07:30",
            "1969-12-31T23:59:59.999Z",
            "2000-02-29T00:00:00+00:00",
            "0000-01-01T00:00:00Z",
        ] {
            let reference = time::OffsetDateTime::parse(text, &Rfc3339).unwrap();
            let ours = parse_rfc3339(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(time::OffsetDateTime::from(ours), reference, "{text}");
        }
        for bad in [
            "",
            "2026-11-29",
            "2026-11-29 12:00:00Z",
            "2026-11-29T12:00:00",
            "2026-11-29T12:00:00.Z",
            "2026-11-29T12:00:00+0800",
            "2026-11-29T12:00:00+24:00",
            "2026-02-30T12:00:00Z",
            "2026-11-29T24:00:00Z",
            "2026-11-29T12:60:00Z",
            "+2026-11-29T12:00:00Z",
            "2026-11-29T12:00:00Zjunk",
            "２０２６-11-29T12:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        // A leap second is the last instant of the second before it.
        let leap = parse_rfc3339("2016-12-31T23:59:60Z").unwrap();
        assert_eq!(
            leap,
            parse_rfc3339("2016-12-31T23:59:59.999999999Z").unwrap()
        );
    }

    #[test]
    fn http_dates_in_all_three_forms() {
        let expected = at(784_111_777); // 1994-11-06 08:49:37 UTC
        for text in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "  Sun, 06 Nov 1994 08:49:37 GMT ",
        ] {
            assert_eq!(parse_http_date(text), Some(expected), "{text}");
        }
        assert_eq!(
            parse_http_date("Thursday, 01-Jan-26 00:00:00 GMT"),
            Some(at(1_767_225_600))
        );
        for bad in [
            "",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 nov 1994 08:49:37 GMT",
            "Sun Nov 36 08:49:37 1994",
            "120",
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn difference_truncates_toward_zero() {
        let base = at(1_000);
        let later = base + Duration::from_millis(1_500);
        assert_eq!(difference(later, base), (1, Duration::from_millis(1_500)));
        assert_eq!(difference(base, later), (-1, Duration::from_millis(1_500)));
    }
}
