//! Peer-learning circles: groups of `min_size..=max_size` people who share as many common
//! threads as possible (level, function, experience band, projects), under the status rule.
//!
//! This module owns [`CirclePerson`], [`form_circles`] and the independent
//! [`validate_circles`]. The status rule: nobody shares a circle with someone in their
//! reporting chain (either direction, any depth), with the assistant of their boss or of
//! their boss's boss, or with an executive they assist.
//!
//! Algorithm: balanced circle sizes, a greedy placement of the most constrained people
//! first, moves that even out sizes, then local search (swaps between circles) on the total
//! number of threads shared by pairs inside circles, keeping every move conflict-free.
//! Deterministic.

use std::collections::HashMap;
use std::fmt;

use crate::error::MatchError;
use crate::reporting_line::OrgChart;
use crate::rng::SplitMix64;
use crate::score::normalise;
use crate::weights::CircleSettings;

/// A person who may join a circle.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CirclePerson {
    pub id: String,
    pub name: String,
    pub email: String,
    pub level: u32,
    pub function: String,
    pub years_experience: u32,
    pub projects: Vec<String>,
    pub manager_id: Option<String>,
    /// Ids of the executives this person assists.
    pub supports: Vec<String>,
    pub willing_to_facilitate: bool,
}

/// One circle.
#[derive(Clone, Debug, PartialEq)]
pub struct Circle {
    /// Indices into the `people` slice.
    pub members: Vec<usize>,
    /// The most experienced willing member.
    pub facilitator: Option<usize>,
    /// For the coordinator only: why that facilitator (their tenure), or whom to ask when
    /// nobody volunteered. What members may read is written by `csv_output` (`note`).
    pub coordinator_note: String,
    /// Average number of threads a pair of members shares.
    pub shared_threads: f64,
    /// The threads most members share, e.g. "function Finance (5 of 7)".
    pub common_threads: Vec<String>,
}

/// The circles and figures for one run.
#[derive(Clone, Debug, PartialEq)]
pub struct CirclesOutcome {
    pub circles: Vec<Circle>,
    /// People who could not be placed, with the reason.
    pub unplaced: Vec<(usize, String)>,
    /// Quality figure: the average over circles of [`Circle::shared_threads`].
    pub quality: f64,
    /// The same figure for a random split into the same sizes (seeded), for comparison.
    pub random_quality: f64,
}

/// Experience bands for the "experience" thread: 0–2, 3–5, 6–10, 11–15, 16+ years.
pub fn experience_band(years: u32) -> (u32, &'static str) {
    match years {
        0..=2 => (0, "0–2 years"),
        3..=5 => (1, "3–5 years"),
        6..=10 => (2, "6–10 years"),
        11..=15 => (3, "11–15 years"),
        _ => (4, "16+ years"),
    }
}

/// Forms circles. `org_chart` holds `(id, manager_id)` for people outside `people` (the
/// `--org` file), so the status rule sees chains through executives who take no part; a
/// person's own `manager_id` wins over it. Fails only when there are fewer people than
/// `min_size`.
pub fn form_circles(
    people: &[CirclePerson],
    org_chart: &[(String, Option<String>)],
    settings: &CircleSettings,
) -> Result<CirclesOutcome, MatchError> {
    let n = people.len();
    let (min, max) = (settings.min_size, settings.max_size);
    if min < 2 || min > max {
        return Err(MatchError::invalid(
            format!("Circle sizes {min}–{max} are not possible"),
            "Use 2 ≤ --min-size ≤ --max-size (min_size and max_size in the settings file)",
        ));
    }
    let mut seen = HashMap::new();
    for p in people {
        if seen.insert(p.id.as_str(), ()).is_some() {
            return Err(MatchError::invalid(
                format!("Two people share the id \"{}\"", p.id),
                "Give each person their own id",
            ));
        }
    }
    if n < min {
        return Err(MatchError::invalid(
            format!("{n} people cannot form a circle of at least {min}"),
            format!(
                "Add people, or lower the smallest circle size with --min-size {n} (min_size in the settings file)"
            ),
        ));
    }
    let threads = ThreadTable::new(people);
    let conflicts = conflicts(people, org_chart);
    let sizes = plan_sizes(n, min, max);
    let mut state = place(people, &threads, &conflicts, &sizes, min, max);
    // People who clash with one another need circles of their own: a director, their
    // assistant and their reports make three groups, which two large circles cannot hold,
    // so the director's reports were left out to seat them. When anyone is left out, try a
    // few more (smaller) circles and keep the split that places the most people.
    let most = (n / min).min(sizes.len() + EXTRA_CIRCLE_COUNTS);
    for k in sizes.len() + 1..=most {
        if state.unplaced.is_empty() {
            break;
        }
        let sizes: Vec<usize> = (0..k).map(|i| n / k + usize::from(i < n % k)).collect();
        let other = place(people, &threads, &conflicts, &sizes, min, max);
        if other.unplaced.len() < state.unplaced.len() {
            state = other;
        }
    }

    let mut circles: Vec<Circle> = Vec::new();
    for members in state.members.iter().filter(|m| !m.is_empty()) {
        circles.push(describe_circle(people, members.clone(), &threads));
    }
    let quality = average(circles.iter().map(|c| c.shared_threads));
    let unplaced = state
        .unplaced
        .iter()
        .map(|&p| {
            let why = if state.members.iter().all(|m| m.len() >= max) {
                let mut why = format!("every circle is full ({max} people); more people than places");
                if let Some(advice) = size_advice(n, min, max) {
                    why.push_str("; ");
                    why.push_str(&advice);
                }
                why
            } else {
                "shares a reporting line or an assistant with someone in every circle that has \
                 room"
                    .to_owned()
            };
            (p, why)
        })
        .collect();
    let random_quality = random_split_quality(n, &state.members, &threads);
    Ok(CirclesOutcome { circles, unplaced, quality, random_quality })
}

