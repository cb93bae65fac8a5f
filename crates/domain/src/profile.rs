//! Member profiles: the optional fields, who may see each, and validation of what people type.
//! Name, job title, department, location and time zone are the work-directory basics, visible
//! across the organisation; every field here has an audience its owner chooses.

use crate::error::FieldError;
use crate::values::fold;
use serde::{Deserialize, Serialize};

/// Who may see a profile field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Only organisers of the networks I belong to (and org admins).
    Organisers,
    /// People who share a network with me.
    Network,
    /// Everyone in the organisation.
    Organisation,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Audience::Organisers, Audience::Network, Audience::Organisation];
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Organisers => "organisers",
            Audience::Network => "network",
            Audience::Organisation => "organisation",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Audience::Organisers => "Organisers only",
            Audience::Network => "My networks",
            Audience::Organisation => "Whole organisation",
        }
    }
}

/// The optional profile fields, each with its own audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    PreferredName,
    Pronouns,
    Level,
    YearsExperience,
    Skills,
    Interests,
    Languages,
    Bio,
    StartDate,
    Manager,
    Supports,
    Photo,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::PreferredName,
        Field::Pronouns,
        Field::Level,
        Field::YearsExperience,
        Field::Skills,
        Field::Interests,
        Field::Languages,
        Field::Bio,
        Field::StartDate,
        Field::Manager,
        Field::Supports,
        Field::Photo,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Field::PreferredName => "preferred_name",
            Field::Pronouns => "pronouns",
            Field::Level => "level",
            Field::YearsExperience => "years_experience",
            Field::Skills => "skills",
            Field::Interests => "interests",
            Field::Languages => "languages",
            Field::Bio => "bio",
            Field::StartDate => "start_date",
            Field::Manager => "manager",
            Field::Supports => "supports",
            Field::Photo => "photo",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Field::PreferredName => "Preferred name",
            Field::Pronouns => "Pronouns",
            Field::Level => "Level",
            Field::YearsExperience => "Years of experience",
            Field::Skills => "Skills",
            Field::Interests => "Interests outside work",
            Field::Languages => "Languages",
            Field::Bio => "About me",
            Field::StartDate => "Start date in the organisation",
            Field::Manager => "Manager",
            Field::Supports => "Executives I support",
            Field::Photo => "Photo",
        }
    }
    /// Audience when the person has not chosen one: their networks.
    pub fn default_audience(self) -> Audience {
        Audience::Network
    }
}

/// How the viewer stands towards the person whose profile is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relation {
    pub is_self: bool,
    pub viewer_is_org_admin: bool,
    /// The viewer is an active organiser of a network the person is active in.
    pub organiser_of: bool,
    /// Both are active in at least one common network.
    pub shares_network: bool,
}

/// May the viewer see a field with this audience?
pub fn can_see(audience: Audience, r: Relation) -> bool {
    r.is_self
        || r.viewer_is_org_admin
        || match audience {
            Audience::Organisation => true,
            Audience::Network => r.shares_network || r.organiser_of,
            Audience::Organisers => r.organiser_of,
        }
}

/// Splits a comma- or semicolon-separated list of tags, trims, closes up runs of spaces (so
/// "diary   management" is the directory's "diary management"), drops duplicates (by folded
/// form) and bounds it, keeping the person's spelling.
pub fn parse_tags(field: &'static str, raw: &str) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    let raw = crate::values::composed(raw.to_owned());
    for t in raw.split([',', ';', '\n']).map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")) {
        let t = t.as_str();
        if t.is_empty() {
            continue;
        }
        if t.chars().count() > 40 {
            return Err(FieldError::new(
                field,
                format!(
                    "“{}…” is too long; keep each item under 40 characters.",
                    t.chars().take(20).collect::<String>()
                ),
            ));
        }
        if crate::values::breaks_one_line(t) {
            return Err(FieldError::new(field, format!("{}.", crate::values::ONE_LINE_FIX)));
        }
        if !out.iter().any(|o| fold(o) == fold(t)) {
            out.push(t.to_owned());
        }
    }
    if out.len() > 30 {
        return Err(FieldError::new(field, "List at most 30 items."));
    }
    Ok(out)
}

