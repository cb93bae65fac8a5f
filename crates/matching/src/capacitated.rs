//! Capacitated assignment: every row to one column group, each group taking at most its
//! capacity, minimum total cost, with a dual certificate and its independent checker.
//!
//! This is the dense problem of [`crate::assignment`] with each mentor's places (identical
//! columns) kept as one column of capacity `c` instead of `c` copies. The solver is the same
//! Jonker–Volgenant shortest augmenting path, run on groups: when the search reaches a full
//! group it continues from every row in it. Why not the expanded matrix itself: identical
//! columns tie everywhere, which defeats JV's reduction phases, and every scanned row costs
//! `c×` more. On the 5,000 × 1,000 (capacity 5) benchmark the expanded dense solve takes
//! 5.0 s and this one well under a second, with the same optimum (a test checks both agree).
//!
//! Cells may be [`FORBIDDEN`]: such a pair is not a variable at all, so it can never be
//! chosen, whatever the other costs are.

use crate::assignment::{CertificateError, Duals};

/// Marks a cell that may not be used.
pub const FORBIDDEN: i64 = i64::MAX;

/// Distance of a group not reached yet.
const UNREACHED: i64 = i64::MAX / 2;

const NONE: usize = usize::MAX;

/// Costs of `rows × groups` cells (row-major) and each group's capacity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapacitatedCosts {
    rows: usize,
    groups: usize,
    data: Vec<i64>,
    caps: Vec<u32>,
}

/// Why capacitated costs were refused or could not be solved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CapacitatedError {
    /// `data.len() != rows * groups` or `caps.len() != groups`.
    #[error("expected {expected} entries, got {got}")]
    WrongSize { expected: usize, got: usize },
    /// A cost outside the overflow-free range.
    #[error("cost {value} at row {row}, group {group} is outside ±{limit}")]
    CostTooLarge { row: usize, group: usize, value: i64, limit: i64 },
    /// Some row cannot be placed without pushing another row out of every option.
    #[error("no complete assignment exists: row {row} cannot be placed")]
    Infeasible { row: usize },
}

impl CapacitatedCosts {
    /// Wraps row-major `data` (`rows × groups`, [`FORBIDDEN`] allowed) with capacities.
    pub fn new(rows: usize, groups: usize, data: Vec<i64>, caps: Vec<u32>) -> Result<Self, CapacitatedError> {
        if data.len() != rows * groups {
            return Err(CapacitatedError::WrongSize { expected: rows * groups, got: data.len() });
        }
        if caps.len() != groups {
            return Err(CapacitatedError::WrongSize { expected: groups, got: caps.len() });
        }
        // Path lengths add up to `rows + 1` reduced costs of at most twice the limit.
        let limit = (i64::MAX / 8 / (rows as i64 + 1)).min(crate::assignment::MAX_ABS_COST);
        if let Some(pos) = data.iter().position(|&c| c != FORBIDDEN && c.abs() > limit) {
            return Err(CapacitatedError::CostTooLarge {
                row: pos / groups,
                group: pos % groups,
                value: data[pos],
                limit,
            });
        }
        Ok(Self { rows, groups, data, caps })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn groups(&self) -> usize {
        self.groups
    }

    pub fn caps(&self) -> &[u32] {
        &self.caps
    }

    /// The cost of `row` in `group`, possibly [`FORBIDDEN`].
    pub fn get(&self, row: usize, group: usize) -> i64 {
        self.data[row * self.groups + group]
    }

    pub fn row(&self, row: usize) -> &[i64] {
        &self.data[row * self.groups..(row + 1) * self.groups]
    }

    /// Total cost of an assignment (forbidden cells are not expected).
    pub fn total(&self, row_to_group: &[usize]) -> i64 {
        row_to_group.iter().enumerate().map(|(i, &g)| self.get(i, g)).sum()
    }
}

/// An optimal capacitated assignment and its certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapacitatedSolution {
    /// The group of each row.
    pub row_to_group: Vec<usize>,
    pub total: i64,
    /// `rows[i] + cols[g] ≤ cost(i, g)`; see [`verify_capacitated_certificate`].
    pub duals: Duals,
}

