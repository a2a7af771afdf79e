//! The header a ring puts before each message, in HAProxy's eight shapes.
//!
//! `PRI` is `facility * 8 + severity`; `SEV` is the severity alone. Times are
//! UTC: HAProxy writes local time, which is UTC on the hosts it usually runs
//! on, and this crate carries no time-zone database.
//!
//! | format | shape |
//! |---|---|
//! | `local` | `<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG` |
//! | `rfc3164` | `<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG` |
//! | `rfc5424` | `<PRI>1 ISOTIME HOST TAG PID - - MSG` |
//! | `priority` | `<PRI>MSG` |
//! | `short` | `<SEV>MSG` |
//! | `timed` | `<SEV>ISOTIME MSG` |
//! | `iso` | `ISOTIME MSG` |
//! | `raw` | `MSG` |
//!
//! As in HAProxy 3.x's src/log.c: the day of the month is padded with a
//! space (`Dec  4`); `ISOTIME` has microseconds and an offset
//! (`2026-12-04T15:16:09.100418+00:00`); `rfc3164` writes `localhost` when
//! the host is empty; `local` and `rfc3164` drop the whole `TAG[PID]: ` part
//! when the tag is empty and only `[PID]` when there is no process id;
//! `rfc5424` writes `-` for each empty field and for the message id and
//! structured data, which records do not carry.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::ring::LogFormat;

/// One message with the fields a syslog header carries.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    /// Syslog facility, 0 (`kern`) to 23 (`local7`); larger values count as 23.
    pub facility: u8,
    /// Syslog severity, 0 (`emerg`) to 7 (`debug`); larger values count as 7.
    pub severity: u8,
    /// When the event happened.
    pub time: SystemTime,
    /// Host name; empty for none.
    pub host: &'a str,
    /// Program name; empty for none.
    pub tag: &'a str,
    /// Process id, if any.
    pub pid: Option<u32>,
    /// The message itself.
    pub message: &'a [u8],
}

/// Facility `user`, the default of [`Record::new`].
pub const FACILITY_USER: u8 = 1;
/// Severity `notice`, which HAProxy gives to its "events dropped" notices.
pub const SEVERITY_NOTICE: u8 = 5;
/// Severity `info`, the default of [`Record::new`].
pub const SEVERITY_INFO: u8 = 6;

impl<'a> Record<'a> {
    /// A record of `message` now, facility `user`, severity `info`, no host, tag or pid.
    pub fn new(message: &'a [u8]) -> Self {
        Record {
            facility: FACILITY_USER,
            severity: SEVERITY_INFO,
            time: SystemTime::now(),
            host: "",
            tag: "",
            pid: None,
            message,
        }
    }

    fn priority(&self) -> u32 {
        u32::from(self.facility.min(23)) * 8 + u32::from(self.severity.min(7))
    }
}

/// Appends the header of `record` in `format` to `out`; the message follows it.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use ringcfg::apply::format::{header, Record};
/// use ringcfg::ring::LogFormat;
///
/// let mut record = Record::new(b"GET /a 200");
/// record.facility = 16;
/// record.time = UNIX_EPOCH + Duration::from_micros(1_796_397_369_100_418);
/// record.tag = "haproxy";
/// record.pid = Some(27103);
/// let mut out = Vec::new();
/// header(LogFormat::Rfc5424, &record, &mut out);
/// assert_eq!(out, b"<134>1 2026-12-04T15:16:09.100418+00:00 - haproxy 27103 - - ");
/// ```
pub fn header(format: LogFormat, record: &Record<'_>, out: &mut Vec<u8>) {
    match format {
        LogFormat::Local => {
            push_priority(out, record.priority());
            push_legacy_time(out, record.time);
            push_tag_pid(out, record);
        }
        LogFormat::Rfc3164 => {
            push_priority(out, record.priority());
            push_legacy_time(out, record.time);
            out.extend_from_slice(if record.host.is_empty() {
                b"localhost"
            } else {
                record.host.as_bytes()
            });
            out.push(b' ');
            push_tag_pid(out, record);
        }
        LogFormat::Rfc5424 => {
            push_priority(out, record.priority());
            out.extend_from_slice(b"1 ");
            push_iso_time(out, record.time);
            push_field(out, record.host.as_bytes());
            push_field(out, record.tag.as_bytes());
            match record.pid {
                Some(pid) => {
                    push_decimal(out, u64::from(pid), 1, b'0');
                    out.push(b' ');
                }
                None => push_field(out, b""),
            }
            out.extend_from_slice(b"- - ");
        }
        LogFormat::Priority => push_priority(out, record.priority()),
        LogFormat::Short => push_priority(out, u32::from(record.severity.min(7))),
        LogFormat::Timed => {
            push_priority(out, u32::from(record.severity.min(7)));
            push_iso_time(out, record.time);
        }
        LogFormat::Iso => push_iso_time(out, record.time),
        LogFormat::Raw => {}
    }
}

