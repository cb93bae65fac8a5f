//! `roundtable match …`: the matching engine on CSV files, for organisers who want results
//! before the programme pages exist.
//!
//! This module only opens and creates files, calls `roundtable_matching` and prints a
//! summary to stderr. Every rule, score and message about the data lives in that crate, where
//! it is tested; see docs/matching.md and examples/matching/README.md.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use roundtable_matching::mentoring::{self, MentoringInput, MentoringOptions, Pair};
use roundtable_matching::{Settings, circles, coffee, csv_input, csv_output};

#[derive(Subcommand, Debug)]
pub enum MatchCommand {
    /// Propose the best mentor for each mentee: optimal under mentor capacity and the hard
    /// constraints (reporting lines, past pairs, exclusions), with every score explained.
    Mentoring {
        /// Mentees CSV: id, name, email, department, level, time_zone, languages,
        /// years_experience, skills_wanted, goals, preferences, manager_id, exclude.
        /// Lists inside a cell are separated by ";".
        #[arg(long, value_name = "CSV")]
        mentees: PathBuf,
        /// Mentors CSV: as for mentees, with skills_offered instead of skills_wanted, goals
        /// they can help with, and capacity (mentees they take; empty means 1).
        #[arg(long, value_name = "CSV")]
        mentors: PathBuf,
        /// Settings file with criterion weights; defaults apply to anything left out
        /// (see examples/matching/weights.toml).
        #[arg(long, value_name = "TOML")]
        weights: Option<PathBuf>,
        /// Extra reporting lines (id, manager_id) for managers outside the programme, so
        /// chains through them are known.
        #[arg(long, value_name = "CSV")]
        org: Option<PathBuf>,
        /// Pairs from earlier programmes (mentee_id, mentor_id): never proposed again.
        #[arg(long, value_name = "CSV")]
        past_pairs: Option<PathBuf>,
        /// A previous proposal for this cohort (a matches.csv this command wrote): the new
        /// proposal keeps as many of its pairs as possible and reports who moved. Its pins
        /// (status pinned) and forbidden pairs (forbidden column) hold again, unless --pin or
        /// --forbid says otherwise; the summary says what was kept.
        #[arg(long, value_name = "CSV")]
        previous: Option<PathBuf>,
        /// Fix a pair, written MENTEE_ID:MENTOR_ID. Repeat for more pins.
        #[arg(long, value_name = "MENTEE:MENTOR")]
        pin: Vec<Pair>,
        /// Rule out a pair, written MENTEE_ID:MENTOR_ID. Repeat for more. Written into the
        /// output's forbidden column, so it carries over with --previous.
        #[arg(long, value_name = "MENTEE:MENTOR")]
        forbid: Vec<Pair>,
        /// Fairness first: make the lowest match score as high as possible, then the total.
        #[arg(long)]
        fairness: bool,
        /// Where to write the proposal CSV: one row per mentee with score, components,
        /// explanation, and a reason for anyone unmatched. One row per mentor (their
        /// mentees' names and emails) goes beside it: matches.csv → matches-by-mentor.csv.
        /// Both use the separator of the mentees file.
        #[arg(long, value_name = "CSV")]
        out: PathBuf,
    },
    /// Pair opted-in members for coffee chats, avoiding recent repeats and favouring other
    /// departments and locations; an odd member makes a trio.
    Coffee {
        /// Members CSV: id, name, email, department, location, time_zone, opted_in (yes/no,
        /// empty = yes), skip (yes/no: sits this round out).
        #[arg(long, value_name = "CSV")]
        members: PathBuf,
        /// Earlier rounds: files this command wrote (round, group, member_id, email), or
        /// round, member_a, member_b, member_c. Repeat for several files. Ids not in the
        /// members file are warned about, and matched by email when the file has one.
        #[arg(long, value_name = "CSV")]
        history: Vec<PathBuf>,
        /// Settings file ([coffee] weights and avoid_rounds).
        #[arg(long, value_name = "TOML")]
        weights: Option<PathBuf>,
        /// Member id sitting the round out, on top of the skip column. Repeat for more.
        #[arg(long, value_name = "ID")]
        skip: Vec<String>,
        /// Number of the first round to make (default: one after the latest in history).
        #[arg(long)]
        round: Option<u32>,
        /// How many consecutive rounds to make; each avoids the ones before it.
        #[arg(long, default_value_t = 1)]
        rounds: u32,
        /// Seed for the random order: the same files and seed give the same rounds.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the rounds CSV (usable as --history next time), with the separator
        /// of the members file.
        #[arg(long, value_name = "CSV")]
        out: PathBuf,
    },
    /// Form peer-learning circles that share common threads (level, function, experience,
    /// projects), with nobody alongside someone in their reporting chain or the assistant of
    /// their boss or boss's boss.
    Circles {
        /// People CSV: id, name, email, level, function, years_experience, projects,
        /// manager_id, supports (executive ids they assist), willing_to_facilitate (yes/no).
        #[arg(long, value_name = "CSV")]
        people: PathBuf,
        /// Settings file ([circles] min_size and max_size).
        #[arg(long, value_name = "TOML")]
        weights: Option<PathBuf>,
        /// Extra reporting lines (id, manager_id) for executives outside the people file,
        /// so the rule about a boss's boss sees through them.
        #[arg(long, value_name = "CSV")]
        org: Option<PathBuf>,
        /// Fewest members per circle (overrides the settings file; default 5).
        #[arg(long)]
        min_size: Option<usize>,
        /// Most members per circle (overrides the settings file; default 8).
        #[arg(long)]
        max_size: Option<usize>,
        /// Where to write the circles CSV, with the separator of the people file.
        #[arg(long, value_name = "CSV")]
        out: PathBuf,
    },
}

