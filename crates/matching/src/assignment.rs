//! Dense linear assignment: the Jonker–Volgenant shortest-augmenting-path solver and the
//! independent optimality checker for its dual certificate.
//!
//! This module owns the square [`CostMatrix`], [`solve`] (minimum total cost, every row to a
//! distinct column) and [`verify_certificate`]. It knows nothing about people: mentoring
//! builds its matrix in `mentoring.rs` and only reads the assignment back.
//!
//! Costs are integers (`i64`) on purpose: scores are scaled to hundredths of a point before
//! they get here, so optimality is exact and the certificate check has no tolerance to tune.
//!
//! The algorithm follows R. Jonker and A. Volgenant, "A shortest augmenting path algorithm
//! for dense and sparse linear assignment problems", Computing 38 (1987): column reduction
//! with reduction transfer, two passes of augmenting row reduction, then Dijkstra-like
//! shortest augmenting paths on reduced costs for the rows still free.

use std::fmt;

/// Largest absolute cost a [`CostMatrix`] accepts for any size.
///
/// Dual potentials are shortest-path lengths, bounded by `2 · n · max|c|`; together with the
/// per-size check in [`CostMatrix::new`] this keeps every intermediate value inside `i64`.
pub const MAX_ABS_COST: i64 = 1 << 44;

/// "Unassigned" marker inside the solver's index arrays.
const NONE: usize = usize::MAX;

/// A square matrix of assignment costs, stored row by row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostMatrix {
    n: usize,
    data: Vec<i64>,
}

/// Why a cost matrix or certificate was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    /// `data.len()` is not `n * n`.
    #[error("a {n}×{n} cost matrix needs {expected} entries, got {got}")]
    WrongSize { n: usize, expected: usize, got: usize },
    /// A cost is too large for overflow-free arithmetic at this size.
    #[error("cost {value} at row {row}, column {col} is outside ±{limit} for a {n}×{n} problem")]
    CostTooLarge { n: usize, row: usize, col: usize, value: i64, limit: i64 },
}

impl CostMatrix {
    /// Wraps `data` (row-major, `n * n` entries) as a cost matrix.
    ///
    /// Fails when the length is wrong or a cost is so large that potentials could overflow.
    pub fn new(n: usize, data: Vec<i64>) -> Result<Self, AssignmentError> {
        if data.len() != n * n {
            return Err(AssignmentError::WrongSize { n, expected: n * n, got: data.len() });
        }
        let limit = Self::cost_limit(n);
        if let Some(pos) = data.iter().position(|c| c.abs() > limit) {
            return Err(AssignmentError::CostTooLarge {
                n,
                row: pos / n.max(1),
                col: pos % n.max(1),
                value: data[pos],
                limit,
            });
        }
        Ok(Self { n, data })
    }

    /// Builds an `n × n` matrix from `cost(row, col)`.
    pub fn from_fn(n: usize, mut cost: impl FnMut(usize, usize) -> i64) -> Result<Self, AssignmentError> {
        let mut data = Vec::with_capacity(n * n);
        for i in 0..n {
            for j in 0..n {
                data.push(cost(i, j));
            }
        }
        Self::new(n, data)
    }

    /// The largest absolute cost accepted for an `n × n` problem.
    ///
    /// Path lengths sum at most `n` reduced costs of at most `2 · limit` each, and the
    /// solver adds one more such length; `4 · n · limit` must stay below `i64::MAX`.
    pub fn cost_limit(n: usize) -> i64 {
        let by_size = i64::MAX / 4 / (n.max(1) as i64);
        by_size.min(MAX_ABS_COST)
    }

    /// Number of rows (and of columns).
    pub fn size(&self) -> usize {
        self.n
    }

    /// The cost of assigning `row` to `col`.
    pub fn get(&self, row: usize, col: usize) -> i64 {
        self.data[row * self.n + col]
    }

    /// All costs of one row.
    pub fn row(&self, row: usize) -> &[i64] {
        &self.data[row * self.n..(row + 1) * self.n]
    }

