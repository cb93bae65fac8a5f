//! The sample files under `examples/matching/` go through the whole pipeline: parse, match,
//! write. If these break, the README's commands break.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use roundtable_matching::circles;
use roundtable_matching::coffee;
use roundtable_matching::csv_input;
use roundtable_matching::csv_output;
use roundtable_matching::mentoring::{self, MentoringInput, MentoringOptions};
use roundtable_matching::weights::Settings;

const MENTEES: &str = include_str!("../../../examples/matching/mentees.csv");
const MENTORS: &str = include_str!("../../../examples/matching/mentors.csv");
const ORG: &str = include_str!("../../../examples/matching/org.csv");
const PAST: &str = include_str!("../../../examples/matching/past_pairs.csv");
const WEIGHTS: &str = include_str!("../../../examples/matching/weights.toml");
const MEMBERS: &str = include_str!("../../../examples/matching/coffee_members.csv");
const HISTORY: &str = include_str!("../../../examples/matching/coffee_history.csv");
const PEOPLE: &str = include_str!("../../../examples/matching/circle_people.csv");

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_sample_weights_file_spells_out_the_defaults() {
    assert_eq!(ok(Settings::from_toml(WEIGHTS, "weights.toml")), Settings::default());
}

#[test]
fn the_sample_mentoring_files_match_and_write_a_full_report() {
    let org_chart = ok(csv_input::parse_org_chart(ORG.as_bytes(), "org.csv"));
    let mut warnings = Vec::new();
    let (mentees, mentors) = ok(csv_input::read_mentoring(
        MENTEES.as_bytes(),
        "mentees.csv",
        MENTORS.as_bytes(),
        "mentors.csv",
        &org_chart,
        &mut warnings,
    ));
    assert_eq!(warnings, Vec::<String>::new());
    let input = MentoringInput {
        mentees,
        mentors,
        org_chart,
        past_pairs: ok(csv_input::parse_pairs(PAST.as_bytes(), "past_pairs.csv")),
    };
    let settings = ok(Settings::from_toml(WEIGHTS, "weights.toml"));
    for fairness in [false, true] {
        let options = MentoringOptions { weights: settings.mentoring.clone(), fairness, ..MentoringOptions::default() };
        let outcome = ok(mentoring::match_mentoring(&input, &options));
        assert_eq!(outcome.matches.len() + outcome.unmatched.len(), input.mentees.len());
        assert!(outcome.matches.iter().all(|m| !(m.mentee_id == "e03" && m.mentor_id == "m02")));
        let mut out = Vec::new();
        ok(csv_output::write_mentoring(&outcome, &input, b',', &mut out));
        let text = String::from_utf8(out).unwrap_or_default();
        assert!(text.starts_with(
            "\u{feff}status,mentee_id,mentee_name,mentee_email,mentor_id,mentor_name,mentor_email,score,skills,"
        ));
        assert_eq!(text.lines().count(), input.mentees.len() + 1);

        // The output reads back as a previous proposal; re-solving then moves nobody.
        let previous = ok(csv_input::parse_previous(text.as_bytes(), "matches.csv"));
        let again = ok(mentoring::match_mentoring(
            &input,
            &MentoringOptions { previous: previous.pairs, previous_pins: previous.pins, ..options.clone() },
        ));
        assert!(again.moves.is_empty(), "{:?}", again.moves);
        assert_eq!(again.total_score, outcome.total_score);
    }
}

#[test]
fn the_sample_coffee_round_avoids_the_history_and_reads_back_as_history() {
    let mut warnings = Vec::new();
    let members = ok(csv_input::parse_coffee_members(MEMBERS.as_bytes(), "coffee_members.csv", &mut warnings));
    assert_eq!(warnings, Vec::<String>::new());
    let history = ok(csv_input::parse_coffee_history(
        HISTORY.as_bytes(),
        "coffee_history.csv",
        &members,
        "coffee_members.csv",
        &mut warnings,
    ));
    assert_eq!(warnings, Vec::<String>::new());
    let settings = Settings::default();
    let round = coffee::next_round_number(&history);
    assert_eq!(round, 3);
    let r = ok(coffee::pair_round(&members, &history, &settings.coffee, round, 42));
    assert_eq!(r.report.repeats, 0);
    let mut out = Vec::new();
    ok(csv_output::write_coffee(std::slice::from_ref(&r), &members, b',', &mut out));
    let back = ok(csv_input::parse_coffee_history(out.as_slice(), "round3.csv", &members, "m.csv", &mut warnings));
    assert_eq!(warnings, Vec::<String>::new());
    let ids = |g: &[usize]| g.iter().map(|&i| members[i].id.clone()).collect::<Vec<_>>();
    let written: Vec<Vec<String>> = r.groups.iter().map(|g| ids(&g.members)).collect();
    assert_eq!(back.iter().map(|g| g.members.clone()).collect::<Vec<_>>(), written);
}

#[test]
fn the_sample_circles_hold_no_status_conflict() {
    // The executives above the assistants, as for mentoring; without them each of x01–x04
    // draws a warning, since the boss's-boss rule cannot see past them.
    let org_chart = ok(csv_input::parse_org_chart(ORG.as_bytes(), "org.csv"));
    let mut warnings = Vec::new();
    let people = ok(csv_input::parse_circle_people(PEOPLE.as_bytes(), "circle_people.csv", &[], &mut warnings));
    assert_eq!(warnings.len(), 4, "{warnings:?}");
    let mut warnings = Vec::new();
    let people_again =
        ok(csv_input::parse_circle_people(PEOPLE.as_bytes(), "circle_people.csv", &org_chart, &mut warnings));
    assert_eq!(warnings, Vec::<String>::new());
    assert_eq!(people, people_again);
    let settings = Settings::default();
    let outcome = ok(circles::form_circles(&people, &org_chart, &settings.circles));
    let groups: Vec<Vec<usize>> = outcome.circles.iter().map(|c| c.members.clone()).collect();
    assert!(circles::validate_circles(&people, &org_chart, &groups, &settings.circles).is_empty());
    let mut out = Vec::new();
    ok(csv_output::write_circles(&outcome, &people, b',', &mut out));
    let text = String::from_utf8(out).unwrap_or_default();
    assert!(text.starts_with("\u{feff}circle,size,member_id,name,email,other_members,other_names,other_emails,"));
    // One row per person, placed or not, after the header.
    assert_eq!(text.lines().count(), people.len() + 1);
}
