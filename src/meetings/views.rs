//! What pages show of meetings: plain values, shared by the server and the
//! browser (no database needed).

use super::Location;
use super::matching::{Fit, Need};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a buyer sources, as typed on the needs form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedInput {
    pub company: String,
    pub country: String,
    pub need: Need,
    pub volume: String,
    pub moq: String,
    pub description: String,
}

/// A recommended counterpart with the reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    /// The firm (for a buyer) or the buyer's account (for a supplier).
    pub id: Uuid,
    pub name: String,
    pub fit: Fit,
    /// The request between the two at this fair, if any, and its state.
    pub request: Option<(Uuid, String)>,
}

/// The fair's meeting programme as the organiser sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeInput {
    pub tables: i32,
    pub request_hours: i32,
    /// Slot starts (UTC) and lengths in minutes.
    pub slots: Vec<(DateTime<Utc>, i32)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotView {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub minutes: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Programme {
    pub tables: i32,
    pub request_hours: i32,
    pub slots: Vec<SlotView>,
}

/// One request as its two sides (and the organiser) see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: Uuid,
    pub buyer_id: Uuid,
    pub buyer: String,
    pub firm_id: Uuid,
    pub firm: String,
    pub asked_by: String,
    pub message: String,
    pub status: String,
    pub weight: i32,
    pub location: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    /// It is this user's turn to accept or decline.
    pub to_answer: bool,
}

/// A meeting the organiser arranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arrangement {
    pub buyer_id: Uuid,
    pub firm_id: Uuid,
    /// Priority for the scheduler, 1 to 10.
    pub weight: i32,
    pub location: Location,
}

/// What a scheduling run did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub scheduled: usize,
    pub added: usize,
    pub unscheduled: usize,
    pub weight: u64,
    pub upper_bound: Option<u64>,
    pub greedy_weight: u64,
    pub seconds: f64,
}

/// Where a scheduling run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Done,
    Failed,
    /// Its process stopped before it ended (its heartbeat stopped).
    Interrupted,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Done => "done",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<RunStatus> {
        [
            RunStatus::Running,
            RunStatus::Done,
            RunStatus::Failed,
            RunStatus::Interrupted,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// A scheduling run as the organiser follows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunView {
    pub id: Uuid,
    pub status: RunStatus,
    /// Per mille, 0 to 1000.
    pub progress: i32,
    pub started_at: DateTime<Utc>,
    /// Seconds since it started (while running) or that it took.
    pub seconds: f64,
    pub report: Option<RunReport>,
    /// The error's code, when it failed.
    pub error: Option<crate::ErrorCode>,
}

/// One meeting in a person's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub request_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub minutes: i32,
    pub counterpart: String,
    /// The table number, or None at the supplier's booth.
    pub table: Option<i32>,
    /// The supplier's booth code, when it has one at this fair.
    pub booth: Option<String>,
    pub held: bool,
}

/// Meeting figures for one sector of the firms ("" for all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectorFigures {
    pub sector: String,
    pub requests: u64,
    pub accepted: u64,
    pub declined: u64,
    pub expired: u64,
    pub scheduled: u64,
    pub held: u64,
    pub no_shows: u64,
    /// Meetings after which either side reported a sample, quotation or order.
    pub follow_ups: u64,
}

/// One page of meeting requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestsPage {
    pub rows: Vec<RequestView>,
    pub page: u64,
    pub has_more: bool,
}
