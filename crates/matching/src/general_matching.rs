//! Maximum-cardinality matching in a general (non-bipartite) graph: Edmonds' blossom
//! algorithm, on an adjacency given as a predicate.
//!
//! Coffee rounds use it to turn a good greedy pairing into one with the fewest possible
//! repeated pairs. The graph is "everyone may meet everyone except recent partners", nearly
//! complete, so it is never materialised: `allowed(a, b)` answers each edge on demand.

use std::collections::VecDeque;

pub(crate) const NONE: usize = usize::MAX;

/// Blossom search state over `n` vertices; `mate[v]` is `v`'s partner or [`NONE`].
pub(crate) struct Blossom<F> {
    n: usize,
    allowed: F,
    pub(crate) mate: Vec<usize>,
    parent: Vec<usize>,
    base: Vec<usize>,
    used: Vec<bool>,
    in_blossom: Vec<bool>,
    seen: Vec<bool>,
    queue: VecDeque<usize>,
}

impl<F: Fn(usize, usize) -> bool> Blossom<F> {
    /// Starts from an existing (valid) matching `mate`.
    pub(crate) fn new(mate: Vec<usize>, allowed: F) -> Self {
        let n = mate.len();
        Self {
            n,
            allowed,
            mate,
            parent: vec![NONE; n],
            base: (0..n).collect(),
            used: vec![false; n],
            in_blossom: vec![false; n],
            seen: vec![false; n],
            queue: VecDeque::new(),
        }
    }

    /// Grows the matching along an augmenting path from the exposed vertex `root`, if one
    /// exists. Once this fails for a vertex it fails for good (Edmonds), so each exposed
    /// vertex needs one try.
    pub(crate) fn augment_from(&mut self, root: usize) -> bool {
        if self.mate[root] != NONE {
            return false;
        }
        let Some(mut v) = self.find_path(root) else {
            return false;
        };
        while v != NONE {
            let pv = self.parent[v];
            let ppv = self.mate[pv];
            self.mate[v] = pv;
            self.mate[pv] = v;
            v = ppv;
        }
        true
    }

    /// Breadth-first search over alternating trees, contracting odd cycles (blossoms).
    fn find_path(&mut self, root: usize) -> Option<usize> {
        self.used.fill(false);
        self.parent.fill(NONE);
        for (i, b) in self.base.iter_mut().enumerate() {
            *b = i;
        }
        self.used[root] = true;
        self.queue.clear();
        self.queue.push_back(root);
        while let Some(v) = self.queue.pop_front() {
            for to in 0..self.n {
                if to == v || !(self.allowed)(v, to) {
                    continue;
                }
                if self.base[v] == self.base[to] || self.mate[v] == to {
                    continue;
                }
                if to == root || (self.mate[to] != NONE && self.parent[self.mate[to]] != NONE) {
                    let cur = self.lca(v, to);
                    self.in_blossom.fill(false);
                    self.mark_path(v, cur, to);
                    self.mark_path(to, cur, v);
                    for i in 0..self.n {
                        if self.in_blossom[self.base[i]] {
                            self.base[i] = cur;
                            if !self.used[i] {
                                self.used[i] = true;
                                self.queue.push_back(i);
                            }
                        }
                    }
                } else if self.parent[to] == NONE {
                    self.parent[to] = v;
                    if self.mate[to] == NONE {
                        return Some(to);
                    }
                    let next = self.mate[to];
                    self.used[next] = true;
                    self.queue.push_back(next);
                }
            }
        }
        None
    }

    fn lca(&mut self, mut a: usize, mut b: usize) -> usize {
        self.seen.fill(false);
        loop {
            a = self.base[a];
            self.seen[a] = true;
            if self.mate[a] == NONE {
                break;
            }
            a = self.parent[self.mate[a]];
        }
        loop {
            b = self.base[b];
            if self.seen[b] {
                return b;
            }
            b = self.parent[self.mate[b]];
        }
    }

    fn mark_path(&mut self, mut v: usize, b: usize, mut child: usize) {
        while self.base[v] != b {
            self.in_blossom[self.base[v]] = true;
            self.in_blossom[self.base[self.mate[v]]] = true;
            self.parent[v] = child;
            child = self.mate[v];
            v = self.parent[self.mate[v]];
        }
    }
}

/// A maximum matching of the vertices `0..n` from scratch (small graphs and checks).
pub(crate) fn maximum_matching(n: usize, allowed: impl Fn(usize, usize) -> bool) -> Vec<usize> {
    let mut b = Blossom::new(vec![NONE; n], allowed);
    for v in 0..n {
        b.augment_from(v);
    }
    b.mate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(mate: &[usize]) -> usize {
        mate.iter().filter(|&&m| m != NONE).count() / 2
    }

    /// Largest matching by trying every choice (tiny graphs only).
    fn brute_force(n: usize, allowed: &dyn Fn(usize, usize) -> bool, taken: u32) -> usize {
        let Some(v) = (0..n).find(|v| taken & (1 << v) == 0) else {
            return 0;
        };
        let mut best = brute_force(n, allowed, taken | (1 << v));
        for w in v + 1..n {
            if taken & (1 << w) == 0 && allowed(v, w) {
                best = best.max(1 + brute_force(n, allowed, taken | (1 << v) | (1 << w)));
            }
        }
        best
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        #[test]
        fn blossom_finds_a_maximum_matching_on_random_graphs(
            n in 1usize..11,
            edges in proptest::collection::vec(proptest::bool::weighted(0.35), 55),
        ) {
            let edge = |a: usize, b: usize| {
                let (x, y) = (a.min(b), a.max(b));
                x != y && edges[y * (y - 1) / 2 + x]
            };
            let mate = maximum_matching(n, edge);
            for (v, &m) in mate.iter().enumerate() {
                if m != NONE {
                    proptest::prop_assert!(edge(v, m));
                    proptest::prop_assert_eq!(mate[m], v);
                }
            }
            proptest::prop_assert_eq!(size(&mate), brute_force(n, &edge, 0));
        }
    }

    #[test]
    fn a_triangle_matches_only_one_pair() {
        let mate = maximum_matching(3, |_, _| true);
        assert_eq!(size(&mate), 1);
    }

    #[test]
    fn the_matching_uses_only_allowed_edges() {
        let allowed = |a: usize, b: usize| !(a + b).is_multiple_of(3);
        let mate = maximum_matching(9, allowed);
        for (v, &m) in mate.iter().enumerate() {
            if m != NONE {
                assert!(allowed(v, m));
                assert_eq!(mate[m], v);
            }
        }
    }
}