/// How many circle counts above the planned one are tried when someone is left out.
const EXTRA_CIRCLE_COUNTS: usize = 3;

/// Greedy placement into circles of `sizes`, then repair, rebalancing and local search.
fn place<'a>(
    people: &[CirclePerson],
    threads: &'a ThreadTable,
    conflicts: &'a [Vec<u32>],
    sizes: &[usize],
    min: usize,
    max: usize,
) -> Placement<'a> {
    let mut state = Placement::new(people.len(), sizes.len(), threads, conflicts);
    state.greedy(sizes, max, people);
    // Repair rounds: top up small circles, break up those that cannot be topped up, and
    // give the people left over another chance in the room that frees.
    for _ in 0..3 {
        state.fill_small_circles(min);
        state.dissolve_small_circles(min, max);
        if !state.retry_unplaced(max) {
            break;
        }
    }
    state.fill_small_circles(min);
    state.dissolve_small_circles(min, max);
    state.rebalance(min, max);
    state.improve();
    state
}

/// When `n` people cannot be split into circles of `min..=max` (9 people in 5–8), the
/// sizes that would place everyone: the largest smaller minimum, and the smallest larger
/// maximum, as the flags that set them.
pub fn size_advice(n: usize, min: usize, max: usize) -> Option<String> {
    let (lo, hi) = (n.div_ceil(max), n / min);
    if n < min || lo <= hi {
        return None;
    }
    // With `lo` circles of at most `max`, the smallest holds n / lo (rounded down).
    let new_min = n / lo;
    // With `hi` circles of at least `min`, the largest holds n / hi (rounded up).
    let new_max = n.div_ceil(hi);
    let mut options = Vec::new();
    if new_min >= 2 {
        options.push(format!("--min-size {new_min}"));
    }
    options.push(format!("--max-size {new_max}"));
    Some(format!(
        "{n} people do not split into circles of {min}–{max}; to place everyone, use {}",
        options.join(" or ")
    ))
}

/// Balanced sizes: as many circles as make sizes closest to the middle of the range, all
/// within `min..=max`. When no split fits (9 people in circles of 5–8), full circles of
/// `max` and the rest unplaced.
fn plan_sizes(n: usize, min: usize, max: usize) -> Vec<usize> {
    let lo = n.div_ceil(max);
    let hi = n / min;
    if lo > hi || hi == 0 {
        return vec![max; (n / max).max(1)];
    }
    let ideal = (min + max) as f64 / 2.0;
    let k = ((n as f64 / ideal).round() as usize).clamp(lo, hi);
    (0..k).map(|i| n / k + usize::from(i < n % k)).collect()
}

/// Pairwise shared-thread counts, precomputed (n² bytes) because local search asks for them
/// millions of times.
struct ThreadTable {
    n: usize,
    t: Vec<u8>,
}

