//! Property tests on small random instances, checked against brute force and against
//! independent re-implementations of the hard constraints.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use roundtable_matching::circles::{self, CirclePerson};
use roundtable_matching::coffee::{self, CoffeeMember, PastGroup};
use roundtable_matching::mentoring::{self, Mentee, Mentor, MentoringInput, MentoringOptions, Pair, Profile};
use roundtable_matching::weights::{CircleSettings, CoffeeWeights};

const CASES: u32 = 96;

// ---------------------------------------------------------------- mentoring

fn tags(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence(pool, 0..=pool.len()).prop_map(|v| v.into_iter().map(str::to_owned).collect())
}

const SKILLS: &[&str] = &["budget", "minutes", "travel", "events", "excel"];
const GOALS: &[&str] = &["lead", "network", "promote"];
const DEPTS: &[&str] = &["Finance", "Legal", "HR"];

fn profile(id: String, manager: Option<usize>, exclude: Vec<String>) -> impl Strategy<Value = Profile> {
    (0u32..6, prop_oneof![Just(None), (-2i32..3).prop_map(|h| Some(h * 60))], 0usize..3, proptest::bool::ANY).prop_map(
        move |(level, tz, dept, french)| Profile {
            id: id.clone(),
            name: id.clone(),
            department: DEPTS[dept].to_owned(),
            level,
            time_zone: tz,
            languages: if french { vec!["French".to_owned()] } else { vec!["English".to_owned()] },
            manager_id: manager.map(|m| format!("p{m}")),
            exclude: exclude.clone(),
            ..Profile::default()
        },
    )
}

/// Up to 5 mentees and 3 mentors; people are p0..p7 so managers can point across roles.
fn cohort() -> impl Strategy<Value = (MentoringInput, MentoringOptions)> {
    (1usize..=5, 1usize..=3).prop_flat_map(|(n, m)| {
        let people = n + m;
        let manager = proptest::option::weighted(0.4, 0..people);
        let mentees = (0..n)
            .map(|i| {
                (
                    manager.clone(),
                    proptest::option::weighted(0.2, 0..m),
                    tags(SKILLS),
                    tags(GOALS),
                    proptest::collection::vec(0..m, 0..3),
                )
                    .prop_flat_map(move |(mgr, ex, skills, goals, prefs)| {
                        let exclude = ex.map(|r| vec![format!("p{}", n + r)]).unwrap_or_default();
                        profile(format!("p{i}"), mgr.filter(|&x| x != i), exclude).prop_map(move |profile| {
                            let mut preferences: Vec<String> = Vec::new();
                            for r in &prefs {
                                let id = format!("p{}", n + r);
                                if !preferences.contains(&id) {
                                    preferences.push(id);
                                }
                            }
                            Mentee { profile, skills_wanted: skills.clone(), goals: goals.clone(), preferences }
                        })
                    })
                    .boxed()
            })
            .collect::<Vec<_>>();
        let mentors = (0..m)
            .map(|j| {
                (manager.clone(), tags(SKILLS), tags(GOALS), 0u32..3)
                    .prop_flat_map(move |(mgr, skills, goals, capacity)| {
                        let id = n + j;
                        profile(format!("p{id}"), mgr.filter(|&x| x != id), Vec::new()).prop_map(move |profile| {
                            Mentor {
                                profile,
                                skills_offered: skills.clone(),
                                goals: goals.clone(),
                                capacity,
                                preferences: Vec::new(),
                            }
                        })
                    })
                    .boxed()
            })
            .collect::<Vec<_>>();
        let past = proptest::option::weighted(0.3, (0..n, 0..m));
        let forbid = proptest::option::weighted(0.3, (0..n, 0..m));
        (mentees, mentors, past, forbid, proptest::bool::ANY).prop_map(
            move |(mentees, mentors, past, forbid, fairness)| {
                let pair = |(e, r): (usize, usize)| Pair::new(format!("p{e}"), format!("p{}", n + r));
                let input = MentoringInput {
                    mentees,
                    mentors,
                    org_chart: Vec::new(),
                    past_pairs: past.map(pair).into_iter().collect(),
                };
                let options = MentoringOptions {
                    fairness,
                    forbids: forbid.map(pair).into_iter().collect(),
                    ..MentoringOptions::default()
                };
                (input, options)
            },
        )
    })
}

/// The hard constraints, re-derived from the raw input without the crate's code.
fn allowed(input: &MentoringInput, options: &MentoringOptions, e: &Mentee, r: &Mentor) -> bool {
    let managers: HashMap<&str, &str> = input
        .mentees
        .iter()
        .map(|x| &x.profile)
        .chain(input.mentors.iter().map(|x| &x.profile))
        .filter_map(|p| Some((p.id.as_str(), p.manager_id.as_deref()?)))
        .collect();
    let above = |low: &str, high: &str| {
        let mut cur = low;
        for _ in 0..10 {
            match managers.get(cur) {
                Some(&m) if m == high => return true,
                Some(&m) => cur = m,
                None => return false,
            }
        }
        false
    };
    let (ei, ri) = (e.profile.id.as_str(), r.profile.id.as_str());
    let pair = Pair::new(ei, ri);
    ei != ri
        && !above(ei, ri)
        && !above(ri, ei)
        && !input.past_pairs.contains(&pair)
        && !options.forbids.contains(&pair)
        && !e.profile.exclude.iter().any(|x| x == ri)
        && !r.profile.exclude.iter().any(|x| x == ei)
}

