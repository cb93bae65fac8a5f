//! The mentoring score: seven explainable criteria, each worth `weight × value` points with
//! the value in `[0, 1]`.
//!
//! This module owns the formula (documented in docs/matching.md), the interned tag sets it
//! runs on, and the per-criterion explanation text. It does not know about capacities or
//! constraints: `mentoring.rs` decides who may meet, this module only says how well.

use std::collections::HashMap;

use crate::time_zone::{self, OffsetMinutes};
use crate::weights::MentoringWeights;

/// One scoring criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Criterion {
    Skills,
    Goals,
    CrossDepartment,
    TimeZone,
    Seniority,
    Language,
    Preference,
}

impl Criterion {
    /// Every criterion, in output-column order.
    pub const ALL: [Criterion; 7] = [
        Criterion::Skills,
        Criterion::Goals,
        Criterion::CrossDepartment,
        Criterion::TimeZone,
        Criterion::Seniority,
        Criterion::Language,
        Criterion::Preference,
    ];

    /// The CSV column and TOML key for this criterion.
    pub fn key(self) -> &'static str {
        match self {
            Criterion::Skills => "skills",
            Criterion::Goals => "goals",
            Criterion::CrossDepartment => "cross_department",
            Criterion::TimeZone => "time_zone",
            Criterion::Seniority => "seniority",
            Criterion::Language => "language",
            Criterion::Preference => "preference",
        }
    }

    /// This criterion's weight in points.
    pub fn weight(self, w: &MentoringWeights) -> f64 {
        match self {
            Criterion::Skills => w.skills,
            Criterion::Goals => w.goals,
            Criterion::CrossDepartment => w.cross_department,
            Criterion::TimeZone => w.time_zone,
            Criterion::Seniority => w.seniority,
            Criterion::Language => w.language,
            Criterion::Preference => w.preference,
        }
    }
}

/// One criterion's contribution to a pair's score.
#[derive(Clone, Debug, PartialEq)]
pub struct Component {
    pub criterion: Criterion,
    /// Strength in `[0, 1]`.
    pub value: f64,
    /// `weight × value`.
    pub points: f64,
    /// Why, in words: "2 of 3 wanted skills: budgeting, minutes".
    pub detail: String,
}

/// Case-insensitive interning of free-text tags (skills, goals, languages, departments).
#[derive(Clone, Debug, Default)]
pub(crate) struct Vocabulary {
    index: HashMap<String, u32>,
    words: Vec<String>,
}

impl Vocabulary {
    /// The id of `tag`; the first spelling seen is kept for display.
    pub(crate) fn intern(&mut self, tag: &str) -> u32 {
        let key = normalise(tag);
        if let Some(&id) = self.index.get(&key) {
            return id;
        }
        let id = self.words.len() as u32;
        self.index.insert(key, id);
        self.words.push(tag.trim().to_owned());
        id
    }