impl ThreadTable {
    fn new(people: &[CirclePerson]) -> Self {
        let n = people.len();
        let mut fn_ids: HashMap<String, u32> = HashMap::new();
        let mut project_ids: HashMap<String, u32> = HashMap::new();
        let key = |map: &mut HashMap<String, u32>, s: &str| {
            let next = map.len() as u32;
            *map.entry(normalise(s)).or_insert(next)
        };
        let function: Vec<Option<u32>> =
            people.iter().map(|p| (!p.function.trim().is_empty()).then(|| key(&mut fn_ids, &p.function))).collect();
        let projects: Vec<Vec<u32>> = people
            .iter()
            .map(|p| {
                let mut v: Vec<u32> =
                    p.projects.iter().filter(|s| !s.trim().is_empty()).map(|s| key(&mut project_ids, s)).collect();
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect();
        let band: Vec<u32> = people.iter().map(|p| experience_band(p.years_experience).0).collect();
        let mut t = vec![0u8; n * n];
        for a in 0..n {
            for b in a + 1..n {
                let mut x = u32::from(people[a].level == people[b].level)
                    + u32::from(function[a].is_some() && function[a] == function[b])
                    + u32::from(band[a] == band[b]);
                x += sorted_overlap(&projects[a], &projects[b]);
                let x = x.min(255) as u8;
                t[a * n + b] = x;
                t[b * n + a] = x;
            }
        }
        Self { n, t }
    }

    fn get(&self, a: usize, b: usize) -> i64 {
        i64::from(self.t[a * self.n + b])
    }

    fn row(&self, a: usize) -> &[u8] {
        &self.t[a * self.n..(a + 1) * self.n]
    }
}

fn sorted_overlap(a: &[u32], b: &[u32]) -> u32 {
    let (mut i, mut j, mut c) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                c += 1;
                i += 1;
                j += 1;
            }
        }
    }
    c
}

/// Who may not share a circle with whom, as sorted index lists.
fn conflicts(people: &[CirclePerson], org_chart: &[(String, Option<String>)]) -> Vec<Vec<u32>> {
    let n = people.len();
    let mut chart = OrgChart::new();
    for p in people {
        chart.link(&p.id, p.manager_id.as_deref());
    }
    // After the people file: the first recorded manager wins.
    for (id, manager) in org_chart {
        chart.link(id, manager.as_deref());
    }
    let person_of: Vec<Option<usize>> = {
        let mut v = vec![None; chart.len()];
        for (i, p) in people.iter().enumerate() {
            if let Some(k) = chart.index_of(&p.id) {
                v[k] = Some(i);
            }
        }
        v
    };
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); chart.len()];
    for k in 0..chart.len() {
        if let Some(m) = chart.manager_of(k) {
            children[m].push(k);
        }
    }
    let mut out: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut add = |a: usize, b: usize| {
        if a != b {
            out[a].push(b as u32);
            out[b].push(a as u32);
        }
    };
    for (i, p) in people.iter().enumerate() {
        let Some(k) = chart.index_of(&p.id) else {
            continue;
        };
        for a in chart.chain(k) {
            if let Some(j) = person_of[a] {
                add(i, j);
            }
        }
        for exec in &p.supports {
            let Some(e) = chart.index_of(exec) else {
                continue;
            };
            if let Some(j) = person_of[e] {
                add(i, j);
            }
            // The assistant of E may not sit with E's reports or their reports.
            for &d1 in &children[e] {
                if let Some(j) = person_of[d1] {
                    add(i, j);
                }
                for &d2 in &children[d1] {
                    if let Some(j) = person_of[d2] {
                        add(i, j);
                    }
                }
            }
        }
    }
    for list in &mut out {
        list.sort_unstable();
        list.dedup();
    }
    out
}

/// Circle membership with running affinity (`a[p·k + c]`: threads `p` shares with circle
/// `c`) and conflict counts (`x[p·k + c]`), so moves are judged in O(1).
struct Placement<'a> {
    k: usize,
    threads: &'a ThreadTable,
    conflicts: &'a [Vec<u32>],
    circle_of: Vec<usize>,
    members: Vec<Vec<usize>>,
    a: Vec<i64>,
    x: Vec<u32>,
    unplaced: Vec<usize>,
}

const UNPLACED: usize = usize::MAX;

impl<'a> Placement<'a> {
    fn new(n: usize, k: usize, threads: &'a ThreadTable, conflicts: &'a [Vec<u32>]) -> Self {
        Self {
            k,
            threads,
            conflicts,
            circle_of: vec![UNPLACED; n],
            members: vec![Vec::new(); k],
            a: vec![0; n * k],
            x: vec![0; n * k],
            unplaced: Vec::new(),
        }
    }

    fn conflict(&self, p: usize, q: usize) -> bool {
        self.conflicts[p].binary_search(&(q as u32)).is_ok()
    }

    fn add(&mut self, p: usize, c: usize) {
        let k = self.k;
        for (q, &t) in self.threads.row(p).iter().enumerate() {
            self.a[q * k + c] += i64::from(t);
        }
        for &q in &self.conflicts[p] {
            self.x[q as usize * k + c] += 1;
        }
        self.circle_of[p] = c;
        self.members[c].push(p);
    }

    fn remove(&mut self, p: usize) {
        let k = self.k;
        let c = self.circle_of[p];
        for (q, &t) in self.threads.row(p).iter().enumerate() {
            self.a[q * k + c] -= i64::from(t);
        }
        for &q in &self.conflicts[p] {
            self.x[q as usize * k + c] -= 1;
        }
        self.circle_of[p] = UNPLACED;
        self.members[c].retain(|&m| m != p);
    }

