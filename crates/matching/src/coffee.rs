//! Coffee-chat rounds: pair the members who opted in, never repeating a recent pair while
//! that can be avoided, favouring other departments, locations and close time zones.
//!
//! This module owns [`CoffeeMember`], [`PastGroup`], [`pair_round`] and the per-round
//! [`RoundReport`]. The algorithm is a seeded greedy pass (each member takes the best of a
//! few random candidates), then Edmonds' blossom augmentation from `general_matching.rs` so
//! the number of non-repeating pairs is maximum, then an odd member joins a pair as a trio.
//! Everything is decided by the seed: the same inputs and seed give the same round.

use std::collections::HashMap;

use crate::error::MatchError;
use crate::general_matching::{self, Blossom, NONE};
use crate::plural;
use crate::rng::SplitMix64;
use crate::time_zone::{self, OffsetMinutes};
use crate::weights::CoffeeWeights;

/// A network member as coffee rounds see them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CoffeeMember {
    pub id: String,
    pub name: String,
    pub email: String,
    pub department: String,
    pub location: String,
    pub time_zone: Option<OffsetMinutes>,
    /// Takes part in coffee chats at all.
    pub opted_in: bool,
    /// Sits this round out (holiday, busy week).
    pub skip: bool,
}

/// A group that met in an earlier round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PastGroup {
    pub round: u32,
    pub members: Vec<String>,
}

/// One pair or trio of a round.
#[derive(Clone, Debug, PartialEq)]
pub struct CoffeeGroup {
    /// Indices into the `members` slice given to [`pair_round`].
    pub members: Vec<usize>,
    /// Pairs inside the group that already met in the avoided rounds.
    pub repeated_pairs: usize,
    /// Pairs inside the group from different departments.
    pub cross_department_pairs: usize,
}

/// Figures for one round.
#[derive(Clone, Debug, PartialEq)]
pub struct RoundReport {
    pub participants: usize,
    /// Opted-in members sitting this round out.
    pub skipped: usize,
    pub pairs: usize,
    pub trios: usize,
    /// Share of meetings (pairs inside groups) that cross departments, in `[0, 1]`.
    pub cross_department_share: f64,
    /// Share of meetings between different locations.
    pub cross_location_share: f64,
    /// Meetings that repeat a recent pair; 0 whenever a repeat-free round exists (see
    /// [`pair_round`] for the one exception).
    pub repeats: usize,
}

impl RoundReport {
    /// One line for the person running the command.
    pub fn summary(&self, round: u32) -> String {
        format!(
            "Round {round}: {} taking part ({} skipping), {}, {}, {:.0}% of meetings across \
             departments, {}.",
            self.participants,
            self.skipped,
            plural(self.pairs, "pair", "pairs"),
            plural(self.trios, "trio", "trios"),
            self.cross_department_share * 100.0,
            plural(self.repeats, "repeat", "repeats")
        )
    }
}

/// A round's groups and report.
#[derive(Clone, Debug, PartialEq)]
pub struct CoffeeRound {
    pub round: u32,
    pub groups: Vec<CoffeeGroup>,
    /// A lone participant when exactly one person takes part.
    pub alone: Option<usize>,
    pub report: RoundReport,
}

/// The round after the latest one in `history` (1 for an empty history).
pub fn next_round_number(history: &[PastGroup]) -> u32 {
    history.iter().map(|g| g.round).max().map_or(1, |r| r + 1)
}

/// Candidates examined per member in the greedy pass. A few dozen random candidates almost
/// always include someone from another department and location; examining all would be
/// quadratic.
const SAMPLES: usize = 24;

/// Up to this many participants, an odd round whose trio would repeat a pair is searched
/// exhaustively for a repeat-free arrangement.
const EXACT_TRIO_LIMIT: usize = 40;

