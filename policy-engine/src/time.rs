//! Dates as IAM reads them: ISO 8601 (`2026-01-01T00:00:00Z`, `2026-01-01`, with fractions or
//! offsets) or seconds since the Unix epoch, for the `Date*` operators and `aws:CurrentTime`.
//!
//! Both sides of a `Date*` condition go through [`parse_date`]: the policy's values when the
//! policy is compiled ([`crate::condition`]), and the request's values when the
//! [`RequestContext`](crate::context::RequestContext) is built
//! ([`TypedValue::date`](crate::context::TypedValue::date)). Dates are compared as
//! nanoseconds since the epoch, whatever form each side was written in.
//!
//! ```
//! use policy_engine::time::{format_current_time, parse_date};
//!
//! // The same instant written three ways.
//! let midnight = parse_date("2026-01-01T00:00:00Z");
//! assert_eq!(parse_date("2026-01-01T01:00:00+01:00"), midnight);
//! assert_eq!(parse_date("1767225600"), midnight);
//! assert_eq!(format_current_time(1_767_225_600), "2026-01-01T00:00:00Z");
//! ```

use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Nanoseconds since the Unix epoch for an ISO 8601 date/time or an epoch number, or `None`.
/// A date or time without an offset is read as UTC.
///
/// ```
/// use policy_engine::time::parse_date;
///
/// assert_eq!(parse_date("2026-01-01"), Some(1_767_225_600_000_000_000));
/// assert_eq!(parse_date("2026-01-01T00:00:00.5Z"), Some(1_767_225_600_500_000_000));
/// assert_eq!(parse_date("vpce-1a2b3c4d"), None);
/// ```
pub fn parse_date(text: &str) -> Option<i128> {
    let text = text.trim();
    // Every form below starts with a digit, a sign or a point: reject other text (VPC endpoint
    // ids, user agents, ARNs — most request values) before trying four parsers.
    if !text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) {
        return None;
    }
    if let Ok(seconds) = text.parse::<i64>() {
        return Some(i128::from(seconds) * 1_000_000_000);
    }
    if let Ok(seconds) = text.parse::<f64>() {
        if seconds.is_finite() && seconds.abs() < 1e15 {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "bounded above; sub-nanosecond digits are meaningless"
            )]
            return Some((seconds * 1e9) as i128);
        }
        return None;
    }
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t.unix_timestamp_nanos());
    }
    if let Ok(t) = OffsetDateTime::parse(text, &Iso8601::DEFAULT) {
        return Some(t.unix_timestamp_nanos());
    }
    if let Ok(t) = PrimitiveDateTime::parse(text, &Iso8601::DEFAULT) {
        return Some(t.assume_offset(UtcOffset::UTC).unix_timestamp_nanos());
    }
    if let Ok(d) = Date::parse(text, &Iso8601::DEFAULT) {
        return Some(
            PrimitiveDateTime::new(d, Time::MIDNIGHT)
                .assume_offset(UtcOffset::UTC)
                .unix_timestamp_nanos(),
        );
    }
    None
}

/// `aws:CurrentTime` text for a Unix time in seconds: `2026-11-21T02:10:34Z`. Outside the
/// years 0 to 9999 it is the number of seconds.
///
/// ```
/// use policy_engine::time::format_current_time;
///
/// assert_eq!(format_current_time(951_825_600), "2000-02-29T12:00:00Z");
/// assert_eq!(format_current_time(253_402_300_800), "253402300800");
/// ```
pub fn format_current_time(epoch_seconds: i64) -> String {
    format_rfc3339(epoch_seconds).unwrap_or_else(|| epoch_seconds.to_string())
}

/// RFC 3339 text (`2026-11-21T02:10:34Z`) for a Unix time in seconds within years 0 to 9999.
/// Every simulated request carries `aws:CurrentTime`, so this is plain integer arithmetic
/// (the civil-from-days algorithm) rather than a general-purpose formatter; a test holds it to
/// the `time` crate's RFC 3339 output.
pub(crate) fn format_rfc3339(epoch_seconds: i64) -> Option<String> {
    // 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
    if !(-62_167_219_200..=253_402_300_799).contains(&epoch_seconds) {
        return None;
    }
    let days = epoch_seconds.div_euclid(86_400);
    let second_of_day = epoch_seconds.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days, with eras of 400 years starting on March 1st.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let digit = |value: i64| char::from(b'0' + u8::try_from(value % 10).unwrap_or(0));
    let mut text = String::with_capacity(20);
    text.extend([
        digit(year / 1_000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        '-',
    ]);
    for (value, separator) in [
        (month, '-'),
        (day, 'T'),
        (second_of_day / 3_600, ':'),
        (second_of_day / 60 % 60, ':'),
        (second_of_day % 60, 'Z'),
    ] {
        text.extend([digit(value / 10), digit(value), separator]);
    }
    Some(text)
}

/// The current Unix time in seconds, from the system clock: the request time of a simulation
/// that does not give one.
///
/// ```
/// use policy_engine::time::now_epoch_seconds;
///
/// assert!(now_epoch_seconds() > 1_767_225_600 - 365 * 86_400);
/// ```
pub fn now_epoch_seconds() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_iam_accepts() {
        let midnight = Some(1_767_225_600_000_000_000);
        assert_eq!(parse_date("2026-01-01T00:00:00Z"), midnight);
        assert_eq!(parse_date("2026-01-01T00:00:00.000Z"), midnight);
        assert_eq!(parse_date("2026-01-01T01:00:00+01:00"), midnight);
        assert_eq!(parse_date("2026-01-01T00:00:00"), midnight);
        assert_eq!(parse_date("2026-01-01"), midnight);
        assert_eq!(parse_date("1767225600"), midnight);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date(""), None);
        assert_eq!(parse_date("1e300"), None);
        assert_eq!(parse_date("+1767225600"), midnight);
        assert_eq!(parse_date(".5"), Some(500_000_000));
        assert_eq!(parse_date("  1767225600 "), midnight);
        assert_eq!(parse_date("inf"), None);
        assert_eq!(parse_date("vpce-1a2b3c4d"), None);
    }

    #[test]
    fn formats_current_time_as_rfc3339() {
        assert_eq!(format_current_time(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(format_current_time(951_825_600), "2000-02-29T12:00:00Z");
        assert_eq!(format_current_time(-62_167_219_200), "0000-01-01T00:00:00Z");
        assert_eq!(format_current_time(253_402_300_799), "9999-12-31T23:59:59Z");
        // Outside RFC 3339's four-digit years: the epoch seconds.
        assert_eq!(format_current_time(253_402_300_800), "253402300800");
    }

    proptest::proptest! {
        #[test]
        fn the_fast_formatter_is_the_time_crates_rfc3339(seconds in -62_167_219_200i64..=253_402_300_799) {
            let expected = OffsetDateTime::from_unix_timestamp(seconds)
                .ok()
                .and_then(|t| t.format(&Rfc3339).ok());
            proptest::prop_assert_eq!(format_rfc3339(seconds), expected);
        }
    }
}
