//! Maximum-cardinality matching of mentees to mentors' places (Hopcroft–Karp with
//! capacities).
//!
//! Mentoring uses it for two questions the weighted solver cannot answer cheaply: how many
//! mentees can be matched at all (which sizes the "unmatched" part of the dense problem),
//! and, in fairness mode, whether every one of them can still be matched when pairs scoring
//! below a threshold are ruled out. It knows only indices, never people.

use std::collections::VecDeque;

const NONE: usize = usize::MAX;
const INF: u32 = u32::MAX;

/// A maximum set of (mentee, mentor) pairs where mentee `u` may only take a mentor listed in
/// `adj[u]` and mentor `r` takes at most `caps[r]` mentees. Returns each mentee's mentor.
///
/// Mentors are expanded into places implicitly (`caps[r]` consecutive slots), so the layered
/// search of Hopcroft–Karp applies unchanged; a mentor's places are expanded once per phase.
pub(crate) fn max_matching(adj: &[&[u32]], caps: &[u32]) -> Vec<Option<u32>> {
    let n = adj.len();
    let mut start = Vec::with_capacity(caps.len() + 1);
    let mut total = 0usize;
    for &c in caps {
        start.push(total);
        total += c as usize;
    }
    start.push(total);
    let mut m = Matcher {
        adj,
        caps,
        start,
        owner: vec![NONE; total],
        slot_of: vec![NONE; n],
        dist: vec![INF; n],
        mentor_seen: vec![false; caps.len()],
        stack: Vec::new(),
    };
    m.greedy();
    loop {
        if !m.layer() {
            break;
        }
        let mut augmented = false;
        for u in 0..n {
            if m.slot_of[u] == NONE && m.dist[u] == 0 && m.augment_from(u) {
                augmented = true;
            }
        }
        if !augmented {
            break;
        }
    }
    (0..n)
        .map(|u| {
            let s = m.slot_of[u];
            (s != NONE).then(|| (m.start.partition_point(|&st| st <= s) - 1) as u32)
        })
        .collect()
}

/// The number of mentees [`max_matching`] can place.
pub(crate) fn max_matching_size(adj: &[&[u32]], caps: &[u32]) -> usize {
    max_matching(adj, caps).iter().flatten().count()
}

struct Frame {
    u: usize,
    k: usize,
    s: usize,
    chosen: usize,
}

struct Matcher<'a> {
    adj: &'a [&'a [u32]],
    caps: &'a [u32],
    start: Vec<usize>,
    owner: Vec<usize>,
    slot_of: Vec<usize>,
    dist: Vec<u32>,
    mentor_seen: Vec<bool>,
    stack: Vec<Frame>,
}

impl Matcher<'_> {
    /// Each mentee takes the first listed mentor with room; Hopcroft–Karp only repairs the rest.
    fn greedy(&mut self) {
        let mut load = vec![0usize; self.caps.len()];
        for (u, list) in self.adj.iter().enumerate() {
            for &r in *list {
                let r = r as usize;
                if load[r] < self.caps[r] as usize {
                    let slot = self.start[r] + load[r];
                    load[r] += 1;
                    self.owner[slot] = u;
                    self.slot_of[u] = slot;
                    break;
                }
            }
        }
    }

    /// Breadth-first layering from all free mentees; true if a free place is reachable.
    fn layer(&mut self) -> bool {
        let mut queue = VecDeque::new();
        for u in 0..self.adj.len() {
            if self.slot_of[u] == NONE {
                self.dist[u] = 0;
                queue.push_back(u);
            } else {
                self.dist[u] = INF;
            }
        }
        self.mentor_seen.fill(false);
        let mut found = false;
        while let Some(u) = queue.pop_front() {
            for &r in self.adj[u] {
                let r = r as usize;
                // All places of a mentor are reached together, so expand them once.
                if std::mem::replace(&mut self.mentor_seen[r], true) {
                    continue;
                }
                for slot in self.start[r]..self.start[r + 1] {
                    let w = self.owner[slot];
                    if w == NONE {
                        found = true;
                    } else if self.dist[w] == INF {
                        self.dist[w] = self.dist[u] + 1;
                        queue.push_back(w);
                    }
                }
            }
        }
        found
    }

    /// Depth-first search along the layers for an augmenting path from `root`, flipped in
    /// place when found. Iterative, so long chains cannot overflow the stack.
    fn augment_from(&mut self, root: usize) -> bool {
        self.stack.clear();
        self.stack.push(Frame { u: root, k: 0, s: 0, chosen: NONE });
        while let Some(top) = self.stack.last_mut() {
            let u = top.u;
            let list = self.adj[u];
            // Skip mentors without places; their slot range is empty.
            while top.k < list.len() && self.caps[list[top.k] as usize] == 0 {
                top.k += 1;
            }
            if top.k >= list.len() {
                self.dist[u] = INF;
                self.stack.pop();
                continue;
            }
            let r = list[top.k] as usize;
            let slot = self.start[r] + top.s;
            top.s += 1;
            if top.s >= self.caps[r] as usize {
                top.s = 0;
                top.k += 1;
            }
            let w = self.owner[slot];
            if w == NONE {
                top.chosen = slot;
                for f in &self.stack {
                    self.owner[f.chosen] = f.u;
                    self.slot_of[f.u] = f.chosen;
                }
                return true;
            }
            if self.dist[w] != INF && self.dist[w] == self.dist[u] + 1 {
                top.chosen = slot;
                self.stack.push(Frame { u: w, k: 0, s: 0, chosen: NONE });
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(adj: &[Vec<u32>], caps: &[u32]) -> usize {
        let refs: Vec<&[u32]> = adj.iter().map(Vec::as_slice).collect();
        max_matching_size(&refs, caps)
    }

    #[test]
    fn greedy_mistakes_are_repaired_by_augmenting_paths() {
        // Mentee 0 grabs mentor 0 first, but only mentee 1 can use mentor 0.
        let adj = vec![vec![0, 1], vec![0]];
        assert_eq!(size(&adj, &[1, 1]), 2);
    }

    #[test]
    fn capacity_limits_how_many_one_mentor_takes() {
        let adj = vec![vec![0], vec![0], vec![0]];
        assert_eq!(size(&adj, &[2]), 2);
        assert_eq!(size(&adj, &[0]), 0);
    }

    #[test]
    fn the_result_respects_adjacency_and_capacity() {
        let adj = [vec![0, 2], vec![1, 2], vec![2], vec![0, 1], vec![2]];
        let caps = [1, 1, 2];
        let refs: Vec<&[u32]> = adj.iter().map(Vec::as_slice).collect();
        let got = max_matching(&refs, &caps);
        let mut load = [0u32; 3];
        for (u, r) in got.iter().enumerate() {
            if let Some(r) = r {
                assert!(adj[u].contains(r));
                load[*r as usize] += 1;
            }
        }
        assert!(load.iter().zip(caps).all(|(l, c)| *l <= c));
        assert_eq!(got.iter().flatten().count(), 4);
    }
}
