//! Placing accepted requests into slots and tables.
//!
//! 1. Greedy: requests by weight (heaviest first), each in its first feasible
//!    slot. The floor the search must beat; its weight is reported.
//! 2. Relaxation: the linear relaxation (see `bound`) gives the upper bound
//!    and a fractional schedule.
//! 3. Rounding and repair: (request, slot) pairs go in by their share in the
//!    fractional schedule, the rest greedily; then every unscheduled request
//!    is tried in each slot it may take, the meetings in the way moving to
//!    other slots, themselves moving others (up to two steps deep), and when
//!    that fails, lighter meetings are dropped if the exchange gains weight.
//! 4. Kicks: while there is time and a gap to the bound, an unscheduled
//!    request is forced into a slot, what is in the way dropped and repaired
//!    around; the change stays when the weight did not fall.
//! 5. Gaps: meetings move to free slots where that leaves fewer idle slots in
//!    their two participants' days, never changing the weight.
//!
//! Fixed meetings never move. For a given seed the result is the same
//! whenever no time limit cuts the search short.

use super::bound::{Allowed, relaxation};
use super::instance::{Instance, Meeting, NONE, Schedule};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Options {
    /// The whole run ends within this long, the schedule written out (the
    /// result is always valid): the search stops a little before it, so
    /// that closing gaps and writing fit inside.
    pub time_limit: Duration,
    pub seed: u64,
    /// Subgradient steps for the bound.
    pub bound_iterations: usize,
    /// Rounds of kicks (each over every unscheduled request) after the repair.
    pub kick_rounds: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            time_limit: Duration::from_secs(5),
            seed: 1,
            bound_iterations: 5000,
            kick_rounds: 50,
        }
    }
}

/// What a run produced, with the figures the organiser sees.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub schedule: Schedule,
    pub weight: u64,
    /// None after a re-scheduling, which computes no bound.
    pub upper_bound: Option<u64>,
    pub greedy_weight: u64,
    /// Steps the relaxation took (0 after a re-scheduling).
    pub bound_iterations: usize,
    pub gaps: u64,
    pub seconds: f64,
}

impl Outcome {
    /// Scheduled weight as a share of the bound (1.0 when nothing can be scheduled).
    pub fn ratio(&self) -> f64 {
        match self.upper_bound {
            Some(b) if b > 0 => self.weight as f64 / b as f64,
            _ => 1.0,
        }
    }
}

/// A small, fast, seedable generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The working schedule: who meets when, with an undo journal.
struct State<'a> {
    inst: &'a Instance,
    allowed: &'a Allowed,
    k: usize,
    cap: u32,
    slot_of: Vec<u32>,
    /// person × slot → request, or NONE.
    occ: Vec<u32>,
    /// Table meetings per slot, and each one's place in that list.
    tabled: Vec<Vec<u32>>,
    place_in: Vec<u32>,
    locked: Vec<bool>,
    /// Tables that locked meetings keep (0: any).
    table: Vec<u32>,
    weight: u64,
    journal: Vec<(u32, u32, u32)>,
    visiting: Vec<bool>,
    /// Nodes left for the current repair attempt.
    budget: u32,
}

