//! Benchmarks for the matching engine, printed side by side in one run.
//!
//! Run through `bench/matching/run.sh`, which builds this in release, installs SciPy into a
//! venv and passes SciPy's timing on the same dense instance. By hand:
//!
//! ```text
//! bench_matching write-dense bench/out/dense_2000.bin 2000
//! bench_matching run --dense bench/out/dense_2000.bin [--scipy bench/out/scipy.txt] [--skip-kuhn-munkres]
//! ```
//!
//! Instances come from a fixed seed, so every run measures the same problems.

use std::fs;
use std::io::{self, Write};
use std::time::{Duration, Instant};

use roundtable_matching::assignment::{self, CostMatrix};
use roundtable_matching::capacitated;
use roundtable_matching::circles::{self, CirclePerson};
use roundtable_matching::coffee::{self, CoffeeMember, PastGroup};
use roundtable_matching::csv_output;
use roundtable_matching::mentoring::{self, Mentee, Mentor, MentoringInput, MentoringOptions, Profile};
use roundtable_matching::rng::SplitMix64;
use roundtable_matching::weights::Settings;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("write-dense") => {
            let path = args.get(1).ok_or("write-dense PATH [N]")?;
            let n: usize = args.get(2).map_or(Ok(2000), |s| s.parse())?;
            write_dense(path, n)?;
            println!("wrote a {n}×{n} instance to {path}");
            Ok(())
        }
        Some("run") => run(&args[1..]),
        _ => {
            eprintln!(
                "usage: bench_matching write-dense PATH [N] | run --dense PATH [--scipy FILE] [--skip-kuhn-munkres]"
            );
            std::process::exit(2);
        }
    }
}

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str)
}

/// Uniform integer costs in `0..1_000_000`: the usual random dense benchmark.
fn dense_costs(n: usize) -> Vec<i64> {
    let mut rng = SplitMix64::new(20_251_125);
    (0..n * n).map(|_| rng.below(1_000_000) as i64).collect()
}

/// Format: `n` as u64 little-endian, then n² i64 little-endian, row by row.
fn write_dense(path: &str, n: usize) -> io::Result<()> {
    let mut bytes = Vec::with_capacity(8 + 8 * n * n);
    bytes.extend_from_slice(&(n as u64).to_le_bytes());
    for c in dense_costs(n) {
        bytes.extend_from_slice(&c.to_le_bytes());
    }
    fs::write(path, bytes)
}

fn read_dense(path: &str) -> Result<CostMatrix, Box<dyn std::error::Error>> {
    let bytes = fs::read(path)?;
    let n = u64::from_le_bytes(bytes[..8].try_into()?) as usize;
    let data =
        bytes[8..].chunks_exact(8).map(|c| c.try_into().map(i64::from_le_bytes)).collect::<Result<Vec<_>, _>>()?;
    Ok(CostMatrix::new(n, data)?)
}

/// Time spent on the CPU by this thread, from `/proc/thread-self/schedstat`, so the figures
/// hold on a machine shared with other builds; wall-clock time where that file is missing.
struct Timer {
    wall: Instant,
    cpu_ns: Option<u64>,
}

fn thread_cpu_ns() -> Option<u64> {
    fs::read_to_string("/proc/thread-self/schedstat").ok()?.split_whitespace().next()?.parse().ok()
}

impl Timer {
    fn now() -> Self {
        Self { wall: Instant::now(), cpu_ns: thread_cpu_ns() }
    }

    fn elapsed(&self) -> Duration {
        match (self.cpu_ns, thread_cpu_ns()) {
            (Some(a), Some(b)) => Duration::from_nanos(b.saturating_sub(a)),
            _ => self.wall.elapsed(),
        }
    }
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let mut report: Vec<(String, String, String)> = Vec::new();