    pub(crate) fn word(&self, id: u32) -> &str {
        &self.words[id as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }
}

/// Lower-case, trimmed, inner whitespace collapsed: "  Board  Papers" = "board papers".
pub(crate) fn normalise(tag: &str) -> String {
    tag.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A set of interned tags as a bitset, so overlaps cost a few popcounts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TagSet {
    bits: Vec<u64>,
    count: u32,
}

impl TagSet {
    /// The set of `ids` in a universe of `universe` tags.
    pub(crate) fn new(ids: impl IntoIterator<Item = u32>, universe: usize) -> Self {
        let mut bits = vec![0u64; universe.div_ceil(64)];
        for id in ids {
            bits[id as usize / 64] |= 1 << (id % 64);
        }
        let count = bits.iter().map(|w| w.count_ones()).sum();
        Self { bits, count }
    }

    pub(crate) fn len(&self) -> u32 {
        self.count
    }

    pub(crate) fn overlap(&self, other: &TagSet) -> u32 {
        self.bits.iter().zip(&other.bits).map(|(a, b)| (a & b).count_ones()).sum()
    }

    pub(crate) fn common(&self, other: &TagSet) -> Vec<u32> {
        let mut out = Vec::new();
        for (w, (a, b)) in self.bits.iter().zip(&other.bits).enumerate() {
            let mut x = a & b;
            while x != 0 {
                out.push(w as u32 * 64 + x.trailing_zeros());
                x &= x - 1;
            }
        }
        out
    }
}

/// What the score needs to know about one side of a pair, interned.
#[derive(Clone, Debug, Default)]
pub(crate) struct Features {
    /// Skills wanted (mentee) or offered (mentor).
    pub skills: TagSet,
    /// Goals held (mentee) or supported (mentor).
    pub goals: TagSet,
    pub languages: TagSet,
    pub department: Option<u32>,
    pub time_zone: Option<OffsetMinutes>,
    pub level: u32,
}

/// The value of every criterion except preference for mentee `e` and mentor `r`, in
/// [`Criterion::ALL`] order (preference, the last, is passed in).
pub(crate) fn values(w: &MentoringWeights, e: &Features, r: &Features, preference: f64) -> [f64; 7] {
    let share = |wanted: &TagSet, offered: &TagSet| {
        if wanted.len() == 0 { 0.0 } else { f64::from(wanted.overlap(offered)) / f64::from(wanted.len()) }
    };
    let department = match (e.department, r.department) {
        (Some(a), Some(b)) if a != b => 1.0,
        _ => 0.0,
    };
    let zone = match (e.time_zone, r.time_zone) {
        (Some(a), Some(b)) => time_zone::closeness(a, b),
        _ => 0.0,
    };
    let language = if e.languages.overlap(&r.languages) > 0 { 1.0 } else { 0.0 };
    [
        share(&e.skills, &r.skills),
        share(&e.goals, &r.goals),
        department,
        zone,
        seniority(w, e.level, r.level),
        language,
        preference,
    ]
}

/// Points for a pair: the weighted sum of [`values`].
pub(crate) fn points(w: &MentoringWeights, values: &[f64; 7]) -> f64 {
    Criterion::ALL.iter().zip(values).map(|(c, v)| c.weight(w) * v).sum()
}

/// 1 inside the ideal gap, losing half a point per level outside it, and 0 when the mentor
/// is not senior at all: a peer can be a buddy but is not a mentor.
pub(crate) fn seniority(w: &MentoringWeights, mentee_level: u32, mentor_level: u32) -> f64 {
    let gap = i64::from(mentor_level) - i64::from(mentee_level);
    if gap <= 0 {
        return 0.0;
    }
    let (lo, hi) = (i64::from(w.seniority_gap_min), i64::from(w.seniority_gap_max));
    let outside = if gap < lo {
        lo - gap
    } else if gap > hi {
        gap - hi
    } else {
        0
    };
    (1.0 - 0.5 * outside as f64).max(0.0)
}

/// Preference strength of a rank (0-based) in a list of `len`: first = 1, then linearly
/// down to `1/len` for the last; not listed = 0.
pub(crate) fn rank_value(rank: Option<usize>, len: usize) -> f64 {
    match rank {
        Some(r) if len > 0 => (len - r) as f64 / len as f64,
        _ => 0.0,
    }
}

/// Scores in hundredths of a point: the integer the solver optimises, so two runs agree to
/// the last digit and the certificate check is exact.
pub(crate) fn to_centipoints(points: f64) -> i64 {
    (points * 100.0).round() as i64
}

/// Everything needed to write the explanation of one criterion.
pub(crate) struct DetailContext<'a> {
    pub skills: &'a Vocabulary,
    pub goals: &'a Vocabulary,
    pub languages: &'a Vocabulary,
    pub departments: &'a Vocabulary,
    /// Mentee's rank of the mentor and list length, mentor's rank of the mentee and length.
    pub mentee_rank: (Option<usize>, usize),
    pub mentor_rank: (Option<usize>, usize),
}

/// The full, explained breakdown of a pair's score.
pub(crate) fn breakdown(w: &MentoringWeights, e: &Features, r: &Features, ctx: &DetailContext<'_>) -> Vec<Component> {
    let pref =
        (rank_value(ctx.mentee_rank.0, ctx.mentee_rank.1) + rank_value(ctx.mentor_rank.0, ctx.mentor_rank.1)) / 2.0;
    let vals = values(w, e, r, pref);
    let list = |vocab: &Vocabulary, ids: Vec<u32>| {
        ids.into_iter().map(|id| vocab.word(id).to_owned()).collect::<Vec<_>>().join(", ")
    };
    Criterion::ALL
        .iter()
        .zip(vals)
        .map(|(&criterion, value)| {
            let detail = match criterion {
                Criterion::Skills => overlap_detail(
                    e.skills.len(),
                    e.skills.overlap(&r.skills),
                    &list(ctx.skills, e.skills.common(&r.skills)),
                    "wanted skill",
                ),
                Criterion::Goals => overlap_detail(
                    e.goals.len(),
                    e.goals.overlap(&r.goals),
                    &list(ctx.goals, e.goals.common(&r.goals)),
                    "goal",
                ),
                Criterion::CrossDepartment => match (e.department, r.department) {
                    (Some(a), Some(b)) if a == b => {
                        format!("both in {}", ctx.departments.word(a))
                    }
                    (Some(a), Some(b)) => format!("{} and {}", ctx.departments.word(a), ctx.departments.word(b)),
                    _ => "department not given".to_owned(),
                },
                Criterion::TimeZone => match (e.time_zone, r.time_zone) {
                    (Some(a), Some(b)) => {
                        let h = time_zone::hours_apart(a, b);
                        if h == 0.0 { "same time zone".to_owned() } else { format!("{} h apart", trim_float(h)) }
                    }
                    _ => "time zone not given".to_owned(),
                },
                Criterion::Seniority => {
                    let gap = i64::from(r.level) - i64::from(e.level);
                    let ideal = format!("ideal {}–{}", w.seniority_gap_min, w.seniority_gap_max);
                    match gap {
                        g if g > 0 => format!("mentor {g} level{} above ({ideal})", if g == 1 { "" } else { "s" }),
                        0 => format!("same level ({ideal})"),
                        g => format!("mentor {} below ({ideal})", -g),
                    }
                }
                Criterion::Language => {
                    let common = e.languages.common(&r.languages);
                    if common.is_empty() {
                        "no shared language listed".to_owned()
                    } else {
                        format!("both speak {}", list(ctx.languages, common))
                    }
                }
                Criterion::Preference => {
                    let side = |(rank, _): (Option<usize>, usize), who: &str| {
                        rank.map(|r| format!("{who}'s {} choice", ordinal(r + 1)))
                    };
                    let parts: Vec<String> = [side(ctx.mentee_rank, "mentee"), side(ctx.mentor_rank, "mentor")]
                        .into_iter()
                        .flatten()
                        .collect();
                    if parts.is_empty() { "not ranked by either".to_owned() } else { parts.join("; ") }
                }
            };
            Component { criterion, value, points: criterion.weight(w) * value, detail }
        })
        .collect()
}

fn overlap_detail(wanted: u32, n: u32, common: &str, noun: &str) -> String {
    if wanted == 0 {
        return format!("no {noun}s listed");
    }
    let plural = if wanted == 1 { "" } else { "s" };
    if n == 0 {
        format!("none of {wanted} {noun}{plural}")
    } else {
        format!("{n} of {wanted} {noun}{plural}: {common}")
    }
}

/// "1st", "2nd", "3rd", "4th", … "11th", "12th", "13th", "21st".
pub(crate) fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// `2.0` → "2", `2.5` → "2.5".
pub(crate) fn trim_float(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(skills: &[u32], level: u32) -> Features {
        Features {
            skills: TagSet::new(skills.iter().copied(), 100),
            goals: TagSet::new([], 100),
            languages: TagSet::new([0], 100),
            department: Some(0),
            time_zone: Some(60),
            level,
        }
    }

    #[test]
    fn skill_overlap_is_the_share_of_wanted_skills_offered() {
        let w = MentoringWeights::default();
        let e = features(&[1, 2, 3, 70], 2);
        let r = features(&[2, 3, 70, 99], 4);
        let v = values(&w, &e, &r, 0.0);
        assert_eq!(v[0], 0.75);
    }

    #[test]
    fn seniority_is_full_inside_the_gap_and_fades_outside() {
        let w = MentoringWeights::default();
        assert_eq!(seniority(&w, 2, 3), 1.0);
        assert_eq!(seniority(&w, 2, 5), 1.0);
        assert_eq!(seniority(&w, 2, 6), 0.5);
        assert_eq!(seniority(&w, 2, 7), 0.0);
        assert_eq!(seniority(&w, 3, 3), 0.0);
        assert_eq!(seniority(&w, 4, 3), 0.0);
    }

    #[test]
    fn a_perfect_pair_scores_every_weight() {
        let w = MentoringWeights::default();
        let mut e = features(&[1], 1);
        let mut r = features(&[1], 3);
        e.goals = TagSet::new([5], 100);
        r.goals = TagSet::new([5], 100);
        r.department = Some(1);
        let v = values(&w, &e, &r, 1.0);
        assert_eq!(points(&w, &v), 100.0);
    }

    #[test]
    fn ranks_fade_linearly_and_unlisted_is_zero() {
        assert_eq!(rank_value(Some(0), 4), 1.0);
        assert_eq!(rank_value(Some(3), 4), 0.25);
        assert_eq!(rank_value(None, 4), 0.0);
    }

    #[test]
    fn vocabulary_ignores_case_and_spacing() {
        let mut v = Vocabulary::default();
        let a = v.intern("Board  Papers");
        let b = v.intern(" board papers ");
        assert_eq!(a, b);
        assert_eq!(v.word(a), "Board  Papers");
        assert_eq!(v.len(), 1);
    }

    #[test]
    fn ordinals_read_naturally() {
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(3), "3rd");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(22), "22nd");
    }
}