    /// The total cost of a row → column assignment.
    pub fn total(&self, row_to_col: &[usize]) -> i64 {
        row_to_col.iter().enumerate().map(|(i, &j)| self.get(i, j)).sum()
    }
}

/// Dual potentials: `rows[i] + cols[j] ≤ cost(i, j)` for every cell, with equality on the
/// assigned cells. Together they prove the assignment is a minimum (LP duality).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duals {
    /// One potential per row (`u`).
    pub rows: Vec<i64>,
    /// One potential per column (`v`).
    pub cols: Vec<i64>,
}

/// A solved assignment with its optimality certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Solution {
    /// `row_to_col[i]` is the column assigned to row `i`; a permutation.
    pub row_to_col: Vec<usize>,
    /// The minimum total cost.
    pub total: i64,
    /// The certificate: check it with [`verify_certificate`].
    pub duals: Duals,
}

/// Solves the square assignment problem: assigns every row to a distinct column so that the
/// total cost is minimal, and returns dual potentials that certify it.
///
/// Runs in `O(n³)` in the worst case and far less on typical matrices; memory is `O(n)`
/// beyond the matrix itself.
pub fn solve(costs: &CostMatrix) -> Solution {
    let n = costs.size();
    if n == 0 {
        return Solution { row_to_col: Vec::new(), total: 0, duals: Duals { rows: Vec::new(), cols: Vec::new() } };
    }
    if n == 1 {
        // The reduction phases compare a row's best and second-best column; with one column
        // there is no second, so answer directly.
        let c = costs.get(0, 0);
        return Solution { row_to_col: vec![0], total: c, duals: Duals { rows: vec![0], cols: vec![c] } };
    }

    let mut state = State { x: vec![NONE; n], y: vec![NONE; n], v: vec![0; n] };
    let mut free_rows = state.column_reduction(costs);
    // Jonker and Volgenant found two passes of augmenting row reduction to be the sweet spot.
    for _ in 0..2 {
        if free_rows.is_empty() {
            break;
        }
        state.augmenting_row_reduction(costs, &mut free_rows);
    }
    if !free_rows.is_empty() {
        state.augment(costs, &free_rows);
    }

    let State { x, v, .. } = state;
    let u: Vec<i64> = (0..n).map(|i| costs.get(i, x[i]) - v[x[i]]).collect();
    let total = costs.total(&x);
    Solution { row_to_col: x, total, duals: Duals { rows: u, cols: v } }
}

/// The solver's working arrays: `x` row → column, `y` column → row, `v` column potentials.
///
/// The kernels below index several parallel arrays by the same row or column, and their
/// scan loops grow `hi` behind a loop whose range was fixed at its start (as in the paper's
/// pseudo-code), hence the two clippy allowances on them.
struct State {
    x: Vec<usize>,
    y: Vec<usize>,
    v: Vec<i64>,
}

#[allow(clippy::needless_range_loop, clippy::mut_range_bound)]
impl State {
    /// Column reduction and reduction transfer: each column's potential starts at its minimum
    /// cost and goes to the row holding that minimum (if that row is still free); rows that
    /// got exactly one column pass their slack to it. Returns the rows left free.
    fn column_reduction(&mut self, costs: &CostMatrix) -> Vec<usize> {
        let n = costs.size();
        self.v.fill(i64::MAX);
        let mut min_row = vec![0usize; n];
        // Row-major scan keeps memory access sequential; ties go to the lowest row.
        for i in 0..n {
            for (j, &c) in costs.row(i).iter().enumerate() {
                if c < self.v[j] {
                    self.v[j] = c;
                    min_row[j] = i;
                }
            }
        }
        let mut unique = vec![true; n];
        for j in (0..n).rev() {
            let i = min_row[j];
            if self.x[i] == NONE {
                self.x[i] = j;
                self.y[j] = i;
            } else {
                unique[i] = false;
                self.y[j] = NONE;
            }
        }
        let mut free_rows = Vec::new();
        for i in 0..n {
            if self.x[i] == NONE {
                free_rows.push(i);
            } else if unique[i] {
                let j = self.x[i];
                let row = costs.row(i);
                let mut min = i64::MAX;
                for (j2, (&c, &v2)) in row.iter().zip(&self.v).enumerate() {
                    if j2 != j && c - v2 < min {
                        min = c - v2;
                    }
                }
                self.v[j] -= min;
            }
        }
        free_rows
    }

