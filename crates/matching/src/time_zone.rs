//! Time zones as fixed UTC offsets, parsed from `UTC+2`, `+05:30`, `-0800` or a small table
//! of common IANA names.
//!
//! The crate is pure and has no time-zone database, so an IANA name maps to the zone's
//! standard (winter) offset. Daylight saving shifts a difference by at most an hour, which is
//! noise for "are these two people's working hours close?", the only question asked here.

/// Minutes east of UTC.
pub type OffsetMinutes = i32;

/// Standard offsets of the zones an organisation is most likely to list, in minutes.
const ZONES: &[(&str, OffsetMinutes)] = &[
    ("utc", 0),
    ("gmt", 0),
    ("etc/utc", 0),
    ("europe/london", 0),
    ("europe/dublin", 0),
    ("europe/lisbon", 0),
    ("africa/casablanca", 60),
    ("africa/lagos", 60),
    ("europe/amsterdam", 60),
    ("europe/berlin", 60),
    ("europe/brussels", 60),
    ("europe/copenhagen", 60),
    ("europe/luxembourg", 60),
    ("europe/madrid", 60),
    ("europe/oslo", 60),
    ("europe/paris", 60),
    ("europe/prague", 60),
    ("europe/rome", 60),
    ("europe/stockholm", 60),
    ("europe/vienna", 60),
    ("europe/warsaw", 60),
    ("europe/zurich", 60),
    ("africa/cairo", 120),
    ("africa/johannesburg", 120),
    ("asia/jerusalem", 120),
    ("europe/athens", 120),
    ("europe/bucharest", 120),
    ("europe/helsinki", 120),
    ("europe/kyiv", 120),
    ("africa/nairobi", 180),
    ("asia/riyadh", 180),
    ("europe/istanbul", 180),
    ("europe/moscow", 180),
    ("asia/dubai", 240),
    ("asia/karachi", 300),
    ("asia/kolkata", 330),
    ("asia/calcutta", 330),
    ("asia/dhaka", 360),
    ("asia/bangkok", 420),
    ("asia/jakarta", 420),
    ("asia/ho_chi_minh", 420),
    ("asia/hong_kong", 480),
    ("asia/manila", 480),
    ("asia/shanghai", 480),
    ("asia/singapore", 480),
    ("asia/taipei", 480),
    ("australia/perth", 480),
    ("asia/seoul", 540),
    ("asia/tokyo", 540),
    ("australia/brisbane", 600),
    ("australia/melbourne", 600),
    ("australia/sydney", 600),
    ("pacific/auckland", 720),
    ("america/st_johns", -210),
    ("america/halifax", -240),
    ("america/sao_paulo", -180),
    ("america/argentina/buenos_aires", -180),
    ("america/bogota", -300),
    ("america/lima", -300),
    ("america/new_york", -300),
    ("america/toronto", -300),
    ("america/chicago", -360),
    ("america/mexico_city", -360),
    ("america/denver", -420),
    ("america/phoenix", -420),
    ("america/los_angeles", -480),
    ("america/vancouver", -480),
    ("america/anchorage", -540),
    ("pacific/honolulu", -600),
];

/// Parses a time zone written as an offset (`UTC+2`, `GMT-3`, `+05:30`, `-0800`, `+1`) or a
/// listed IANA name (`Europe/Paris`, case-insensitive). Returns minutes east of UTC, or
/// `None` when the text is not understood.
pub fn parse_time_zone(text: &str) -> Option<OffsetMinutes> {
    let t = text.trim().to_ascii_lowercase();
    if t.is_empty() {
        return None;
    }
    if let Some(&(_, off)) = ZONES.iter().find(|(name, _)| *name == t) {
        return Some(off);
    }
    let rest = t.strip_prefix("utc").or_else(|| t.strip_prefix("gmt")).unwrap_or(&t).trim();
    if rest.is_empty() {
        return Some(0);
    }
    let (sign, digits) = match rest.as_bytes()[0] {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    let (hours, minutes) = if let Some((h, m)) = digits.split_once(':') {
        (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?)
    } else if digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
        (digits[..2].parse().ok()?, digits[2..].parse().ok()?)
    } else {
        (digits.parse().ok()?, 0)
    };
    if !(0..=14).contains(&hours) || !(0..60).contains(&minutes) {
        return None;
    }
    Some(sign * (hours * 60 + minutes))
}

/// Hours apart on the clock face: the circular difference, so UTC+12 and UTC−11 are one
/// hour apart. Between 0 and 12.
pub fn hours_apart(a: OffsetMinutes, b: OffsetMinutes) -> f64 {
    let d = (a - b).rem_euclid(24 * 60);
    f64::from(d.min(24 * 60 - d)) / 60.0
}

/// Closeness in `[0, 1]`: 1 for the same offset, 0 for twelve hours apart, linear between.
pub fn closeness(a: OffsetMinutes, b: OffsetMinutes) -> f64 {
    1.0 - hours_apart(a, b) / 12.0
}

/// Formats an offset as `UTC+05:30`.
pub fn format_offset(minutes: OffsetMinutes) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.abs();
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_in_every_common_spelling_parse() {
        assert_eq!(parse_time_zone("UTC+2"), Some(120));
        assert_eq!(parse_time_zone("GMT-3"), Some(-180));
        assert_eq!(parse_time_zone("+05:30"), Some(330));
        assert_eq!(parse_time_zone("-0800"), Some(-480));
        assert_eq!(parse_time_zone("UTC"), Some(0));
        assert_eq!(parse_time_zone(" utc+01:00 "), Some(60));
    }

    #[test]
    fn listed_iana_names_map_to_their_standard_offset() {
        assert_eq!(parse_time_zone("Europe/Paris"), Some(60));
        assert_eq!(parse_time_zone("america/new_york"), Some(-300));
        assert_eq!(parse_time_zone("Asia/Kolkata"), Some(330));
    }

    #[test]
    fn nonsense_is_refused() {
        assert_eq!(parse_time_zone("Mars/Olympus"), None);
        assert_eq!(parse_time_zone("UTC+25"), None);
        assert_eq!(parse_time_zone("+5:75"), None);
        assert_eq!(parse_time_zone(""), None);
    }

    #[test]
    fn distance_wraps_around_the_date_line() {
        assert_eq!(hours_apart(720, -660), 1.0);
        assert_eq!(hours_apart(60, 60), 0.0);
        assert_eq!(closeness(0, 720), 0.0);
        assert_eq!(format_offset(-210), "UTC-03:30");
    }
}