    /// Most constrained first; similar people next to each other so early circles form
    /// around a shared function and level. Each goes where they share the most threads.
    fn greedy(&mut self, sizes: &[usize], max: usize, people: &[CirclePerson]) {
        let n = self.circle_of.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&p, &q| {
            self.conflicts[q]
                .len()
                .cmp(&self.conflicts[p].len())
                .then_with(|| normalise(&people[p].function).cmp(&normalise(&people[q].function)))
                .then_with(|| people[p].level.cmp(&people[q].level))
                .then_with(|| p.cmp(&q))
        });
        for p in order {
            let pick = |limit: &dyn Fn(usize) -> usize| {
                (0..self.k).filter(|&c| self.members[c].len() < limit(c) && self.x[p * self.k + c] == 0).max_by(
                    |&c, &d| {
                        self.a[p * self.k + c]
                            .cmp(&self.a[p * self.k + d])
                            .then_with(|| self.members[d].len().cmp(&self.members[c].len()))
                            .then_with(|| d.cmp(&c))
                    },
                )
            };
            if let Some(c) = pick(&|c| sizes[c]).or_else(|| pick(&|_| max)) {
                self.add(p, c);
            } else if !self.make_room(p, max) {
                self.unplaced.push(p);
            }
        }
    }

    /// Places `p` into a full circle without conflicts by moving one member elsewhere.
    fn make_room(&mut self, p: usize, max: usize) -> bool {
        let k = self.k;
        for c in 0..k {
            if self.x[p * k + c] != 0 {
                continue;
            }
            for q in self.members[c].clone() {
                let target = (0..k).find(|&d| d != c && self.members[d].len() < max && self.x[q * k + d] == 0);
                if let Some(d) = target {
                    self.remove(q);
                    self.add(q, d);
                    self.add(p, c);
                    return true;
                }
            }
        }
        false
    }

    /// Tops up circles below `min` from circles that can spare someone.
    fn fill_small_circles(&mut self, min: usize) {
        let k = self.k;
        for c in 0..k {
            while self.members[c].len() < min {
                let donor = (0..k)
                    .filter(|&d| d != c && self.members[d].len() > min)
                    .flat_map(|d| self.members[d].iter().map(move |&q| (q, d)))
                    .filter(|&(q, _)| self.x[q * k + c] == 0)
                    .max_by_key(|&(q, d)| self.a[q * k + c] - self.a[q * k + d]);
                match donor {
                    Some((q, _)) => {
                        self.remove(q);
                        self.add(q, c);
                    }
                    None => break,
                }
            }
        }
    }

    /// A circle still below `min` (its members clash with everyone who could join) is
    /// broken up; its members go wherever there is room and no clash, or stay unplaced.
    fn dissolve_small_circles(&mut self, min: usize, max: usize) {
        let k = self.k;
        for c in 0..k {
            let len = self.members[c].len();
            if len == 0 || len >= min {
                continue;
            }
            for p in self.members[c].clone() {
                self.remove(p);
                let target = (0..k)
                    .filter(|&d| {
                        d != c && self.members[d].len() >= min && self.members[d].len() < max && self.x[p * k + d] == 0
                    })
                    .max_by_key(|&d| self.a[p * k + d]);
                match target {
                    Some(d) => self.add(p, d),
                    None => self.unplaced.push(p),
                }
            }
        }
    }

    /// Places unplaced people wherever there is room and no clash, most threads first.
    /// True if anyone was placed.
    fn retry_unplaced(&mut self, max: usize) -> bool {
        let k = self.k;
        let waiting = std::mem::take(&mut self.unplaced);
        let mut placed_any = false;
        for p in waiting {
            let target = (0..k)
                .filter(|&c| self.members[c].len() < max && self.x[p * k + c] == 0)
                .max_by_key(|&c| (self.a[p * k + c], self.members[c].len()));
            match target {
                Some(c) => {
                    self.add(p, c);
                    placed_any = true;
                }
                None => self.unplaced.push(p),
            }
        }
        placed_any
    }

    /// Evens out sizes. Greedy placement falls back to filling a circle up to `max` when no
    /// circle of its planned size is free of clashes, and repair only tops up circles below
    /// `min`, so sizes can end up uneven (5, 5, 7, 5) where a balanced split that breaks no
    /// rule exists. While a circle is at least 2 larger than another, move one person from
    /// the larger to the smaller if they clash with nobody there; of those moves, the one
    /// that loses the fewest shared threads (ties: lowest person, then circle). Each move
    /// lowers the sum of squared sizes, so this ends; swaps in `improve` keep sizes as they are.
    fn rebalance(&mut self, min: usize, max: usize) {
        let k = self.k;
        loop {
            let len: Vec<usize> = self.members.iter().map(Vec::len).collect();
            let mut best: Option<(i64, usize, usize)> = None;
            for (p, &c) in self.circle_of.iter().enumerate() {
                if c == UNPLACED || len[c] <= min {
                    continue;
                }
                for d in 0..k {
                    // Empty circles were dissolved and stay empty.
                    if len[d] == 0 || len[d] >= max || len[d] + 2 > len[c] || self.x[p * k + d] != 0 {
                        continue;
                    }
                    let gain = self.a[p * k + d] - self.a[p * k + c];
                    if best.is_none_or(|(g, _, _)| gain > g) {
                        best = Some((gain, p, d));
                    }
                }
            }
            let Some((_, p, d)) = best else { break };
            self.remove(p);
            self.add(p, d);
        }
    }

    /// Best-improvement local search over swaps between circles until nothing improves (or
    /// a pass limit keeps the run time bounded on huge inputs). Swaps keep the balanced
    /// sizes: moving people instead would grow circles just to add pairs, which raises the
    /// total but not what each member gets.
    fn improve(&mut self) {
        let n = self.circle_of.len();
        let k = self.k;
        for _pass in 0..40 {
            let mut improved = false;
            for p in 0..n {
                let c = self.circle_of[p];
                if c == UNPLACED {
                    continue;
                }
                let mut best_gain = 0i64;
                let mut best: Option<(usize, Option<usize>)> = None;
                let ap = &self.a[p * k..(p + 1) * k];
                let tp = self.threads.row(p);
                for (q, &tq) in tp.iter().enumerate() {
                    let d = self.circle_of[q];
                    if d == c || d == UNPLACED {
                        continue;
                    }
                    let t = i64::from(tq);
                    let gain = ap[d] - ap[c] + self.a[q * k + c] - self.a[q * k + d] - 2 * t;
                    if gain <= best_gain {
                        continue;
                    }
                    // p and q are in different circles, so a conflict between them never
                    // blocks the swap; only conflicts with the others do.
                    let pq = u32::from(self.x[p * k + d] > 0 && self.conflict(p, q));
                    if self.x[p * k + d] - pq == 0 && self.x[q * k + c] - pq == 0 {
                        best_gain = gain;
                        best = Some((d, Some(q)));
                    }
                }
                if let Some((d, swap)) = best {
                    self.remove(p);
                    if let Some(q) = swap {
                        self.remove(q);
                        self.add(q, c);
                    }
                    self.add(p, d);
                    improved = true;
                }
            }
            if !improved {
                break;
            }
        }
    }
}

