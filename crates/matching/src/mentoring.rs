//! Mentor–mentee matching: hard constraints, the capacitated assignment built on
//! [`crate::assignment`], fairness mode, organiser overrides and the explanations.
//!
//! This module owns the plain input structs ([`Mentee`], [`Mentor`], [`MentoringInput`]),
//! the options ([`MentoringOptions`]) and the result ([`MentoringOutcome`]). Scoring lives in
//! `score.rs`, chains of command in `reporting_line.rs`, files in `csv_input.rs` and
//! `csv_output.rs`; nothing here reads or writes anything.
//!
//! Objective, in order: (1) match as many mentees as the hard constraints and capacities
//! allow; (2) in fairness mode, make the lowest score as high as possible without giving up
//! (1); (3) maximise the total score; (4) when re-solving against a previous proposal, keep
//! as many of its pairs as possible. See docs/matching.md for the full reasoning.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use crate::bipartite;
use crate::capacitated::{self, CapacitatedCosts, FORBIDDEN};
use crate::error::MatchError;
use crate::plural;
use crate::reporting_line::{self, LineRelation, OrgChart};
use crate::score::{self, Component, DetailContext, Features, TagSet, Vocabulary};
use crate::time_zone::OffsetMinutes;
use crate::weights::MentoringWeights;

/// What mentees and mentors share.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    /// Unique within its file; also the person's id in reporting lines.
    pub id: String,
    pub name: String,
    pub email: String,
    pub department: String,
    /// Seniority as a number: higher is more senior.
    pub level: u32,
    /// Minutes east of UTC (see `time_zone::parse_time_zone`); `None` if not given.
    pub time_zone: Option<OffsetMinutes>,
    pub languages: Vec<String>,
    pub years_experience: u32,
    /// The id of this person's manager, who need not be in the programme.
    pub manager_id: Option<String>,
    /// Ids of people this person must never be matched with.
    pub exclude: Vec<String>,
}

/// Someone who wants a mentor.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mentee {
    pub profile: Profile,
    pub skills_wanted: Vec<String>,
    pub goals: Vec<String>,
    /// Mentor ids, most wanted first.
    pub preferences: Vec<String>,
}

/// Someone who offers to mentor.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mentor {
    pub profile: Profile,
    pub skills_offered: Vec<String>,
    /// Goals the mentor can help with.
    pub goals: Vec<String>,
    /// How many mentees they take.
    pub capacity: u32,
    /// Mentee ids, most wanted first.
    pub preferences: Vec<String>,
}

/// A (mentee id, mentor id) pair, written `mentee:mentor` on the command line.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pair {
    pub mentee: String,
    pub mentor: String,
}

impl Pair {
    pub fn new(mentee: impl Into<String>, mentor: impl Into<String>) -> Self {
        Self { mentee: mentee.into(), mentor: mentor.into() }
    }
}

impl FromStr for Pair {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() => Ok(Pair::new(a.trim(), b.trim())),
            _ => Err(format!("\"{s}\" is not a pair; write MENTEE_ID:MENTOR_ID, for example e07:m02")),
        }
    }
}

impl fmt::Display for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.mentee, self.mentor)
    }
}

/// Everything known about a mentoring cohort.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MentoringInput {
    pub mentees: Vec<Mentee>,
    pub mentors: Vec<Mentor>,
    /// Extra `(person, manager)` links for people outside the programme, so chains through
    /// them are known.
    pub org_chart: Vec<(String, Option<String>)>,
    /// Pairs from earlier programmes: never repeated.
    pub past_pairs: Vec<Pair>,
}

/// How to match.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MentoringOptions {
    pub weights: MentoringWeights,
    /// Maximise the lowest score first, then the total.
    pub fairness: bool,
    /// Pairs the organiser fixes.
    pub pins: Vec<Pair>,
    /// Pairs the organiser rules out.
    pub forbids: Vec<Pair>,
    /// The previous proposal for this cohort; the new one keeps as much of it as it can.
    pub previous: Vec<Pair>,
    /// Pins recorded in the previous proposal (its rows with status `pinned`): pinned again,
    /// unless `forbids` names the same pair (the forbid wins) or `pins` fixes the mentee
    /// elsewhere. One that no longer fits (a hard constraint, a full mentor, someone who has
    /// left) is dropped. Every decision is reported in [`MentoringOutcome::carried_over`].
    pub previous_pins: Vec<Pair>,
    /// Pairs ruled out in the previous proposal (its `forbidden` column): ruled out again,
    /// unless `pins` names the same pair (the pin wins).
    pub previous_forbids: Vec<Pair>,
}

/// A hard constraint that rules a pair out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Constraint {
    /// Mentee and mentor are the same person.
    SamePerson,
    /// One is in the other's chain of command; the relation is the mentor's to the mentee.
    ReportingLine(LineRelation),
    /// They were paired in an earlier programme.
    PastPair,
    /// The mentee listed the mentor as an exclusion.
    ExcludedByMentee,
    /// The mentor listed the mentee as an exclusion.
    ExcludedByMentor,
    /// The organiser forbade the pair.
    ForbiddenByOrganiser,
}

impl Constraint {
    /// A sentence fragment about the mentor, e.g. "Ana Silva is their manager".
    pub fn describe(&self, mentor: &str) -> String {
        match self {
            Constraint::SamePerson => format!("{mentor} is the same person"),
            Constraint::ReportingLine(rel) => {
                format!("{mentor} {}", reporting_line::describe(*rel))
            }
            Constraint::PastPair => format!("{mentor} was their mentor before"),
            Constraint::ExcludedByMentee => format!("they asked not to be matched with {mentor}"),
            Constraint::ExcludedByMentor => format!("{mentor} asked not to be matched with them"),
            Constraint::ForbiddenByOrganiser => format!("the organiser ruled out {mentor}"),
        }
    }

    /// A short category for summaries.
    pub fn category(&self) -> &'static str {
        match self {
            Constraint::SamePerson => "same person",
            Constraint::ReportingLine(_) => "in their reporting line",
            Constraint::PastPair => "paired before",
            Constraint::ExcludedByMentee | Constraint::ExcludedByMentor => "excluded",
            Constraint::ForbiddenByOrganiser => "ruled out by the organiser",
        }
    }
}

/// One proposed pair.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub mentee_id: String,
    pub mentor_id: String,
    /// Points, to two decimals.
    pub score: f64,
    /// One component per criterion, in `Criterion::ALL` order.
    pub components: Vec<Component>,
    /// Fixed by the organiser rather than chosen by the solver.
    pub pinned: bool,
    /// Why this pair, in words.
    pub explanation: String,
    /// For a mentee who ranked mentors: which of their choices they got, fit to send to that
    /// mentee right after "You are matched with {mentor_name}." ("They were your first
    /// choice.", "This is your 2nd choice: your first could not be arranged this time.",
    /// "They were not among your choices this time."). It never says why: no constraint (a
    /// mentor's exclusion is private), no other person's name, no score.
    pub preference_note: Option<String>,
    /// For the organiser only: why the mentee did not get their first choice (the
    /// constraint, or the mentees who took the places, with their scores).
    pub coordinator_note: Option<String>,
}

/// Why a mentee has no mentor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnmatchedReason {
    /// Every mentor is ruled out by a hard constraint (or has no places).
    NoFeasibleMentor,
    /// Feasible mentors exist, but their places are all taken.
    CapacityTaken,
}

/// A mentee left without a mentor, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Unmatched {
    pub mentee_id: String,
    pub reason: UnmatchedReason,
    /// For the organiser only: it names mentors, their constraints and the mentees holding
    /// their places. What the mentee may be told is [`UNMATCHED_NOTE`].
    pub explanation: String,
}

/// The note fit to send to a mentee left without a mentor, written to them: the reasons name
/// other people, so the mentee hears only that we will follow up.
pub const UNMATCHED_NOTE: &str = "We could not match you with a mentor this time; we will be in touch.";

/// A mentee whose mentor changed against the previous proposal.
#[derive(Clone, Debug, PartialEq)]
pub struct Move {
    pub mentee_id: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub why: String,
}

impl Move {
    /// The `change` cell: "was m03: why", or "now unmatched (had m03): why" for someone who
    /// loses their mentor, which must not read like an ordinary swap.
    pub fn describe(&self) -> String {
        match (&self.from, &self.to) {
            (Some(from), None) => format!("now unmatched (had {from}): {}", self.why),
            (from, _) => format!("was {}: {}", from.as_deref().unwrap_or("unmatched"), self.why),
        }
    }
}