impl<'a> State<'a> {
    fn new(inst: &'a Instance, allowed: &'a Allowed) -> State<'a> {
        let (n, k, m) = (inst.participants(), inst.slots(), inst.requests());
        let mut st = State {
            inst,
            allowed,
            k,
            cap: inst.tables(),
            slot_of: vec![NONE; m],
            occ: vec![NONE; n * k],
            tabled: vec![Vec::new(); k],
            place_in: vec![NONE; m],
            locked: vec![false; m],
            table: inst.fixed_table.clone(),
            weight: 0,
            journal: Vec::new(),
            visiting: vec![false; m],
            budget: 0,
        };
        for r in 0..m {
            let s = inst.fixed_slot[r];
            if s != NONE {
                st.place(r as u32, s);
                st.locked[r] = true;
            }
        }
        st
    }

    #[inline]
    fn fits(&self, r: u32, s: u32) -> bool {
        let (inst, k) = (self.inst, self.k);
        let r = r as usize;
        self.occ[inst.req_a[r] as usize * k + s as usize] == NONE
            && self.occ[inst.req_b[r] as usize * k + s as usize] == NONE
            && (!inst.req_table[r] || (self.tabled[s as usize].len() as u32) < self.cap)
    }

    fn place(&mut self, r: u32, s: u32) {
        let (inst, k) = (self.inst, self.k);
        let ru = r as usize;
        debug_assert_eq!(self.slot_of[ru], NONE);
        self.slot_of[ru] = s;
        self.occ[inst.req_a[ru] as usize * k + s as usize] = r;
        self.occ[inst.req_b[ru] as usize * k + s as usize] = r;
        if inst.req_table[ru] {
            let list = &mut self.tabled[s as usize];
            self.place_in[ru] = list.len() as u32;
            list.push(r);
        }
        self.weight += inst.req_w[ru] as u64;
    }

    fn unplace(&mut self, r: u32) {
        let (inst, k) = (self.inst, self.k);
        let ru = r as usize;
        let s = self.slot_of[ru];
        debug_assert_ne!(s, NONE);
        self.slot_of[ru] = NONE;
        self.occ[inst.req_a[ru] as usize * k + s as usize] = NONE;
        self.occ[inst.req_b[ru] as usize * k + s as usize] = NONE;
        if inst.req_table[ru] {
            let list = &mut self.tabled[s as usize];
            let i = self.place_in[ru] as usize;
            list.swap_remove(i);
            if i < list.len() {
                self.place_in[list[i] as usize] = i as u32;
            }
        }
        self.weight -= inst.req_w[ru] as u64;
    }

    /// Moves `r` to slot `to` (NONE: out of the schedule), journaled.
    fn shift(&mut self, r: u32, to: u32) {
        let from = self.slot_of[r as usize];
        if from != NONE {
            self.unplace(r);
        }
        if to != NONE {
            self.place(r, to);
        }
        self.journal.push((r, from, to));
    }

    fn rollback(&mut self, mark: usize) {
        while self.journal.len() > mark {
            let (r, from, to) = self.journal.pop().unwrap_or((0, NONE, NONE));
            if to != NONE {
                self.unplace(r);
            }
            if from != NONE {
                self.place(r, from);
            }
        }
    }

    /// Puts the unscheduled request `r` into slot `s`, moving the meetings
    /// in the way elsewhere (each of them `depth - 1` deep). On failure
    /// nothing changed.
    fn make_room(&mut self, r: u32, s: u32, depth: u32) -> bool {
        if self.fits(r, s) {
            self.shift(r, s);
            return true;
        }
        if depth == 0 || self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        let mark = self.journal.len();
        let (inst, k) = (self.inst, self.k);
        let ru = r as usize;
        self.visiting[ru] = true;
        let mut ok = true;
        for p in [inst.req_a[ru], inst.req_b[ru]] {
            let c = self.occ[p as usize * k + s as usize];
            if c != NONE && !self.relocate(c, depth - 1, s) {
                ok = false;
                break;
            }
        }
        if ok && inst.req_table[ru] && self.tabled[s as usize].len() as u32 >= self.cap {
            ok = false;
            let candidates: Vec<u32> = self.tabled[s as usize].clone();
            for c in candidates {
                if self.relocate(c, depth - 1, s) {
                    ok = true;
                    break;
                }
            }
        }
        self.visiting[ru] = false;
        if ok && self.fits(r, s) {
            self.shift(r, s);
            true
        } else {
            self.rollback(mark);
            false
        }
    }

    /// Moves meeting `c` out of slot `away` into another slot it may take.
    fn relocate(&mut self, c: u32, depth: u32, away: u32) -> bool {
        let cu = c as usize;
        if self.locked[cu] || self.visiting[cu] {
            return false;
        }
        let mark = self.journal.len();
        self.shift(c, NONE);
        let allowed = self.allowed;
        for &s in allowed.of(cu) {
            if s != away && self.fits(c, s) {
                self.shift(c, s);
                return true;
            }
        }
        if depth > 0 {
            self.visiting[cu] = true;
            for &s in allowed.of(cu) {
                if s != away && self.make_room(c, s, depth) {
                    self.visiting[cu] = false;
                    return true;
                }
            }
            self.visiting[cu] = false;
        }
        self.rollback(mark);
        false
    }

    /// Tries to schedule `r` without dropping anybody.
    fn insert(&mut self, r: u32, max_depth: u32, budget: u32) -> bool {
        let allowed = self.allowed;
        for depth in 0..=max_depth {
            for &s in allowed.of(r as usize) {
                self.budget = budget;
                if self.make_room(r, s, depth) {
                    return true;
                }
            }
        }
        false
    }

    /// Empties slot `s` for the unscheduled `r`: each meeting in the way
    /// moves elsewhere (one step deep) or is dropped; for a table meeting in
    /// a full slot, a table meeting moves or the lightest one is dropped.
    /// False (with some changes made; the caller rolls back) when a fixed
    /// meeting is in the way.
    fn clear_way(&mut self, r: u32, s: u32, budget: u32) -> bool {
        let (inst, k) = (self.inst, self.k);
        let ru = r as usize;
        self.budget = budget;
        self.visiting[ru] = true;
        let mut ok = true;
        for p in [inst.req_a[ru], inst.req_b[ru]] {
            let c = self.occ[p as usize * k + s as usize];
            if c != NONE && !self.relocate(c, 1, s) {
                if self.locked[c as usize] {
                    ok = false;
                    break;
                }
                self.shift(c, NONE);
            }
        }
        if ok && inst.req_table[ru] && self.tabled[s as usize].len() as u32 >= self.cap {
            let candidates: Vec<u32> = self.tabled[s as usize].clone();
            if !candidates.iter().any(|&c| self.relocate(c, 1, s)) {
                let lightest = candidates
                    .iter()
                    .copied()
                    .filter(|&c| !self.locked[c as usize])
                    .min_by_key(|&c| inst.req_w[c as usize]);
                match lightest {
                    Some(c) => self.shift(c, NONE),
                    None => ok = false,
                }
            }
        }
        self.visiting[ru] = false;
        ok && self.fits(r, s)
    }

    /// Schedules `r` in the slot where that gains most, dropping lighter
    /// meetings that cannot move. Returns the dropped ones (None, and no
    /// change, when no slot gains).
    fn exchange(&mut self, r: u32, budget: u32) -> Option<Vec<u32>> {
        let w = self.inst.req_w[r as usize] as u64;
        let mut best: Option<(u64, u32)> = None;
        let allowed = self.allowed;
        for &s in allowed.of(r as usize) {
            let mark = self.journal.len();
            let before = self.weight;
            if self.clear_way(r, s, budget) {
                let after = self.weight + w;
                if after > before && best.is_none_or(|(g, _)| after - before > g) {
                    best = Some((after - before, s));
                }
            }
            self.rollback(mark);
        }
        let (_, s) = best?;
        // Redo the best exchange (the same steps), collecting what it drops.
        let mark = self.journal.len();
        if !self.clear_way(r, s, budget) {
            self.rollback(mark);
            return None;
        }
        self.shift(r, s);
        let dropped = self.journal[mark..]
            .iter()
            .filter(|&&(c, _, to)| to == NONE && self.slot_of[c as usize] == NONE)
            .map(|&(c, _, _)| c)
            .collect();
        Some(dropped)
    }

    fn unscheduled(&self) -> Vec<u32> {
        (0..self.slot_of.len() as u32)
            .filter(|&r| self.slot_of[r as usize] == NONE)
            .collect()
    }

    /// Repairs until no unscheduled request gets in.
    fn improve(&mut self, rng: &mut Rng, stop: &mut dyn FnMut() -> bool) {
        let inst = self.inst;
        loop {
            let mut todo = self.unscheduled();
            todo.sort_by_cached_key(|&r| {
                (std::cmp::Reverse(inst.req_w[r as usize]), rng.next_u64())
            });
            let start = self.weight;
            let mut i = 0;
            while i < todo.len() {
                let r = todo[i];
                i += 1;
                if self.slot_of[r as usize] != NONE || self.allowed.of(r as usize).is_empty() {
                    continue;
                }
                if !self.insert(r, 2, 400)
                    && let Some(dropped) = self.exchange(r, 200)
                {
                    for c in dropped {
                        if !self.insert(c, 2, 400) {
                            todo.push(c);
                        }
                    }
                }
                if i % 256 == 0 && stop() {
                    self.journal.clear();
                    return;
                }
            }
            self.journal.clear();
            if self.weight <= start {
                return;
            }
        }
    }

    /// Adds requests in the given order, each in the first slot it fits.
    fn construct(&mut self, order: &[u32]) {
        let allowed = self.allowed;
        for &r in order {
            if self.slot_of[r as usize] == NONE
                && let Some(s) = allowed
                    .of(r as usize)
                    .iter()
                    .copied()
                    .find(|&s| self.fits(r, s))
            {
                self.place(r, s);
            }
        }
    }

    /// Forces one unscheduled request into one of its slots, dropping what
    /// is in the way, and repairs around it: the dropped meetings look for
    /// other slots (or drop lighter ones in turn), and requests of the people
    /// who were freed try the freed slots. Kept when the weight did not fall.
    fn kick(&mut self, r: u32, rng: &mut Rng, by_person: &Allowed) -> bool {
        let (inst, k) = (self.inst, self.k);
        let ru = r as usize;
        let options = self.allowed.of(ru);
        if self.slot_of[ru] != NONE || options.is_empty() {
            return false;
        }
        let s = options[rng.below(options.len())];
        let mark = self.journal.len();
        let before = self.weight;
        let mut queue = Vec::new();
        for p in [inst.req_a[ru], inst.req_b[ru]] {
            let c = self.occ[p as usize * k + s as usize];
            if c != NONE {
                if self.locked[c as usize] {
                    self.rollback(mark);
                    return false;
                }
                self.shift(c, NONE);
                queue.push(c);
            }
        }
        if inst.req_table[ru] && self.tabled[s as usize].len() as u32 >= self.cap {
            let list = &self.tabled[s as usize];
            if list.is_empty() {
                self.rollback(mark);
                return false;
            }
            let c = list[rng.below(list.len())];
            if self.locked[c as usize] {
                self.rollback(mark);
                return false;
            }
            self.shift(c, NONE);
            queue.push(c);
        }
        self.shift(r, s);
        let mut freed: Vec<u32> = Vec::new();
        let mut i = 0;
        while i < queue.len() && i < 24 {
            let c = queue[i];
            i += 1;
            let cu = c as usize;
            freed.push(inst.req_a[cu]);
            freed.push(inst.req_b[cu]);
            if self.slot_of[cu] != NONE || self.insert(c, 2, 200) {
                continue;
            }
            if let Some(dropped) = self.exchange(c, 100) {
                queue.extend(dropped);
            }
        }
        for p in freed {
            for &q in by_person.of(p as usize) {
                if self.slot_of[q as usize] == NONE {
                    self.insert(q, 1, 40);
                }
            }
        }
        if self.weight < before {
            self.rollback(mark);
            return false;
        }
        true
    }

    /// Idle slots of person `p` if slot `s` were busy (`busy`) or free.
    fn idle_with(&self, p: u32, s: u32, busy: bool, also_free: u32) -> u32 {
        let k = self.k;
        let row = &self.occ[p as usize * k..(p as usize + 1) * k];
        let mut flags: [bool; 64] = [false; 64];
        if k <= 64 {
            for (i, f) in flags.iter_mut().take(k).enumerate() {
                *f = row[i] != NONE;
            }
            flags[s as usize] = busy;
            if also_free != NONE {
                flags[also_free as usize] = false;
            }
            self.inst.idle(&flags[..k])
        } else {
            let mut v: Vec<bool> = row.iter().map(|c| *c != NONE).collect();
            v[s as usize] = busy;
            if also_free != NONE {
                v[also_free as usize] = false;
            }
            self.inst.idle(&v)
        }
    }

    /// Moves meetings to free slots where their two people idle less.
    fn close_gaps(&mut self, stop: &mut dyn FnMut() -> bool) {
        let inst = self.inst;
        for _round in 0..8 {
            let mut moved = false;
            for r in 0..inst.requests() as u32 {
                let ru = r as usize;
                let from = self.slot_of[ru];
                if from == NONE || self.locked[ru] {
                    continue;
                }
                let (a, b) = (inst.req_a[ru], inst.req_b[ru]);
                let now = self.idle_with(a, from, true, NONE) + self.idle_with(b, from, true, NONE);
                let mut best = (now, from);
                let allowed = self.allowed;
                self.unplace(r);
                for &s in allowed.of(ru) {
                    if s != from && self.fits(r, s) {
                        let after =
                            self.idle_with(a, s, true, from) + self.idle_with(b, s, true, from);
                        if after < best.0 {
                            best = (after, s);
                        }
                    }
                }
                self.place(r, best.1);
                moved |= best.1 != from;
            }
            if !moved || stop() {
                break;
            }
        }
    }

    /// The schedule in the file format: tables numbered per slot, fixed
    /// tables kept, the others taking the lowest free numbers.
    fn to_schedule(&self) -> Schedule {
        let inst = self.inst;
        let mut taken = vec![Vec::<bool>::new(); self.k];
        for (r, &s) in self.slot_of.iter().enumerate() {
            if s != NONE && self.table[r] != 0 {
                let t = &mut taken[s as usize];
                t.resize(inst.tables() as usize + 1, false);
                t[self.table[r] as usize] = true;
            }
        }
        let mut next = vec![1u32; self.k];
        let mut meetings = Vec::new();
        let mut unscheduled = Vec::new();
        for (r, &s) in self.slot_of.iter().enumerate() {
            let id = inst.spec.requests[r].id.clone();
            if s == NONE {
                unscheduled.push(id);
                continue;
            }
            let table = if !inst.req_table[r] {
                None
            } else if self.table[r] != 0 {
                Some(self.table[r])
            } else {
                let t = &taken[s as usize];
                let n = &mut next[s as usize];
                while t.get(*n as usize).copied().unwrap_or(false) {
                    *n += 1;
                }
                *n += 1;
                Some(*n - 1)
            };
            meetings.push(Meeting {
                request: id,
                slot: inst.slot_id(s).to_string(),
                table,
            });
        }
        Schedule {
            meetings,
            unscheduled,
        }
    }
}

