//! What a gate decides, shared by the server and the scanner page: the
//! scan and verdict types of the scanner API, the rule for going in and out
//! of an area, and [`Desk`], the decisions a scanner makes by itself while
//! the network is down (signature, revocation list, fair day, area, list,
//! and its own history of scans). Compiles to wasm for the scanner page.

use super::token::{self, BadgeKind, Claims, Keyring, PublicKey};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The area list that opens every area (organiser staff).
pub const EVERYWHERE: &str = "*";
/// The main exhibition area.
pub const HALL: &str = "hall";

/// The areas a badge of `kind` opens unless the organiser says otherwise.
pub fn default_areas(kind: BadgeKind) -> Vec<String> {
    let areas: &[&str] = match kind {
        BadgeKind::Visitor => &[HALL],
        BadgeKind::Buyer | BadgeKind::Exhibitor => &[HALL, "b2b"],
        BadgeKind::Press => &[HALL, "press"],
        BadgeKind::Vip => &[HALL, "b2b", "vip"],
        BadgeKind::Staff => &[EVERYWHERE],
    };
    areas.iter().map(|a| a.to_string()).collect()
}

/// A gate's check-in rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateInput {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    /// The area behind the gate ("hall", "vip", "b2b" ...).
    pub area: String,
    /// Badge kinds on its check-in list; empty for every kind.
    pub kinds: Vec<BadgeKind>,
    /// Whether a badge that left may come in again the same day.
    pub reentry: bool,
    /// Entries per badge and day, if limited.
    pub max_entries_per_day: Option<i32>,
}

/// Going in or coming out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// What the scanner shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Green,
    Amber,
    Red,
}

/// What happened at the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// In, first time today.
    Admitted,
    /// In again after leaving.
    Reentry,
    /// Out.
    Exit,
    /// Let through with a warning (out without having come in).
    Warning,
    /// Turned away.
    Refused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Admitted => "admitted",
            Outcome::Reentry => "reentry",
            Outcome::Exit => "exit",
            Outcome::Warning => "warning",
            Outcome::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [
            Outcome::Admitted,
            Outcome::Reentry,
            Outcome::Exit,
            Outcome::Warning,
            Outcome::Refused,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }

    pub fn light(self) -> Light {
        match self {
            Outcome::Admitted | Outcome::Exit => Light::Green,
            Outcome::Reentry | Outcome::Warning => Light::Amber,
            Outcome::Refused => Light::Red,
        }
    }

    /// Whether the person went in.
    pub fn entered(self) -> bool {
        matches!(self, Outcome::Admitted | Outcome::Reentry)
    }
}

/// One scan at a gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    /// Made by the scanner; a scan sent twice is recorded once.
    pub id: Uuid,
    pub token: String,
    pub gate_id: Uuid,
    pub direction: Direction,
    /// When it was scanned (the scanner's clock).
    pub at: DateTime<Utc>,
    pub device_id: Option<Uuid>,
    pub staff_id: Option<Uuid>,
}

/// How far a scanner's clock may be from the server's for an online scan.
pub const ONLINE_CLOCK_TOLERANCE: chrono::Duration = chrono::Duration::minutes(5);

/// The time an online scan is recorded at: the server's, not what the
/// scanner claims (a claimed time decides the fair day and the re-entry
/// rules). A claim more than [`ONLINE_CLOCK_TOLERANCE`] off is refused with
/// `clock_skew`: such a scanner's offline decisions are off too, and its
/// clock needs setting.
pub fn online_scan_time(
    claimed: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, crate::Error> {
    if (claimed - now).abs() > ONLINE_CLOCK_TOLERANCE {
        return Err(crate::Error::field(crate::ErrorCode::ClockSkew, "at"));
    }
    Ok(now)
}

/// Who the badge belongs to, as the verdict screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub badge: Uuid,
    pub name: String,
    pub organisation: String,
    pub kind: BadgeKind,
}

/// The answer to a scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub scan_id: Uuid,
    pub outcome: Outcome,
    pub light: Light,
    /// Why, as a code the scanner shows in the staff member's language:
    /// ok, reentry, exit, not_inside, malformed, unknown_key, bad_signature,
    /// wrong_fair, unknown_badge, revoked, wrong_day, wrong_area, not_on_list,
    /// already_inside, no_reentry, entry_limit.
    pub reason: String,
    pub holder: Option<Holder>,
}

impl Verdict {
    pub fn new(scan_id: Uuid, outcome: Outcome, reason: &str, holder: Option<Holder>) -> Verdict {
        Verdict {
            scan_id,
            outcome,
            light: outcome.light(),
            reason: reason.to_string(),
            holder,
        }
    }
}