/// The proposal.
#[derive(Clone, Debug, PartialEq)]
pub struct MentoringOutcome {
    /// In mentee input order.
    pub matches: Vec<Match>,
    /// In mentee input order.
    pub unmatched: Vec<Unmatched>,
    /// Empty unless a previous proposal was given.
    pub moves: Vec<Move>,
    /// Sum of match scores.
    pub total_score: f64,
    /// Lowest match score, if anyone is matched.
    pub lowest_score: Option<f64>,
    /// In fairness mode, the floor every solver-chosen pair reaches.
    pub fairness_floor: Option<f64>,
    /// Number of mentees the solver assigned, matched or not (all but pinned ones), whose
    /// optimality certificate was verified.
    pub certified_size: usize,
    /// (mentee id, mentor id) of people in both files (same id or email): never matched to
    /// themselves.
    pub same_person: Vec<(String, String)>,
    /// Every pair the organiser ruled out, from `forbids` and carried over from the previous
    /// proposal, in that order: written to the output (`forbidden` column) so that the next
    /// re-solve rules them out again.
    pub forbidden_pairs: Vec<Pair>,
    /// What happened to the pins and forbids of the previous proposal, one sentence each
    /// ("Kept 1 pin from the previous file (e11:m02)."), for the summary.
    pub carried_over: Vec<String>,
}

impl MentoringOutcome {
    /// A few lines for the person running the command.
    pub fn summary(&self) -> String {
        let n = self.matches.len() + self.unmatched.len();
        let mut s = format!("Matched {} of {} mentees; total score {:.2}", self.matches.len(), n, self.total_score);
        if let Some(low) = self.lowest_score {
            let avg = self.total_score / self.matches.len().max(1) as f64;
            s.push_str(&format!(", average {avg:.2}, lowest {low:.2}"));
        }
        s.push('.');
        if let Some(floor) = self.fairness_floor {
            s.push_str(&format!("\nFairness first: every chosen pair scores at least {floor:.2}."));
        }
        if !self.unmatched.is_empty() {
            s.push_str(&format!("\n{} unmatched; the reasons are in the output file.", self.unmatched.len()));
        }
        for (mentee, mentor) in &self.same_person {
            s.push_str(&format!(
                "\nMentee {mentee} and mentor {mentor} are the same person (same id or email in both \
                 files), so they are never matched to each other."
            ));
        }
        for line in &self.carried_over {
            s.push('\n');
            s.push_str(line);
        }
        if !self.moves.is_empty() {
            let lost = self.moves.iter().filter(|m| m.from.is_some() && m.to.is_none()).count();
            s.push_str(&format!(
                "\n{} changed mentor against the previous proposal",
                plural(self.moves.len(), "mentee", "mentees")
            ));
            if lost > 0 {
                s.push_str(&format!(", of whom {lost} now unmatched (had a mentor before)"));
            }
            s.push('.');
        }
        // The certificate covers the solver's whole assignment of the mentees not pinned,
        // those it left unmatched included, not only the ones it matched.
        let solver_matched = self.matches.iter().filter(|m| !m.pinned).count();
        s.push_str(&format!(
            "\nOptimality certificate verified for the solver's assignment of {} not pinned \
             ({solver_matched} matched, {} unmatched).",
            plural(self.certified_size, "mentee", "mentees"),
            self.unmatched.len()
        ));
        s
    }
}

/// Score and constraints of one (mentee, mentor) pair, whether or not it was chosen: the
/// answer to an organiser's "why not these two?".
#[derive(Clone, Debug, PartialEq)]
pub struct PairReport {
    pub score: f64,
    pub components: Vec<Component>,
    /// Empty when the pair is allowed.
    pub constraints: Vec<Constraint>,
}

/// Explains one pair by ids, under the given options (organiser forbids count as
/// constraints).
pub fn explain_pair(
    input: &MentoringInput,
    options: &MentoringOptions,
    mentee_id: &str,
    mentor_id: &str,
) -> Result<PairReport, MatchError> {
    let prep = Prepared::new(input, options)?;
    let e = input.mentees.iter().position(|e| e.profile.id == mentee_id);
    let r = input.mentors.iter().position(|r| r.profile.id == mentor_id);
    let (Some(e), Some(r)) = (e, r) else {
        return Err(MatchError::invalid(
            format!("{mentee_id}:{mentor_id} is not a mentee and a mentor of this programme"),
            "Use ids from the input files",
        ));
    };
    Ok(PairReport {
        score: prep.score_of(e, r),
        components: prep.components(e, r),
        constraints: prep.constraints_between(e, r),
    })
}

/// Proposes the best matching for a cohort. See the module docs for the objective.
pub fn match_mentoring(input: &MentoringInput, options: &MentoringOptions) -> Result<MentoringOutcome, MatchError> {
    build_problem(input, options)?.solve()
}

/// The assignment problem for a cohort, before solving: one row per mentee not pinned, one
/// column group per mentor (capacity = places left after pins) and one "unmatched" group.
/// Exposed so tests and benchmarks can check the certificate against the exact costs solved.
pub struct Problem<'a> {
    prep: Prepared<'a>,
    costs: CapacitatedCosts,
    /// Mentee index of each solver row.
    rows: Vec<usize>,
    fairness_floor: Option<i64>,
}

impl Problem<'_> {
    /// The costs handed to the solver; group `mentors.len()` is "unmatched".
    pub fn costs(&self) -> &CapacitatedCosts {
        &self.costs
    }

    /// Solves, verifies the certificate and every hard constraint, and explains the result.
    pub fn solve(&self) -> Result<MentoringOutcome, MatchError> {
        let sol =
            capacitated::solve_capacitated(&self.costs).map_err(|e| MatchError::Internal(format!("solver: {e}")))?;
        capacitated::verify_capacitated_certificate(&self.costs, &sol.row_to_group, &sol.duals)
            .map_err(|e| MatchError::Internal(format!("optimality certificate rejected: {e}")))?;
        let p = &self.prep;
        let m = p.input.mentors.len();
        let mut mentor_of: Vec<Option<usize>> = p.pinned.clone();
        for (ri, &e) in self.rows.iter().enumerate() {
            let g = sol.row_to_group[ri];
            if g < m {
                mentor_of[e] = Some(g);
            }
        }
        p.verify_hard_constraints(&mentor_of)?;
        Ok(p.explain(&mentor_of, self.fairness_floor, self.rows.len()))
    }
}

/// Builds the problem: validates ids and overrides, applies pins, computes scores and
/// feasibility, sizes the "unmatched" group and, in fairness mode, finds the floor.
pub fn build_problem<'a>(input: &'a MentoringInput, options: &'a MentoringOptions) -> Result<Problem<'a>, MatchError> {
    let prep = Prepared::new(input, options)?;
    let n = input.mentees.len();
    let m = input.mentors.len();
    let rows: Vec<usize> = (0..n).filter(|&e| prep.pinned[e].is_none()).collect();

    // Scores (centipoints) and feasibility of every free mentee × mentor.
    let mut score_cp = vec![0i64; rows.len() * m];
    let mut feasible = vec![false; rows.len() * m];
    let mut blocked = vec![false; m];
    let mut pref = vec![0.0f64; m];
    for (ri, &e) in rows.iter().enumerate() {
        for &(r, _) in &prep.forbidden[e] {
            blocked[r as usize] = true;
        }
        for (rank, &r) in prep.mentee_pref[e].iter().enumerate() {
            pref[r] += score::rank_value(Some(rank), prep.mentee_pref[e].len());
        }
        for &(r, v) in &prep.mentor_ranks_of[e] {
            pref[r] += v;
        }
        let fe = &prep.mentee_features[e];
        for r in 0..m {
            let vals = score::values(&options.weights, fe, &prep.mentor_features[r], pref[r] / 2.0);
            score_cp[ri * m + r] = score::to_centipoints(score::points(&options.weights, &vals));
            feasible[ri * m + r] = !blocked[r] && prep.places[r] > 0;
        }
        for &(r, _) in &prep.forbidden[e] {
            blocked[r as usize] = false;
        }
        for &r in &prep.mentee_pref[e] {
            pref[r] = 0.0;
        }
        for &(r, _) in &prep.mentor_ranks_of[e] {
            pref[r] = 0.0;
        }
    }

    // Feasible mentors of each free mentee, best score first (fairness thresholds are then
    // prefixes).
    let adj: Vec<Vec<u32>> = (0..rows.len())
        .map(|ri| {
            let mut list: Vec<u32> = (0..m as u32).filter(|&r| feasible[ri * m + r as usize]).collect();
            list.sort_by_key(|&r| std::cmp::Reverse(score_cp[ri * m + r as usize]));
            list
        })
        .collect();
    let adj_refs: Vec<&[u32]> = adj.iter().map(Vec::as_slice).collect();
    let max_card = bipartite::max_matching_size(&adj_refs, &prep.places);

    let fairness_floor = if options.fairness && max_card > 0 {
        Some(fairness_floor(&adj, &score_cp, m, &prep.places, max_card))
    } else {
        None
    };

    // The "unmatched" group holds exactly as many mentees as must stay unmatched, so every
    // solution matches the maximum number; within that, the solver maximises the objective.
    let unmatched_places = (rows.len() - max_card) as u32;

    // Objective in integers: the score, plus the keep-previous bonus, then scaled by
    // (rows + 1) so one extra kept pair breaks ties without ever outweighing a centipoint.
    let keep_bonus = score::to_centipoints(options.weights.keep_previous);
    let tie_scale = if options.previous.is_empty() { 1 } else { rows.len() as i64 + 1 };
    let mut data = Vec::with_capacity(rows.len() * (m + 1));
    let (mut sum, mut count) = (0i128, 0i128);
    for (ri, &e) in rows.iter().enumerate() {
        for r in 0..m {
            let ok = feasible[ri * m + r] && fairness_floor.is_none_or(|floor| score_cp[ri * m + r] >= floor);
            data.push(if ok {
                let kept = prep.previous[e] == Some(r);
                let bonus = if kept { keep_bonus } else { 0 };
                let cost = -((score_cp[ri * m + r] + bonus) * tie_scale + i64::from(kept));
                sum += i128::from(cost);
                count += 1;
                cost
            } else {
                FORBIDDEN
            });
        }
        data.push(0);
    }
    // Every feasible solution leaves exactly `unmatched_places` mentees unmatched, so the
    // cost of the "unmatched" cell can be any constant without changing which solution is
    // optimal. Zero would put that option far beyond every real pair, and each shortest-
    // path search would have to settle nearly every mentor before reaching it; the average
    // pair cost puts it among them, which on a cohort short of places is several times
    // faster.
    if unmatched_places > 0 && count > 0 {
        let shift = (sum / count) as i64;
        for cell in data.iter_mut().skip(m).step_by(m + 1) {
            *cell = shift;
        }
    }
    let mut caps = prep.places.clone();
    caps.push(unmatched_places);
    let costs = CapacitatedCosts::new(rows.len(), m + 1, data, caps).map_err(|e| MatchError::TooLarge {
        problem: format!("{} mentees are too many for exact scoring with these settings ({e})", rows.len()),
        fix: "Split the cohort, or drop keep_previous and the previous proposal".to_owned(),
    })?;
    Ok(Problem { prep, costs, rows, fairness_floor })
}

