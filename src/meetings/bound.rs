//! An upper bound on the weight any schedule can reach, from the linear
//! relaxation.
//!
//! The relaxation lets x(r, s) ∈ [0, 1] say how much of request r meets in
//! slot s (only slots both sides attend; a fixed request has x = 1 in its
//! slot), with "each request at most once", "each person at most once per
//! slot" and "at most `tables` table meetings per slot". Pricing the last two
//! rules with λ(p, s) ≥ 0 and μ(s) ≥ 0 gives, for any prices,
//!
//! ```text
//! L(λ, μ) = Σ λ(p, s) + tables · Σ μ(s)
//!         + Σ_r max(0, max over allowed s of w(r) − λ(a, s) − λ(b, s) − μ(s)·[r at a table])
//! ```
//!
//! (for a fixed request, its slot's term even when negative). L is at least
//! the weight of every schedule, so the smallest L found is a valid bound
//! however far the search for prices went, and so is its floor, weights
//! being whole numbers. The prices come from a first-order solver of the
//! relaxation (primal-dual hybrid gradient, diagonally preconditioned,
//! restarted to its running average); at its optimum L equals the value of
//! the relaxation. The fractional solution it finds guides the search.

use super::instance::{Instance, NONE};

/// The slots each request may take (both sides present, a fixed slot
/// kept), flattened (offsets into `slots`).
pub(crate) struct Allowed {
    pub start: Vec<u32>,
    pub slots: Vec<u32>,
}

impl Allowed {
    pub fn new(inst: &Instance) -> Allowed {
        let (m, k) = (inst.requests(), inst.slots());
        let mut start = Vec::with_capacity(m + 1);
        let mut slots = Vec::new();
        start.push(0);
        for r in 0..m {
            // Without tables, a table meeting has nowhere to go.
            if inst.req_table[r] && inst.tables() == 0 {
                start.push(slots.len() as u32);
                continue;
            }
            slots.extend((0..k).filter(|&s| inst.allowed(r, s)).map(|s| s as u32));
            start.push(slots.len() as u32);
        }
        Allowed { start, slots }
    }

    #[inline]
    pub fn of(&self, r: usize) -> &[u32] {
        &self.slots[self.start[r] as usize..self.start[r + 1] as usize]
    }
}

pub struct BoundResult {
    /// The bound (floor of the smallest dual value found).
    pub bound: u64,
    /// The relaxation's (fractional) solution: per request and allowed slot,
    /// in the order of `Allowed`.
    pub fractions: Vec<f32>,
    pub iterations: usize,
}

/// The dual value of the prices: an upper bound on every schedule's weight.
/// A fixed request is counted with its slot's priced profit, even a
/// negative one, since it must take place.
pub(crate) fn dual_value(inst: &Instance, allowed: &Allowed, person: &[f64], table: &[f64]) -> f64 {
    let k = inst.slots();
    let mut value = person.iter().sum::<f64>() + inst.tables() as f64 * table.iter().sum::<f64>();
    for r in 0..inst.requests() {
        let (a, b) = (inst.req_a[r] as usize * k, inst.req_b[r] as usize * k);
        let w = inst.req_w[r] as f64;
        let forced = inst.fixed_slot[r] != NONE;
        let mut top = if forced { f64::NEG_INFINITY } else { 0.0 };
        for &s in allowed.of(r) {
            let s = s as usize;
            let mut v = w - person[a + s] - person[b + s];
            if inst.req_table[r] {
                v -= table[s];
            }
            top = top.max(v);
        }
        if top > f64::NEG_INFINITY {
            value += top;
        }
    }
    value
}