    // 1. Dense assignment against SciPy and pathfinding on the same instance.
    if let Some(path) = flag(args, "--dense") {
        let c = read_dense(path)?;
        let n = c.size();
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..5 {
            let t = Timer::now();
            let s = assignment::solve(&c);
            times.push(t.elapsed());
            total = s.total;
            assignment::verify_certificate(&c, &s.row_to_col, &s.duals).map_err(|e| format!("certificate: {e}"))?;
        }
        let ours = median(times);
        report.push((
            format!("dense {n}×{n}: roundtable JV (median of 5)"),
            ms(ours),
            format!("total {total}, certificate verified"),
        ));
        if let Some(scipy) = flag(args, "--scipy") {
            let text = fs::read_to_string(scipy)?;
            let get = |k: &str| text.lines().find_map(|l| l.strip_prefix(&format!("{k}="))).map(str::to_owned);
            let secs: f64 = get("seconds").ok_or("no seconds= in SciPy output")?.parse()?;
            let scipy_total: f64 = get("total").ok_or("no total= in SciPy output")?.parse()?;
            let version = get("version").unwrap_or_default();
            let agree = if scipy_total == total as f64 { "same total" } else { "TOTALS DIFFER" };
            report.push((
                format!("dense {n}×{n}: SciPy {version} linear_sum_assignment (median of 5)"),
                ms(Duration::from_secs_f64(secs)),
                format!("{agree}; roundtable/SciPy = {:.2}×", ours.as_secs_f64() / secs),
            ));
        }
        if !args.iter().any(|a| a == "--skip-kuhn-munkres") {
            let weights =
                pathfinding::matrix::Matrix::from_vec(n, n, (0..n * n).map(|k| -c.get(k / n, k % n)).collect())?;
            let t = Timer::now();
            let (best, _) = pathfinding::kuhn_munkres::kuhn_munkres(&weights);
            let km = t.elapsed();
            let agree = if -best == total { "same total" } else { "TOTALS DIFFER" };
            report.push((
                format!("dense {n}×{n}: pathfinding 4 kuhn_munkres (1 run)"),
                ms(km),
                format!("{agree}; roundtable is {:.0}× faster", km.as_secs_f64() / ours.as_secs_f64()),
            ));
        }
        print_progress(&report);
    }

    // 2. Mentoring at scale: the target instance in both modes, then a cohort short of
    // places, where explaining 1,000 unmatched mentees is part of the work.
    let settings = Settings::default();
    let cases = [(1000, false), (1000, true), (800, false)];
    for (mentors, fairness) in cases {
        let input = mentoring_instance(5000, mentors, 5);
        let forbidden_share = forbidden_share(&input);
        let options = MentoringOptions { weights: settings.mentoring.clone(), fairness, ..MentoringOptions::default() };
        let t = Timer::now();
        let problem = mentoring::build_problem(&input, &options)?;
        let built = t.elapsed();
        let outcome = problem.solve()?;
        let all = t.elapsed();
        let mut csv = Vec::new();
        csv_output::write_mentoring(&outcome, &input, b',', &mut csv)?;
        let written = t.elapsed();
        // The same solve and certificate check again on their own, for the breakdown.
        let t2 = Timer::now();
        let sol = capacitated::solve_capacitated(problem.costs())?;
        let solve_only = t2.elapsed();
        // Short: repeated, because thread CPU time advances in scheduler ticks.
        let t3 = Timer::now();
        for _ in 0..20 {
            capacitated::verify_capacitated_certificate(problem.costs(), &sol.row_to_group, &sol.duals)
                .map_err(|e| format!("certificate: {e}"))?;
        }
        let check_only = t3.elapsed() / 20;
        report.push((
            format!(
                "mentoring 5000 mentees × {mentors} mentors (cap 5), {:.1}% pairs forbidden{}",
                forbidden_share * 100.0,
                if fairness { ", fairness first" } else { "" }
            ),
            ms(all),
            format!(
                "build {} (scores, constraints{}), solve {}, certificate check {}, then explanations; \
                 {} matched, {} unmatched, total {:.2}, lowest {:.2}; writing the CSV {} more",
                ms(built),
                if fairness { ", floor search" } else { "" },
                ms(solve_only),
                ms(check_only),
                outcome.matches.len(),
                outcome.unmatched.len(),
                outcome.total_score,
                outcome.lowest_score.unwrap_or(0.0),
                ms(written - all)
            ),
        ));
        print_progress(&report);
        if mentors == 1000 && !fairness && !args.iter().any(|a| a == "--skip-expanded") {
            // The same problem as the dense expansion (one column per place), solved by the
            // dense solver: why mentoring uses the grouped one.
            let dense = expand(problem.costs())?;
            let t = Timer::now();
            let d = assignment::solve(&dense);
            let took = t.elapsed();
            let agree = if d.total == sol.total { "same optimum" } else { "OPTIMA DIFFER" };
            report.push((
                format!("  the same, expanded to a dense {0}×{0} matrix, dense JV", dense.size()),
                ms(took),
                format!("{agree}; {:.1}× the grouped solve", took.as_secs_f64() / solve_only.as_secs_f64()),
            ));
            print_progress(&report);
        }
    }

