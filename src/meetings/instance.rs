//! The scheduler's exchange format: `instance.json` in, `schedule.json` out.
//!
//! ```text
//! instance.json = {
//!   "slots": [{"id": "d1-0900", "start": "2027-03-10T09:00:00+07:00", "minutes": 30}],
//!   "tables": 40,
//!   "participants": [{"id": "p1", "kind": "buyer", "unavailable": ["d1-0900"]}],
//!   "requests": [{"id": "r1", "from": "p1", "to": "p2", "weight": 3, "location": "table"}],
//!   "fixed": [{"request": "r1", "slot": "d1-0900"}]
//! }
//! schedule.json = {"meetings": [{"request": "r1", "slot": "d1-0900", "table": 7}],
//!                  "unscheduled": ["r9"]}
//! ```
//!
//! Reading an instance checks every rule that does not depend on the
//! schedule: unique ids, known references, positive durations, slots that do
//! not overlap, booth meetings that have a supplier, and fixed entries that
//! are feasible together. Every refusal names the offending item.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;

/// Why an instance or a schedule was refused; the text names the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError(pub String);

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FormatError {}

fn err<T>(message: impl Into<String>) -> Result<T, FormatError> {
    Err(FormatError(message.into()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Buyer,
    Supplier,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    Table,
    Booth,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slot {
    pub id: String,
    pub start: DateTime<FixedOffset>,
    pub minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    pub id: String,
    pub kind: Kind,
    #[serde(default)]
    pub unavailable: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub id: String,
    pub from: String,
    pub to: String,
    pub weight: u32,
    pub location: Location,
}

/// A meeting that keeps its slot (and, when given, its table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fixed {
    pub request: String,
    pub slot: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<u32>,
}

/// An instance as written in the file, in the file's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceSpec {
    pub slots: Vec<Slot>,
    pub tables: u32,
    pub participants: Vec<Participant>,
    pub requests: Vec<Request>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<Fixed>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub request: String,
    pub slot: String,
    pub table: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Schedule {
    pub meetings: Vec<Meeting>,
    pub unscheduled: Vec<String>,
}

impl Schedule {
    pub fn parse(text: &str) -> Result<Schedule, FormatError> {
        serde_json::from_str(text).map_err(|e| FormatError(format!("schedule: {e}")))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

pub const NONE: u32 = u32::MAX;

/// The most meeting tables a programme may have (a hall of B2B tables is a
/// few hundred; a schedule is kept per table and slot).
pub const MAX_TABLES: u32 = 10_000;

/// The longest slot: a day.
pub const MAX_SLOT_MINUTES: u32 = 24 * 60;

/// A checked instance, indexed for the solver. Slots are held in time order
/// (`slot_order` maps back to the file); requests and participants keep the
/// file's order.
#[derive(Debug, Clone)]
pub struct Instance {
    pub spec: InstanceSpec,
    /// Slot indices (into `spec.slots`) sorted by start.
    pub slot_order: Vec<usize>,
    /// For each slot in time order: its day (0-based) and position in the day.
    pub slot_day: Vec<u32>,
    pub slot_pos: Vec<u32>,
    /// Participant × slot (time order): true when the participant is away.
    pub away: Vec<bool>,
    /// For each request: its two participants, weight, table or booth.
    pub req_a: Vec<u32>,
    pub req_b: Vec<u32>,
    pub req_w: Vec<u32>,
    pub req_table: Vec<bool>,
    /// For each request: the slot (time order) it is fixed to, or NONE; and a
    /// table it must keep, or 0.
    pub fixed_slot: Vec<u32>,
    pub fixed_table: Vec<u32>,
    pub slot_index: HashMap<String, u32>,
    pub request_index: HashMap<String, u32>,
}

fn item<T: for<'de> Deserialize<'de>>(list: &str, i: usize, v: &Value) -> Result<T, FormatError> {
    let name = v
        .get("id")
        .or_else(|| v.get("request"))
        .and_then(Value::as_str)
        .map(|s| format!(" ({s:?})"))
        .unwrap_or_default();
    serde_json::from_value(v.clone()).map_err(|e| FormatError(format!("{list}[{i}]{name}: {e}")))
}

fn list<T: for<'de> Deserialize<'de>>(
    root: &Value,
    key: &str,
    required: bool,
) -> Result<Vec<T>, FormatError> {
    match root.get(key) {
        None | Some(Value::Null) if required => err(format!("instance: missing \"{key}\"")),
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| item(key, i, v))
            .collect(),
        Some(_) => err(format!("instance: \"{key}\" must be a list")),
    }
}

impl Instance {
    /// Reads `instance.json`.
    pub fn parse(text: &str) -> Result<Instance, FormatError> {
        let root: Value = serde_json::from_str(text)
            .map_err(|e| FormatError(format!("instance: malformed JSON: {e}")))?;
        if !root.is_object() {
            return err("instance: expected a JSON object");
        }
        let tables = match root.get("tables") {
            None => return err("instance: missing \"tables\""),
            Some(v) => v
                .as_u64()
                .filter(|t| *t <= u64::from(MAX_TABLES))
                .ok_or_else(|| {
                    FormatError(format!(
                        "instance: \"tables\" must be a whole number from 0 to {MAX_TABLES}, not {v}"
                    ))
                })? as u32,
        };
        let spec = InstanceSpec {
            slots: list(&root, "slots", true)?,
            tables,
            participants: list(&root, "participants", true)?,
            requests: list(&root, "requests", true)?,
            fixed: list(&root, "fixed", false)?,
        };
        Instance::new(spec)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.spec).unwrap_or_default()
    }

    pub fn slots(&self) -> usize {
        self.slot_order.len()
    }

    pub fn participants(&self) -> usize {
        self.spec.participants.len()
    }

    pub fn requests(&self) -> usize {
        self.req_w.len()
    }

    pub fn tables(&self) -> u32 {
        self.spec.tables
    }

    /// The slot id of a slot in time order.
    pub fn slot_id(&self, s: u32) -> &str {
        &self.spec.slots[self.slot_order[s as usize]].id
    }

    /// May request `r` take place in slot `s` (time order), both sides being
    /// present and a fixed slot respected?
    #[inline]
    pub fn allowed(&self, r: usize, s: usize) -> bool {
        let k = self.slot_order.len();
        let f = self.fixed_slot[r];
        (f == NONE || f as usize == s)
            && !self.away[self.req_a[r] as usize * k + s]
            && !self.away[self.req_b[r] as usize * k + s]
    }

    /// Checks a specification and indexes it.
    pub fn new(spec: InstanceSpec) -> Result<Instance, FormatError> {
        if spec.tables > MAX_TABLES {
            return err(format!("instance: at most {MAX_TABLES} tables"));
        }
        if spec.slots.is_empty() {
            return err("slots: at least one slot is needed");
        }
        let mut slot_index = HashMap::with_capacity(spec.slots.len());
        for (i, s) in spec.slots.iter().enumerate() {
            if s.id.is_empty() {
                return err(format!("slots[{i}]: empty id"));
            }
            if s.minutes == 0 || s.minutes > MAX_SLOT_MINUTES {
                return err(format!(
                    "slots[{i}] ({:?}): \"minutes\" must be from 1 to {MAX_SLOT_MINUTES}",
                    s.id
                ));
            }
            if slot_index.insert(s.id.clone(), i as u32).is_some() {
                return err(format!("slots[{i}]: duplicate slot id {:?}", s.id));
            }
        }
        let mut slot_order: Vec<usize> = (0..spec.slots.len()).collect();
        slot_order.sort_by_key(|&i| (spec.slots[i].start, i));
        for w in slot_order.windows(2) {
            let (a, b) = (&spec.slots[w[0]], &spec.slots[w[1]]);
            // Checked: a slot ending past the calendar's end is no slot.
            let Some(end) = a
                .start
                .checked_add_signed(chrono::Duration::minutes(a.minutes as i64))
            else {
                return err(format!("slots: slot {:?} ends past the year 262143", a.id));
            };
            if end > b.start {
                return err(format!("slots: slot {:?} overlaps slot {:?}", a.id, b.id));
            }
        }
        // Time order index for each file index.
        let mut rank = vec![0u32; spec.slots.len()];
        for (t, &i) in slot_order.iter().enumerate() {
            rank[i] = t as u32;
        }
        for v in slot_index.values_mut() {
            *v = rank[*v as usize];
        }
        let mut slot_day = Vec::with_capacity(slot_order.len());
        let mut slot_pos = Vec::with_capacity(slot_order.len());
        let mut last: Option<NaiveDate> = None;
        let (mut day, mut pos) = (0u32, 0u32);
        for &i in &slot_order {
            let d = spec.slots[i].start.date_naive();
            match last {
                None => {}
                Some(l) if l == d => pos += 1,
                Some(_) => {
                    day += 1;
                    pos = 0;
                }
            }
            last = Some(d);
            slot_day.push(day);
            slot_pos.push(pos);
        }

        let k = slot_order.len();
        let mut people = HashMap::with_capacity(spec.participants.len());
        let mut away = vec![false; spec.participants.len() * k];
        for (i, p) in spec.participants.iter().enumerate() {
            if p.id.is_empty() {
                return err(format!("participants[{i}]: empty id"));
            }
            if people.insert(p.id.as_str(), i as u32).is_some() {
                return err(format!(
                    "participants[{i}]: duplicate participant id {:?}",
                    p.id
                ));
            }
            for u in &p.unavailable {
                match slot_index.get(u) {
                    Some(&s) => away[i * k + s as usize] = true,
                    None => {
                        return err(format!(
                            "participants[{i}] ({:?}): \"unavailable\" names unknown slot {u:?}",
                            p.id
                        ));
                    }
                }
            }
        }

        let n = spec.requests.len();
        let mut request_index = HashMap::with_capacity(n);
        let (mut req_a, mut req_b, mut req_w, mut req_table) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for (i, r) in spec.requests.iter().enumerate() {
            if r.id.is_empty() {
                return err(format!("requests[{i}]: empty id"));
            }
            if request_index.insert(r.id.clone(), i as u32).is_some() {
                return err(format!("requests[{i}]: duplicate request id {:?}", r.id));
            }
            let side = |field: &str, id: &str| match people.get(id) {
                Some(&p) => Ok(p),
                None => err(format!(
                    "requests[{i}] ({:?}): {field:?} names unknown participant {id:?}",
                    r.id
                )),
            };
            let a = side("from", &r.from)?;
            let b = side("to", &r.to)?;
            if a == b {
                return err(format!(
                    "requests[{i}] ({:?}): a participant cannot meet itself",
                    r.id
                ));
            }
            if r.weight == 0 {
                return err(format!(
                    "requests[{i}] ({:?}): \"weight\" must be at least 1",
                    r.id
                ));
            }
            let kinds = (
                spec.participants[a as usize].kind,
                spec.participants[b as usize].kind,
            );
            if r.location == Location::Booth
                && kinds.0 != Kind::Supplier
                && kinds.1 != Kind::Supplier
            {
                return err(format!(
                    "requests[{i}] ({:?}): a booth meeting needs a supplier on one side",
                    r.id
                ));
            }
            req_a.push(a);
            req_b.push(b);
            req_w.push(r.weight);
            req_table.push(r.location == Location::Table);
        }

        let mut inst = Instance {
            fixed_slot: vec![NONE; n],
            fixed_table: vec![0; n],
            spec,
            slot_order,
            slot_day,
            slot_pos,
            away,
            req_a,
            req_b,
            req_w,
            req_table,
            slot_index,
            request_index,
        };
        inst.check_fixed()?;
        Ok(inst)
    }

    fn check_fixed(&mut self) -> Result<(), FormatError> {
        let k = self.slots();
        let mut busy: HashMap<(u32, u32), &str> = HashMap::new();
        let mut table_count = vec![0u32; k];
        let mut tables_taken: HashMap<(u32, u32), &str> = HashMap::new();
        for (i, f) in self.spec.fixed.iter().enumerate() {
            let name = format!("fixed[{i}] ({:?})", f.request);
            let Some(&r) = self.request_index.get(&f.request) else {
                return err(format!("{name}: unknown request {:?}", f.request));
            };
            let Some(&s) = self.slot_index.get(&f.slot) else {
                return err(format!("{name}: unknown slot {:?}", f.slot));
            };
            let r = r as usize;
            if self.fixed_slot[r] != NONE {
                return err(format!("{name}: request {:?} is fixed twice", f.request));
            }
            for p in [self.req_a[r], self.req_b[r]] {
                let who = &self.spec.participants[p as usize].id;
                if self.away[p as usize * k + s as usize] {
                    return err(format!(
                        "{name}: {who:?} is unavailable in slot {:?}",
                        f.slot
                    ));
                }
                if let Some(other) = busy.insert((p, s), &self.spec.requests[r].id) {
                    return err(format!(
                        "{name}: {who:?} already meets in slot {:?} (request {other:?})",
                        f.slot
                    ));
                }
            }
            if self.req_table[r] {
                table_count[s as usize] += 1;
                if table_count[s as usize] > self.spec.tables {
                    return err(format!(
                        "{name}: more fixed table meetings in slot {:?} than the {} tables",
                        f.slot, self.spec.tables
                    ));
                }
                if let Some(t) = f.table {
                    if t == 0 || t > self.spec.tables {
                        return err(format!(
                            "{name}: table {t} is not between 1 and {}",
                            self.spec.tables
                        ));
                    }
                    if let Some(other) = tables_taken.insert((s, t), &self.spec.requests[r].id) {
                        return err(format!(
                            "{name}: table {t} in slot {:?} is taken by {other:?}",
                            f.slot
                        ));
                    }
                    self.fixed_table[r] = t;
                }
            } else if f.table.is_some() {
                return err(format!("{name}: a booth meeting has no table"));
            }
            self.fixed_slot[r] = s;
        }
        Ok(())
    }

    /// Every rule a schedule must keep; the first broken one is named.
    pub fn check(&self, schedule: &Schedule) -> Result<(), FormatError> {
        let k = self.slots();
        let mut seen = vec![false; self.requests()];
        let mut busy: HashMap<(u32, u32), &str> = HashMap::new();
        let mut table_used: HashMap<(u32, u32), &str> = HashMap::new();
        for (i, m) in schedule.meetings.iter().enumerate() {
            let name = format!("meetings[{i}] ({:?})", m.request);
            let Some(&r) = self.request_index.get(&m.request) else {
                return err(format!("{name}: unknown request"));
            };
            let Some(&s) = self.slot_index.get(&m.slot) else {
                return err(format!("{name}: unknown slot {:?}", m.slot));
            };
            let r = r as usize;
            if std::mem::replace(&mut seen[r], true) {
                return err(format!("{name}: request scheduled twice"));
            }
            if self.fixed_slot[r] != NONE && self.fixed_slot[r] != s {
                return err(format!(
                    "{name}: fixed to slot {:?}",
                    self.slot_id(self.fixed_slot[r])
                ));
            }
            for p in [self.req_a[r], self.req_b[r]] {
                let who = &self.spec.participants[p as usize].id;
                if self.away[p as usize * k + s as usize] {
                    return err(format!(
                        "{name}: {who:?} is unavailable in slot {:?}",
                        m.slot
                    ));
                }
                if let Some(other) = busy.insert((p, s), &self.spec.requests[r].id) {
                    return err(format!(
                        "{name}: {who:?} also meets in slot {:?} ({other:?})",
                        m.slot
                    ));
                }
            }
            match (self.req_table[r], m.table) {
                (true, Some(t)) if t >= 1 && t <= self.spec.tables => {
                    if let Some(other) = table_used.insert((s, t), &self.spec.requests[r].id) {
                        return err(format!(
                            "{name}: table {t} in slot {:?} also holds {other:?}",
                            m.slot
                        ));
                    }
                    if self.fixed_table[r] != 0 && self.fixed_table[r] != t {
                        return err(format!("{name}: fixed to table {}", self.fixed_table[r]));
                    }
                }
                (true, t) => {
                    return err(format!(
                        "{name}: table {t:?} is not between 1 and {}",
                        self.spec.tables
                    ));
                }
                (false, None) => {}
                (false, Some(_)) => return err(format!("{name}: a booth meeting has no table")),
            }
        }
        let mut listed = vec![false; self.requests()];
        for id in &schedule.unscheduled {
            let Some(&r) = self.request_index.get(id) else {
                return err(format!("unscheduled: unknown request {id:?}"));
            };
            if seen[r as usize] || std::mem::replace(&mut listed[r as usize], true) {
                return err(format!("unscheduled: request {id:?} is listed twice"));
            }
        }
        if let Some(r) = (0..self.requests()).find(|&r| !seen[r] && !listed[r]) {
            return err(format!(
                "request {:?} is neither scheduled nor unscheduled",
                self.spec.requests[r].id
            ));
        }
        if let Some(r) = (0..self.requests()).find(|&r| self.fixed_slot[r] != NONE && !seen[r]) {
            return err(format!(
                "fixed request {:?} is not scheduled",
                self.spec.requests[r].id
            ));
        }
        Ok(())
    }

    /// Total weight of a schedule's meetings (the schedule is assumed checked).
    pub fn weight(&self, schedule: &Schedule) -> u64 {
        schedule
            .meetings
            .iter()
            .filter_map(|m| self.request_index.get(&m.request))
            .map(|&r| self.req_w[r as usize] as u64)
            .sum()
    }

    /// Idle slots between a person's first and last meeting of each day,
    /// summed over everybody.
    pub fn gaps(&self, schedule: &Schedule) -> u64 {
        let k = self.slots();
        let mut busy = vec![false; self.participants() * k];
        for m in &schedule.meetings {
            if let (Some(&r), Some(&s)) = (
                self.request_index.get(&m.request),
                self.slot_index.get(&m.slot),
            ) {
                for p in [self.req_a[r as usize], self.req_b[r as usize]] {
                    busy[p as usize * k + s as usize] = true;
                }
            }
        }
        (0..self.participants())
            .map(|p| self.idle(&busy[p * k..(p + 1) * k]) as u64)
            .sum()
    }

    /// Idle slots inside each day's span of one person's busy slots.
    pub fn idle(&self, busy: &[bool]) -> u32 {
        let mut total = 0;
        let mut s = 0;
        while s < busy.len() {
            let day = self.slot_day[s];
            let mut e = s;
            while e < busy.len() && self.slot_day[e] == day {
                e += 1;
            }
            let day_busy = &busy[s..e];
            if let (Some(first), Some(last)) = (
                day_busy.iter().position(|b| *b),
                day_busy.iter().rposition(|b| *b),
            ) {
                total += (last - first + 1) as u32
                    - day_busy[first..=last].iter().filter(|b| **b).count() as u32;
            }
            s = e;
        }
        total
    }
}
