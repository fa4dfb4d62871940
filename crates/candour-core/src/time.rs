//! Time: stored in UTC, shown in Europe/London (GMT or BST as the date requires).

use chrono::{DateTime, Utc};
use chrono_tz::Europe::London;

/// Format a UTC instant as UK local time, e.g. `21 Nov 2026 14:05 GMT`.
pub fn london(t: DateTime<Utc>) -> String {
    t.with_timezone(&London).format("%-d %b %Y %H:%M %Z").to_string()
}

/// A UK local time typed into a form (`2026-11-21T14:05` or `2026-11-21 14:05`) as UTC. A time the clocks
/// skip (spring forward) is refused; one they repeat (autumn) is taken as its first occurrence.
pub fn parse_london(s: &str) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    let s = s.trim().replace(' ', "T");
    let naive = chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    London
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn shows_gmt_in_winter_and_bst_in_summer() {
        let winter = Utc.with_ymd_and_hms(2026, 1, 15, 9, 30, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 15, 9, 30, 0).unwrap();
        assert_eq!(london(winter), "15 Jan 2026 09:30 GMT");
        assert_eq!(london(summer), "15 Jul 2026 10:30 BST");
        // 2026-03-29 01:00 UTC is the spring-forward instant.
        let before = Utc.with_ymd_and_hms(2026, 3, 29, 0, 59, 0).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap();
        assert_eq!(london(before), "29 Mar 2026 00:59 GMT");
        assert_eq!(london(after), "29 Mar 2026 02:00 BST");
    }

    #[test]
    fn typed_local_times_become_utc_across_clock_changes() {
        assert_eq!(
            parse_london("2026-01-15T09:30"),
            Some(Utc.with_ymd_and_hms(2026, 1, 15, 9, 30, 0).unwrap())
        );
        assert_eq!(
            parse_london("2026-07-15 10:30"),
            Some(Utc.with_ymd_and_hms(2026, 7, 15, 9, 30, 0).unwrap())
        );
        assert_eq!(parse_london("2026-03-29T01:30"), None, "skipped by the spring change");
        assert_eq!(
            parse_london("2026-10-25T01:30"),
            Some(Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap()),
            "the first 01:30 (BST) of the autumn change"
        );
        assert_eq!(parse_london("yesterday"), None);
    }
}
