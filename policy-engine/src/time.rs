//! Dates as IAM reads them: ISO 8601 (`2026-01-01T00:00:00Z`, `2026-01-01`, with fractions or
//! offsets) or seconds since the Unix epoch, for the `Date*` operators and `aws:CurrentTime`.

use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Nanoseconds since the Unix epoch for an ISO 8601 date/time or an epoch number, or `None`.
/// A date or time without an offset is read as UTC.
pub fn parse_date(text: &str) -> Option<i128> {
    let text = text.trim();
    if text.is_empty() {
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

/// `aws:CurrentTime` text for a Unix time in seconds: `2026-11-21T02:10:34Z`.
pub fn format_current_time(epoch_seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(epoch_seconds)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| epoch_seconds.to_string())
}

/// The current Unix time in seconds.
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
    }

    #[test]
    fn formats_current_time_as_rfc3339() {
        assert_eq!(format_current_time(1_767_225_600), "2026-01-01T00:00:00Z");
    }
}