/// Each person's requests, in the CSR layout of `Allowed`.
fn requests_by_person(inst: &Instance) -> Allowed {
    let n = inst.participants();
    let mut count = vec![0u32; n + 1];
    for r in 0..inst.requests() {
        count[inst.req_a[r] as usize + 1] += 1;
        count[inst.req_b[r] as usize + 1] += 1;
    }
    for p in 0..n {
        count[p + 1] += count[p];
    }
    let mut fill = count.clone();
    let mut slots = vec![0u32; count[n] as usize];
    for r in 0..inst.requests() {
        for p in [inst.req_a[r], inst.req_b[r]] {
            slots[fill[p as usize] as usize] = r as u32;
            fill[p as usize] += 1;
        }
    }
    Allowed {
        start: count,
        slots,
    }
}

/// The plain greedy: heaviest request first, each in its first feasible slot.
pub fn greedy(inst: &Instance) -> Schedule {
    let allowed = Allowed::new(inst);
    let mut st = State::new(inst, &allowed);
    st.construct(&greedy_order(inst));
    st.to_schedule()
}

fn greedy_order(inst: &Instance) -> Vec<u32> {
    let mut order: Vec<u32> = (0..inst.requests() as u32).collect();
    order.sort_by_key(|&r| std::cmp::Reverse(inst.req_w[r as usize]));
    order
}