/// Runs one `roundtable match` command.
pub fn run(cmd: MatchCommand) -> Result<()> {
    match cmd {
        MatchCommand::Mentoring {
            mentees,
            mentors,
            weights,
            org,
            past_pairs,
            previous,
            pin,
            forbid,
            fairness,
            out,
        } => {
            let inputs = [
                Some(&mentees),
                Some(&mentors),
                weights.as_ref(),
                org.as_ref(),
                past_pairs.as_ref(),
                previous.as_ref(),
            ];
            let by_mentor = by_mentor_path(&out);
            refuse_overwrite(&out, inputs.into_iter().flatten())?;
            refuse_overwrite(&by_mentor, inputs.into_iter().flatten())?;
            let settings = settings(weights.as_deref())?;
            let org_chart = org_chart(org.as_deref())?;
            let mut warnings = Vec::new();
            let mentees_bytes = read(&mentees)?;
            let separator = csv_input::separator_of(&mentees_bytes);
            let (mentees_list, mentors_list) = csv_input::read_mentoring(
                mentees_bytes.as_slice(),
                &label(&mentees),
                open(&mentors)?,
                &label(&mentors),
                &org_chart,
                &mut warnings,
            )?;
            print_warnings(&warnings);
            let input = MentoringInput {
                mentees: mentees_list,
                mentors: mentors_list,
                org_chart,
                past_pairs: pairs(past_pairs.as_deref())?,
            };
            let previous = match &previous {
                Some(p) => csv_input::parse_previous(open(p)?, &label(p))?,
                None => csv_input::PreviousProposal::default(),
            };
            let options = MentoringOptions {
                weights: settings.mentoring,
                fairness,
                pins: pin,
                forbids: forbid,
                previous: previous.pairs,
                previous_pins: previous.pins,
                previous_forbids: previous.forbids,
            };
            let spinner = indicatif::ProgressBar::new_spinner();
            spinner.set_message(format!(
                "Matching {} mentees with {} mentors…",
                input.mentees.len(),
                input.mentors.len()
            ));
            spinner.enable_steady_tick(Duration::from_millis(120));
            let outcome = mentoring::match_mentoring(&input, &options);
            spinner.finish_and_clear();
            let outcome = outcome?;
            let mut w = create(&out)?;
            csv_output::write_mentoring(&outcome, &input, separator, &mut w)
                .and_then(|()| w.flush())
                .with_context(|| format!("cannot write {}", out.display()))?;
            let mut w = create(&by_mentor)?;
            csv_output::write_mentors(&outcome, &input, separator, &mut w)
                .and_then(|()| w.flush())
                .with_context(|| format!("cannot write {}", by_mentor.display()))?;
            eprintln!("{}", outcome.summary());
            eprintln!("Wrote {} (one row per mentee) and {} (one row per mentor).", out.display(), by_mentor.display());
        }
        MatchCommand::Coffee { members, history, weights, skip, round, rounds, seed, out } => {
            refuse_overwrite(&out, [&members].into_iter().chain(&history).chain(weights.as_ref()))?;
            let settings = settings(weights.as_deref())?;
            let mut warnings = Vec::new();
            let members_bytes = read(&members)?;
            let separator = csv_input::separator_of(&members_bytes);
            let mut people =
                csv_input::parse_coffee_members(members_bytes.as_slice(), &label(&members), &mut warnings)?;
            for id in &skip {
                match people.iter_mut().find(|m| m.id == *id) {
                    Some(m) => m.skip = true,
                    None => bail!("--skip {id}: no member has that id in {}", members.display()),
                }
            }
            let mut past = Vec::new();
            for p in &history {
                past.extend(csv_input::parse_coffee_history(
                    open(p)?,
                    &label(p),
                    &people,
                    &label(&members),
                    &mut warnings,
                )?);
            }
            print_warnings(&warnings);
            let first = round.unwrap_or_else(|| coffee::next_round_number(&past));
            let mut made = Vec::new();
            for number in first..first + rounds {
                let r = coffee::pair_round(&people, &past, &settings.coffee, number, seed)?;
                past.extend(r.groups.iter().map(|g| coffee::PastGroup {
                    round: number,
                    members: g.members.iter().map(|&i| people[i].id.clone()).collect(),
                }));
                eprintln!("{}", r.report.summary(number));
                if let Some(i) = r.alone {
                    eprintln!("Only {} is taking part; nobody to pair with.", people[i].id);
                }
                made.push(r);
            }
            let mut w = create(&out)?;
            csv_output::write_coffee(&made, &people, separator, &mut w)
                .and_then(|()| w.flush())
                .with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!("Wrote {}.", out.display());
        }
        MatchCommand::Circles { people, weights, org, min_size, max_size, out } => {
            refuse_overwrite(&out, [&people].into_iter().chain(weights.as_ref()).chain(org.as_ref()))?;
            let mut settings = settings(weights.as_deref())?;
            if let Some(min) = min_size {
                settings.circles.min_size = min;
            }
            if let Some(max) = max_size {
                settings.circles.max_size = max;
            }
            settings.validate("--min-size/--max-size")?;
            let org_chart = org_chart(org.as_deref())?;
            let mut warnings = Vec::new();
            let people_bytes = read(&people)?;
            let separator = csv_input::separator_of(&people_bytes);
            let list =
                csv_input::parse_circle_people(people_bytes.as_slice(), &label(&people), &org_chart, &mut warnings)?;
            print_warnings(&warnings);
            let outcome = circles::form_circles(&list, &org_chart, &settings.circles)?;
            let groups: Vec<Vec<usize>> = outcome.circles.iter().map(|c| c.members.clone()).collect();
            let violations = circles::validate_circles(&list, &org_chart, &groups, &settings.circles);
            let mut w = create(&out)?;
            csv_output::write_circles(&outcome, &list, separator, &mut w)
                .and_then(|()| w.flush())
                .with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!(
                "{} circles for {} people ({} unplaced); on average a pair in a circle shares \
                 {:.2} threads (a random split: {:.2}); {} rule violations.",
                outcome.circles.len(),
                list.len(),
                outcome.unplaced.len(),
                outcome.quality,
                outcome.random_quality,
                violations.len()
            );
            if let Some(advice) = circles::size_advice(list.len(), settings.circles.min_size, settings.circles.max_size)
            {
                eprintln!("{advice}.");
            }
            eprintln!("Wrote {}.", out.display());
        }
    }
    Ok(())
}

