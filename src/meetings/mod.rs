//! B2B meetings between buyers and suppliers: the scheduler that places
//! accepted requests into slots and tables (pure, no I/O), its exchange
//! format, its bound, and an instance generator for the benchmark; and the
//! scoring that recommends suppliers to buyers. With the `db` feature: needs,
//! requests, the programme, scheduling runs, agendas and calendar feeds.

pub mod bound;
pub mod generate;
pub mod ics;
pub mod instance;
pub mod matching;
pub mod solve;
pub mod views;

#[cfg(feature = "db")]
pub mod entity;
#[cfg(feature = "db")]
pub mod runs;
#[cfg(feature = "db")]
pub mod service;

pub use instance::{FormatError, Instance, InstanceSpec, Kind, Location, Meeting, Schedule};
pub use solve::{Options, Outcome, greedy, reschedule, schedule, schedule_with_progress};

#[cfg(test)]
mod tests;