/// Instances with at most this many requests to place are solved exactly
/// when the search ends short of the bound.
const EXACT_MAX: usize = 24;

/// Branch and bound over the requests that are not fixed (heaviest first;
/// each in one of its slots, or left out), pruned by the weight still
/// available: the best schedule above `floor`, as the slot of each request,
/// or None when none is better or `stop` cut the search short.
fn exact(
    inst: &Instance,
    allowed: &Allowed,
    floor: u64,
    stop: &mut dyn FnMut() -> bool,
) -> Option<Vec<u32>> {
    struct Search<'s, 'a> {
        st: State<'a>,
        order: Vec<u32>,
        /// Weight of order[i..].
        rest: Vec<u64>,
        best: u64,
        found: Option<Vec<u32>>,
        nodes: u64,
        stopped: bool,
        stop: &'s mut dyn FnMut() -> bool,
    }
    impl Search<'_, '_> {
        fn go(&mut self, i: usize) {
            self.nodes += 1;
            if self.stopped || (self.nodes.is_multiple_of(1024) && (self.stop)()) {
                self.stopped = true;
                return;
            }
            if self.st.weight + self.rest[i] <= self.best {
                return;
            }
            if i == self.order.len() {
                self.best = self.st.weight;
                self.found = Some(self.st.slot_of.clone());
                return;
            }
            let r = self.order[i];
            let allowed = self.st.allowed;
            for &s in allowed.of(r as usize) {
                if self.st.fits(r, s) {
                    self.st.place(r, s);
                    self.go(i + 1);
                    self.st.unplace(r);
                }
            }
            self.go(i + 1);
        }
    }
    let st = State::new(inst, allowed);
    let mut order: Vec<u32> = (0..inst.requests() as u32)
        .filter(|&r| st.slot_of[r as usize] == NONE)
        .collect();
    order.sort_by_key(|&r| std::cmp::Reverse(inst.req_w[r as usize]));
    let mut rest = vec![0u64; order.len() + 1];
    for i in (0..order.len()).rev() {
        rest[i] = rest[i + 1] + inst.req_w[order[i] as usize] as u64;
    }
    let mut search = Search {
        st,
        order,
        rest,
        best: floor,
        found: None,
        nodes: 0,
        stopped: false,
        stop,
    };
    search.go(0);
    if search.stopped { None } else { search.found }
}