/// The highest score `t` such that `max_card` mentees can still be matched using only pairs
/// scoring at least `t`: binary search over the distinct feasible scores, each step a
/// Hopcroft–Karp run on the pairs at or above the candidate.
fn fairness_floor(adj: &[Vec<u32>], score_cp: &[i64], m: usize, places: &[u32], max_card: usize) -> i64 {
    let mut candidates: Vec<i64> = adj
        .iter()
        .enumerate()
        .flat_map(|(ri, list)| list.iter().map(move |&r| score_cp[ri * m + r as usize]))
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    let reaches = |t: i64| {
        let prefixes: Vec<&[u32]> = adj
            .iter()
            .enumerate()
            .map(|(ri, list)| {
                let k = list.partition_point(|&r| score_cp[ri * m + r as usize] >= t);
                &list[..k]
            })
            .collect();
        bipartite::max_matching_size(&prefixes, places) == max_card
    };
    // candidates[lo] always reaches (the smallest feasible score keeps every pair).
    let (mut lo, mut hi) = (0usize, candidates.len());
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if reaches(candidates[mid]) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    candidates.get(lo).copied().unwrap_or(0)
}

/// Validated, interned view of the input.
struct Prepared<'a> {
    input: &'a MentoringInput,
    options: &'a MentoringOptions,
    mentee_features: Vec<Features>,
    mentor_features: Vec<Features>,
    skills: Vocabulary,
    goals: Vocabulary,
    languages: Vocabulary,
    departments: Vocabulary,
    /// Every constraint against each mentor, per mentee (a mentor may appear twice).
    forbidden: Vec<Vec<(u32, Constraint)>>,
    /// Mentor indices ranked by each mentee.
    mentee_pref: Vec<Vec<usize>>,
    /// `(mentor, rank value)` for each mentor who ranked this mentee.
    mentor_ranks_of: Vec<Vec<(usize, f64)>>,
    /// Mentee indices ranked by each mentor.
    mentor_pref: Vec<Vec<usize>>,
    /// Mentor fixed by an organiser pin.
    pinned: Vec<Option<usize>>,
    /// Places left per mentor once pins are placed.
    places: Vec<u32>,
    /// Mentor in the previous proposal.
    previous: Vec<Option<usize>>,
    /// Reporting chains and each participant's person index in them.
    chains: Vec<Vec<usize>>,
    mentee_person: Vec<usize>,
    mentor_person: Vec<usize>,
    past: HashSet<(&'a str, &'a str)>,
    organiser_forbids: HashSet<(&'a str, &'a str)>,
    /// Organiser forbids in force: `forbids`, then those carried from the previous proposal.
    forbid_list: Vec<&'a Pair>,
    /// Sentences about the previous proposal's pins and forbids, for the summary.
    carried: Vec<String>,
}