/// A scan decided by a scanner without network, with what it showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineScan {
    #[serde(flatten)]
    pub scan: Scan,
    /// What the scanner decided (the person went in, or not, on that).
    pub outcome: Outcome,
    pub reason: String,
}

/// What a scanner keeps to decide without network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncData {
    pub fair_id: Uuid,
    pub time_zone: String,
    /// Trusted public keys.
    pub keys: Vec<PublicKey>,
    /// Badges revoked since the time asked for (all, the first time).
    pub revoked: Vec<Uuid>,
    pub gates: Vec<GateView>,
    /// Send it back as `since` next time.
    pub server_time: DateTime<Utc>,
}

/// A gate as scanners know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateView {
    pub id: Uuid,
    #[serde(flatten)]
    pub rules: GateInput,
}

/// A scanner device as organisers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: Uuid,
    pub fair_id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// Where a badge stands in one area on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub inside: bool,
    pub entries: i32,
}

/// Entries a badge may make per day at a gate.
pub fn entry_limit(reentry: bool, max_entries_per_day: Option<i32>) -> i32 {
    if reentry {
        max_entries_per_day.unwrap_or(i32::MAX)
    } else {
        1
    }
}

/// The rule at a gate for a badge that passed every other check: what the
/// scan is, and why.
pub fn rule(
    standing: Standing,
    reentry: bool,
    max_entries_per_day: Option<i32>,
    direction: Direction,
) -> (Outcome, &'static str) {
    match direction {
        Direction::In if standing.inside => (Outcome::Refused, "already_inside"),
        Direction::In if standing.entries >= entry_limit(reentry, max_entries_per_day) => {
            let why = if reentry { "entry_limit" } else { "no_reentry" };
            (Outcome::Refused, why)
        }
        Direction::In if standing.entries == 0 => (Outcome::Admitted, "ok"),
        Direction::In => (Outcome::Reentry, "reentry"),
        Direction::Out if standing.inside => (Outcome::Exit, "exit"),
        Direction::Out => (Outcome::Warning, "not_inside"),
    }
}

impl Standing {
    /// Where the badge stands after a scan with this outcome.
    pub fn after(self, direction: Direction, outcome: Outcome) -> Standing {
        match (direction, outcome) {
            (Direction::In, o) if o.entered() => Standing {
                inside: true,
                entries: self.entries + 1,
            },
            (Direction::Out, Outcome::Exit) => Standing {
                inside: false,
                ..self
            },
            _ => self,
        }
    }
}

/// A decision taken without the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalDecision {
    pub outcome: Outcome,
    pub light: Light,
    pub reason: String,
    /// What the badge says, when its signature held.
    pub claims: Option<Claims>,
}

/// A scanner's own judgement while offline: the keys, revocations and
/// gates of its last sync, and every scan it has seen (its own and, once
/// online again, the verdicts the server gave it). Names of holders are
/// not known offline: the verdict shows the badge's kind.
///
/// Areas come from the badge kind's defaults (the token does not carry a
/// badge's own areas); the server, which knows them, flags a mistake when
/// the queue is uploaded.
#[derive(Debug, Clone)]
pub struct Desk {
    fair: Uuid,
    keys: Keyring,
    revoked: HashSet<Uuid>,
    gates: HashMap<Uuid, GateView>,
    time_zone: String,
    standing: HashMap<(Uuid, String, NaiveDate), Standing>,
}

impl Desk {
    pub fn new(sync: &SyncData) -> Desk {
        let mut desk = Desk {
            fair: sync.fair_id,
            keys: Keyring::new(&[]),
            revoked: HashSet::new(),
            gates: HashMap::new(),
            time_zone: String::new(),
            standing: HashMap::new(),
        };
        desk.update(sync);
        desk
    }

    /// Takes a newer sync: keys and gates replace the old ones, revocations
    /// add up (a sync since a time lists only the newer ones).
    pub fn update(&mut self, sync: &SyncData) {
        self.fair = sync.fair_id;
        self.keys = Keyring::new(&sync.keys);
        self.revoked.extend(sync.revoked.iter().copied());
        self.gates = sync.gates.iter().map(|g| (g.id, g.clone())).collect();
        self.time_zone = sync.time_zone.clone();
    }

    pub fn gate(&self, id: Uuid) -> Option<&GateView> {
        self.gates.get(&id)
    }

