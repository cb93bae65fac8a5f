//! Reporting lines: who manages whom, and whether two people sit in one chain of command.
//!
//! This module owns [`OrgChart`], built from `(person, manager)` links. It answers the status
//! questions the hard constraints ask (is one person above the other? who is someone's boss
//! and boss's boss?) and nothing else. Links may name managers who are not in any input file:
//! the chain simply stops there. Cycles in bad HR data are cut, never looped on.

use std::collections::HashMap;

/// People and their managers, interned to dense indices.
#[derive(Clone, Debug, Default)]
pub struct OrgChart {
    index: HashMap<String, usize>,
    ids: Vec<String>,
    manager: Vec<Option<usize>>,
}

impl OrgChart {
    /// An empty chart.
    pub fn new() -> Self {
        Self::default()
    }

    /// The index of `id`, adding the person if new.
    pub fn intern(&mut self, id: &str) -> usize {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = self.ids.len();
        self.index.insert(id.to_owned(), i);
        self.ids.push(id.to_owned());
        self.manager.push(None);
        i
    }

    /// Records that `manager` manages `person`. An empty or self-referencing manager is
    /// ignored; a person's first recorded manager wins, so the main input file takes
    /// precedence over an auxiliary org chart.
    pub fn link(&mut self, person: &str, manager: Option<&str>) {
        let p = self.intern(person);
        let Some(m) = manager.map(str::trim).filter(|m| !m.is_empty() && *m != person) else {
            return;
        };
        let m = self.intern(m);
        if self.manager[p].is_none() {
            self.manager[p] = Some(m);
        }
    }

    /// The index of a known person.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// The id behind an index.
    pub fn id(&self, index: usize) -> &str {
        &self.ids[index]
    }

    /// Number of people known (including managers only named as such).
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when nobody is known.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The direct manager of `person`.
    pub fn manager_of(&self, person: usize) -> Option<usize> {
        self.manager[person]
    }

    /// Everyone above `person`, nearest first: manager, manager's manager, … A cycle in the
    /// data stops the walk at the first repeated person.
    pub fn chain(&self, person: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut cur = self.manager[person];
        while let Some(m) = cur {
            if m == person || out.contains(&m) {
                break;
            }
            out.push(m);
            cur = self.manager[m];
        }
        out
    }

    /// Every person's chain, computed once for repeated queries.
    pub fn all_chains(&self) -> Vec<Vec<usize>> {
        (0..self.len()).map(|p| self.chain(p)).collect()
    }
}

/// How two people relate in one reporting line, if they do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineRelation {
    /// The first person is `levels` above the second (1 = direct manager).
    Above { levels: usize },
    /// The first person is `levels` below the second.
    Below { levels: usize },
}

/// Relation of `a` to `b` given precomputed chains, or `None` when neither is above the other.
pub fn relation(chains: &[Vec<usize>], a: usize, b: usize) -> Option<LineRelation> {
    if let Some(pos) = chains[b].iter().position(|&m| m == a) {
        return Some(LineRelation::Above { levels: pos + 1 });
    }
    chains[a].iter().position(|&m| m == b).map(|pos| LineRelation::Below { levels: pos + 1 })
}

/// Plain words for how `other` relates to `person`, e.g. "your manager's manager".
pub fn describe(rel_of_other_to_person: LineRelation) -> String {
    match rel_of_other_to_person {
        LineRelation::Above { levels: 1 } => "is their manager".to_owned(),
        LineRelation::Above { levels: 2 } => "is their manager's manager".to_owned(),
        LineRelation::Above { levels } => format!("is {levels} levels above them"),
        LineRelation::Below { levels: 1 } => "reports to them".to_owned(),
        LineRelation::Below { levels } => format!("is {levels} levels below them"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> OrgChart {
        let mut c = OrgChart::new();
        c.link("ceo", None);
        c.link("vp", Some("ceo"));
        c.link("lead", Some("vp"));
        c.link("dev", Some("lead"));
        c.link("other", Some("ceo"));
        c
    }

    #[test]
    fn a_chain_lists_managers_nearest_first() {
        let c = chart();
        let dev = c.index_of("dev").unwrap_or_default();
        let names: Vec<&str> = c.chain(dev).into_iter().map(|i| c.id(i)).collect();
        assert_eq!(names, ["lead", "vp", "ceo"]);
    }

    #[test]
    fn relation_sees_both_directions_and_ignores_siblings() {
        let c = chart();
        let chains = c.all_chains();
        let idx = |s: &str| c.index_of(s).unwrap_or_default();
        assert_eq!(relation(&chains, idx("vp"), idx("dev")), Some(LineRelation::Above { levels: 2 }));
        assert_eq!(relation(&chains, idx("dev"), idx("lead")), Some(LineRelation::Below { levels: 1 }));
        assert_eq!(relation(&chains, idx("other"), idx("dev")), None);
    }

    #[test]
    fn a_reporting_cycle_in_bad_data_terminates() {
        let mut c = OrgChart::new();
        c.link("a", Some("b"));
        c.link("b", Some("c"));
        c.link("c", Some("a"));
        let a = c.index_of("a").unwrap_or_default();
        assert_eq!(c.chain(a).len(), 2);
    }

    #[test]
    fn the_first_recorded_manager_wins() {
        let mut c = OrgChart::new();
        c.link("a", Some("b"));
        c.link("a", Some("z"));
        let a = c.index_of("a").unwrap_or_default();
        assert_eq!(c.manager_of(a).map(|m| c.id(m)), Some("b"));
    }
}