fn describe_circle(people: &[CirclePerson], mut members: Vec<usize>, t: &ThreadTable) -> Circle {
    members.sort_unstable();
    let size = members.len();
    let mut pair_sum = 0i64;
    for (i, &a) in members.iter().enumerate() {
        for &b in &members[i + 1..] {
            pair_sum += t.get(a, b);
        }
    }
    let pairs = size * size.saturating_sub(1) / 2;
    let shared_threads = if pairs == 0 { 0.0 } else { pair_sum as f64 / pairs as f64 };

    // Threads held by at least two members, most widely shared first.
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut bump = |label: String| match counts.iter_mut().find(|(l, _)| *l == label) {
        Some((_, c)) => *c += 1,
        None => counts.push((label, 1)),
    };
    for &m in &members {
        let p = &people[m];
        bump(format!("level {}", p.level));
        if !p.function.trim().is_empty() {
            bump(format!("function {}", p.function.trim()));
        }
        bump(format!("experience {}", experience_band(p.years_experience).1));
        let mut projects: Vec<String> = p.projects.iter().map(|s| s.trim().to_owned()).collect();
        projects.sort_by_key(|s| normalise(s));
        projects.dedup_by_key(|s| normalise(s));
        for pr in projects.into_iter().filter(|s| !s.is_empty()) {
            bump(format!("project {pr}"));
        }
    }
    counts.retain(|(_, c)| *c >= 2);
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let common_threads = counts.into_iter().take(5).map(|(l, c)| format!("{l} ({c} of {size})")).collect();

    let willing = members
        .iter()
        .copied()
        .filter(|&m| people[m].willing_to_facilitate)
        .max_by(|&a, &b| experience_order(people, a, b));
    let (facilitator, coordinator_note) = match willing {
        Some(f) => (Some(f), format!("most experienced volunteer ({} years)", people[f].years_experience)),
        None => {
            let ask = members.iter().copied().max_by(|&a, &b| experience_order(people, a, b));
            let who = ask.map_or(String::new(), |a| display(&people[a]).to_owned());
            (None, format!("nobody volunteered; ask {who}, the most experienced member"))
        }
    };
    Circle { members, facilitator, coordinator_note, shared_threads, common_threads }
}

/// More years first, then higher level, then earlier in the input.
fn experience_order(people: &[CirclePerson], a: usize, b: usize) -> std::cmp::Ordering {
    people[a]
        .years_experience
        .cmp(&people[b].years_experience)
        .then_with(|| people[a].level.cmp(&people[b].level))
        .then_with(|| b.cmp(&a))
}