/// Best (matched count, lowest score if fairness, total) over every assignment, in
/// centipoints.
fn brute_force(input: &MentoringInput, options: &MentoringOptions) -> (usize, i64, i64) {
    let n = input.mentees.len();
    let m = input.mentors.len();
    let mut score = vec![vec![None; m]; n];
    for (i, e) in input.mentees.iter().enumerate() {
        for (j, r) in input.mentors.iter().enumerate() {
            if allowed(input, options, e, r) {
                let report = mentoring::explain_pair(input, options, &e.profile.id, &r.profile.id)
                    .unwrap_or_else(|err| panic!("{err}"));
                score[i][j] = Some((report.score * 100.0).round() as i64);
            }
        }
    }
    fn go(
        i: usize,
        score: &[Vec<Option<i64>>],
        caps: &mut [u32],
        acc: (usize, i64, i64),
        fairness: bool,
        best: &mut (usize, i64, i64),
    ) {
        if i == score.len() {
            let key = |x: &(usize, i64, i64)| (x.0, if fairness { x.1 } else { 0 }, x.2);
            if key(&acc) > key(best) {
                *best = acc;
            }
            return;
        }
        go(i + 1, score, caps, acc, fairness, best);
        for j in 0..caps.len() {
            if let Some(s) = score[i][j]
                && caps[j] > 0
            {
                caps[j] -= 1;
                go(i + 1, score, caps, (acc.0 + 1, acc.1.min(s), acc.2 + s), fairness, best);
                caps[j] += 1;
            }
        }
    }
    let mut caps: Vec<u32> = input.mentors.iter().map(|r| r.capacity).collect();
    let mut best = (0, i64::MIN, i64::MIN);
    go(0, &score, &mut caps, (0, i64::MAX, 0), options.fairness, &mut best);
    best
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn mentoring_equals_the_brute_force_optimum_and_breaks_no_constraint(
        (input, options) in cohort()
    ) {
        let o = mentoring::match_mentoring(&input, &options).unwrap_or_else(|e| panic!("{e}"));
        let (count, lowest, total) = brute_force(&input, &options);
        prop_assert_eq!(o.matches.len(), count);
        if count > 0 {
            let got_total: i64 = o.matches.iter().map(|m| (m.score * 100.0).round() as i64).sum();
            prop_assert_eq!(got_total, total);
            if options.fairness {
                prop_assert_eq!(o.lowest_score.map(|s| (s * 100.0).round() as i64), Some(lowest));
            }
        }
        let mut load: HashMap<&str, u32> = HashMap::new();
        for m in &o.matches {
            let e = input.mentees.iter().find(|e| e.profile.id == m.mentee_id);
            let r = input.mentors.iter().find(|r| r.profile.id == m.mentor_id);
            let (Some(e), Some(r)) = (e, r) else {
                return Err(TestCaseError::fail("unknown id in a match"));
            };
            prop_assert!(allowed(&input, &options, e, r), "{} → {} breaks a constraint", m.mentee_id, m.mentor_id);
            *load.entry(r.profile.id.as_str()).or_default() += 1;
        }
        for r in &input.mentors {
            prop_assert!(load.get(r.profile.id.as_str()).copied().unwrap_or(0) <= r.capacity);
        }
        prop_assert_eq!(o.matches.len() + o.unmatched.len(), input.mentees.len());
    }
}

// ---------------------------------------------------------------- coffee

fn members(n: usize, depts: &[usize]) -> Vec<CoffeeMember> {
    (0..n)
        .map(|i| CoffeeMember {
            id: format!("c{i}"),
            name: format!("Member {i}"),
            department: DEPTS[depts[i] % 3].to_owned(),
            location: if i % 2 == 0 { "Paris" } else { "London" }.to_owned(),
            opted_in: true,
            ..CoffeeMember::default()
        })
        .collect()
}