fn push_priority(out: &mut Vec<u8>, priority: u32) {
    out.push(b'<');
    push_decimal(out, u64::from(priority), 1, b'0');
    out.push(b'>');
}

/// Appends `value` in decimal, padded on the left with `pad` to `width` digits.
///
/// Written by hand rather than with `format!`, which allocates a `String`
/// for every field of every message.
fn push_decimal(out: &mut Vec<u8>, value: u64, width: usize, pad: u8) {
    // u64::MAX has 20 digits, and no caller requests a wider field.
    let mut digits = [pad; 20];
    let mut start = digits.len();
    let mut rest = value;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    start = start.min(digits.len().saturating_sub(width));
    out.extend_from_slice(&digits[start..]);
}

/// `value` and a space, or `- ` when `value` is empty.
fn push_field(out: &mut Vec<u8>, value: &[u8]) {
    out.extend_from_slice(if value.is_empty() { b"-" } else { value });
    out.push(b' ');
}

fn push_tag_pid(out: &mut Vec<u8>, record: &Record<'_>) {
    if record.tag.is_empty() {
        return;
    }
    out.extend_from_slice(record.tag.as_bytes());
    if let Some(pid) = record.pid {
        out.push(b'[');
        push_decimal(out, u64::from(pid), 1, b'0');
        out.push(b']');
    }
    out.extend_from_slice(b": ");
}

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// `Mmm dd hh:mm:ss ` with the day padded by a space.
fn push_legacy_time(out: &mut Vec<u8>, time: SystemTime) {
    let civil = Civil::from(time);
    out.extend_from_slice(MONTHS[(civil.month - 1) as usize].as_bytes());
    out.push(b' ');
    push_decimal(out, u64::from(civil.day), 2, b' ');
    out.push(b' ');
    push_clock(out, &civil);
    out.push(b' ');
}

/// `hh:mm:ss`.
fn push_clock(out: &mut Vec<u8>, civil: &Civil) {
    push_decimal(out, civil.hour, 2, b'0');
    out.push(b':');
    push_decimal(out, civil.minute, 2, b'0');
    out.push(b':');
    push_decimal(out, civil.second, 2, b'0');
}

/// `YYYY-MM-DDThh:mm:ss.uuuuuu+00:00 `.
fn push_iso_time(out: &mut Vec<u8>, time: SystemTime) {
    let civil = Civil::from(time);
    push_decimal(out, civil.year.unsigned_abs(), 4, b'0');
    out.push(b'-');
    push_decimal(out, u64::from(civil.month), 2, b'0');
    out.push(b'-');
    push_decimal(out, u64::from(civil.day), 2, b'0');
    out.push(b'T');
    push_clock(out, &civil);
    out.push(b'.');
    push_decimal(out, u64::from(civil.micros), 6, b'0');
    out.extend_from_slice(b"+00:00 ");
}

/// A UTC calendar time; times before 1970 count as the epoch.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u64,
    minute: u64,
    second: u64,
    micros: u32,
}