    /// Augmenting row reduction: each free row takes its cheapest column (by reduced cost)
    /// and lowers that column's potential to its second-cheapest, evicting the previous
    /// holder, who becomes free. `free_rows` is rewritten in place with the rows still free.
    fn augmenting_row_reduction(&mut self, costs: &CostMatrix, free_rows: &mut Vec<usize>) {
        let n = costs.size();
        let n_free = free_rows.len();
        let mut current = 0usize;
        let mut new_free = 0usize;
        let mut rr_count = 0usize;
        while current < n_free {
            rr_count += 1;
            let free_i = free_rows[current];
            current += 1;
            let row = costs.row(free_i);
            let (mut j1, mut v1) = (0usize, row[0] - self.v[0]);
            let (mut j2, mut v2) = (NONE, i64::MAX);
            for j in 1..n {
                let h = row[j] - self.v[j];
                if h < v2 {
                    if h >= v1 {
                        v2 = h;
                        j2 = j;
                    } else {
                        v2 = v1;
                        v1 = h;
                        j2 = j1;
                        j1 = j;
                    }
                }
            }
            let mut i0 = self.y[j1];
            let v1_new = self.v[j1] - (v2 - v1);
            let v1_lowers = v1_new < self.v[j1];
            // The bound on reductions stops the cycling the original paper warns about when
            // many columns tie.
            if rr_count < current * n {
                if v1_lowers {
                    self.v[j1] = v1_new;
                } else if i0 != NONE && j2 != NONE {
                    j1 = j2;
                    i0 = self.y[j2];
                }
                if i0 != NONE {
                    if v1_lowers {
                        current -= 1;
                        free_rows[current] = i0;
                    } else {
                        free_rows[new_free] = i0;
                        new_free += 1;
                    }
                }
            } else if i0 != NONE {
                free_rows[new_free] = i0;
                new_free += 1;
            }
            self.x[free_i] = j1;
            self.y[j1] = free_i;
        }
        free_rows.truncate(new_free);
    }

    /// Shortest augmenting paths for every remaining free row.
    fn augment(&mut self, costs: &CostMatrix, free_rows: &[usize]) {
        let n = costs.size();
        let mut search = PathSearch { pred: vec![0; n], d: vec![0; n], cols: (0..n).collect() };
        for &free_i in free_rows {
            let mut j = search.find_path(costs, free_i, self);
            // Flip the path: every column on it moves to its predecessor row.
            loop {
                let i = search.pred[j];
                self.y[j] = i;
                std::mem::swap(&mut j, &mut self.x[i]);
                if i == free_i {
                    break;
                }
            }
        }
    }
}

/// Scratch space for one Dijkstra-like search, reused across free rows.
struct PathSearch {
    /// Row from which each column was reached.
    pred: Vec<usize>,
    /// Tentative reduced distance to each column.
    d: Vec<i64>,
    /// Columns partitioned as `[ready | scan | todo]` by the `lo` and `hi` cursors.
    cols: Vec<usize>,
}

#[allow(clippy::needless_range_loop, clippy::mut_range_bound)]
impl PathSearch {
    /// Finds a shortest augmenting path from `start` to a free column, updates the column
    /// potentials of the columns settled on the way, and returns that free column.
    fn find_path(&mut self, costs: &CostMatrix, start: usize, st: &mut State) -> usize {
        let n = costs.size();
        let row = costs.row(start);
        for j in 0..n {
            self.cols[j] = j;
            self.d[j] = row[j] - st.v[j];
            self.pred[j] = start;
        }
        let (mut lo, mut hi) = (0usize, 0usize);
        let mut n_ready = 0usize;
        let mut final_j = NONE;
        while final_j == NONE {
            if lo == hi {
                n_ready = lo;
                hi = self.collect_minimum(lo);
                for k in lo..hi {
                    let j = self.cols[k];
                    if st.y[j] == NONE {
                        final_j = j;
                        break;
                    }
                }
            }
            if final_j == NONE {
                final_j = self.scan(costs, &mut lo, &mut hi, st);
            }
        }
        let mind = self.d[self.cols[lo]];
        // Only settled columns move; that keeps every reduced cost non-negative.
        for &j in &self.cols[..n_ready] {
            st.v[j] += self.d[j] - mind;
        }
        final_j
    }