impl<'a> Prepared<'a> {
    fn new(input: &'a MentoringInput, options: &'a MentoringOptions) -> Result<Self, MatchError> {
        let mentee_index = unique_index(input.mentees.iter().map(|e| e.profile.id.as_str()), "mentee")?;
        let mentor_index = unique_index(input.mentors.iter().map(|r| r.profile.id.as_str()), "mentor")?;
        let n = input.mentees.len();
        let m = input.mentors.len();

        let mut chart = OrgChart::new();
        for p in input.mentees.iter().map(|e| &e.profile).chain(input.mentors.iter().map(|r| &r.profile)) {
            chart.link(&p.id, p.manager_id.as_deref());
        }
        for (person, manager) in &input.org_chart {
            chart.link(person, manager.as_deref());
        }
        let chains = chart.all_chains();
        let person = |id: &str| chart.index_of(id).unwrap_or(usize::MAX);
        let mentee_person: Vec<usize> = input.mentees.iter().map(|e| person(&e.profile.id)).collect();
        let mentor_person: Vec<usize> = input.mentors.iter().map(|r| person(&r.profile.id)).collect();

        // Interning. Vocabularies first, then bitsets sized to them.
        let mut skills = Vocabulary::default();
        let mut goals = Vocabulary::default();
        let mut languages = Vocabulary::default();
        let mut departments = Vocabulary::default();
        let intern_all = |v: &mut Vocabulary, tags: &[String]| -> Vec<u32> {
            tags.iter().filter(|t| !t.trim().is_empty()).map(|t| v.intern(t)).collect()
        };
        let raw_e: Vec<_> = input
            .mentees
            .iter()
            .map(|e| {
                (
                    intern_all(&mut skills, &e.skills_wanted),
                    intern_all(&mut goals, &e.goals),
                    intern_all(&mut languages, &e.profile.languages),
                )
            })
            .collect();
        let raw_r: Vec<_> = input
            .mentors
            .iter()
            .map(|r| {
                (
                    intern_all(&mut skills, &r.skills_offered),
                    intern_all(&mut goals, &r.goals),
                    intern_all(&mut languages, &r.profile.languages),
                )
            })
            .collect();
        let mut dept = |p: &Profile| (!p.department.trim().is_empty()).then(|| departments.intern(&p.department));
        let dept_e: Vec<_> = input.mentees.iter().map(|e| dept(&e.profile)).collect();
        let dept_r: Vec<_> = input.mentors.iter().map(|r| dept(&r.profile)).collect();
        let features = |(s, g, l): &(Vec<u32>, Vec<u32>, Vec<u32>), d: Option<u32>, p: &Profile| Features {
            skills: TagSet::new(s.iter().copied(), skills.len()),
            goals: TagSet::new(g.iter().copied(), goals.len()),
            languages: TagSet::new(l.iter().copied(), languages.len()),
            department: d,
            time_zone: p.time_zone,
            level: p.level,
        };
        let mentee_features =
            raw_e.iter().zip(&dept_e).zip(&input.mentees).map(|((raw, d), e)| features(raw, *d, &e.profile)).collect();
        let mentor_features =
            raw_r.iter().zip(&dept_r).zip(&input.mentors).map(|((raw, d), r)| features(raw, *d, &r.profile)).collect();

        // Preferences must name real people: a typo would silently cost someone their choice.
        let mut mentee_pref = Vec::with_capacity(n);
        for e in &input.mentees {
            let mut list = Vec::new();
            for id in &e.preferences {
                let r = *mentor_index.get(id.as_str()).ok_or_else(|| {
                    MatchError::invalid(
                        format!("Mentee {} ranks \"{id}\", who is not a mentor", e.profile.id),
                        "Use mentor ids from the mentors file in the preferences column",
                    )
                })?;
                if !list.contains(&r) {
                    list.push(r);
                }
            }
            mentee_pref.push(list);
        }
        let mut mentor_pref = Vec::with_capacity(m);
        let mut mentor_ranks_of = vec![Vec::new(); n];
        for (r, mentor) in input.mentors.iter().enumerate() {
            let mut list = Vec::new();
            for id in &mentor.preferences {
                let e = *mentee_index.get(id.as_str()).ok_or_else(|| {
                    MatchError::invalid(
                        format!("Mentor {} ranks \"{id}\", who is not a mentee", mentor.profile.id),
                        "Use mentee ids from the mentees file in the preferences column",
                    )
                })?;
                if !list.contains(&e) {
                    list.push(e);
                }
            }
            for (rank, &e) in list.iter().enumerate() {
                mentor_ranks_of[e].push((r, score::rank_value(Some(rank), list.len())));
            }
            mentor_pref.push(list);
        }

        let past: HashSet<(&str, &str)> =
            input.past_pairs.iter().map(|p| (p.mentee.as_str(), p.mentor.as_str())).collect();
        let check_override = |p: &Pair, what: &str| -> Result<(usize, usize), MatchError> {
            let e = mentee_index.get(p.mentee.as_str()).copied();
            let r = mentor_index.get(p.mentor.as_str()).copied();
            match (e, r) {
                (Some(e), Some(r)) => Ok((e, r)),
                (None, _) => Err(MatchError::invalid(
                    format!("The {what} {p} names \"{}\", who is not a mentee", p.mentee),
                    "Use MENTEE_ID:MENTOR_ID with ids from the input files",
                )),
                (_, None) => Err(MatchError::invalid(
                    format!("The {what} {p} names \"{}\", who is not a mentor", p.mentor),
                    "Use MENTEE_ID:MENTOR_ID with ids from the input files",
                )),
            }
        };
        let mut organiser_forbids = HashSet::new();
        let mut forbid_list: Vec<&Pair> = Vec::new();
        for p in &options.forbids {
            check_override(p, "forbidden pair")?;
            if organiser_forbids.insert((p.mentee.as_str(), p.mentor.as_str())) {
                forbid_list.push(p);
            }
        }
        // The previous proposal's forbids and pins carry over; what the organiser says on
        // this run wins, and every decision is reported.
        let known =
            |p: &Pair| mentee_index.contains_key(p.mentee.as_str()) && mentor_index.contains_key(p.mentor.as_str());
        let mut carried = Vec::new();
        let mut kept_forbids = Vec::new();
        for p in &options.previous_forbids {
            if organiser_forbids.contains(&(p.mentee.as_str(), p.mentor.as_str())) {
                continue;
            }
            if !known(p) {
                carried.push(format!("Dropped the forbidden pair {p} from the previous file: {}.", gone(p)));
            } else if options.pins.contains(p) {
                carried.push(format!("--pin {p} lifts the forbid on that pair from the previous file."));
            } else {
                organiser_forbids.insert((p.mentee.as_str(), p.mentor.as_str()));
                forbid_list.push(p);
                kept_forbids.push(p.to_string());
            }
        }
        if !kept_forbids.is_empty() {
            carried.push(format!(
                "Kept {} from the previous file ({}).",
                plural(kept_forbids.len(), "forbidden pair", "forbidden pairs"),
                kept_forbids.join(", ")
            ));
        }
        let mut carried_pins: Vec<&Pair> = Vec::new();
        for p in &options.previous_pins {
            if options.pins.contains(p) || carried_pins.contains(&p) {
                continue;
            }
            if !known(p) {
                carried.push(format!("Dropped the pin {p} from the previous file: {}.", gone(p)));
            } else if options.forbids.contains(p) {
                carried.push(format!("--forbid {p} wins over the pin on that pair from the previous file."));
            } else if let Some(q) = options.pins.iter().find(|q| q.mentee == p.mentee) {
                carried.push(format!("--pin {q} replaces the pin {p} from the previous file."));
            } else if let Some(q) = carried_pins.iter().find(|q| q.mentee == p.mentee) {
                carried.push(format!(
                    "Dropped the pin {p} from the previous file: {} is also pinned to {}.",
                    p.mentee, q.mentor
                ));
            } else {
                carried_pins.push(p);
            }
        }

        // Constraint lists per mentee. Reporting lines come from walking each chain once
        // rather than testing all n × m pairs.
        let mut forbidden: Vec<Vec<(u32, Constraint)>> = vec![Vec::new(); n];
        let mut mentee_of_person: HashMap<usize, usize> = HashMap::new();
        for (e, &pe) in mentee_person.iter().enumerate() {
            mentee_of_person.insert(pe, e);
        }
        let mut mentor_of_person: HashMap<usize, usize> = HashMap::new();
        for (r, &pr) in mentor_person.iter().enumerate() {
            mentor_of_person.insert(pr, r);
        }
        let mentee_of_email: HashMap<String, usize> = input
            .mentees
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.profile.email.trim().is_empty())
            .map(|(i, e)| (e.profile.email.trim().to_lowercase(), i))
            .collect();
        for (r, &pr) in mentor_person.iter().enumerate() {
            if let Some(&e) = mentee_of_person.get(&pr) {
                forbidden[e].push((r as u32, Constraint::SamePerson));
            }
            // The same person under two ids is found by email, through a map rather than
            // comparing every mentee with every mentor.
            if let Some(&e) = mentee_of_email.get(input.mentors[r].profile.email.trim().to_lowercase().as_str())
                && input.mentees[e].profile.id != input.mentors[r].profile.id
            {
                forbidden[e].push((r as u32, Constraint::SamePerson));
            }
            for (pos, a) in chains[pr].iter().enumerate() {
                if let Some(&e) = mentee_of_person.get(a) {
                    let rel = LineRelation::Below { levels: pos + 1 };
                    forbidden[e].push((r as u32, Constraint::ReportingLine(rel)));
                }
            }
        }
        for (e, &pe) in mentee_person.iter().enumerate() {
            for (pos, a) in chains[pe].iter().enumerate() {
                if let Some(&r) = mentor_of_person.get(a) {
                    let rel = LineRelation::Above { levels: pos + 1 };
                    forbidden[e].push((r as u32, Constraint::ReportingLine(rel)));
                }
            }
            let mentee = &input.mentees[e];
            for id in &mentee.profile.exclude {
                if let Some(&r) = mentor_index.get(id.as_str()) {
                    forbidden[e].push((r as u32, Constraint::ExcludedByMentee));
                }
            }
        }
        for (r, mentor) in input.mentors.iter().enumerate() {
            for id in &mentor.profile.exclude {
                if let Some(&e) = mentee_index.get(id.as_str()) {
                    forbidden[e].push((r as u32, Constraint::ExcludedByMentor));
                }
            }
        }
        for p in &input.past_pairs {
            if let (Some(&e), Some(&r)) = (mentee_index.get(p.mentee.as_str()), mentor_index.get(p.mentor.as_str())) {
                forbidden[e].push((r as u32, Constraint::PastPair));
            }
        }
        for p in &forbid_list {
            if let (Some(&e), Some(&r)) = (mentee_index.get(p.mentee.as_str()), mentor_index.get(p.mentor.as_str())) {
                forbidden[e].push((r as u32, Constraint::ForbiddenByOrganiser));
            }
        }

        // Pins: checked against the hard constraints, then they consume places.
        let mut pinned = vec![None; n];
        let mut places: Vec<u32> = input.mentors.iter().map(|r| r.capacity).collect();
        for p in &options.pins {
            let (e, r) = check_override(p, "pin")?;
            if let Some(&(_, c)) = forbidden[e].iter().find(|(x, _)| *x as usize == r) {
                return Err(MatchError::PinNotAllowed {
                    mentee: p.mentee.clone(),
                    mentor: p.mentor.clone(),
                    reason: c.describe(&input.mentors[r].profile.name),
                });
            }
            match pinned[e] {
                Some(other) if other != r => {
                    return Err(MatchError::invalid(
                        format!("Mentee {} is pinned to two mentors", p.mentee),
                        "Keep one pin per mentee",
                    ));
                }
                Some(_) => continue,
                None => {}
            }
            if places[r] == 0 {
                return Err(MatchError::invalid(
                    format!("Mentor {} has {} place(s) but more pins than that", p.mentor, input.mentors[r].capacity),
                    "Remove a pin or raise the mentor's capacity",
                ));
            }
            places[r] -= 1;
            pinned[e] = Some(r);
        }
        // A pin from the previous file that no longer fits is dropped, not refused: the
        // organiser did not ask for it on this run.
        let mut kept_pins = Vec::new();
        for p in carried_pins {
            let (e, r) = check_override(p, "pin")?;
            if let Some(&(_, c)) = forbidden[e].iter().find(|(x, _)| *x as usize == r) {
                let why = c.describe(&input.mentors[r].profile.name);
                carried.push(format!("Dropped the pin {p} from the previous file: {why}."));
            } else if places[r] == 0 {
                carried.push(format!("Dropped the pin {p} from the previous file: {} has no place left.", p.mentor));
            } else {
                places[r] -= 1;
                pinned[e] = Some(r);
                kept_pins.push(p.to_string());
            }
        }
        if !kept_pins.is_empty() {
            carried.insert(
                0,
                format!(
                    "Kept {} from the previous file ({}).",
                    plural(kept_pins.len(), "pin", "pins"),
                    kept_pins.join(", ")
                ),
            );
        }

        let mut previous = vec![None; n];
        for p in &options.previous {
            // A previous proposal may mention people who have since left; that is fine.
            if let (Some(&e), Some(&r)) = (mentee_index.get(p.mentee.as_str()), mentor_index.get(p.mentor.as_str())) {
                previous[e] = Some(r);
            }
        }