/// Refuses an `--out` that is one of the inputs (after resolving `..`, links and the like),
/// before anything is read or written: creating it would empty the input first.
fn refuse_overwrite<'a>(out: &Path, inputs: impl IntoIterator<Item = &'a PathBuf>) -> Result<()> {
    let Some(out_real) = resolved(out) else { return Ok(()) };
    for input in inputs {
        if resolved(input).as_ref() == Some(&out_real) {
            bail!(
                "--out {} is the input file {}: writing it would overwrite that input. Choose \
                 another --out file; nothing was written.",
                out.display(),
                input.display()
            );
        }
    }
    Ok(())
}

/// The canonical path of a file, or of its folder joined with its name when the file does
/// not exist yet (an output usually does not); `None` when the folder does not exist
/// either, in which case it cannot be an input.
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(parent.canonicalize().ok()?.join(path.file_name()?))
}

fn print_warnings(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

fn label(path: &Path) -> String {
    path.display().to_string()
}

/// `matches.csv` → `matches-by-mentor.csv`, beside it.
fn by_mentor_path(out: &Path) -> PathBuf {
    let stem = out.file_stem().map_or_else(|| "matches".into(), |s| s.to_string_lossy().into_owned());
    let name = match out.extension() {
        Some(ext) => format!("{stem}-by-mentor.{}", ext.to_string_lossy()),
        None => format!("{stem}-by-mentor"),
    };
    out.with_file_name(name)
}

/// A whole input file, for the inputs whose separator the outputs reuse.
fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot open {}", path.display()))
}