/// The best schedule found within the options, with its bound.
pub fn schedule(inst: &Instance, options: &Options) -> Outcome {
    schedule_with_progress(inst, options, &mut |_| {})
}

/// As `schedule`, reporting progress (0.0 to 1.0) along the way.
pub fn schedule_with_progress(
    inst: &Instance,
    options: &Options,
    progress: &mut dyn FnMut(f64),
) -> Outcome {
    let started = Instant::now();
    // The relaxation ends by 80 % of the limit, the search by 96 %, closing
    // gaps by 98 %; the rest is for writing the schedule out.
    let relaxed = started + options.time_limit.mul_f64(0.8);
    let deadline = started + options.time_limit.mul_f64(0.96);
    let last = started + options.time_limit.mul_f64(0.98);
    let mut stop = || Instant::now() >= deadline;
    let allowed = Allowed::new(inst);
    let mut rng = Rng::new(options.seed);

    // 1. The plain greedy: the floor.
    let mut greedy = State::new(inst, &allowed);
    greedy.construct(&greedy_order(inst));
    let greedy_weight = greedy.weight;
    progress(0.05);

    // 2. The linear relaxation: the bound, and a fractional schedule.
    let bound = relaxation(
        inst,
        &allowed,
        greedy_weight,
        options.bound_iterations,
        &mut || Instant::now() >= relaxed,
    );
    progress(0.4);

    // 3. The fractional schedule rounded: (request, slot) pairs by their
    //    share in the relaxation, heaviest first among equals; then repaired.
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(allowed.slots.len());
    for r in 0..inst.requests() {
        let base = allowed.start[r] as usize;
        for (i, &s) in allowed.of(r).iter().enumerate() {
            if bound.fractions[base + i] > 1e-3 {
                pairs.push((r as u32, s));
            }
        }
    }
    let share = |&(r, s): &(u32, u32)| {
        let i = allowed
            .of(r as usize)
            .iter()
            .position(|&t| t == s)
            .unwrap_or(0);
        bound.fractions[allowed.start[r as usize] as usize + i]
    };
    pairs.sort_by(|x, y| {
        share(y)
            .total_cmp(&share(x))
            .then(inst.req_w[y.0 as usize].cmp(&inst.req_w[x.0 as usize]))
    });
    let mut st = State::new(inst, &allowed);
    for &(r, s) in &pairs {
        if st.slot_of[r as usize] == NONE && st.fits(r, s) {
            st.place(r, s);
        }
    }
    st.construct(&greedy_order(inst));
    progress(0.5);
    st.improve(&mut rng, &mut stop);
    if st.weight < greedy.weight {
        st = greedy;
    }
    progress(0.6);

    // 4. Kicks while there is time and a gap: heavier unscheduled
    //    requests first, each forced in and repaired around.
    let by_person = requests_by_person(inst);
    let mut round = 0;
    'kicks: while st.weight < bound.bound && round < options.kick_rounds {
        round += 1;
        let mut todo = st.unscheduled();
        todo.retain(|&r| !allowed.of(r as usize).is_empty());
        todo.sort_by_cached_key(|&r| (std::cmp::Reverse(inst.req_w[r as usize]), rng.next_u64()));
        for (i, &r) in todo.iter().enumerate() {
            st.kick(r, &mut rng, &by_person);
            if st.weight >= bound.bound || (i % 64 == 0 && stop()) {
                break 'kicks;
            }
        }
        st.journal.clear();
        progress(0.6 + 0.3 * round as f64 / options.kick_rounds as f64);
    }
    st.journal.clear();

    // 5. Short of the bound on a small instance: the exact optimum.
    let free = (0..inst.requests())
        .filter(|&r| inst.fixed_slot[r] == NONE)
        .count();
    if st.weight < bound.bound
        && free <= EXACT_MAX
        && let Some(slots) = exact(inst, &allowed, st.weight, &mut stop)
    {
        let mut best = State::new(inst, &allowed);
        for (r, &s) in slots.iter().enumerate() {
            if s != NONE && best.slot_of[r] == NONE {
                best.place(r as u32, s);
            }
        }
        st = best;
    }

    // 6. Fewer idle gaps at the same weight.
    st.close_gaps(&mut || Instant::now() >= last);
    progress(1.0);
    let schedule = st.to_schedule();
    Outcome {
        gaps: inst.gaps(&schedule),
        weight: st.weight,
        upper_bound: Some(bound.bound.max(st.weight)),
        bound_iterations: bound.iterations,
        greedy_weight,
        seconds: started.elapsed().as_secs_f64(),
        schedule,
    }
}