/// Fewest repeated pairs over every split into pairs (plus exactly one trio when odd).
fn fewest_repeats(n: usize, recent: &HashSet<(usize, usize)>) -> usize {
    let met = |a: usize, b: usize| usize::from(recent.contains(&(a.min(b), a.max(b))));
    // `None` when `left` cannot be split (an odd count with the trio already used).
    fn go(left: &[usize], trio: bool, met: &dyn Fn(usize, usize) -> usize) -> Option<usize> {
        let Some((&a, rest)) = left.split_first() else {
            return Some(0);
        };
        let mut best: Option<usize> = None;
        let mut keep = |x: Option<usize>| {
            if let Some(x) = x {
                best = Some(best.map_or(x, |b| b.min(x)));
            }
        };
        for (k, &b) in rest.iter().enumerate() {
            let mut others = rest.to_vec();
            others.remove(k);
            if others.len() % 2 == 0 || trio {
                keep(go(&others, trio, met).map(|s| s + met(a, b)));
            }
            if trio {
                for (l, &c) in others.iter().enumerate() {
                    let mut rest3 = others.clone();
                    rest3.remove(l);
                    if rest3.len() % 2 == 0 {
                        keep(go(&rest3, false, met).map(|s| s + met(a, b) + met(a, c) + met(b, c)));
                    }
                }
            }
        }
        best
    }
    let all: Vec<usize> = (0..n).collect();
    go(&all, n % 2 == 1, &met).unwrap_or(0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn coffee_never_repeats_a_recent_pair_while_that_is_avoidable(
        n in 2usize..=9,
        depts in proptest::collection::vec(0usize..3, 9),
        met in proptest::collection::vec((0usize..9, 0usize..9), 0..24),
        seed in 0u64..1000,
    ) {
        let people = members(n, &depts);
        let recent: HashSet<(usize, usize)> = met
            .iter()
            .filter(|(a, b)| a != b && *a < n && *b < n)
            .map(|&(a, b)| (a.min(b), a.max(b)))
            .collect();
        let history: Vec<PastGroup> = recent
            .iter()
            .map(|&(a, b)| PastGroup { round: 1, members: vec![format!("c{a}"), format!("c{b}")] })
            .collect();
        let round = coffee::pair_round(&people, &history, &CoffeeWeights::default(), 2, seed)
            .unwrap_or_else(|e| panic!("{e}"));
        let best = fewest_repeats(n, &recent);
        if best == 0 || n % 2 == 0 {
            prop_assert_eq!(round.report.repeats, best);
        }
        // Everyone is in exactly one group, at most one trio, and the report adds up.
        let mut seen: Vec<usize> = round.groups.iter().flat_map(|g| g.members.clone()).collect();
        seen.sort_unstable();
        prop_assert_eq!(seen, (0..n).collect::<Vec<_>>());
        prop_assert_eq!(round.report.trios, n % 2);
        prop_assert!(round.groups.iter().all(|g| g.members.len() == 2 || g.members.len() == 3));
    }

    #[test]
    fn coffee_rounds_are_determined_by_the_seed(n in 2usize..40, seed in 0u64..1000) {
        let people = members(n, &(0..n).collect::<Vec<_>>());
        let w = CoffeeWeights::default();
        let a = coffee::pair_round(&people, &[], &w, 1, seed).unwrap_or_else(|e| panic!("{e}"));
        let b = coffee::pair_round(&people, &[], &w, 1, seed).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(a, b);
    }
}

// ---------------------------------------------------------------- circles

fn circle_people() -> impl Strategy<Value = Vec<CirclePerson>> {
    (6usize..40).prop_flat_map(|n| {
        proptest::collection::vec(
            (
                proptest::option::weighted(0.7, 0usize..40),
                0u32..4,
                0usize..3,
                0u32..25,
                proptest::sample::subsequence(&["atlas", "beacon", "comet"][..], 0..=2),
                proptest::option::weighted(0.15, 0usize..40),
                proptest::bool::ANY,
            ),
            n,
        )
        .prop_map(move |rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (mgr, level, f, years, projects, supports, willing))| CirclePerson {
                    id: format!("p{i}"),
                    name: format!("Person {i}"),
                    level,
                    function: DEPTS[f].to_owned(),
                    years_experience: years,
                    projects: projects.into_iter().map(str::to_owned).collect(),
                    // Managers have smaller ids: a forest, like a real org chart.
                    manager_id: mgr.filter(|_| i > 0).map(|m| format!("p{}", m % i)),
                    supports: supports.map(|s| format!("p{}", s % n)).into_iter().collect(),
                    willing_to_facilitate: willing,
                    ..CirclePerson::default()
                })
                .collect()
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn circles_have_legal_sizes_and_no_status_conflict(people in circle_people()) {
        let settings = CircleSettings { min_size: 3, max_size: 5 };
        let outcome = circles::form_circles(&people, &[], &settings).unwrap_or_else(|e| panic!("{e}"));
        let groups: Vec<Vec<usize>> = outcome.circles.iter().map(|c| c.members.clone()).collect();
        let violations = circles::validate_circles(&people, &[], &groups, &settings);
        prop_assert!(violations.is_empty(), "{:?}", violations);
        let placed: usize = groups.iter().map(Vec::len).sum();
        prop_assert_eq!(placed + outcome.unplaced.len(), people.len());
        for c in &outcome.circles {
            if let Some(f) = c.facilitator {
                prop_assert!(c.members.contains(&f) && people[f].willing_to_facilitate);
            }
        }
    }
}
