//! The organiser's settings file (`weights.toml`): criterion weights for mentoring, coffee
//! and circles, with defaults for anything left out.
//!
//! This module owns parsing and validating the file; each algorithm reads its own section.
//! Unknown keys are refused so a typo like `skils = 40` cannot silently fall back to a
//! default.

use serde::Deserialize;

use crate::error::{InputError, InputErrorKind};

/// Every setting, one section per feature.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `[mentoring]`
    pub mentoring: MentoringWeights,
    /// `[coffee]`
    pub coffee: CoffeeWeights,
    /// `[circles]`
    pub circles: CircleSettings,
}

/// Points each mentoring criterion is worth at full strength. A pair's score is the sum of
/// `weight × value` with each value in `[0, 1]`; the defaults add up to 100.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MentoringWeights {
    /// Share of the mentee's wanted skills the mentor offers.
    pub skills: f64,
    /// Share of the mentee's goals the mentor says they can help with.
    pub goals: f64,
    /// Mentor and mentee work in different departments.
    pub cross_department: f64,
    /// Working hours overlap: 1 in the same time zone, 0 twelve hours apart.
    pub time_zone: f64,
    /// Mentor is senior to the mentee by a gap inside `seniority_gap_min..=seniority_gap_max`.
    pub seniority: f64,
    /// They share at least one language.
    pub language: f64,
    /// Ranked preferences, averaged over both sides.
    pub preference: f64,
    /// Smallest ideal level gap (mentor level − mentee level).
    pub seniority_gap_min: u32,
    /// Largest ideal level gap.
    pub seniority_gap_max: u32,
    /// Extra points (not shown in scores) for keeping a pair from the previous proposal when
    /// re-solving after an override; 0 keeps the result strictly optimal and only breaks
    /// ties in favour of stability.
    pub keep_previous: f64,
}

impl Default for MentoringWeights {
    fn default() -> Self {
        Self {
            skills: 30.0,
            goals: 20.0,
            cross_department: 10.0,
            time_zone: 10.0,
            seniority: 10.0,
            language: 10.0,
            preference: 10.0,
            seniority_gap_min: 1,
            seniority_gap_max: 3,
            keep_previous: 0.0,
        }
    }
}

/// How coffee-chat rounds weigh a possible pair.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CoffeeWeights {
    /// Points for two people from different departments.
    pub cross_department: f64,
    /// Points for two people at different locations.
    pub cross_location: f64,
    /// Points for close time zones (1 × weight in the same zone, 0 twelve hours apart).
    pub time_zone: f64,
    /// Pairs who met in this many most recent rounds are not paired again while avoidable.
    pub avoid_rounds: u32,
}

impl Default for CoffeeWeights {
    fn default() -> Self {
        Self { cross_department: 3.0, cross_location: 1.0, time_zone: 1.0, avoid_rounds: 10 }
    }
}

/// Peer-learning circle sizes.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CircleSettings {
    /// Fewest members in a circle.
    pub min_size: usize,
    /// Most members in a circle.
    pub max_size: usize,
}

impl Default for CircleSettings {
    fn default() -> Self {
        Self { min_size: 5, max_size: 8 }
    }
}

impl Settings {
    /// Parses and validates a settings file. `file` names it in error messages.
    pub fn from_toml(text: &str, file: &str) -> Result<Self, InputError> {
        let settings: Settings = toml::from_str(text).map_err(|e| -> InputError {
            let at = e
                .span()
                .map(|span| {
                    let (line, col) = line_col(text, span.start);
                    format!(", line {line}, column {col}")
                })
                .unwrap_or_default();
            InputErrorKind::Settings {
                file: file.to_owned(),
                at,
                problem: e.message().trim_end_matches('.').to_owned(),
                fix: "Compare with examples/matching/weights.toml; sections are [mentoring], \
                      [coffee] and [circles], and every value is a number"
                    .to_owned(),
            }
            .into()
        })?;
        settings.validate(file)?;
        Ok(settings)
    }

    /// Checks ranges that the types cannot express.
    pub fn validate(&self, file: &str) -> Result<(), InputError> {
        let bad = |key: &str, problem: String, fix: &str| -> InputError {
            InputErrorKind::Settings {
                file: file.to_owned(),
                at: String::new(),
                problem: format!("{key} {problem}"),
                fix: fix.to_owned(),
            }
            .into()
        };
        let m = &self.mentoring;
        let c = &self.coffee;
        let weights = [
            ("[mentoring] skills", m.skills),
            ("[mentoring] goals", m.goals),
            ("[mentoring] cross_department", m.cross_department),
            ("[mentoring] time_zone", m.time_zone),
            ("[mentoring] seniority", m.seniority),
            ("[mentoring] language", m.language),
            ("[mentoring] preference", m.preference),
            ("[mentoring] keep_previous", m.keep_previous),
            ("[coffee] cross_department", c.cross_department),
            ("[coffee] cross_location", c.cross_location),
            ("[coffee] time_zone", c.time_zone),
        ];
        for (key, w) in weights {
            if !(0.0..=1000.0).contains(&w) {
                return Err(bad(key, format!("is {w}"), "Use a number of points between 0 and 1000"));
            }
        }
        if m.seniority_gap_min > m.seniority_gap_max {
            return Err(bad(
                "[mentoring] seniority_gap_min",
                format!("({}) is above seniority_gap_max ({})", m.seniority_gap_min, m.seniority_gap_max),
                "Make the minimum gap no larger than the maximum",
            ));
        }
        let s = &self.circles;
        if s.min_size < 2 || s.min_size > s.max_size {
            return Err(bad(
                "[circles] min_size",
                format!("is {} with max_size {}", s.min_size, s.max_size),
                "Use 2 ≤ min_size ≤ max_size, for example 5 and 8",
            ));
        }
        Ok(())
    }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_means_all_defaults() {
        assert_eq!(Settings::from_toml("", "w.toml"), Ok(Settings::default()));
    }

    #[test]
    fn a_partial_section_keeps_the_other_defaults() {
        let s = Settings::from_toml("[mentoring]\nskills = 50\n", "w.toml");
        let s = s.unwrap_or_default();
        assert_eq!(s.mentoring.skills, 50.0);
        assert_eq!(s.mentoring.goals, 20.0);
    }

    #[test]
    fn a_misspelt_key_is_refused_with_its_line() {
        let err = Settings::from_toml("[mentoring]\nskils = 50\n", "w.toml");
        let msg = err.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("w.toml, line 2"), "{msg}");
        assert!(msg.contains("skils"), "{msg}");
    }

    #[test]
    fn a_negative_weight_is_refused() {
        let err = Settings::from_toml("[coffee]\ncross_location = -1\n", "w.toml");
        let msg = err.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("[coffee] cross_location is -1"), "{msg}");
    }

    #[test]
    fn impossible_circle_sizes_are_refused() {
        let err = Settings::from_toml("[circles]\nmin_size = 9\nmax_size = 8\n", "w.toml");
        assert!(err.is_err());
    }
}
