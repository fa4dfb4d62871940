//! Clock arithmetic. Elapsed-hour clocks are plain UTC arithmetic (UK law counts real hours across
//! nights, weekends and clock changes); working-hour and working-day clocks walk the Europe/London
//! calendar, so 09:00 means 09:00 on the wall in winter (GMT) and in summer (BST).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Europe::London;
use serde::Serialize;
use std::collections::BTreeSet;

/// Working hours and bank holidays, in UK local time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCalendar {
    start: NaiveTime,
    end: NaiveTime,
    holidays: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// A calendar of Monday-to-Friday working days from `start` to `end`, less `holidays`.
    pub fn new(start: NaiveTime, end: NaiveTime, holidays: BTreeSet<NaiveDate>) -> Self {
        Self { start, end, holidays }
    }

    /// Is this local date a working day?
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d)
    }

    /// Is this instant inside working hours?
    pub fn is_working_time(&self, t: DateTime<Utc>) -> bool {
        let local = t.with_timezone(&London).naive_local();
        self.is_working_day(local.date()) && local.time() >= self.start && local.time() < self.end
    }

    fn utc(local: NaiveDateTime) -> DateTime<Utc> {
        // Working hours never fall in the 01:00-02:00 transition hour, so this is exact; `earliest` only
        // guards a calendar configured to work through the night of a clock change.
        London
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&local))
    }

    /// The instant `minutes` working minutes after `start`.
    pub fn add_working_minutes(&self, start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        if minutes <= 0 {
            return start;
        }
        let mut remaining = minutes;
        let mut t = start.with_timezone(&London).naive_local();
        // Bounded: a year of days with no working time means the calendar is unusable; stop there.
        for _ in 0..366 * 2 {
            let d = t.date();
            if self.is_working_day(d) {
                let (ws, we) = (d.and_time(self.start), d.and_time(self.end));
                let from = t.max(ws);
                if from < we {
                    let available = (we - from).num_minutes();
                    if remaining <= available {
                        return Self::utc(from + Duration::minutes(remaining));
                    }
                    remaining -= available;
                }
            }
            t = (d + Duration::days(1)).and_time(NaiveTime::MIN);
        }
        start + Duration::minutes(minutes)
    }

    /// End of the working day that is `days` working days after the local date of `start`.
    pub fn add_working_days(&self, start: DateTime<Utc>, days: u32) -> DateTime<Utc> {
        let mut d = start.with_timezone(&London).date_naive();
        let mut left = days;
        let mut guard = 0;
        while left > 0 && guard < 366 * 2 {
            d += Duration::days(1);
            guard += 1;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        Self::utc(d.and_time(self.end))
    }
}

/// When a clock started at `start` is due: exactly one of the three durations is expected; none means
/// due at once.
pub fn deadline(
    start: DateTime<Utc>,
    hours: Option<u32>,
    working_hours: Option<u32>,
    working_days: Option<u32>,
    cal: &WorkingCalendar,
) -> DateTime<Utc> {
    match (hours, working_hours, working_days) {
        (Some(h), _, _) => start + Duration::hours(i64::from(h)),
        (None, Some(h), _) => cal.add_working_minutes(start, i64::from(h) * 60),
        (None, None, Some(d)) => cal.add_working_days(start, d),
        (None, None, None) => start,
    }
}

/// Where a clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ClockState {
    /// Time left, in seconds.
    Running {
        /// Seconds until due.
        remaining_secs: i64,
    },
    /// Past due, by this many seconds.
    Overdue {
        /// Seconds past due.
        overdue_secs: i64,
    },
}

impl ClockState {
    /// The state of a clock due at `due` as seen at `now`.
    pub fn at(due: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        let s = (due - now).num_seconds();
        if s >= 0 {
            ClockState::Running { remaining_secs: s }
        } else {
            ClockState::Overdue { overdue_secs: -s }
        }
    }
}