/// Years of experience: empty, or a whole number from 0 to 60.
pub fn parse_years(raw: &str) -> Result<Option<i64>, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    // "5.0" (or "5,0" in a European file) is how a spreadsheet may write a whole number.
    let whole = s.parse::<i64>().ok().or_else(|| {
        let (n, zeros) = s.split_once(['.', ','])?;
        (!zeros.is_empty() && zeros.bytes().all(|b| b == b'0')).then(|| n.parse().ok()).flatten()
    });
    match whole {
        Some(n) if (0..=60).contains(&n) => Ok(Some(n)),
        _ => Err(FieldError::new("years_experience", "Enter a whole number of years from 0 to 60, or leave it empty.")),
    }
}

/// A start date as `YYYY-MM-DD` (what date inputs send), or empty.
pub fn parse_date(field: &'static str, raw: &str, today: chrono::NaiveDate) -> Result<String, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, "Enter a date like 2024-03-31."))?;
    if !plausible_start(d, today) {
        return Err(FieldError::new(
            field,
            format!("Check the year: the date is before {EARLIEST_START_YEAR} or more than a year from now."),
        ));
    }
    Ok(d.format("%Y-%m-%d").to_string())
}

/// No one at work today started before this year; an empty date cell shows in Excel as
/// 1900-01-00 or 1900-01-01, which must not become a start date.
pub const EARLIEST_START_YEAR: i32 = 1950;

/// Whether someone can have started (or be about to start) on `d`: from
/// `EARLIEST_START_YEAR` to a year from `today`. Someone may join a month or two from now; a
/// year typed wrong (2999, 1024) would sort them first among the newest and skew the figures.
pub fn plausible_start(d: chrono::NaiveDate, today: chrono::NaiveDate) -> bool {
    chrono::Datelike::year(&d) >= EARLIEST_START_YEAR && d <= today + chrono::Duration::days(366)
}

/// An experience band for "people like me": 0–2, 3–5, 6–10, 11–20, 20+.
pub fn experience_band(years: i64) -> &'static str {
    match years {
        i64::MIN..=2 => "0–2 years",
        3..=5 => "3–5 years",
        6..=10 => "6–10 years",
        11..=20 => "11–20 years",
        _ => "over 20 years",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(is_self: bool, admin: bool, organiser_of: bool, shares: bool) -> Relation {
        Relation { is_self, viewer_is_org_admin: admin, organiser_of, shares_network: shares }
    }

    #[test]
    fn a_network_field_is_hidden_from_people_outside_my_networks() {
        assert!(!can_see(Audience::Network, rel(false, false, false, false)));
        assert!(can_see(Audience::Network, rel(false, false, false, true)));
        assert!(can_see(Audience::Organisation, rel(false, false, false, false)));
    }

    #[test]
    fn an_organisers_only_field_is_hidden_from_fellow_members() {
        assert!(!can_see(Audience::Organisers, rel(false, false, false, true)));
        assert!(can_see(Audience::Organisers, rel(false, false, true, true)));
        assert!(can_see(Audience::Organisers, rel(true, false, false, false)));
        assert!(can_see(Audience::Organisers, rel(false, true, false, false)));
    }

    #[test]
    fn tags_are_trimmed_deduplicated_by_folded_form_and_bounded() {
        assert_eq!(
            parse_tags("skills", " Excel; excel , Diary   management,,Événements ,evenements, diary management")
                .unwrap(),
            vec!["Excel", "Diary management", "Événements"]
        );
        assert!(parse_tags("skills", &"x".repeat(41)).is_err());
    }

    #[test]
    fn years_and_dates_are_checked() {
        assert_eq!(parse_years(" 7 ").unwrap(), Some(7));
        assert!(parse_years("seven").is_err());
        assert!(parse_years("61").is_err());
        // As a spreadsheet may write a whole number; a fraction is still refused.
        assert_eq!((parse_years("5.0").unwrap(), parse_years("12,00").unwrap()), (Some(5), Some(12)));
        assert!(parse_years("5.5").is_err() && parse_years("5.").is_err() && parse_years("-1.0").is_err());
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(parse_date("start_date", "2024-02-29", today).unwrap(), "2024-02-29");
        assert!(parse_date("start_date", "2023-02-29", today).is_err());
        assert_eq!(parse_date("start_date", "2027-01-04", today).unwrap(), "2027-01-04", "joining soon");
        assert!(parse_date("start_date", "2999-01-01", today).is_err());
        assert!(parse_date("start_date", "1024-05-01", today).is_err());
        assert!(parse_date("start_date", "1900-01-01", today).is_err(), "Excel's empty date cell");
        assert_eq!(parse_date("start_date", "1950-01-01", today).unwrap(), "1950-01-01");
        assert_eq!(experience_band(4), "3–5 years");
    }
}