/// After a change (requests cancelled or added, people newly unavailable):
/// every meeting of `previous` that still stands keeps its slot and table;
/// only requests without a meeting are placed, around them. A meeting no
/// longer stands when its request is gone, its slot is gone, one side is now
/// away then, or it collides with a fixed entry of the new instance.
pub fn reschedule(inst: &Instance, previous: &Schedule) -> Outcome {
    let started = Instant::now();
    let allowed = Allowed::new(inst);
    let mut st = State::new(inst, &allowed);
    let mut tables_taken: std::collections::HashSet<(u32, u32)> = (0..inst.requests())
        .filter(|&r| inst.fixed_table[r] != 0)
        .map(|r| (inst.fixed_slot[r], inst.fixed_table[r]))
        .collect();
    for m in &previous.meetings {
        let (Some(&r), Some(&s)) = (
            inst.request_index.get(&m.request),
            inst.slot_index.get(&m.slot),
        ) else {
            continue;
        };
        let ru = r as usize;
        if st.locked[ru] {
            // Fixed in the instance: it keeps its earlier table when it can.
            if let Some(t) = m.table {
                let keep = st.slot_of[ru] == s && inst.req_table[ru] && st.table[ru] == 0;
                if keep && t >= 1 && t <= inst.tables() && tables_taken.insert((s, t)) {
                    st.table[ru] = t;
                }
            }
            continue;
        }
        if !inst.allowed(ru, s as usize) || !st.fits(r, s) {
            continue;
        }
        if inst.req_table[ru] {
            match m.table {
                Some(t) if t >= 1 && t <= inst.tables() && tables_taken.insert((s, t)) => {
                    st.table[ru] = t
                }
                _ => continue,
            }
        }
        st.place(r, s);
        st.locked[ru] = true;
    }
    st.construct(&greedy_order(inst));
    let deadline = started + Duration::from_millis(150);
    let mut stop = || Instant::now() >= deadline;
    let mut rng = Rng::new(1);
    st.improve(&mut rng, &mut stop);
    st.close_gaps(&mut stop);
    let schedule = st.to_schedule();
    Outcome {
        gaps: inst.gaps(&schedule),
        weight: st.weight,
        upper_bound: None,
        greedy_weight: st.weight,
        bound_iterations: 0,
        seconds: started.elapsed().as_secs_f64(),
        schedule,
    }
}