/// Pairs the opted-in, non-skipping `members` for round `round`.
///
/// Guarantees: no meeting repeats a pair from rounds `round − avoid_rounds .. round − 1`
/// whenever the participants can be split into such groups — exactly for an even number of
/// participants (maximum matching), and for an odd number whenever a repeat-free trio fits
/// with a repeat-free pairing of the rest (searched exhaustively up to 40 participants,
/// greedily beyond, where such a trio practically always exists). Deterministic in `seed`.
pub fn pair_round(
    members: &[CoffeeMember],
    history: &[PastGroup],
    weights: &CoffeeWeights,
    round: u32,
    seed: u64,
) -> Result<CoffeeRound, MatchError> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, m) in members.iter().enumerate() {
        if index.insert(m.id.as_str(), i).is_some() {
            return Err(MatchError::invalid(
                format!("Two members share the id \"{}\"", m.id),
                "Give each member their own id",
            ));
        }
    }
    let people: Vec<usize> = (0..members.len()).filter(|&i| members[i].opted_in && !members[i].skip).collect();
    let skipped = members.iter().filter(|m| m.opted_in && m.skip).count();
    let p = people.len();
    let mut local = vec![NONE; members.len()];
    for (k, &i) in people.iter().enumerate() {
        local[i] = k;
    }

    // Recent partners per participant, sorted for binary search.
    let oldest = round.saturating_sub(weights.avoid_rounds);
    let mut recent: Vec<Vec<u32>> = vec![Vec::new(); p];
    for g in history.iter().filter(|g| g.round >= oldest && g.round < round) {
        let ids: Vec<usize> = g
            .members
            .iter()
            .filter_map(|id| index.get(id.as_str()).map(|&i| local[i]))
            .filter(|&k| k != NONE)
            .collect();
        for &a in &ids {
            for &b in &ids {
                if a != b {
                    recent[a].push(b as u32);
                }
            }
        }
    }
    for list in &mut recent {
        list.sort_unstable();
        list.dedup();
    }
    let allowed = |a: usize, b: usize| a != b && recent[a].binary_search(&(b as u32)).is_err();
    let departments = intern(people.iter().map(|&i| members[i].department.as_str()));
    let locations = intern(people.iter().map(|&i| members[i].location.as_str()));
    let zones: Vec<Option<OffsetMinutes>> = people.iter().map(|&i| members[i].time_zone).collect();
    let score = |a: usize, b: usize| -> f64 {
        let mut s = 0.0;
        if departments[a] != departments[b] {
            s += weights.cross_department;
        }
        if locations[a] != locations[b] {
            s += weights.cross_location;
        }
        if let (Some(x), Some(y)) = (zones[a], zones[b]) {
            s += weights.time_zone * time_zone::closeness(x, y);
        }
        s
    };

    // Round and seed together pick the stream, so consecutive rounds differ even with the
    // same seed.
    let mut rng = SplitMix64::new(seed ^ u64::from(round).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut mate = greedy(p, &mut rng, &allowed, &score);

    // Blossom augmentation: afterwards no two exposed members could have been paired
    // without a repeat, so the number of repeat-free pairs is maximum.
    let exposed: Vec<usize> = (0..p).filter(|&v| mate[v] == NONE).collect();
    if exposed.len() > p % 2 {
        let mut b = Blossom::new(mate, &allowed);
        let mut still = exposed.len();
        for &v in &exposed {
            if still <= p % 2 {
                break;
            }
            if b.augment_from(v) {
                still -= 2;
            }
        }
        mate = b.mate;
    }

    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (v, &w) in mate.iter().enumerate() {
        if w != NONE && v < w {
            groups.push(vec![v, w]);
        }
    }
    // Whoever is still exposed can only meet a recent partner; pair them up.
    let mut left: Vec<usize> = (0..p).filter(|&v| mate[v] == NONE).collect();
    let odd_one = if left.len() % 2 == 1 { left.pop() } else { None };
    for pair in left.chunks(2) {
        groups.push(pair.to_vec());
    }
    let mut alone = None;
    if let Some(x) = odd_one {
        if groups.is_empty() {
            alone = Some(people[x]);
        } else {
            place_trio(x, &mut groups, p, &allowed, &score);
        }
    }

    let groups: Vec<CoffeeGroup> = groups
        .into_iter()
        .map(|g| {
            let mut repeated = 0;
            let mut cross = 0;
            for (k, &a) in g.iter().enumerate() {
                for &b in &g[k + 1..] {
                    repeated += usize::from(!allowed(a, b));
                    cross += usize::from(departments[a] != departments[b]);
                }
            }
            CoffeeGroup {
                members: g.iter().map(|&v| people[v]).collect(),
                repeated_pairs: repeated,
                cross_department_pairs: cross,
            }
        })
        .collect();
    let report = report(&groups, members, p, skipped);
    Ok(CoffeeRound { round, groups, alone, report })
}