/// Assigns every row to a group, within capacities, at minimum total cost.
///
/// Rows are added one at a time along shortest augmenting paths (Dijkstra on reduced
/// costs), so each step keeps the partial assignment optimal and the duals feasible. Group
/// potentials start at 0 and only fall, and only while the group is full; so a group with
/// room left keeps potential 0, which is the complementary-slackness condition for its
/// capacity.
pub fn solve_capacitated(costs: &CapacitatedCosts) -> Result<CapacitatedSolution, CapacitatedError> {
    let (n, g_count) = (costs.rows, costs.groups);
    let mut s = Search {
        assign: vec![NONE; n],
        load: vec![0; g_count],
        members: vec![Vec::new(); g_count],
        v: vec![0; g_count],
        d: vec![0; g_count],
        pred: vec![0; g_count],
        cols: (0..g_count).collect(),
    };
    for start in 0..n {
        let found = s.find_path(costs, start).ok_or(CapacitatedError::Infeasible { row: start })?;
        s.augment(start, found);
    }
    let u: Vec<i64> = (0..n).map(|i| costs.get(i, s.assign[i]) - s.v[s.assign[i]]).collect();
    let total = costs.total(&s.assign);
    Ok(CapacitatedSolution { row_to_group: s.assign, total, duals: Duals { rows: u, cols: s.v } })
}

struct Search {
    assign: Vec<usize>,
    load: Vec<u32>,
    members: Vec<Vec<usize>>,
    v: Vec<i64>,
    d: Vec<i64>,
    pred: Vec<usize>,
    /// Groups partitioned as `[ready | scan | todo]`, as in the dense solver.
    cols: Vec<usize>,
}

// Parallel arrays indexed by group, and `hi` growing behind a scan whose range was fixed at
// its start, exactly as in the dense solver.
#[allow(clippy::needless_range_loop, clippy::mut_range_bound)]
impl Search {
    fn has_room(&self, costs: &CapacitatedCosts, g: usize) -> bool {
        self.load[g] < costs.caps[g]
    }

    /// Shortest augmenting path from the unassigned row `start` to a group with room;
    /// updates the potentials of the groups settled on the way. `None` if none is reachable.
    fn find_path(&mut self, costs: &CapacitatedCosts, start: usize) -> Option<usize> {
        let g_count = costs.groups;
        let row = costs.row(start);
        for g in 0..g_count {
            self.cols[g] = g;
            self.pred[g] = start;
            self.d[g] = if row[g] == FORBIDDEN { UNREACHED } else { row[g] - self.v[g] };
        }
        let (mut lo, mut hi) = (0usize, 0usize);
        let mut n_ready = 0usize;
        let found = 'search: loop {
            if lo == hi {
                n_ready = lo;
                if lo == g_count {
                    return None;
                }
                hi = self.collect_minimum(lo);
                if self.d[self.cols[lo]] >= UNREACHED {
                    return None;
                }
                for k in lo..hi {
                    let g = self.cols[k];
                    if self.has_room(costs, g) {
                        break 'search g;
                    }
                }
            }
            // Settle one full group at the current minimum and continue from its rows, which
            // are all tight on it.
            let g = self.cols[lo];
            lo += 1;
            let mind = self.d[g];
            for idx in 0..self.members[g].len() {
                let i = self.members[g][idx];
                let ri = costs.row(i);
                let h = ri[g] - self.v[g] - mind;
                for k in hi..g_count {
                    let gg = self.cols[k];
                    let c = ri[gg];
                    if c == FORBIDDEN {
                        continue;
                    }
                    let cred = c - self.v[gg] - h;
                    if cred < self.d[gg] {
                        self.d[gg] = cred;
                        self.pred[gg] = i;
                        if cred == mind {
                            if self.load[gg] < costs.caps[gg] {
                                break 'search gg;
                            }
                            self.cols[k] = self.cols[hi];
                            self.cols[hi] = gg;
                            hi += 1;
                        }
                    }
                }
            }
        };
        let mind = self.d[found];
        for k in 0..n_ready {
            let g = self.cols[k];
            self.v[g] += self.d[g] - mind;
        }
        Some(found)
    }

    /// Moves every todo group with the smallest distance into `cols[lo..hi]`; returns `hi`.
    fn collect_minimum(&mut self, lo: usize) -> usize {
        let mut hi = lo + 1;
        let mut mind = self.d[self.cols[lo]];
        for k in hi..self.cols.len() {
            let g = self.cols[k];
            let dg = self.d[g];
            if dg <= mind {
                if dg < mind {
                    hi = lo;
                    mind = dg;
                }
                self.cols[k] = self.cols[hi];
                self.cols[hi] = g;
                hi += 1;
            }
        }
        hi
    }

    /// Flips the path ending in `found`: each row on it moves to the group it reached.
    fn augment(&mut self, start: usize, found: usize) {
        let mut g = found;
        loop {
            let i = self.pred[g];
            let old = self.assign[i];
            self.assign[i] = g;
            self.members[g].push(i);
            self.load[g] += 1;
            if old != NONE {
                if let Some(pos) = self.members[old].iter().position(|&x| x == i) {
                    self.members[old].swap_remove(pos);
                }
                self.load[old] -= 1;
            }
            if i == start {
                break;
            }
            g = old;
        }
    }
}