/// Solves the linear relaxation approximately by primal-dual hybrid
/// gradient steps (diagonally preconditioned, restarted to the running
/// average when that is better), and returns the best bound its prices give.
/// Stops when the bound meets `target` (the best schedule known: it is then
/// optimal), when it stalls, after `iterations`, or when `stop` says so.
pub(crate) fn relaxation(
    inst: &Instance,
    allowed: &Allowed,
    target: u64,
    iterations: usize,
    stop: &mut dyn FnMut() -> bool,
) -> BoundResult {
    let (n, k, m) = (inst.participants(), inst.slots(), inst.requests());
    let cols = allowed.slots.len();
    let cap = inst.tables() as f64;
    // Rows: one per request, one per person and slot, one per slot's tables.
    let mut person_rows = vec![0u32; n * k];
    let mut table_rows = vec![0u32; k];
    for r in 0..m {
        let (a, b) = (inst.req_a[r] as usize * k, inst.req_b[r] as usize * k);
        for &s in allowed.of(r) {
            person_rows[a + s as usize] += 1;
            person_rows[b + s as usize] += 1;
            if inst.req_table[r] {
                table_rows[s as usize] += 1;
            }
        }
    }
    let sigma = |count: u32| 1.0 / count.max(1) as f64;
    let mut x = vec![0.0f64; cols];
    let lower: Vec<f64> = (0..m)
        .flat_map(|r| {
            allowed
                .of(r)
                .iter()
                .map(move |_| if inst.fixed_slot[r] != NONE { 1.0 } else { 0.0 })
        })
        .collect();
    let (mut pi, mut lam, mut mu) = (vec![0.0f64; m], vec![0.0f64; n * k], vec![0.0f64; k]);
    let (mut d_req, mut d_lam, mut d_mu) = (vec![0.0f64; m], vec![0.0f64; n * k], vec![0.0f64; k]);
    let (mut sx, mut spi, mut slam, mut smu) = (
        vec![0.0f64; cols],
        vec![0.0f64; m],
        vec![0.0f64; n * k],
        vec![0.0f64; k],
    );
    let mut averaged = 0usize;
    let mut best = f64::INFINITY;
    let mut best_x: Vec<f32> = vec![0.0; cols];
    let mut last_check = f64::INFINITY;
    let mut done = 0;
    for it in 0..iterations {
        done = it + 1;
        d_req.iter_mut().for_each(|v| *v = 0.0);
        d_lam.iter_mut().for_each(|v| *v = 0.0);
        d_mu.iter_mut().for_each(|v| *v = 0.0);
        for r in 0..m {
            let (a, b) = (inst.req_a[r] as usize * k, inst.req_b[r] as usize * k);
            let w = inst.req_w[r] as f64;
            let t = inst.req_table[r];
            let tau = if t { 0.25 } else { 1.0 / 3.0 };
            let base = allowed.start[r] as usize;
            for (i, &s) in allowed.of(r).iter().enumerate() {
                let (j, s) = (base + i, s as usize);
                let mut price = pi[r] + lam[a + s] + lam[b + s];
                if t {
                    price += mu[s];
                }
                let next = (x[j] + tau * (w - price)).clamp(lower[j], 1.0);
                let d = 2.0 * next - x[j];
                x[j] = next;
                d_req[r] += d;
                d_lam[a + s] += d;
                d_lam[b + s] += d;
                if t {
                    d_mu[s] += d;
                }
            }
        }
        for r in 0..m {
            pi[r] = (pi[r] + sigma(allowed.start[r + 1] - allowed.start[r]) * (d_req[r] - 1.0))
                .max(0.0);
        }
        for i in 0..n * k {
            if person_rows[i] > 0 {
                lam[i] = (lam[i] + sigma(person_rows[i]) * (d_lam[i] - 1.0)).max(0.0);
            }
        }
        for s in 0..k {
            mu[s] = (mu[s] + sigma(table_rows[s]) * (d_mu[s] - cap)).max(0.0);
        }
        for (a, v) in sx.iter_mut().zip(&x) {
            *a += v;
        }
        for (a, v) in spi.iter_mut().zip(&pi) {
            *a += v;
        }
        for (a, v) in slam.iter_mut().zip(&lam) {
            *a += v;
        }
        for (a, v) in smu.iter_mut().zip(&mu) {
            *a += v;
        }
        averaged += 1;
        if it % 50 != 49 {
            continue;
        }
        // Every 50 steps: the bound at the iterate and at the average; a
        // restart from the average when it is the better point.
        let scale = 1.0 / averaged as f64;
        let avg_lam: Vec<f64> = slam.iter().map(|v| v * scale).collect();
        let avg_mu: Vec<f64> = smu.iter().map(|v| v * scale).collect();
        let here = dual_value(inst, allowed, &lam, &mu);
        let there = dual_value(inst, allowed, &avg_lam, &avg_mu);
        let (value, use_avg) = if there < here {
            (there, true)
        } else {
            (here, false)
        };
        if value < best {
            best = value;
            if use_avg {
                for (b, v) in best_x.iter_mut().zip(&sx) {
                    *b = (v * scale) as f32;
                }
            } else {
                for (b, v) in best_x.iter_mut().zip(&x) {
                    *b = *v as f32;
                }
            }
        }
        if it % 250 == 249 {
            if use_avg {
                for (v, a) in x.iter_mut().zip(&sx) {
                    *v = a * scale;
                }
                for (v, a) in pi.iter_mut().zip(&spi) {
                    *v = a * scale;
                }
                lam.copy_from_slice(&avg_lam);
                mu.copy_from_slice(&avg_mu);
            }
            sx.iter_mut().for_each(|v| *v = 0.0);
            spi.iter_mut().for_each(|v| *v = 0.0);
            slam.iter_mut().for_each(|v| *v = 0.0);
            smu.iter_mut().for_each(|v| *v = 0.0);
            averaged = 0;
            // Stalled: less than a hundredth of a percent in 250 steps.
            if last_check - best < 1e-4 * best.abs().max(1.0) {
                break;
            }
            last_check = best;
        }
        if (best + 1e-6).floor() <= target as f64 || stop() {
            break;
        }
    }
    if best == f64::INFINITY {
        best = dual_value(inst, allowed, &lam, &mu);
    }
    BoundResult {
        bound: (best + 1e-6).floor().max(0.0) as u64,
        fractions: best_x,
        iterations: done,
    }
}