fn display(p: &CirclePerson) -> &str {
    if p.name.trim().is_empty() { &p.id } else { &p.name }
}

fn average(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    if count == 0 { 0.0 } else { sum / count as f64 }
}

/// The quality of a seeded random split into the same circle sizes, ignoring constraints:
/// the baseline that shows what the optimisation adds.
fn random_split_quality(n: usize, members: &[Vec<usize>], t: &ThreadTable) -> f64 {
    let mut order: Vec<usize> = (0..n).collect();
    SplitMix64::new(0).shuffle(&mut order);
    let mut next = order.into_iter();
    let mut values = Vec::new();
    for m in members.iter().filter(|m| m.len() >= 2) {
        let group: Vec<usize> = next.by_ref().take(m.len()).collect();
        let mut sum = 0;
        for (i, &a) in group.iter().enumerate() {
            for &b in &group[i + 1..] {
                sum += t.get(a, b);
            }
        }
        values.push(sum as f64 / (group.len() * (group.len() - 1) / 2).max(1) as f64);
    }
    average(values.into_iter())
}

/// A broken rule found by [`validate_circles`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Violation {
    /// A circle outside `min_size..=max_size`.
    Size { circle: usize, size: usize },
    /// A person in two circles (or twice in one).
    Duplicate { person: String },
    /// A circle member index that is not a person.
    UnknownMember { circle: usize, index: usize },
    /// One member is in the other's chain of command.
    ReportingLine { circle: usize, above: String, below: String },
    /// An assistant sits with an executive they assist, or with someone whose boss or boss's
    /// boss they assist.
    Assistant { circle: usize, assistant: String, other: String },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Size { circle, size } => {
                write!(f, "circle {} has {size} members", circle + 1)
            }
            Violation::Duplicate { person } => write!(f, "{person} is placed twice"),
            Violation::UnknownMember { circle, index } => {
                write!(f, "circle {} lists member #{index}, who does not exist", circle + 1)
            }
            Violation::ReportingLine { circle, above, below } => {
                write!(f, "circle {}: {above} is in {below}'s reporting chain", circle + 1)
            }
            Violation::Assistant { circle, assistant, other } => {
                write!(f, "circle {}: {assistant} assists {other}'s executive or boss's boss", circle + 1)
            }
        }
    }
}