/// Checks, independently of the solver, that `row_to_group` is a minimum-cost capacitated
/// assignment, with `duals` as the certificate. Returns the total cost.
///
/// The linear program is: minimise `Σ c·x` with each row's `x` summing to 1 and each group's
/// to at most its capacity. Its dual has a free `u_i` per row and `v_g ≤ 0` per group, with
/// `u_i + v_g ≤ c_ig` on every allowed cell. The checks: the assignment is feasible (no
/// forbidden cell, no group over capacity); the duals are feasible; every assigned cell is
/// tight; and a group with `v_g < 0` is full. Then for any feasible assignment `x'`,
/// `Σ c·x' ≥ Σ u + Σ v_g·load'_g ≥ Σ u + Σ v_g·cap_g = Σ c·x`: nothing is cheaper.
pub fn verify_capacitated_certificate(
    costs: &CapacitatedCosts,
    row_to_group: &[usize],
    duals: &Duals,
) -> Result<i64, CertificateError> {
    let (n, g_count) = (costs.rows, costs.groups);
    for (expected, got) in [(n, row_to_group.len()), (n, duals.rows.len()), (g_count, duals.cols.len())] {
        if expected != got {
            return Err(CertificateError::WrongLength { expected, got });
        }
    }
    let mut load = vec![0u64; g_count];
    for (row, &g) in row_to_group.iter().enumerate() {
        if g >= g_count {
            return Err(CertificateError::ColumnOutOfRange { row, col: g });
        }
        if costs.get(row, g) == FORBIDDEN {
            return Err(CertificateError::ForbiddenCellUsed { row, col: g });
        }
        load[g] += 1;
    }
    for (g, (&l, &cap)) in load.iter().zip(&costs.caps).enumerate() {
        if l > u64::from(cap) {
            return Err(CertificateError::OverCapacity { col: g, load: l, capacity: cap });
        }
        let v = duals.cols[g];
        if v > 0 {
            return Err(CertificateError::PositiveCapacityDual { col: g, value: v });
        }
        if v < 0 && l < u64::from(cap) {
            return Err(CertificateError::SlackCapacityCharged { col: g, value: v });
        }
    }
    for (row, &u) in duals.rows.iter().enumerate() {
        let cells = costs.row(row);
        for (col, (&c, &v)) in cells.iter().zip(&duals.cols).enumerate() {
            if c == FORBIDDEN {
                continue;
            }
            let reduced = c as i128 - u as i128 - v as i128;
            if reduced < 0 {
                return Err(CertificateError::NegativeReducedCost { row, col, reduced });
            }
        }
        let col = row_to_group[row];
        let reduced = cells[col] as i128 - u as i128 - duals.cols[col] as i128;
        if reduced != 0 {
            return Err(CertificateError::AssignedCellNotTight { row, col, reduced });
        }
    }
    Ok(costs.total(row_to_group))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assignment::{self, CostMatrix};
    use proptest::prelude::*;

    fn costs(rows: usize, groups: usize, data: &[i64], caps: &[u32]) -> CapacitatedCosts {
        CapacitatedCosts::new(rows, groups, data.to_vec(), caps.to_vec()).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Minimum over every feasible assignment, or `None` if there is none.
    fn brute_force(c: &CapacitatedCosts) -> Option<i64> {
        fn go(c: &CapacitatedCosts, row: usize, load: &mut Vec<u32>) -> Option<i64> {
            if row == c.rows() {
                return Some(0);
            }
            let mut best: Option<i64> = None;
            for g in 0..c.groups() {
                let cost = c.get(row, g);
                if cost == FORBIDDEN || load[g] >= c.caps()[g] {
                    continue;
                }
                load[g] += 1;
                if let Some(rest) = go(c, row + 1, load) {
                    best = Some(best.map_or(cost + rest, |b: i64| b.min(cost + rest)));
                }
                load[g] -= 1;
            }
            best
        }
        go(c, 0, &mut vec![0; c.groups()])
    }

    /// The same problem as a square dense matrix: one column per place, padding rows for
    /// unused places, and a cost for forbidden cells too high to ever pay.
    fn expanded(c: &CapacitatedCosts) -> Option<CostMatrix> {
        let places: usize = c.caps().iter().map(|&x| x as usize).sum();
        if places < c.rows() {
            return None;
        }
        let big = 1_000_000;
        let mut data = Vec::new();
        for i in 0..places {
            for g in 0..c.groups() {
                let cost = if i < c.rows() { c.get(i, g) } else { 0 };
                let cost = if cost == FORBIDDEN { big } else { cost };
                data.extend(std::iter::repeat_n(cost, c.caps()[g] as usize));
            }
        }
        CostMatrix::new(places, data).ok()
    }

    fn instance() -> impl Strategy<Value = CapacitatedCosts> {
        (1usize..7, 1usize..5).prop_flat_map(|(rows, groups)| {
            (
                proptest::collection::vec(prop_oneof![4 => -60i64..60, 1 => Just(FORBIDDEN)], rows * groups),
                proptest::collection::vec(0u32..4, groups),
            )
                .prop_map(move |(data, caps)| costs(rows, groups, &data, &caps))
        })
    }

    #[test]
    fn a_group_takes_up_to_its_capacity() {
        // Three rows all prefer group 0 (capacity 2); the one losing least goes to group 1.
        let c = costs(3, 2, &[0, 10, 0, 5, 0, 1], &[2, 1]);
        let s = solve_capacitated(&c).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.row_to_group, vec![0, 0, 1]);
        assert_eq!(s.total, 1);
        assert_eq!(verify_capacitated_certificate(&c, &s.row_to_group, &s.duals), Ok(1));
    }

    #[test]
    fn a_forbidden_cell_is_never_used_even_when_cheapest_elsewhere() {
        let c = costs(2, 2, &[FORBIDDEN, 100, -100, 50], &[1, 1]);
        let s = solve_capacitated(&c).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.row_to_group, vec![1, 0]);
    }

    #[test]
    fn an_impossible_instance_is_reported_not_looped_on() {
        let c = costs(2, 1, &[0, 0], &[1]);
        assert_eq!(solve_capacitated(&c), Err(CapacitatedError::Infeasible { row: 1 }));
    }

    #[test]
    fn the_checker_rejects_a_charged_group_with_room() {
        let c = costs(1, 2, &[0, 0], &[1, 1]);
        let duals = Duals { rows: vec![1], cols: vec![-1, -1] };
        assert!(matches!(
            verify_capacitated_certificate(&c, &[0], &duals),
            Err(CertificateError::SlackCapacityCharged { col: 1, .. })
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn the_capacitated_total_equals_the_brute_force_optimum(c in instance()) {
            match (solve_capacitated(&c), brute_force(&c)) {
                (Ok(s), Some(best)) => {
                    prop_assert_eq!(s.total, best);
                    prop_assert_eq!(
                        verify_capacitated_certificate(&c, &s.row_to_group, &s.duals),
                        Ok(best)
                    );
                }
                (Err(CapacitatedError::Infeasible { .. }), None) => {}
                (got, best) => prop_assert!(false, "solver {:?} vs brute force {:?}", got, best),
            }
        }

        #[test]
        fn the_capacitated_solver_agrees_with_the_dense_expansion(c in instance()) {
            let (Ok(s), Some(dense)) = (solve_capacitated(&c), expanded(&c)) else {
                return Ok(());
            };
            let d = assignment::solve(&dense);
            // Padding rows cost nothing, so the dense optimum equals ours unless the dense
            // one had to pay for a forbidden cell, which a feasible instance never needs.
            prop_assert_eq!(d.total, s.total);
        }

        #[test]
        fn the_checker_rejects_a_strictly_worse_move(c in instance(), row in 0usize..7, to in 0usize..5) {
            let Ok(s) = solve_capacitated(&c) else { return Ok(()) };
            let (row, to) = (row % c.rows(), to % c.groups());
            let mut moved = s.row_to_group.clone();
            moved[row] = to;
            let feasible = c.get(row, to) != FORBIDDEN
                && moved.iter().filter(|&&g| g == to).count() as u32 <= c.caps()[to];
            let verdict = verify_capacitated_certificate(&c, &moved, &s.duals);
            if !feasible || c.total(&moved) > s.total {
                prop_assert!(verdict.is_err());
            }
        }
    }
}