    /// Moves every todo column with the smallest distance into `cols[lo..hi]`; returns `hi`.
    fn collect_minimum(&mut self, lo: usize) -> usize {
        let n = self.cols.len();
        let mut hi = lo + 1;
        let mut mind = self.d[self.cols[lo]];
        for k in hi..n {
            let j = self.cols[k];
            let dj = self.d[j];
            if dj <= mind {
                if dj < mind {
                    hi = lo;
                    mind = dj;
                }
                self.cols[k] = self.cols[hi];
                self.cols[hi] = j;
                hi += 1;
            }
        }
        hi
    }

    /// Scans the rows behind the columns in `cols[lo..hi]`, relaxing todo columns. Returns a
    /// free column as soon as one is reached at the current minimum distance, else `NONE`.
    fn scan(&mut self, costs: &CostMatrix, plo: &mut usize, phi: &mut usize, st: &State) -> usize {
        let n = self.cols.len();
        let (mut lo, mut hi) = (*plo, *phi);
        while lo != hi {
            let j = self.cols[lo];
            lo += 1;
            let i = st.y[j];
            let mind = self.d[j];
            let row = costs.row(i);
            let h = row[j] - st.v[j] - mind;
            for k in hi..n {
                let j = self.cols[k];
                let cred = row[j] - st.v[j] - h;
                if cred < self.d[j] {
                    self.d[j] = cred;
                    self.pred[j] = i;
                    if cred == mind {
                        if st.y[j] == NONE {
                            return j;
                        }
                        self.cols[k] = self.cols[hi];
                        self.cols[hi] = j;
                        hi += 1;
                    }
                }
            }
        }
        *plo = lo;
        *phi = hi;
        NONE
    }
}

/// Why a claimed optimal assignment was rejected by [`verify_certificate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateError {
    /// The assignment or duals have the wrong length.
    WrongLength { expected: usize, got: usize },
    /// A row points outside the matrix.
    ColumnOutOfRange { row: usize, col: usize },
    /// Two rows share a column.
    ColumnUsedTwice { col: usize, first_row: usize, second_row: usize },
    /// `cost − u − v < 0` somewhere: the duals are not feasible.
    NegativeReducedCost { row: usize, col: usize, reduced: i128 },
    /// An assigned cell has a positive reduced cost: complementary slackness fails.
    AssignedCellNotTight { row: usize, col: usize, reduced: i128 },
    /// A forbidden cell is used (capacitated problems).
    ForbiddenCellUsed { row: usize, col: usize },
    /// A column group holds more rows than its capacity (capacitated problems).
    OverCapacity { col: usize, load: u64, capacity: u32 },
    /// A capacity's dual is positive; it must be ≤ 0 (capacitated problems).
    PositiveCapacityDual { col: usize, value: i64 },
    /// A group with room left has a negative dual: complementary slackness fails.
    SlackCapacityCharged { col: usize, value: i64 },
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongLength { expected, got } => {
                write!(f, "expected {expected} entries, got {got}")
            }
            Self::ColumnOutOfRange { row, col } => {
                write!(f, "row {row} is assigned to column {col}, outside the matrix")
            }
            Self::ColumnUsedTwice { col, first_row, second_row } => {
                write!(f, "column {col} is assigned to rows {first_row} and {second_row}")
            }
            Self::NegativeReducedCost { row, col, reduced } => {
                write!(f, "reduced cost at row {row}, column {col} is {reduced} < 0: duals infeasible")
            }
            Self::AssignedCellNotTight { row, col, reduced } => {
                write!(f, "assigned cell row {row}, column {col} has reduced cost {reduced} > 0: not optimal")
            }
            Self::ForbiddenCellUsed { row, col } => {
                write!(f, "row {row} uses the forbidden cell in column {col}")
            }
            Self::OverCapacity { col, load, capacity } => {
                write!(f, "column {col} holds {load} rows for a capacity of {capacity}")
            }
            Self::PositiveCapacityDual { col, value } => {
                write!(f, "capacity dual of column {col} is {value} > 0")
            }
            Self::SlackCapacityCharged { col, value } => {
                write!(f, "column {col} has room left but a capacity dual of {value} < 0: not optimal")
            }
        }
    }
}