/// Checks circles against every hard rule, from the raw input alone (no shared code with
/// [`form_circles`] beyond the structs), and lists each violation.
pub fn validate_circles(
    people: &[CirclePerson],
    org_chart: &[(String, Option<String>)],
    circles: &[Vec<usize>],
    settings: &CircleSettings,
) -> Vec<Violation> {
    let mut manager: HashMap<&str, &str> = HashMap::new();
    let links = people.iter().map(|p| (p.id.as_str(), p.manager_id.as_deref()));
    for (id, m) in links.chain(org_chart.iter().map(|(id, m)| (id.as_str(), m.as_deref()))) {
        if let Some(m) = m.map(str::trim).filter(|m| !m.is_empty() && *m != id) {
            manager.entry(id).or_insert(m);
        }
    }
    // Walk up at most `people.len()` steps, which also ends any cycle.
    let chain = |id: &str| -> Vec<&str> {
        let mut out = Vec::new();
        let mut cur = id;
        while let Some(&m) = manager.get(cur) {
            if m == id || out.contains(&m) || out.len() > manager.len() {
                break;
            }
            out.push(m);
            cur = m;
        }
        out
    };
    let mut out = Vec::new();
    let mut placed = vec![false; people.len()];
    for (ci, circle) in circles.iter().enumerate() {
        if circle.len() < settings.min_size || circle.len() > settings.max_size {
            out.push(Violation::Size { circle: ci, size: circle.len() });
        }
        for &m in circle {
            match placed.get_mut(m) {
                None => out.push(Violation::UnknownMember { circle: ci, index: m }),
                Some(seen) if *seen => out.push(Violation::Duplicate { person: people[m].id.clone() }),
                Some(seen) => *seen = true,
            }
        }
        let valid: Vec<&CirclePerson> = circle.iter().filter_map(|&m| people.get(m)).collect();
        for (i, a) in valid.iter().enumerate() {
            for b in &valid[i + 1..] {
                for (x, y) in [(a, b), (b, a)] {
                    let up = chain(&y.id);
                    if up.contains(&x.id.as_str()) {
                        out.push(Violation::ReportingLine { circle: ci, above: x.id.clone(), below: y.id.clone() });
                    }
                    // x assists y, y's boss or y's boss's boss.
                    let watched = [Some(y.id.as_str()), up.first().copied(), up.get(1).copied()];
                    if x.supports.iter().any(|s| watched.contains(&Some(s.as_str()))) {
                        out.push(Violation::Assistant { circle: ci, assistant: x.id.clone(), other: y.id.clone() });
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, manager: Option<&str>, function: &str, years: u32) -> CirclePerson {
        CirclePerson {
            id: id.to_owned(),
            name: id.to_uppercase(),
            level: 2,
            function: function.to_owned(),
            years_experience: years,
            manager_id: manager.map(str::to_owned),
            ..CirclePerson::default()
        }
    }

    fn settings(min: usize, max: usize) -> CircleSettings {
        CircleSettings { min_size: min, max_size: max }
    }

    fn form(people: &[CirclePerson], s: &CircleSettings) -> CirclesOutcome {
        form_circles(people, &[], s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn groups(o: &CirclesOutcome) -> Vec<Vec<usize>> {
        o.circles.iter().map(|c| c.members.clone()).collect()
    }

    #[test]
    fn people_who_share_threads_end_up_together() {
        let people: Vec<CirclePerson> =
            (0..8).map(|i| person(&format!("p{i}"), None, if i % 2 == 0 { "Finance" } else { "Legal" }, 4)).collect();
        let o = form(&people, &settings(4, 4));
        for c in &o.circles {
            let f = &people[c.members[0]].function;
            assert!(c.members.iter().all(|&m| &people[m].function == f));
        }
        assert!(o.quality > o.random_quality);
    }

    #[test]
    fn nobody_sits_with_the_assistant_of_their_boss_s_boss() {
        // ceo → vp → lead; "pa" assists the vp. lead's boss's boss is ceo, boss is vp.
        let mut people = vec![
            person("vp", Some("ceo"), "Ops", 20),
            person("lead", Some("vp"), "Ops", 10),
            person("pa", Some("office"), "Ops", 8),
            person("x1", None, "Ops", 3),
            person("x2", None, "Ops", 3),
            person("x3", None, "Ops", 3),
        ];
        people[2].supports = vec!["vp".to_owned()];
        let o = form(&people, &settings(2, 3));
        let v = validate_circles(&people, &[], &groups(&o), &settings(2, 3));
        assert!(v.is_empty(), "{v:?}");
        let together = |a: usize, b: usize| o.circles.iter().any(|c| c.members.contains(&a) && c.members.contains(&b));
        assert!(!together(0, 1), "vp manages lead");
        assert!(!together(1, 2), "pa assists lead's boss");
        assert!(!together(0, 2), "pa assists vp");
    }

    #[test]
    fn someone_above_everyone_is_left_out_with_a_reason() {
        let mut people = vec![person("ceo", None, "Board", 30)];
        people.extend((0..6).map(|i| person(&format!("p{i}"), Some("ceo"), "Ops", 5)));
        let o = form(&people, &settings(3, 4));
        assert_eq!(o.unplaced.len(), 1);
        assert_eq!(o.unplaced[0].0, 0);
        assert!(o.unplaced[0].1.contains("reporting line"), "{}", o.unplaced[0].1);
        assert!(validate_circles(&people, &[], &groups(&o), &settings(3, 4)).is_empty());
    }

    #[test]
    fn the_facilitator_is_the_most_experienced_volunteer() {
        let mut people: Vec<CirclePerson> = (0..4).map(|i| person(&format!("p{i}"), None, "Ops", i * 5)).collect();
        people[1].willing_to_facilitate = true;
        people[2].willing_to_facilitate = true;
        let o = form(&people, &settings(4, 4));
        assert_eq!(o.circles[0].facilitator, Some(2));
        people[1].willing_to_facilitate = false;
        people[2].willing_to_facilitate = false;
        let o = form(&people, &settings(4, 4));
        assert_eq!(o.circles[0].facilitator, None);
        assert!(o.circles[0].coordinator_note.contains("ask P3"), "{}", o.circles[0].coordinator_note);
    }

    #[test]
    fn sizes_stay_in_range_and_balanced() {
        let people: Vec<CirclePerson> = (0..23).map(|i| person(&format!("p{i}"), None, "Ops", i)).collect();
        let o = form(&people, &settings(5, 8));
        let mut sizes: Vec<usize> = o.circles.iter().map(|c| c.members.len()).collect();
        sizes.sort_unstable();
        assert_eq!(sizes, [5, 6, 6, 6]);
    }

    #[test]
    fn sizes_are_rebalanced_when_the_greedy_step_overfills_a_circle() {
        // p01 manages p02–p04, who split p05..p23 between them: p01 clashes with everyone
        // and is left out. Greedy placement alone gave 5, 5, 7, 5; the 22 others fit in
        // 6, 6, 5, 5 without breaking the status rule.
        let mut people = vec![person("p01", None, "Ops", 20)];
        people.extend((2..=4).map(|i| person(&format!("p{i:02}"), Some("p01"), "Ops", 10)));
        let boss = |i: usize| match i {
            ..=11 => "p02",
            12..=17 => "p03",
            _ => "p04",
        };
        people.extend((5..=23).map(|i| person(&format!("p{i:02}"), Some(boss(i)), "Ops", 3)));
        let s = settings(5, 8);
        let o = form(&people, &s);
        assert_eq!(o.unplaced.iter().map(|u| u.0).collect::<Vec<_>>(), [0]);
        let v = validate_circles(&people, &[], &groups(&o), &s);
        assert!(v.is_empty(), "{v:?}");
        let sizes: Vec<usize> = o.circles.iter().map(|c| c.members.len()).collect();
        let (lo, hi) = (sizes.iter().min().copied(), sizes.iter().max().copied());
        assert!(hi.zip(lo).is_some_and(|(h, l)| h - l <= 1), "{sizes:?}");
        assert_eq!(sizes.iter().sum::<usize>(), 22);
    }

    #[test]
    fn too_few_people_for_one_circle_is_an_error_naming_the_flag() {
        let people = vec![person("a", None, "Ops", 1)];
        let err = form_circles(&people, &[], &settings(2, 4)).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("--min-size 1"), "{err}");
        let err = form_circles(&people, &[], &settings(5, 4)).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("--min-size ≤ --max-size"), "{err}");
    }

    #[test]
    fn nine_people_in_circles_of_five_to_eight_are_told_which_sizes_place_everyone() {
        let people: Vec<CirclePerson> = (0..9).map(|i| person(&format!("p{i}"), None, "Ops", i)).collect();
        let o = form(&people, &settings(5, 8));
        assert_eq!(o.unplaced.len(), 1);
        assert!(
            o.unplaced[0].1.ends_with("to place everyone, use --min-size 4 or --max-size 9"),
            "{}",
            o.unplaced[0].1
        );
        assert_eq!(size_advice(23, 5, 8), None);
        let o = form(&people, &settings(4, 8));
        assert!(o.unplaced.is_empty());
    }

    #[test]
    fn the_org_chart_carries_the_boss_s_boss_rule_through_executives_outside_the_file() {
        // lead reports to vp, who is not taking part; vp reports to ceo, whom pa assists.
        // Only the org chart says that ceo is lead's boss's boss.
        let mut people = vec![
            person("lead", Some("vp"), "Ops", 10),
            person("pa", None, "Ops", 10),
            person("x1", None, "Legal", 1),
            person("x2", None, "Legal", 1),
        ];
        people[1].supports = vec!["ceo".to_owned()];
        let org = [("vp".to_owned(), Some("ceo".to_owned()))];
        let s = settings(2, 2);
        assert!(!validate_circles(&people, &org, &[vec![0, 1], vec![2, 3]], &s).is_empty());
        let o = form_circles(&people, &org, &s).unwrap_or_else(|e| panic!("{e}"));
        assert!(o.circles.iter().all(|c| !(c.members.contains(&0) && c.members.contains(&1))), "{:?}", groups(&o));
        assert!(validate_circles(&people, &org, &groups(&o), &s).is_empty());
    }

    #[test]
    fn the_validator_catches_a_manager_and_report_together() {
        let people =
            vec![person("boss", None, "Ops", 9), person("rep", Some("boss"), "Ops", 2), person("x", None, "Ops", 2)];
        let v = validate_circles(&people, &[], &[vec![0, 1, 2]], &settings(2, 3));
        assert_eq!(v, [Violation::ReportingLine { circle: 0, above: "boss".into(), below: "rep".into() }]);
    }

    #[test]
    fn a_director_is_seated_when_their_reports_and_assistant_can_share_other_circles() {
        // d1 manages a2–a4 and a9 assists d1: d1 and a9 each clash with a2–a4 and each other.
        // Three circles of 4 seat everyone: d1 + 3, a9 + 3, a2–a4 + 1.
        let mut people = vec![person("d1", None, "Ops", 20)];
        people.extend((2..=4).map(|i| person(&format!("a{i}"), Some("d1"), "Ops", 5)));
        people.extend([1, 5, 6, 7, 8, 9, 10, 11].map(|i| person(&format!("a{i}"), None, "Ops", 5)));
        if let Some(a9) = people.iter_mut().find(|p| p.id == "a9") {
            a9.supports = vec!["d1".to_owned()];
        }
        let s = settings(4, 6);
        let o = form(&people, &s);
        assert!(validate_circles(&people, &[], &groups(&o), &s).is_empty());
        assert_eq!(o.unplaced, [], "{:?}", groups(&o));
    }

    #[test]
    fn experience_bands_cover_every_year() {
        assert_eq!(experience_band(0).0, 0);
        assert_eq!(experience_band(5).0, 1);
        assert_eq!(experience_band(10).0, 2);
        assert_eq!(experience_band(40).1, "16+ years");
    }
}