fn open(path: &Path) -> Result<BufReader<File>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(BufReader::new(file))
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(BufWriter::new(file))
}

fn settings(path: Option<&Path>) -> Result<Settings> {
    let Some(path) = path else {
        return Ok(Settings::default());
    };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Settings::from_toml(&text, &label(path))?)
}

/// The organisation chart of `--org` (person, manager), or none.
fn org_chart(path: Option<&Path>) -> Result<Vec<(String, Option<String>)>> {
    match path {
        Some(p) => Ok(csv_input::parse_org_chart(open(p)?, &label(p))?),
        None => Ok(Vec::new()),
    }
}

fn pairs(path: Option<&Path>) -> Result<Vec<Pair>> {
    match path {
        Some(p) => Ok(csv_input::parse_pairs(open(p)?, &label(p))?),
        None => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_out_file_that_is_an_input_is_refused_naming_it() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let input = dir.path().join("mentees.csv");
        std::fs::write(&input, "id\ne1\n")?;
        // The same file reached another way: through "sub/..".
        std::fs::create_dir(dir.path().join("sub"))?;
        let out = dir.path().join("sub").join("..").join("mentees.csv");
        let err = refuse_overwrite(&out, [&input]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains(&format!("is the input file {}", input.display())), "{err}");
        assert_eq!(std::fs::read_to_string(&input)?, "id\ne1\n");
        assert!(refuse_overwrite(&dir.path().join("matches.csv"), [&input]).is_ok());
        Ok(())
    }

    #[test]
    fn the_per_mentor_file_sits_beside_the_matches_file() {
        assert_eq!(by_mentor_path(Path::new("out/matches.csv")), Path::new("out/matches-by-mentor.csv"));
        assert_eq!(by_mentor_path(Path::new("matches")), Path::new("matches-by-mentor"));
    }
}