impl std::error::Error for CertificateError {}

/// Checks, independently of the solver, that `row_to_col` is a minimum-cost assignment of
/// `costs`, using `duals` as the certificate. Returns the total cost when it is.
///
/// The proof is weak LP duality: if `u_i + v_j ≤ c_ij` everywhere (dual feasibility) and
/// `u_i + v_j = c_ij` on every assigned cell (complementary slackness), then the assignment's
/// total equals `Σu + Σv`, a lower bound on every assignment's total. Arithmetic is in
/// `i128`, so a corrupted certificate cannot pass through overflow.
pub fn verify_certificate(costs: &CostMatrix, row_to_col: &[usize], duals: &Duals) -> Result<i64, CertificateError> {
    let n = costs.size();
    for len in [row_to_col.len(), duals.rows.len(), duals.cols.len()] {
        if len != n {
            return Err(CertificateError::WrongLength { expected: n, got: len });
        }
    }
    // Primal feasibility: a permutation.
    let mut owner = vec![NONE; n];
    for (row, &col) in row_to_col.iter().enumerate() {
        if col >= n {
            return Err(CertificateError::ColumnOutOfRange { row, col });
        }
        if owner[col] != NONE {
            return Err(CertificateError::ColumnUsedTwice { col, first_row: owner[col], second_row: row });
        }
        owner[col] = row;
    }
    // Dual feasibility everywhere, tightness on the assignment.
    for (row, &u) in duals.rows.iter().enumerate() {
        let cells = costs.row(row);
        for (col, (&c, &v)) in cells.iter().zip(&duals.cols).enumerate() {
            let reduced = c as i128 - u as i128 - v as i128;
            if reduced < 0 {
                return Err(CertificateError::NegativeReducedCost { row, col, reduced });
            }
        }
        let col = row_to_col[row];
        let reduced = cells[col] as i128 - u as i128 - duals.cols[col] as i128;
        if reduced != 0 {
            return Err(CertificateError::AssignedCellNotTight { row, col, reduced });
        }
    }
    Ok(costs.total(row_to_col))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn matrix(n: usize, cells: &[i64]) -> CostMatrix {
        CostMatrix::new(n, cells.to_vec()).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Minimum total over all n! permutations.
    fn brute_force(c: &CostMatrix) -> i64 {
        fn go(c: &CostMatrix, row: usize, used: &mut Vec<bool>) -> i64 {
            if row == c.size() {
                return 0;
            }
            let mut best = i64::MAX;
            for col in 0..c.size() {
                if !used[col] {
                    used[col] = true;
                    best = best.min(c.get(row, col) + go(c, row + 1, used));
                    used[col] = false;
                }
            }
            best
        }
        go(c, 0, &mut vec![false; c.size()])
    }

    fn square(max_n: usize, lo: i64, hi: i64) -> impl Strategy<Value = CostMatrix> {
        (1..=max_n).prop_flat_map(move |n| {
            proptest::collection::vec(lo..hi, n * n)
                .prop_map(move |cells| CostMatrix::new(n, cells).unwrap_or_else(|e| panic!("{e}")))
        })
    }

    #[test]
    fn the_classic_three_by_three_example_is_solved() {
        let c = matrix(3, &[4, 1, 3, 2, 0, 5, 3, 2, 2]);
        let s = solve(&c);
        assert_eq!(s.total, 5);
        assert_eq!(verify_certificate(&c, &s.row_to_col, &s.duals), Ok(5));
    }

    #[test]
    fn empty_and_single_cell_problems_are_trivial() {
        let s = solve(&matrix(0, &[]));
        assert_eq!(s.total, 0);
        let c = matrix(1, &[-7]);
        let s = solve(&c);
        assert_eq!(s.row_to_col, vec![0]);
        assert_eq!(verify_certificate(&c, &s.row_to_col, &s.duals), Ok(-7));
    }

    #[test]
    fn identical_columns_do_not_confuse_the_reductions() {
        // Mentor places are identical columns; ties everywhere.
        let c =
            CostMatrix::from_fn(6, |i, j| -((i as i64 % 3) * 10 + (j as i64 / 2))).unwrap_or_else(|e| panic!("{e}"));
        let s = solve(&c);
        assert_eq!(s.total, brute_force(&c));
        assert!(verify_certificate(&c, &s.row_to_col, &s.duals).is_ok());
    }

    #[test]
    fn a_matrix_of_the_wrong_length_is_refused() {
        assert!(matches!(CostMatrix::new(2, vec![1, 2, 3]), Err(AssignmentError::WrongSize { .. })));
    }

    #[test]
    fn a_cost_beyond_the_safe_range_is_refused() {
        assert!(matches!(CostMatrix::new(1, vec![MAX_ABS_COST + 1]), Err(AssignmentError::CostTooLarge { .. })));
    }

    #[test]
    fn the_checker_rejects_a_swapped_assignment_and_forged_duals() {
        let c = matrix(3, &[4, 1, 3, 2, 0, 5, 3, 2, 2]);
        let s = solve(&c);
        let mut worse = s.row_to_col.clone();
        worse.swap(0, 1);
        assert!(verify_certificate(&c, &worse, &s.duals).is_err());
        let mut forged = s.duals.clone();
        forged.rows[0] += 1;
        assert!(verify_certificate(&c, &s.row_to_col, &forged).is_err());
        let twice = vec![0, 0, 1];
        assert!(matches!(verify_certificate(&c, &twice, &s.duals), Err(CertificateError::ColumnUsedTwice { .. })));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn the_solver_total_equals_the_brute_force_optimum(c in square(7, -50, 50)) {
            let s = solve(&c);
            prop_assert_eq!(s.total, brute_force(&c));
            prop_assert_eq!(verify_certificate(&c, &s.row_to_col, &s.duals), Ok(s.total));
        }

        #[test]
        fn many_ties_still_give_a_certified_optimum(c in square(8, 0, 3)) {
            let s = solve(&c);
            prop_assert_eq!(s.total, brute_force(&c));
            prop_assert!(verify_certificate(&c, &s.row_to_col, &s.duals).is_ok());
        }

        #[test]
        fn the_certificate_rejects_any_strictly_worse_swap(
            c in square(7, -100, 100),
            a in 0usize..7,
            b in 0usize..7,
        ) {
            let s = solve(&c);
            let n = c.size();
            let (a, b) = (a % n, b % n);
            let mut perturbed = s.row_to_col.clone();
            perturbed.swap(a, b);
            let result = verify_certificate(&c, &perturbed, &s.duals);
            if c.total(&perturbed) > s.total {
                prop_assert!(result.is_err());
            } else {
                // An equally good swap is optimal too, and tight cells certify it.
                prop_assert_eq!(c.total(&perturbed), s.total);
            }
        }

        #[test]
        fn results_agree_with_pathfinding_kuhn_munkres(c in square(12, -1000, 1000)) {
            let n = c.size();
            let weights = pathfinding::matrix::Matrix::from_vec(
                n,
                n,
                (0..n * n).map(|k| -c.get(k / n, k % n)).collect(),
            )
            .unwrap_or_else(|e| panic!("{e:?}"));
            let (best, _) = pathfinding::kuhn_munkres::kuhn_munkres(&weights);
            prop_assert_eq!(solve(&c).total, -best);
        }
    }
}