        Ok(Self {
            input,
            options,
            mentee_features,
            mentor_features,
            skills,
            goals,
            languages,
            departments,
            forbidden,
            mentee_pref,
            mentor_ranks_of,
            mentor_pref,
            pinned,
            places,
            previous,
            chains,
            mentee_person,
            mentor_person,
            past,
            organiser_forbids,
            forbid_list,
            carried,
        })
    }

    /// Every hard constraint between mentee `e` and mentor `r`, recomputed from the raw
    /// input rather than from `forbidden`, so the final check is independent of the
    /// construction.
    fn constraints_between(&self, e: usize, r: usize) -> Vec<Constraint> {
        let mentee = &self.input.mentees[e].profile;
        let mentor = &self.input.mentors[r].profile;
        let mut out = Vec::new();
        if mentee.id == mentor.id || same_email(mentee, mentor) {
            out.push(Constraint::SamePerson);
        }
        let (pe, pr) = (self.mentee_person[e], self.mentor_person[r]);
        if pe != pr
            && let Some(rel) = reporting_line::relation(&self.chains, pr, pe)
        {
            out.push(Constraint::ReportingLine(rel));
        }
        if self.past.contains(&(mentee.id.as_str(), mentor.id.as_str())) {
            out.push(Constraint::PastPair);
        }
        if mentee.exclude.contains(&mentor.id) {
            out.push(Constraint::ExcludedByMentee);
        }
        if mentor.exclude.contains(&mentee.id) {
            out.push(Constraint::ExcludedByMentor);
        }
        if self.organiser_forbids.contains(&(mentee.id.as_str(), mentor.id.as_str())) {
            out.push(Constraint::ForbiddenByOrganiser);
        }
        out
    }

    /// Refuses any result that breaks a hard constraint or a capacity.
    fn verify_hard_constraints(&self, mentor_of: &[Option<usize>]) -> Result<(), MatchError> {
        let mut load = vec![0u32; self.input.mentors.len()];
        for (e, r) in mentor_of.iter().enumerate() {
            let Some(r) = *r else { continue };
            load[r] += 1;
            if let Some(c) = self.constraints_between(e, r).first() {
                return Err(MatchError::Internal(format!(
                    "pair {} → {} breaks a hard constraint: {}",
                    self.input.mentees[e].profile.id,
                    self.input.mentors[r].profile.id,
                    c.describe(&self.input.mentors[r].profile.id)
                )));
            }
        }
        for (r, mentor) in self.input.mentors.iter().enumerate() {
            if load[r] > mentor.capacity {
                return Err(MatchError::Internal(format!(
                    "mentor {} has {} mentees for {} places",
                    mentor.profile.id, load[r], mentor.capacity
                )));
            }
        }
        Ok(())
    }

    fn name_of_mentor(&self, r: usize) -> &str {
        display_name(&self.input.mentors[r].profile)
    }

    fn name_of_mentee(&self, e: usize) -> &str {
        display_name(&self.input.mentees[e].profile)
    }

    fn components(&self, e: usize, r: usize) -> Vec<Component> {
        let rank_in = |list: &[usize], x: usize| (list.iter().position(|&y| y == x), list.len());
        let ctx = DetailContext {
            skills: &self.skills,
            goals: &self.goals,
            languages: &self.languages,
            departments: &self.departments,
            mentee_rank: rank_in(&self.mentee_pref[e], r),
            mentor_rank: rank_in(&self.mentor_pref[r], e),
        };
        score::breakdown(&self.options.weights, &self.mentee_features[e], &self.mentor_features[r], &ctx)
    }

    /// The pair's score in points (two decimals), as the solver saw it: same values, same
    /// summation order, without building the explanation strings.
    fn score_of(&self, e: usize, r: usize) -> f64 {
        let rank_value = |list: &[usize], x: usize| score::rank_value(list.iter().position(|&y| y == x), list.len());
        let pref = (rank_value(&self.mentee_pref[e], r) + rank_value(&self.mentor_pref[r], e)) / 2.0;
        let w = &self.options.weights;
        let vals = score::values(w, &self.mentee_features[e], &self.mentor_features[r], pref);
        score::to_centipoints(score::points(w, &vals)) as f64 / 100.0
    }

    /// Turns the final assignment into matches, reasons and moves.
    fn explain(&self, mentor_of: &[Option<usize>], floor: Option<i64>, certified_size: usize) -> MentoringOutcome {
        let mut holders: Vec<Vec<usize>> = vec![Vec::new(); self.input.mentors.len()];
        for (e, r) in mentor_of.iter().enumerate() {
            if let Some(r) = r {
                holders[*r].push(e);
            }
        }
        let mut matches = Vec::new();
        let mut unmatched = Vec::new();
        for (e, mentee) in self.input.mentees.iter().enumerate() {
            match mentor_of[e] {
                Some(r) => {
                    let components = self.components(e, r);
                    let score = self.score_of(e, r);
                    let mut parts: Vec<String> = components
                        .iter()
                        .filter(|c| c.points > 0.0)
                        .map(|c| format!("{} {}: {}", c.criterion.key(), score::trim_float(c.points), c.detail))
                        .collect();
                    if parts.is_empty() {
                        parts.push("no criterion scored; the only feasible option".to_owned());
                    }
                    let pinned = self.pinned[e] == Some(r);
                    let note = self.preference_note(e, r, &holders, floor);
                    let lead = if pinned { "Pinned by the organiser. " } else { "" };
                    matches.push(Match {
                        mentee_id: mentee.profile.id.clone(),
                        mentor_id: self.input.mentors[r].profile.id.clone(),
                        score,
                        components,
                        pinned,
                        explanation: format!("{lead}{}", parts.join("; ")),
                        preference_note: note.as_ref().map(|n| n.0.clone()),
                        coordinator_note: note.and_then(|n| n.1),
                    });
                }
                None => unmatched.push(self.unmatched_reason(e, &holders)),
            }
        }
        let moves = self.moves(mentor_of);
        let same_person = self
            .forbidden
            .iter()
            .enumerate()
            .flat_map(|(e, list)| list.iter().filter(|(_, c)| *c == Constraint::SamePerson).map(move |&(r, _)| (e, r)))
            .map(|(e, r)| (self.input.mentees[e].profile.id.clone(), self.input.mentors[r as usize].profile.id.clone()))
            .collect();
        let total_score = (matches.iter().map(|m| m.score).sum::<f64>() * 100.0).round() / 100.0;
        let lowest_score = matches.iter().map(|m| m.score).reduce(f64::min);
        MentoringOutcome {
            matches,
            unmatched,
            moves,
            total_score,
            lowest_score,
            fairness_floor: floor.map(|f| f as f64 / 100.0),
            certified_size,
            same_person,
            forbidden_pairs: self.forbid_list.iter().map(|&p| p.clone()).collect(),
            carried_over: self.carried.clone(),
        }
    }

    /// For a mentee who ranked mentors: a note fit to send to the mentee, read after "You are
    /// matched with {mentor_name}.", and, when they did not get their first choice, the
    /// reason for the organiser. The mentee's note states only facts about their own ranking
    /// ("This is your 2nd choice: your first could not be arranged this time."): a constraint
    /// may be another person's private wish (a mentor's exclusion) or an HR fact, and who
    /// took a place is another mentee's business, so reasons, names and scores go only to the
    /// coordinator note.
    fn preference_note(
        &self,
        e: usize,
        got: usize,
        holders: &[Vec<usize>],
        floor: Option<i64>,
    ) -> Option<(String, Option<String>)> {
        let prefs = &self.mentee_pref[e];
        let &first = prefs.first()?;
        if first == got {
            return Some(("They were your first choice.".to_owned(), None));
        }
        let mentee_note = match prefs.iter().position(|&r| r == got) {
            Some(i) => {
                format!("This is your {} choice: your first could not be arranged this time.", score::ordinal(i + 1))
            }
            None => "They were not among your choices this time.".to_owned(),
        };
        Some((mentee_note, Some(self.first_choice_reason(e, first, got, holders, floor))))
    }

    /// Why mentee `e` did not get their first choice `first`, for the organiser only.
    fn first_choice_reason(
        &self,
        e: usize,
        first: usize,
        got: usize,
        holders: &[Vec<usize>],
        floor: Option<i64>,
    ) -> String {
        let name = self.name_of_mentor(first);
        if self.pinned[e].is_some() {
            return format!("Pinned by the organiser instead of first choice {name}.");
        }
        let constraints = self.constraints_between(e, first);
        if !constraints.is_empty() {
            let why: Vec<String> = constraints.iter().map(|c| c.describe(name)).collect();
            return format!("First choice {name} is ruled out: {}.", why.join("; "));
        }
        let cap = self.input.mentors[first].capacity;
        let taken = &holders[first];
        if cap == 0 {
            return format!("First choice {name} takes no mentees this time.");
        }
        let (s_first, s_got) = (self.score_of(e, first), self.score_of(e, got));
        if taken.len() as u32 >= cap {
            let who: Vec<String> = taken
                .iter()
                .map(|&h| {
                    let tag = if self.pinned[h].is_some() { ", pinned" } else { "" };
                    format!("{} ({}{tag})", self.name_of_mentee(h), score::trim_float(self.score_of(h, first)))
                })
                .collect();
            return format!(
                "First choice {name} has {} and all are taken; with this mentee in one of them \
                 ({} points) the best possible total would be lower. {name}'s places went to {}.",
                plural(cap as usize, "place", "places"),
                score::trim_float(s_first),
                who.join(", ")
            );
        }
        if let Some(f) = floor
            && score::to_centipoints(s_first) < f
        {
            return format!(
                "First choice {name} scores {}, below the fairness floor of {}.",
                score::trim_float(s_first),
                score::trim_float(f as f64 / 100.0)
            );
        }
        format!(
            "First choice {name} still had room, but {} fits better overall ({} vs {} points).",
            self.name_of_mentor(got),
            score::trim_float(s_got),
            score::trim_float(s_first)
        )
    }

    fn unmatched_reason(&self, e: usize, holders: &[Vec<usize>]) -> Unmatched {
        let mentee_id = self.input.mentees[e].profile.id.clone();
        let m = self.input.mentors.len();
        if m == 0 {
            return Unmatched {
                mentee_id,
                reason: UnmatchedReason::NoFeasibleMentor,
                explanation: "There are no mentors in this programme.".to_owned(),
            };
        }
        // Group mentors by the first constraint that rules them out.
        let mut ruled_out: Vec<(String, Vec<usize>)> = Vec::new();
        let mut no_places = Vec::new();
        let mut full = Vec::new();
        for r in 0..m {
            if let Some(c) = self.constraints_between(e, r).first() {
                let cat = c.category().to_owned();
                match ruled_out.iter_mut().find(|(k, _)| *k == cat) {
                    Some((_, list)) => list.push(r),
                    None => ruled_out.push((cat, vec![r])),
                }
            } else if self.input.mentors[r].capacity == 0 {
                no_places.push(r);
            } else {
                full.push(r);
            }
        }
        let names = |list: &[usize]| {
            let shown: Vec<&str> = list.iter().take(3).map(|&r| self.name_of_mentor(r)).collect();
            let more = list.len().saturating_sub(3);
            let mut s = shown.join(", ");
            if more > 0 {
                s.push_str(&format!(" and {more} more"));
            }
            s
        };
        if full.is_empty() {
            let mut parts: Vec<String> =
                ruled_out.iter().map(|(cat, list)| format!("{} {cat} ({})", list.len(), names(list))).collect();
            if !no_places.is_empty() {
                parts.push(format!("{} take no mentees ({})", no_places.len(), names(&no_places)));
            }
            return Unmatched {
                mentee_id,
                reason: UnmatchedReason::NoFeasibleMentor,
                explanation: format!(
                    "No mentor is possible: {}. Add a mentor outside these constraints.",
                    parts.join("; ")
                ),
            };
        }
        // Show the mentors who would have scored best, and who holds their places.
        let mut scored: Vec<(f64, usize)> = full.iter().map(|&r| (self.score_of(e, r), r)).collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let full: Vec<usize> = scored.into_iter().map(|(_, r)| r).collect();
        let shown: Vec<String> = full
            .iter()
            .take(3)
            .map(|&r| {
                let who: Vec<&str> = holders[r].iter().map(|&h| self.name_of_mentee(h)).collect();
                format!("{} (taken by {})", self.name_of_mentor(r), who.join(", "))
            })
            .collect();
        let more = full.len().saturating_sub(3);
        Unmatched {
            mentee_id,
            reason: UnmatchedReason::CapacityTaken,
            explanation: format!(
                "{} who could take them {} full: {}{}. Matching them would leave \
                 someone else without a mentor; add a place to place everyone.",
                if full.len() == 1 { "The only mentor".to_owned() } else { format!("All {} mentors", full.len()) },
                if full.len() == 1 { "is" } else { "are" },
                shown.join("; "),
                if more > 0 { format!(" and {more} more") } else { String::new() }
            ),
        }
    }

    fn moves(&self, mentor_of: &[Option<usize>]) -> Vec<Move> {
        if self.options.previous.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (e, mentee) in self.input.mentees.iter().enumerate() {
            let (before, now) = (self.previous[e], mentor_of[e]);
            if before == now {
                continue;
            }
            let id = |r: Option<usize>| r.map(|r| self.input.mentors[r].profile.id.clone());
            let why = if let Some(r) = now.filter(|_| self.pinned[e].is_some()) {
                format!("pinned by the organiser to {}", self.name_of_mentor(r))
            } else if let Some(b) = before {
                let constraints = self.constraints_between(e, b);
                let pinned_into_b =
                    self.pinned.iter().enumerate().any(|(o, p)| *p == Some(b) && self.previous[o] != Some(b));
                if let Some(c) = constraints.first() {
                    format!("the previous pair is no longer allowed: {}", c.describe(self.name_of_mentor(b)))
                } else if self.input.mentors[b].capacity == 0 {
                    format!("{} takes no mentees now", self.name_of_mentor(b))
                } else if pinned_into_b {
                    format!("a pin now uses one of {}'s places", self.name_of_mentor(b))
                } else if now.is_none() {
                    // Plainly: losing a mentor is not a swap.
                    "their mentor's places went to others so that the most mentees are matched \
                     with the best total; see the explanation"
                        .to_owned()
                } else {
                    "moved along with a change elsewhere so the total stays optimal".to_owned()
                }
            } else {
                "had no mentor in the previous proposal".to_owned()
            };
            out.push(Move { mentee_id: mentee.profile.id.clone(), from: id(before), to: id(now), why });
        }
        out
    }
}