    // 3. Coffee: 10,000 members, 10 rounds of history.
    let members = coffee_members(10_000);
    let weights = settings.coffee.clone();
    let mut history: Vec<PastGroup> = Vec::new();
    for round in 1..=10 {
        let r = coffee::pair_round(&members, &history, &weights, round, 7)?;
        history.extend(
            r.groups
                .iter()
                .map(|g| PastGroup { round, members: g.members.iter().map(|&i| members[i].id.clone()).collect() }),
        );
    }
    // Short: timed over 20 runs, because thread CPU time advances in scheduler ticks.
    let mut last = None;
    let t = Timer::now();
    for _ in 0..20 {
        last = Some(coffee::pair_round(&members, &history, &weights, 11, 7)?);
    }
    let coffee_time = t.elapsed() / 20;
    let r = last.ok_or("no coffee round")?;
    report.push((
        "coffee round: 10,000 members, 10 rounds of history (mean of 20)".to_owned(),
        ms(coffee_time),
        format!(
            "{} pairs, {} trios, cross-department {:.1}%, cross-location {:.1}%, repeats {}",
            r.report.pairs,
            r.report.trios,
            r.report.cross_department_share * 100.0,
            r.report.cross_location_share * 100.0,
            r.report.repeats
        ),
    ));
    print_progress(&report);

    // 4. Circles: 2,000 people.
    let people = circle_people(2000);
    let t = Timer::now();
    let outcome = circles::form_circles(&people, &[], &settings.circles)?;
    let took = t.elapsed();
    let groups: Vec<Vec<usize>> = outcome.circles.iter().map(|c| c.members.clone()).collect();
    let violations = circles::validate_circles(&people, &[], &groups, &settings.circles);
    for v in &violations {
        eprintln!("violation: {v}");
    }
    report.push((
        "circles: 2,000 people, sizes 5–8".to_owned(),
        ms(took),
        format!(
            "{} circles, quality {:.2} shared threads per pair (random split {:.2}), {} unplaced, {} violations",
            outcome.circles.len(),
            outcome.quality,
            outcome.random_quality,
            outcome.unplaced.len(),
            violations.len()
        ),
    ));

    println!();
    println!("| benchmark | CPU time | notes |");
    println!("| --- | ---: | --- |");
    for (name, time, notes) in &report {
        println!("| {name} | {time} | {notes} |");
    }
    Ok(())
}

fn print_progress(report: &[(String, String, String)]) {
    if let Some((name, time, notes)) = report.last() {
        eprintln!("{name}: {time} ({notes})");
        let _ = io::stderr().flush();
    }
}

/// `base + below(extra)` distinct items of `from`.
fn pick(rng: &mut SplitMix64, from: &[&str], base: usize, extra: usize) -> Vec<String> {
    let k = base + if extra > 0 { rng.below(extra) } else { 0 };
    let mut idx: Vec<usize> = (0..from.len()).collect();
    rng.shuffle(&mut idx);
    idx.into_iter().take(k).map(|i| from[i].to_owned()).collect()
}

const DEPARTMENTS: &[&str] = &[
    "Finance",
    "Legal",
    "HR",
    "Sales",
    "Marketing",
    "Operations",
    "IT",
    "Research",
    "Procurement",
    "Communications",
    "Strategy",
    "Executive Office",
];
const ZONES: &[i32] = &[-480, -300, 0, 60, 120, 330, 480, 600];
const LANGUAGES: &[&str] = &["English", "French", "German", "Spanish", "Dutch", "Portuguese"];

fn vocab(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix} {i}")).collect()
}

fn profile(rng: &mut SplitMix64, id: String, level: u32) -> Profile {
    let langs: Vec<&str> = LANGUAGES.to_vec();
    let mut languages = vec!["English".to_owned()];
    languages.extend(pick(rng, &langs[1..], 0, 2));
    Profile {
        name: format!("Person {id}"),
        email: format!("{id}@example.org"),
        id,
        department: DEPARTMENTS[rng.below(DEPARTMENTS.len())].to_owned(),
        level,
        time_zone: Some(ZONES[rng.below(ZONES.len())]),
        languages,
        years_experience: level * 3 + rng.below(4) as u32,
        manager_id: None,
        exclude: Vec::new(),
    }
}

/// Synthetic cohort: 60 skills, 20 goals, 12 departments, 8 time zones; each mentee excludes
/// 2% of mentors (the "forbidden pairs"), and some mentors manage some mentees.
fn mentoring_instance(n: usize, m: usize, cap: u32) -> MentoringInput {
    let mut rng = SplitMix64::new(5);
    let skills = vocab("skill", 60);
    let goals = vocab("goal", 20);
    let skills: Vec<&str> = skills.iter().map(String::as_str).collect();
    let goals: Vec<&str> = goals.iter().map(String::as_str).collect();
    let mentors: Vec<Mentor> = (0..m)
        .map(|i| {
            let level = 4 + rng.below(5) as u32;
            Mentor {
                profile: profile(&mut rng, format!("m{i:04}"), level),
                skills_offered: pick(&mut rng, &skills, 5, 6),
                goals: pick(&mut rng, &goals, 2, 4),
                capacity: cap,
                preferences: Vec::new(),
            }
        })
        .collect();
    let per_mentee_exclusions = m / 50;
    let mentees = (0..n)
        .map(|i| {
            let level = 1 + rng.below(5) as u32;
            let mut p = profile(&mut rng, format!("e{i:05}"), level);
            if i % 10 == 0 {
                p.manager_id = Some(format!("m{:04}", rng.below(m)));
            }
            let mut ex = Vec::new();
            while ex.len() < per_mentee_exclusions {
                let id = format!("m{:04}", rng.below(m));
                if !ex.contains(&id) {
                    ex.push(id);
                }
            }
            p.exclude = ex;
            let preferences = if i % 3 == 0 {
                (0..3).map(|_| format!("m{:04}", rng.below(m))).collect::<Vec<_>>()
            } else {
                Vec::new()
            };
            let mut preferences_unique = Vec::new();
            for id in preferences {
                if !preferences_unique.contains(&id) {
                    preferences_unique.push(id);
                }
            }
            Mentee {
                profile: p,
                skills_wanted: pick(&mut rng, &skills, 3, 4),
                goals: pick(&mut rng, &goals, 1, 3),
                preferences: preferences_unique,
            }
        })
        .collect();
    MentoringInput { mentees, mentors, org_chart: Vec::new(), past_pairs: Vec::new() }
}