/// Each member, in seeded random order, takes the best allowed partner among a sample of
/// those still free; members with no allowed partner left stay exposed for the blossom pass.
fn greedy(
    p: usize,
    rng: &mut SplitMix64,
    allowed: &impl Fn(usize, usize) -> bool,
    score: &impl Fn(usize, usize) -> f64,
) -> Vec<usize> {
    let mut mate = vec![NONE; p];
    let mut pool: Vec<usize> = (0..p).collect();
    rng.shuffle(&mut pool);
    while let Some(u) = pool.pop() {
        if pool.is_empty() {
            break;
        }
        let mut best: Option<(f64, usize)> = None;
        let consider = |j: usize, best: &mut Option<(f64, usize)>| {
            let v = pool[j];
            if allowed(u, v) {
                let s = score(u, v);
                if best.is_none_or(|(bs, _)| s > bs) {
                    *best = Some((s, j));
                }
            }
        };
        if pool.len() <= SAMPLES {
            for j in 0..pool.len() {
                consider(j, &mut best);
            }
        } else {
            for _ in 0..SAMPLES {
                let j = rng.below(pool.len());
                consider(j, &mut best);
            }
            if best.is_none() {
                for j in 0..pool.len() {
                    consider(j, &mut best);
                }
            }
        }
        if let Some((_, j)) = best {
            let v = pool.swap_remove(j);
            mate[u] = v;
            mate[v] = u;
        }
    }
    mate
}

/// Puts the odd member `x` into one of the pairs. Prefers a pair with no repeat, then the
/// best score; if every choice repeats and the round is small, searches every trio for a
/// repeat-free arrangement of the whole round.
fn place_trio(
    x: usize,
    groups: &mut Vec<Vec<usize>>,
    p: usize,
    allowed: &impl Fn(usize, usize) -> bool,
    score: &impl Fn(usize, usize) -> f64,
) {
    let repeats = |g: &[usize]| g.iter().filter(|&&a| !allowed(x, a)).count();
    let mut best: Option<(usize, f64, usize)> = None;
    for (k, g) in groups.iter().enumerate() {
        let r = repeats(g);
        let s: f64 = g.iter().map(|&a| score(x, a)).sum();
        if best.is_none_or(|(br, bs, _)| r < br || (r == br && s > bs)) {
            best = Some((r, s, k));
        }
    }
    let Some((r, _, k)) = best else { return };
    let current_repeats: usize = groups.iter().map(|g| usize::from(g.len() == 2 && !allowed(g[0], g[1]))).sum();
    if (r > 0 && current_repeats == 0 && p <= EXACT_TRIO_LIMIT)
        && let Some(found) = exact_repeat_free(p, allowed)
    {
        *groups = found;
        return;
    }
    groups[k].push(x);
}

/// Every triangle of allowed pairs, each tried with a maximum matching of the rest. A budget
/// bounds the work on adversarial inputs.
fn exact_repeat_free(p: usize, allowed: &impl Fn(usize, usize) -> bool) -> Option<Vec<Vec<usize>>> {
    let mut budget = 20_000usize;
    for a in 0..p {
        for b in a + 1..p {
            if !allowed(a, b) {
                continue;
            }
            for c in b + 1..p {
                if !allowed(a, c) || !allowed(b, c) {
                    continue;
                }
                budget = budget.checked_sub(1)?;
                let rest: Vec<usize> = (0..p).filter(|&v| v != a && v != b && v != c).collect();
                let mate = general_matching::maximum_matching(rest.len(), |i, j| allowed(rest[i], rest[j]));
                if mate.iter().all(|&m| m != NONE) {
                    let mut groups = vec![vec![a, b, c]];
                    for (i, &m) in mate.iter().enumerate() {
                        if i < m {
                            groups.push(vec![rest[i], rest[m]]);
                        }
                    }
                    return Some(groups);
                }
            }
        }
    }
    None
}

fn intern<'a>(values: impl Iterator<Item = &'a str>) -> Vec<u32> {
    let mut ids: HashMap<String, u32> = HashMap::new();
    values
        .map(|v| {
            let key = crate::score::normalise(v);
            let next = ids.len() as u32;
            *ids.entry(key).or_insert(next)
        })
        .collect()
}