impl From<SystemTime> for Civil {
    fn from(time: SystemTime) -> Self {
        let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
        let secs = since.as_secs();
        let (year, month, day) = civil_from_days((secs / 86_400) as i64);
        let of_day = secs % 86_400;
        Civil {
            year,
            month,
            day,
            hour: of_day / 3600,
            minute: of_day / 60 % 60,
            second: of_day % 60,
            micros: since.subsec_micros(),
        }
    }
}

/// Converts days since 1970-01-01 to a proleptic Gregorian date.
///
/// The algorithm counts 400-year eras of 146097 days starting on 1 March, so
/// that the leap day falls at the end of each computed year.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn sample() -> Record<'static> {
        Record {
            facility: 16,
            severity: 6,
            time: UNIX_EPOCH + Duration::from_micros(1_796_397_369_100_418),
            host: "",
            tag: "haproxy-3.5-dev5",
            pid: Some(27103),
            message: b"GET /a 200",
        }
    }

    fn line(format: LogFormat, record: &Record<'_>) -> String {
        let mut out = Vec::new();
        header(format, record, &mut out);
        out.extend_from_slice(record.message);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn rfc5424_matches_haproxy_sample() {
        assert_eq!(
            line(LogFormat::Rfc5424, &sample()),
            "<134>1 2026-12-04T15:16:09.100418+00:00 - haproxy-3.5-dev5 27103 - - GET /a 200"
        );
    }

    #[test]
    fn every_shape() {
        let record = Record { host: "web1", ..sample() };
        let cases = [
            (LogFormat::Local, "<134>Dec  4 15:16:09 haproxy-3.5-dev5[27103]: GET /a 200"),
            (LogFormat::Rfc3164, "<134>Dec  4 15:16:09 web1 haproxy-3.5-dev5[27103]: GET /a 200"),
            (
                LogFormat::Rfc5424,
                "<134>1 2026-12-04T15:16:09.100418+00:00 web1 haproxy-3.5-dev5 27103 - - GET /a 200",
            ),
            (LogFormat::Priority, "<134>GET /a 200"),
            (LogFormat::Short, "<6>GET /a 200"),
            (LogFormat::Timed, "<6>2026-12-04T15:16:09.100418+00:00 GET /a 200"),
            (LogFormat::Iso, "2026-12-04T15:16:09.100418+00:00 GET /a 200"),
            (LogFormat::Raw, "GET /a 200"),
        ];
        for (format, expected) in cases {
            assert_eq!(line(format, &record), expected, "format {}", format.name());
        }
    }

    #[test]
    fn empty_fields() {
        let record = Record { tag: "", pid: None, ..sample() };
        assert_eq!(line(LogFormat::Rfc3164, &record), "<134>Dec  4 15:16:09 localhost GET /a 200");
        assert_eq!(
            line(LogFormat::Rfc5424, &record),
            "<134>1 2026-12-04T15:16:09.100418+00:00 - - - - - GET /a 200"
        );
        let no_pid = Record { pid: None, ..sample() };
        assert_eq!(
            line(LogFormat::Local, &no_pid),
            "<134>Dec  4 15:16:09 haproxy-3.5-dev5: GET /a 200"
        );
    }

    #[test]
    fn decimal_padding() {
        let cases: [(u64, usize, u8, &str); 5] = [
            (0, 1, b'0', "0"),
            (4, 2, b' ', " 4"),
            (100_418, 6, b'0', "100418"),
            (7, 6, b'0', "000007"),
            (u64::MAX, 2, b'0', "18446744073709551615"),
        ];
        for (value, width, pad, expected) in cases {
            let mut out = Vec::new();
            push_decimal(&mut out, value, width, pad);
            assert_eq!(out, expected.as_bytes(), "{value} in {width} digits");
        }
    }

    #[test]
    fn calendar_edges() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_791), (2026, 12, 4));
    }
}