    fn key(&self, gate: &GateView, badge: Uuid, at: DateTime<Utc>) -> (Uuid, String, NaiveDate) {
        (
            badge,
            gate.rules.area.clone(),
            crate::format::day_in(&self.time_zone, at),
        )
    }

    /// Remembers a scan decided elsewhere (by the server, or before a
    /// reload), so later decisions follow it.
    pub fn note(
        &mut self,
        badge: Uuid,
        gate_id: Uuid,
        direction: Direction,
        outcome: Outcome,
        at: DateTime<Utc>,
    ) {
        let Some(gate) = self.gates.get(&gate_id) else {
            return;
        };
        let key = self.key(gate, badge, at);
        let s = self.standing.entry(key).or_default();
        *s = s.after(direction, outcome);
    }

    /// Decides a scan and remembers it.
    pub fn decide(
        &mut self,
        text: &str,
        gate_id: Uuid,
        direction: Direction,
        at: DateTime<Utc>,
    ) -> LocalDecision {
        let refuse = |reason: &str, claims: Option<Claims>| LocalDecision {
            outcome: Outcome::Refused,
            light: Light::Red,
            reason: reason.to_string(),
            claims,
        };
        let Some(gate) = self.gates.get(&gate_id) else {
            return refuse("unknown_gate", None);
        };
        let claims = match token::verify_with(text.trim(), &self.keys, self.fair) {
            Ok(c) => c,
            Err(e) => return refuse(e.as_str(), None),
        };
        if self.revoked.contains(&claims.badge) {
            return refuse("revoked", Some(claims));
        }
        let key = self.key(gate, claims.badge, at);
        if key.2 < claims.valid_from || key.2 > claims.valid_to {
            return refuse("wrong_day", Some(claims));
        }
        let areas = default_areas(claims.kind);
        if !areas
            .iter()
            .any(|a| a == EVERYWHERE || *a == gate.rules.area)
        {
            return refuse("wrong_area", Some(claims));
        }
        let kinds = &gate.rules.kinds;
        if !kinds.is_empty() && !kinds.contains(&claims.kind) {
            return refuse("not_on_list", Some(claims));
        }
        let (reentry, max) = (gate.rules.reentry, gate.rules.max_entries_per_day);
        let s = self.standing.entry(key).or_default();
        let (outcome, reason) = rule(*s, reentry, max, direction);
        *s = s.after(direction, outcome);
        LocalDecision {
            outcome,
            light: outcome.light(),
            reason: reason.to_string(),
            claims: Some(claims),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn sync(secret: &[u8; 32], gates: Vec<GateView>, revoked: Vec<Uuid>) -> SyncData {
        SyncData {
            fair_id: Uuid::from_u128(1),
            time_zone: "Asia/Ho_Chi_Minh".into(),
            keys: vec![token::public_key(1, secret)],
            revoked,
            gates,
            server_time: Utc.with_ymd_and_hms(2027, 3, 9, 0, 0, 0).unwrap(),
        }
    }

    fn gate(id: u128, area: &str, reentry: bool, kinds: Vec<BadgeKind>) -> GateView {
        GateView {
            id: Uuid::from_u128(id),
            rules: GateInput {
                code: format!("G{id}"),
                name_vi: "Cổng".into(),
                name_en: "Gate".into(),
                area: area.into(),
                kinds,
                reentry,
                max_entries_per_day: None,
            },
        }
    }

    fn badge(secret: &[u8; 32], n: u128, kind: BadgeKind) -> (Uuid, String) {
        let d = |day| NaiveDate::from_ymd_opt(2027, 3, day).unwrap();
        let claims = Claims {
            badge: Uuid::from_u128(n),
            fair: Uuid::from_u128(1),
            kind,
            key_id: 1,
            valid_from: d(10),
            valid_to: d(11),
        };
        (claims.badge, token::sign(&claims, secret))
    }

    #[test]
    fn an_offline_desk_follows_the_gate_rules() {
        let secret = [7u8; 32];
        let (hall, once, vip) = (10, 11, 12);
        let (_, revoked_token) = badge(&secret, 3, BadgeKind::Visitor);
        let mut desk = Desk::new(&sync(
            &secret,
            vec![
                gate(hall, "hall", true, vec![]),
                gate(once, "hall", false, vec![]),
                gate(vip, "vip", true, vec![]),
            ],
            vec![Uuid::from_u128(3)],
        ));
        let (hall, once, vip) = (
            Uuid::from_u128(hall),
            Uuid::from_u128(once),
            Uuid::from_u128(vip),
        );
        let (_, visitor) = badge(&secret, 1, BadgeKind::Visitor);
        // 09:00 in Hanoi on the first fair day.
        let t = Utc.with_ymd_and_hms(2027, 3, 10, 2, 0, 0).unwrap();
        let h = chrono::Duration::hours(1);
        let mut go = |token: &str, gate, dir, at| {
            let d = desk.decide(token, gate, dir, at);
            (d.outcome, d.reason)
        };
        let r = |o: Outcome, why: &str| (o, why.to_string());
        assert_eq!(
            go(&visitor, hall, Direction::In, t),
            r(Outcome::Admitted, "ok")
        );
        assert_eq!(
            go(&visitor, once, Direction::In, t),
            r(Outcome::Refused, "already_inside")
        );
        assert_eq!(
            go(&visitor, vip, Direction::In, t),
            r(Outcome::Refused, "wrong_area")
        );
        assert_eq!(
            go(&visitor, hall, Direction::Out, t + h),
            r(Outcome::Exit, "exit")
        );
        assert_eq!(
            go(&visitor, hall, Direction::Out, t + h),
            r(Outcome::Warning, "not_inside")
        );
        assert_eq!(
            go(&visitor, hall, Direction::In, t + h),
            r(Outcome::Reentry, "reentry")
        );
        go(&visitor, hall, Direction::Out, t + h * 2);
        assert_eq!(
            go(&visitor, once, Direction::In, t + h * 2),
            r(Outcome::Refused, "no_reentry")
        );
        // A new day starts afresh; after the last day the badge is refused.
        assert_eq!(
            go(&visitor, once, Direction::In, t + h * 24),
            r(Outcome::Admitted, "ok")
        );
        assert_eq!(
            go(&visitor, hall, Direction::In, t + h * 48),
            r(Outcome::Refused, "wrong_day")
        );
        assert_eq!(
            go(&revoked_token, hall, Direction::In, t),
            r(Outcome::Refused, "revoked")
        );
        assert_eq!(
            go("FL1AAAA", hall, Direction::In, t),
            r(Outcome::Refused, "malformed")
        );
        let forged = badge(&[8u8; 32], 4, BadgeKind::Vip).1;
        assert_eq!(go(&forged, vip, Direction::In, t).0, Outcome::Refused);
        assert_eq!(
            go(&visitor, Uuid::from_u128(99), Direction::In, t),
            r(Outcome::Refused, "unknown_gate")
        );
        // Another fair's badge, signed with a key this fair trusts too.
        let elsewhere = Claims {
            badge: Uuid::from_u128(5),
            fair: Uuid::from_u128(2),
            kind: BadgeKind::Visitor,
            key_id: 1,
            valid_from: NaiveDate::from_ymd_opt(2027, 3, 10).unwrap(),
            valid_to: NaiveDate::from_ymd_opt(2027, 3, 11).unwrap(),
        };
        assert_eq!(
            go(&token::sign(&elsewhere, &secret), hall, Direction::In, t),
            r(Outcome::Refused, "wrong_fair")
        );
    }

    #[test]
    fn a_desk_follows_what_it_was_told_and_its_lists() {
        let secret = [9u8; 32];
        let press_only = gate(20, "hall", false, vec![BadgeKind::Press]);
        let gate_id = press_only.id;
        let mut desk = Desk::new(&sync(&secret, vec![press_only], vec![]));
        let t = Utc.with_ymd_and_hms(2027, 3, 10, 3, 0, 0).unwrap();
        let (_, visitor) = badge(&secret, 1, BadgeKind::Visitor);
        let d = desk.decide(&visitor, gate_id, Direction::In, t);
        assert_eq!(
            (d.outcome, d.reason.as_str()),
            (Outcome::Refused, "not_on_list")
        );
        // Admitted by the server before a reload: refused as already inside.
        let (press_id, press) = badge(&secret, 2, BadgeKind::Press);
        desk.note(press_id, gate_id, Direction::In, Outcome::Admitted, t);
        let d = desk.decide(&press, gate_id, Direction::In, t);
        assert_eq!(
            (d.outcome, d.reason.as_str()),
            (Outcome::Refused, "already_inside")
        );
        // A later sync revokes it; revocations add up.
        let mut later = sync(
            &secret,
            desk.gates.values().cloned().collect(),
            vec![press_id],
        );
        desk.update(&later);
        later.revoked.clear();
        desk.update(&later);
        let d = desk.decide(&press, gate_id, Direction::Out, t);
        assert_eq!((d.outcome, d.light), (Outcome::Refused, Light::Red));
        assert_eq!(d.reason, "revoked");
    }
}