fn report(groups: &[CoffeeGroup], members: &[CoffeeMember], participants: usize, skipped: usize) -> RoundReport {
    let mut meetings = 0usize;
    let mut cross_dept = 0usize;
    let mut cross_loc = 0usize;
    let mut repeats = 0usize;
    for g in groups {
        for (k, &a) in g.members.iter().enumerate() {
            for &b in &g.members[k + 1..] {
                meetings += 1;
                let (ma, mb) = (&members[a], &members[b]);
                cross_loc +=
                    usize::from(crate::score::normalise(&ma.location) != crate::score::normalise(&mb.location));
            }
        }
        cross_dept += g.cross_department_pairs;
        repeats += g.repeated_pairs;
    }
    let share = |x: usize| {
        if meetings == 0 { 0.0 } else { x as f64 / meetings as f64 }
    };
    RoundReport {
        participants,
        skipped,
        pairs: groups.iter().filter(|g| g.members.len() == 2).count(),
        trios: groups.iter().filter(|g| g.members.len() == 3).count(),
        cross_department_share: share(cross_dept),
        cross_location_share: share(cross_loc),
        repeats,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_round_summary_speaks_in_the_singular_for_one() {
        let report = RoundReport {
            participants: 5,
            skipped: 1,
            pairs: 1,
            trios: 1,
            cross_department_share: 0.5,
            cross_location_share: 0.0,
            repeats: 1,
        };
        assert_eq!(
            report.summary(3),
            "Round 3: 5 taking part (1 skipping), 1 pair, 1 trio, 50% of meetings across departments, 1 repeat."
        );
    }

    fn member(id: &str, dept: &str) -> CoffeeMember {
        CoffeeMember {
            id: id.to_owned(),
            name: id.to_uppercase(),
            department: dept.to_owned(),
            location: "Paris".to_owned(),
            opted_in: true,
            ..CoffeeMember::default()
        }
    }

    fn round(members: &[CoffeeMember], history: &[PastGroup], seed: u64) -> CoffeeRound {
        let r = next_round_number(history);
        pair_round(members, history, &CoffeeWeights::default(), r, seed).unwrap_or_else(|e| panic!("{e}"))
    }

    fn ids(members: &[CoffeeMember], r: &CoffeeRound) -> Vec<Vec<String>> {
        r.groups
            .iter()
            .map(|g| {
                let mut v: Vec<String> = g.members.iter().map(|&i| members[i].id.clone()).collect();
                v.sort();
                v
            })
            .collect()
    }

    #[test]
    fn a_pair_from_the_last_rounds_is_not_repeated() {
        let people = vec![member("a", "X"), member("b", "X"), member("c", "Y"), member("d", "Y")];
        // a–c and b–d met last round, a–d the round before: only a–b / c–d is new.
        let history = vec![
            PastGroup { round: 1, members: vec!["a".into(), "d".into()] },
            PastGroup { round: 2, members: vec!["a".into(), "c".into()] },
            PastGroup { round: 2, members: vec!["b".into(), "d".into()] },
        ];
        for seed in 0..20 {
            let r = round(&people, &history, seed);
            assert_eq!(r.report.repeats, 0);
            let mut got = ids(&people, &r);
            got.sort();
            assert_eq!(got, [["a", "b"], ["c", "d"]]);
        }
    }

    #[test]
    fn pairs_older_than_the_window_may_meet_again() {
        let people = vec![member("a", "X"), member("b", "Y")];
        let history = vec![PastGroup { round: 1, members: vec!["a".into(), "b".into()] }];
        let weights = CoffeeWeights { avoid_rounds: 3, ..CoffeeWeights::default() };
        let r = pair_round(&people, &history, &weights, 5, 1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.report.repeats, 0);
        let r = pair_round(&people, &history, &weights, 3, 1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.report.repeats, 1, "an unavoidable repeat is made and counted");
    }

    #[test]
    fn other_departments_are_preferred() {
        let people: Vec<CoffeeMember> =
            (0..20).map(|i| member(&format!("m{i}"), if i < 10 { "X" } else { "Y" })).collect();
        let r = round(&people, &[], 3);
        assert_eq!(r.report.cross_department_share, 1.0);
    }

    #[test]
    fn an_odd_member_makes_a_trio_and_skippers_sit_out() {
        let mut people: Vec<CoffeeMember> = (0..7).map(|i| member(&format!("m{i}"), "X")).collect();
        people[6].skip = true;
        people[5].opted_in = false;
        people.push(member("m7", "Y"));
        let r = round(&people, &[], 9);
        assert_eq!(r.report.participants, 6);
        assert_eq!(r.report.skipped, 1);
        assert_eq!(r.report.pairs, 3);
        assert_eq!(r.report.trios, 0);
        people[6].skip = false;
        let r = round(&people, &[], 9);
        assert_eq!((r.report.pairs, r.report.trios), (2, 1));
        assert!(r.groups.iter().flat_map(|g| &g.members).all(|&i| i != 5));
    }

    #[test]
    fn a_single_participant_is_reported_alone() {
        let people = vec![member("a", "X")];
        let r = round(&people, &[], 0);
        assert!(r.groups.is_empty());
        assert_eq!(r.alone, Some(0));
    }

    #[test]
    fn different_seeds_give_different_rounds() {
        let people: Vec<CoffeeMember> = (0..30).map(|i| member(&format!("m{i}"), "X")).collect();
        assert_ne!(round(&people, &[], 1).groups, round(&people, &[], 2).groups);
    }

    #[test]
    fn the_next_round_follows_the_latest_in_history() {
        assert_eq!(next_round_number(&[]), 1);
        let h = vec![PastGroup { round: 4, members: vec![] }];
        assert_eq!(next_round_number(&h), 5);
    }
}