/// Why a pair from the previous file names nobody now.
fn gone(p: &Pair) -> String {
    format!("{} or {} is no longer in the files", p.mentee, p.mentor)
}

/// The same non-empty email, in any case: one person in both files.
fn same_email(a: &Profile, b: &Profile) -> bool {
    !a.email.trim().is_empty() && a.email.trim().to_lowercase() == b.email.trim().to_lowercase()
}

fn display_name(p: &Profile) -> &str {
    if p.name.trim().is_empty() { &p.id } else { &p.name }
}

fn unique_index<'a>(ids: impl Iterator<Item = &'a str>, what: &str) -> Result<HashMap<&'a str, usize>, MatchError> {
    let mut index = HashMap::new();
    for (i, id) in ids.enumerate() {
        if id.trim().is_empty() {
            return Err(MatchError::invalid(format!("A {what} has an empty id"), "Give every row an id"));
        }
        if index.insert(id, i).is_some() {
            return Err(MatchError::invalid(
                format!("Two {what}s share the id \"{id}\""),
                "Give each person their own id",
            ));
        }
    }
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, dept: &str, level: u32) -> Profile {
        Profile {
            id: id.to_owned(),
            name: format!("Name {id}"),
            department: dept.to_owned(),
            level,
            time_zone: Some(60),
            languages: vec!["English".to_owned()],
            ..Profile::default()
        }
    }

    fn mentee(id: &str, skills: &[&str]) -> Mentee {
        Mentee {
            profile: person(id, "Finance", 1),
            skills_wanted: skills.iter().map(|s| s.to_string()).collect(),
            ..Mentee::default()
        }
    }

    fn mentor(id: &str, skills: &[&str], capacity: u32) -> Mentor {
        Mentor {
            profile: person(id, "Legal", 3),
            skills_offered: skills.iter().map(|s| s.to_string()).collect(),
            capacity,
            ..Mentor::default()
        }
    }

    fn solve(input: &MentoringInput, options: &MentoringOptions) -> MentoringOutcome {
        match_mentoring(input, options).unwrap_or_else(|e| panic!("{e}"))
    }

    fn pairs(o: &MentoringOutcome) -> Vec<(String, String)> {
        o.matches.iter().map(|m| (m.mentee_id.clone(), m.mentor_id.clone())).collect()
    }

    #[test]
    fn the_optimum_beats_the_greedy_choice() {
        // Greedy gives e1 its best (m1, budgeting+minutes) and leaves e2 with m2 (nothing).
        // The optimum gives m1 to e2, who needs it more.
        let input = MentoringInput {
            mentees: vec![mentee("e1", &["budgeting", "minutes"]), mentee("e2", &["budgeting"])],
            mentors: vec![mentor("m1", &["budgeting", "minutes"], 1), mentor("m2", &["minutes"], 1)],
            ..MentoringInput::default()
        };
        let o = solve(&input, &MentoringOptions::default());
        assert_eq!(pairs(&o), [("e1".into(), "m2".into()), ("e2".into(), "m1".into())]);
    }

    #[test]
    fn a_manager_is_never_their_reports_mentor() {
        let mut e = mentee("e1", &["budgeting"]);
        e.profile.manager_id = Some("boss".to_owned());
        let mut boss = mentor("boss", &["budgeting"], 1);
        boss.profile.manager_id = Some("m2".to_owned());
        let input = MentoringInput {
            mentees: vec![e],
            mentors: vec![boss, mentor("m2", &["budgeting"], 1), mentor("m3", &[], 1)],
            ..MentoringInput::default()
        };
        let o = solve(&input, &MentoringOptions::default());
        // Not the manager, not the manager's manager: only m3 is left.
        assert_eq!(pairs(&o), [("e1".into(), "m3".into())]);
    }

    #[test]
    fn a_mentee_with_no_possible_mentor_gets_the_constraints_as_reason() {
        let mut e = mentee("e1", &["budgeting"]);
        e.profile.manager_id = Some("m1".to_owned());
        e.profile.exclude = vec!["m2".to_owned()];
        let input = MentoringInput {
            mentees: vec![e],
            mentors: vec![mentor("m1", &[], 1), mentor("m2", &[], 1)],
            ..MentoringInput::default()
        };
        let o = solve(&input, &MentoringOptions::default());
        assert_eq!(o.unmatched.len(), 1);
        let u = &o.unmatched[0];
        assert_eq!(u.reason, UnmatchedReason::NoFeasibleMentor);
        assert!(u.explanation.contains("in their reporting line (Name m1)"), "{}", u.explanation);
        assert!(u.explanation.contains("excluded (Name m2)"), "{}", u.explanation);
    }

    #[test]
    fn a_mentee_left_out_by_capacity_is_told_who_holds_the_place() {
        let input = MentoringInput {
            mentees: vec![mentee("e1", &["a"]), mentee("e2", &["b"])],
            mentors: vec![mentor("m1", &["a"], 1)],
            ..MentoringInput::default()
        };
        let o = solve(&input, &MentoringOptions::default());
        assert_eq!(pairs(&o), [("e1".into(), "m1".into())]);
        let u = &o.unmatched[0];
        assert_eq!(u.reason, UnmatchedReason::CapacityTaken);
        assert!(u.explanation.contains("Name m1 (taken by Name e1)"), "{}", u.explanation);
    }

    #[test]
    fn nobody_is_left_unmatched_to_raise_the_total() {
        // e1 scores more with m1 than e2 could, but e2 can only take m1: both get matched.
        let mut e2 = mentee("e2", &[]);
        e2.profile.exclude = vec!["m2".to_owned()];
        let input = MentoringInput {
            mentees: vec![mentee("e1", &["a", "b"]), e2],
            mentors: vec![mentor("m1", &["a", "b"], 1), mentor("m2", &[], 1)],
            ..MentoringInput::default()
        };
        let o = solve(&input, &MentoringOptions::default());
        assert_eq!(o.matches.len(), 2);
        assert_eq!(pairs(&o), [("e1".into(), "m2".into()), ("e2".into(), "m1".into())]);
    }

    #[test]
    fn fairness_first_raises_the_lowest_score_at_some_cost_in_total() {
        // Skill points: e1–m1 30 + e2–m2 0 = 30 is the best total, with a floor of 0;
        // e1–m2 10 + e2–m1 15 = 25 totals less but lifts the floor to 10.
        let input = MentoringInput {
            mentees: vec![mentee("e1", &["a", "b", "c"]), mentee("e2", &["d", "f"])],
            mentors: vec![mentor("m1", &["a", "b", "c", "d"], 1), mentor("m2", &["a"], 1)],
            ..MentoringInput::default()
        };
        let plain = solve(&input, &MentoringOptions::default());
        let fair = solve(&input, &MentoringOptions { fairness: true, ..MentoringOptions::default() });
        assert_eq!(pairs(&plain), [("e1".into(), "m1".into()), ("e2".into(), "m2".into())]);
        assert_eq!(pairs(&fair), [("e1".into(), "m2".into()), ("e2".into(), "m1".into())]);
        assert!(fair.lowest_score > plain.lowest_score);
        assert!(fair.total_score < plain.total_score);
        assert_eq!(fair.fairness_floor, fair.lowest_score);
    }

    #[test]
    fn a_pin_is_kept_and_a_pin_across_a_reporting_line_is_refused() {
        let mut e2 = mentee("e2", &["a"]);
        e2.profile.manager_id = Some("m1".to_owned());
        let input = MentoringInput {
            mentees: vec![mentee("e1", &["a"]), e2],
            mentors: vec![mentor("m1", &["a"], 1), mentor("m2", &[], 1)],
            ..MentoringInput::default()
        };
        let pinned = MentoringOptions { pins: vec![Pair::new("e1", "m2")], ..MentoringOptions::default() };
        let o = solve(&input, &pinned);
        assert!(o.matches.iter().any(|m| m.mentee_id == "e1" && m.mentor_id == "m2" && m.pinned));
        let bad = MentoringOptions { pins: vec![Pair::new("e2", "m1")], ..MentoringOptions::default() };
        let err = match_mentoring(&input, &bad).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("is their manager"), "{err}");
    }

    fn identical_cohort() -> MentoringInput {
        MentoringInput {
            mentees: (0..3).map(|i| mentee(&format!("e{i}"), &["a"])).collect(),
            mentors: (0..3).map(|i| mentor(&format!("m{i}"), &["a"], 1)).collect(),
            ..MentoringInput::default()
        }
    }

    #[test]
    fn re_solving_against_a_previous_proposal_keeps_it_when_nothing_changed() {
        let input = identical_cohort();
        let previous = vec![Pair::new("e0", "m2"), Pair::new("e1", "m0"), Pair::new("e2", "m1")];
        let o = solve(&input, &MentoringOptions { previous: previous.clone(), ..MentoringOptions::default() });
        assert!(o.moves.is_empty(), "{:?}", o.moves);
        let got: Vec<Pair> = o.matches.iter().map(|m| Pair::new(&m.mentee_id, &m.mentor_id)).collect();
        assert_eq!(got, previous);
    }

    #[test]
    fn forbidding_a_pair_moves_as_few_mentees_as_possible_and_says_why() {
        let input = identical_cohort();
        let previous = vec![Pair::new("e0", "m2"), Pair::new("e1", "m0"), Pair::new("e2", "m1")];
        let o = solve(
            &input,
            &MentoringOptions { previous, forbids: vec![Pair::new("e0", "m2")], ..MentoringOptions::default() },
        );
        // e0 must leave m2 and someone must give up a place for it: two moves, no more.
        assert_eq!(o.moves.len(), 2, "{:?}", o.moves);
        let e0 = o.moves.iter().find(|m| m.mentee_id == "e0");
        assert!(e0.is_some_and(|m| m.why.contains("no longer allowed")), "{:?}", o.moves);
        assert!(!pairs(&o).contains(&("e0".into(), "m2".into())));
    }

    #[test]
    fn a_mentee_who_missed_their_first_choice_hears_only_that_and_the_organiser_hears_who_took_it() {
        let mut e1 = mentee("e1", &["a"]);
        e1.preferences = vec!["m1".to_owned()];
        let input = MentoringInput {
            mentees: vec![e1, mentee("e2", &["a", "b", "c"])],
            mentors: vec![mentor("m1", &["a", "b", "c"], 1), mentor("m2", &["a"], 1)],
            ..MentoringInput::default()
        };
        let o = solve(&input, &MentoringOptions::default());
        let e1 = o.matches.iter().find(|m| m.mentee_id == "e1");
        let note = e1.and_then(|m| m.preference_note.clone()).unwrap_or_default();
        assert_eq!(note, "They were not among your choices this time.");
        let detail = e1.and_then(|m| m.coordinator_note.clone()).unwrap_or_default();
        assert!(detail.starts_with("First choice Name m1 has 1 place and all are taken"), "{detail}");
        assert!(detail.ends_with("Name m1's places went to Name e2 (70)."), "{detail}");
    }

    #[test]
    fn a_mentors_exclusion_never_reaches_the_mentee_only_the_coordinator() {
        let mut e1 = mentee("e1", &["a"]);
        e1.preferences = vec!["m1".to_owned(), "m2".to_owned()];
        let mut m1 = mentor("m1", &["a"], 1);
        m1.profile.exclude = vec!["e1".to_owned()];
        let mut m3 = mentor("m3", &["a"], 1);
        m3.profile.name = "Søren Kierkegaard".to_owned();
        let mut e2 = mentee("e2", &["a"]);
        e2.preferences = vec!["m3".to_owned()];
        e2.profile.manager_id = Some("m3".to_owned());
        let input = MentoringInput {
            mentees: vec![e1, e2],
            mentors: vec![m1, mentor("m2", &["a"], 1), m3],
            ..MentoringInput::default()
        };
        let o = solve(&input, &MentoringOptions::default());
        let find = |id: &str| o.matches.iter().find(|m| m.mentee_id == id).cloned();
        let e1 = find("e1");
        assert_eq!(
            e1.as_ref().and_then(|m| m.preference_note.as_deref()),
            Some("This is your 2nd choice: your first could not be arranged this time.")
        );
        let detail = e1.and_then(|m| m.coordinator_note).unwrap_or_default();
        assert_eq!(detail, "First choice Name m1 is ruled out: Name m1 asked not to be matched with them.");
        let e2_note = find("e2").and_then(|m| m.preference_note).unwrap_or_default();
        assert!(!e2_note.contains("Søren") && !e2_note.contains("manager"), "{e2_note}");
    }

    #[test]
    fn a_mentee_who_got_their_first_choice_is_told_so_plainly() {
        let mut e1 = mentee("e1", &["a"]);
        e1.preferences = vec!["m1".to_owned(), "m2".to_owned()];
        let input = MentoringInput {
            mentees: vec![e1],
            mentors: vec![mentor("m1", &["a"], 1), mentor("m2", &[], 1)],
            ..MentoringInput::default()
        };
        let o = solve(&input, &MentoringOptions::default());
        assert_eq!(o.matches[0].preference_note.as_deref(), Some("They were your first choice."));
        assert_eq!(o.matches[0].coordinator_note, None);
    }

    #[test]
    fn pins_and_forbids_of_the_previous_proposal_carry_over_and_this_runs_overrides_win() {
        let input = identical_cohort();
        let previous = vec![Pair::new("e0", "m2"), Pair::new("e1", "m0"), Pair::new("e2", "m1")];
        // e0 was pinned to m2, and e1:m1 was forbidden: both hold again without being repeated.
        let options = MentoringOptions {
            previous: previous.clone(),
            previous_pins: vec![Pair::new("e0", "m2")],
            previous_forbids: vec![Pair::new("e1", "m1")],
            ..MentoringOptions::default()
        };
        let o = solve(&input, &options);
        assert!(o.matches.iter().any(|m| m.mentee_id == "e0" && m.mentor_id == "m2" && m.pinned));
        assert_eq!(o.forbidden_pairs, [Pair::new("e1", "m1")]);
        let summary = o.summary();
        assert!(summary.contains("\nKept 1 pin from the previous file (e0:m2)."), "{summary}");
        assert!(summary.contains("\nKept 1 forbidden pair from the previous file (e1:m1)."), "{summary}");
        let report = explain_pair(&input, &options, "e1", "m1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.constraints, [Constraint::ForbiddenByOrganiser]);

        // A --forbid on the pinned pair wins and says so; a --pin on the forbidden pair lifts it.
        let options =
            MentoringOptions { forbids: vec![Pair::new("e0", "m2")], pins: vec![Pair::new("e1", "m1")], ..options };
        let o = solve(&input, &options);
        assert!(!pairs(&o).contains(&("e0".into(), "m2".into())));
        assert!(pairs(&o).contains(&("e1".into(), "m1".into())));
        assert_eq!(o.forbidden_pairs, [Pair::new("e0", "m2")]);
        let summary = o.summary();
        assert!(summary.contains("--forbid e0:m2 wins over the pin on that pair from the previous file."), "{summary}");
        assert!(summary.contains("--pin e1:m1 lifts the forbid on that pair from the previous file."), "{summary}");
        assert!(!summary.contains("Kept"), "{summary}");
    }

    #[test]
    fn a_previous_pin_that_no_longer_fits_is_dropped_with_the_reason() {
        let input = MentoringInput { past_pairs: vec![Pair::new("e0", "m2")], ..identical_cohort() };
        let options = MentoringOptions {
            previous: vec![Pair::new("e0", "m2")],
            previous_pins: vec![Pair::new("e0", "m2"), Pair::new("gone", "m1")],
            ..MentoringOptions::default()
        };
        let o = solve(&input, &options);
        assert_eq!(o.matches.len(), 3);
        let summary = o.summary();
        assert!(
            summary.contains("Dropped the pin e0:m2 from the previous file: Name m2 was their mentor before."),
            "{summary}"
        );
        assert!(
            summary.contains("Dropped the pin gone:m1 from the previous file: gone or m1 is no longer"),
            "{summary}"
        );
    }

    #[test]
    fn a_person_in_both_files_is_never_their_own_mentor_and_the_summary_says_so() {
        // e1 and m1 are one person under two ids; m1 is otherwise the best fit for e1.
        let mut e1 = mentee("e1", &["a", "b"]);
        e1.profile.email = "Ana@Example.org".to_owned();
        let mut m1 = mentor("m1", &["a", "b"], 1);
        m1.profile.email = "ana@example.org ".to_owned();
        let input =
            MentoringInput { mentees: vec![e1], mentors: vec![m1, mentor("m2", &[], 1)], ..MentoringInput::default() };
        let o = solve(&input, &MentoringOptions::default());
        assert_eq!(pairs(&o), [("e1".into(), "m2".into())]);
        assert_eq!(o.same_person, [("e1".to_owned(), "m1".to_owned())]);
        assert!(
            o.summary().contains("Mentee e1 and mentor m1 are the same person (same id or email in both files)"),
            "{}",
            o.summary()
        );
        let report = explain_pair(&input, &MentoringOptions::default(), "e1", "m1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.constraints, [Constraint::SamePerson]);
    }

    #[test]
    fn a_previously_matched_mentee_left_unmatched_is_said_plainly() {
        // One place; the newcomer e1 fits it far better than e0, who had it before.
        let input = MentoringInput {
            mentees: vec![mentee("e0", &[]), mentee("e1", &["a", "b", "c"])],
            mentors: vec![mentor("m0", &["a", "b", "c"], 1)],
            ..MentoringInput::default()
        };
        let options = MentoringOptions { previous: vec![Pair::new("e0", "m0")], ..MentoringOptions::default() };
        let o = solve(&input, &options);
        assert_eq!(pairs(&o), [("e1".into(), "m0".into())]);
        let e0 = o.moves.iter().find(|m| m.mentee_id == "e0").map(Move::describe).unwrap_or_default();
        assert!(e0.starts_with("now unmatched (had m0): "), "{e0}");
        assert!(!e0.contains("moved along"), "{e0}");
        let summary = o.summary();
        assert!(
            summary.contains("2 mentees changed mentor against the previous proposal, of whom 1 now unmatched"),
            "{summary}"
        );
    }

    #[test]
    fn the_summary_counts_what_the_certificate_covers_and_speaks_in_the_singular() {
        // Two mentees for one mentor: one matched, one unmatched, both assigned by the solver.
        let input = MentoringInput {
            mentees: vec![mentee("e0", &["a"]), mentee("e1", &[])],
            mentors: vec![mentor("m0", &["a"], 1)],
            ..MentoringInput::default()
        };
        let o = solve(&input, &MentoringOptions::default());
        assert!(
            o.summary().ends_with(
                "Optimality certificate verified for the solver's assignment of 2 mentees not pinned \
                 (1 matched, 1 unmatched)."
            ),
            "{}",
            o.summary()
        );
        let why = &o.unmatched[0].explanation;
        assert!(why.starts_with("The only mentor who could take them is full: Name m0 (taken by Name e0)"), "{why}");
    }

    #[test]
    fn every_match_explains_its_score_component_by_component() {
        let input = MentoringInput {
            mentees: vec![mentee("e1", &["budgeting", "minutes"])],
            mentors: vec![mentor("m1", &["Budgeting"], 1)],
            ..MentoringInput::default()
        };
        let o = solve(&input, &MentoringOptions::default());
        let m = &o.matches[0];
        assert_eq!(m.components.len(), 7);
        let sum: f64 = m.components.iter().map(|c| c.points).sum();
        assert!((sum - m.score).abs() < 0.01);
        assert!(m.explanation.contains("1 of 2 wanted skills: budgeting"), "{}", m.explanation);
        assert!(m.explanation.contains("Finance and Legal"), "{}", m.explanation);
    }

    #[test]
    fn the_solved_problem_carries_a_certificate_the_checker_accepts() {
        let input = MentoringInput {
            mentees: (0..6).map(|i| mentee(&format!("e{i}"), &["a", "b"][..i % 2 + 1])).collect(),
            mentors: vec![mentor("m0", &["a"], 2), mentor("m1", &["b"], 2)],
            ..MentoringInput::default()
        };
        let options = MentoringOptions::default();
        let problem = build_problem(&input, &options).unwrap_or_else(|e| panic!("{e}"));
        let s = capacitated::solve_capacitated(problem.costs()).unwrap_or_else(|e| panic!("{e}"));
        let checked = capacitated::verify_capacitated_certificate(problem.costs(), &s.row_to_group, &s.duals);
        assert_eq!(checked, Ok(s.total));
    }

    #[test]
    fn a_preference_naming_a_stranger_is_refused() {
        let mut e = mentee("e1", &[]);
        e.preferences = vec!["nobody".to_owned()];
        let input =
            MentoringInput { mentees: vec![e], mentors: vec![mentor("m1", &[], 1)], ..MentoringInput::default() };
        assert!(matches!(match_mentoring(&input, &MentoringOptions::default()), Err(MatchError::Invalid { .. })));
    }

    #[test]
    fn a_pair_parses_from_the_command_line_form() {
        assert_eq!("e07:m02".parse::<Pair>(), Ok(Pair::new("e07", "m02")));
        assert!("e07".parse::<Pair>().is_err());
    }
}