/// A capacitated problem as a square dense matrix: one column per place, padding rows for
/// places left empty, and a forbidden cell priced above any saving elsewhere.
fn expand(c: &capacitated::CapacitatedCosts) -> Result<CostMatrix, Box<dyn std::error::Error>> {
    let places: usize = c.caps().iter().map(|&x| x as usize).sum();
    let allowed = (0..c.rows()).flat_map(|i| c.row(i).iter().copied()).filter(|&x| x != capacitated::FORBIDDEN);
    let max_abs = allowed.map(i64::abs).max().unwrap_or(0);
    let big = (max_abs + 1) * (places as i64 + 1);
    let mut data = Vec::with_capacity(places * places);
    for i in 0..places {
        for (g, &cap) in c.caps().iter().enumerate() {
            let cost = if i < c.rows() { c.get(i, g) } else { 0 };
            let cost = if cost == capacitated::FORBIDDEN { big } else { cost };
            data.extend(std::iter::repeat_n(cost, cap as usize));
        }
    }
    Ok(CostMatrix::new(places, data)?)
}

fn forbidden_share(input: &MentoringInput) -> f64 {
    let excluded: usize = input.mentees.iter().map(|e| e.profile.exclude.len()).sum();
    let managed = input.mentees.iter().filter(|e| e.profile.manager_id.is_some()).count();
    (excluded + managed) as f64 / (input.mentees.len() * input.mentors.len()) as f64
}

fn coffee_members(n: usize) -> Vec<CoffeeMember> {
    let mut rng = SplitMix64::new(11);
    let locations = ["London", "Paris", "Frankfurt", "New York", "Singapore", "Madrid", "Remote"];
    (0..n)
        .map(|i| CoffeeMember {
            id: format!("c{i:05}"),
            name: format!("Member {i}"),
            email: format!("c{i:05}@example.org"),
            department: DEPARTMENTS[rng.below(DEPARTMENTS.len())].to_owned(),
            location: locations[rng.below(locations.len())].to_owned(),
            time_zone: Some(ZONES[rng.below(ZONES.len())]),
            opted_in: true,
            skip: rng.below(20) == 0,
        })
        .collect()
}

/// 2,000 participants in a random org tree under 20 executives who manage but do not take
/// part; every tenth participant assists one or two people near the top.
fn circle_people(n: usize) -> Vec<CirclePerson> {
    const EXECUTIVES: usize = 20;
    let mut rng = SplitMix64::new(13);
    let functions = ["Finance", "Legal", "HR", "Sales", "Marketing", "Operations", "IT", "Research"];
    let projects = vocab("project", 40);
    let projects: Vec<&str> = projects.iter().map(String::as_str).collect();
    let mut people: Vec<CirclePerson> = Vec::with_capacity(n);
    for i in EXECUTIVES..n + EXECUTIVES {
        // Person i's manager is some earlier person with a smaller index: a random tree.
        let manager = Some(format!("p{:04}", rng.below(i.min(400))));
        let level = 1 + rng.below(6) as u32;
        let supports = if i % 10 == 9 {
            (0..1 + rng.below(2)).map(|_| format!("p{:04}", rng.below(60))).collect()
        } else {
            Vec::new()
        };
        people.push(CirclePerson {
            id: format!("p{i:04}"),
            name: format!("Person {i}"),
            email: format!("p{i:04}@example.org"),
            level,
            function: functions[rng.below(functions.len())].to_owned(),
            years_experience: rng.below(30) as u32,
            projects: pick(&mut rng, &projects, 0, 4),
            manager_id: manager,
            supports,
            willing_to_facilitate: rng.below(3) == 0,
        });
    }
    people
}
