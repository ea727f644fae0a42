//! Changes that open pages follow: a booth held or booked, a badge scanned,
//! a meeting asked for, accepted, moved or cancelled.
//!
//! A service announces a change after its transaction committed
//! ([`Db::announce`]); every instance of the app hears it
//! ([`Db::changes`]) and tells the pages connected to it, which then read
//! what they show afresh.
//!
//! - SQLite is one instance: the announcement goes straight to it.
//! - PostgreSQL may serve several instances: the announcement is a
//!   `NOTIFY` on [`CHANNEL`], and each instance `LISTEN`s on one
//!   connection of its own ([`Db::follow_changes`]). Whenever that
//!   connection is (re)opened, notifications may have been missed, so
//!   every follower is told that anything may have changed.
//!
//! Announcements are hints, never the data: a page that missed one (a
//! process killed between its commit and its announcement) catches up at
//! its next slow poll.

use super::Db;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

/// How many topics there are.
pub const TOPICS: usize = 4;

/// The PostgreSQL channel.
pub const CHANNEL: &str = "fairlink_changes";

/// PostgreSQL refuses payloads of 8,000 bytes or more; the people are left
/// out (everyone of the fair is concerned) well before that.
const MAX_PAYLOAD: usize = 7000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    /// Booth claims: holds, bookings, payments, cancellations, blocking.
    Booths,
    /// Scans at the gates.
    Scans,
    /// Meeting requests and scheduled meetings.
    Meetings,
    /// Scanner devices revoked (the people are the devices): every
    /// instance forgets them at once instead of trusting its cache.
    Devices,
}

impl Topic {
    pub const ALL: [Topic; TOPICS] = [Topic::Booths, Topic::Scans, Topic::Meetings, Topic::Devices];

    fn index(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Booths => "booths",
            Topic::Scans => "scans",
            Topic::Meetings => "meetings",
            Topic::Devices => "devices",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// What changed, and for whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub topic: Topic,
    /// The fair; `None`: any fair (announcements may have been missed).
    pub fair_id: Option<Uuid>,
    /// The accounts and firms concerned; empty: everyone who follows the fair.
    pub people: Vec<Uuid>,
}

impl Change {
    pub fn new(topic: Topic, fair_id: Uuid) -> Change {
        Change {
            topic,
            fair_id: Some(fair_id),
            people: Vec::new(),
        }
    }

    /// The same change, naming who it concerns.
    pub fn for_people(mut self, people: impl IntoIterator<Item = Uuid>) -> Change {
        self.people.extend(people);
        self.people.sort_unstable();
        self.people.dedup();
        self
    }

    /// Anything of `topic` may have changed, in any fair.
    pub fn anything(topic: Topic) -> Change {
        Change {
            topic,
            fair_id: None,
            people: Vec::new(),
        }
    }

    /// True when a page following `fair_id` for one of `who` (an account,
    /// its firm) should read afresh.
    pub fn concerns(&self, topic: Topic, fair_id: Uuid, who: &[Uuid]) -> bool {
        self.topic == topic
            && self.fair_id.is_none_or(|f| f == fair_id)
            && (self.people.is_empty() || who.iter().any(|w| self.people.contains(w)))
    }

    /// `topic fair person person ...`, as sent through PostgreSQL.
    pub fn encode(&self) -> String {
        let mut s = String::with_capacity(48 + 37 * self.people.len());
        s.push_str(self.topic.as_str());
        s.push(' ');
        match self.fair_id {
            Some(f) => s.push_str(&f.simple().to_string()),
            None => s.push('*'),
        }
        for p in &self.people {
            s.push(' ');
            s.push_str(&p.simple().to_string());
        }
        if s.len() > MAX_PAYLOAD {
            return Change {
                people: Vec::new(),
                ..self.clone()
            }
            .encode();
        }
        s
    }

    pub fn decode(s: &str) -> Option<Change> {
        let mut parts = s.split(' ');
        let topic = Topic::parse(parts.next()?)?;
        let fair_id = match parts.next()? {
            "*" => None,
            f => Some(Uuid::parse_str(f).ok()?),
        };
        let people = parts
            .map(Uuid::parse_str)
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        Some(Change {
            topic,
            fair_id,
            people,
        })
    }
}

/// One channel per topic, so a flood of scans wakes no booth map.
pub(super) fn channels() -> [tokio::sync::broadcast::Sender<Change>; TOPICS] {
    std::array::from_fn(|_| tokio::sync::broadcast::channel(1024).0)
}

fn tell(channels: &[tokio::sync::broadcast::Sender<Change>; TOPICS], change: Change) {
    let _ = channels[change.topic.index()].send(change);
}

/// PostgreSQL: sends the announcements queued by [`Db::announce`], one at a
/// time on one pooled connection, the same change once however often it
/// was queued meanwhile (a busy door's scans make one notification per
/// batch, not one per request). Ends when every handle on the database is
/// gone.
pub(super) async fn send_announcements(
    write: sea_orm::DatabaseConnection,
    mut queue: tokio::sync::mpsc::Receiver<Change>,
    channels: [tokio::sync::broadcast::Sender<Change>; TOPICS],
) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < 1024 {
            match queue.try_recv() {
                Ok(c) => {
                    if !batch.contains(&c) {
                        batch.push(c);
                    }
                }
                Err(_) => break,
            }
        }
        for change in batch {
            let sql = Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), change.encode().into()],
            );
            if let Err(e) = write.execute_raw(sql).await {
                tracing::debug!(error = %e, "a change could not be announced");
                // This instance at least knows.
                tell(&channels, change);
            }
        }
    }
}

impl Db {
    fn tell_here(&self, change: Change) {
        tell(&self.changes, change);
    }

    /// Tells every instance that `change` happened. Call it after the
    /// transaction that made the change committed. Never fails and never
    /// waits for the database (on PostgreSQL the notification is queued for
    /// [`send_announcements`]): a change that could not be announced is
    /// picked up by the pages' slow polls.
    pub fn announce(&self, change: Change) {
        match &self.announcements {
            Some(queue) => {
                if queue.try_send(change).is_err() {
                    tracing::debug!("announcements queue full: a change goes unannounced");
                }
            }
            None => self.tell_here(change),
        }
    }

    /// The changes of `topic` this instance hears of from now on. A
    /// follower that lags too far behind hears `RecvError::Lagged` and
    /// should read everything afresh.
    pub fn changes(&self, topic: Topic) -> tokio::sync::broadcast::Receiver<Change> {
        self.changes[topic.index()].subscribe()
    }

    /// PostgreSQL: listens on [`CHANNEL`] and passes what it hears to
    /// [`Db::changes`] until `stop` turns true, reconnecting after a lost
    /// connection; `ready` is told once it first listens. SQLite: returns at
    /// once (announcements need no relay).
    pub async fn follow_changes(
        &self,
        mut stop: tokio::sync::watch::Receiver<bool>,
        ready: tokio::sync::oneshot::Sender<()>,
    ) {
        use sea_orm::sqlx::postgres::PgListener;
        if self.backend() != DbBackend::Postgres {
            return;
        }
        let mut ready = Some(ready);
        let pool = self.write.get_postgres_connection_pool().clone();
        let mut pause = std::time::Duration::from_millis(100);
        loop {
            if *stop.borrow() {
                return;
            }
            let listener = async {
                let mut l = PgListener::connect_with(&pool).await?;
                l.listen(CHANNEL).await?;
                Ok::<_, sea_orm::sqlx::Error>(l)
            };
            let opened = tokio::select! {
                l = listener => l,
                _ = stop.changed() => return,
            };
            let mut l = match opened {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for changes yet");
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = stop.changed() => return,
                    }
                    pause = (pause * 2).min(std::time::Duration::from_secs(5));
                    continue;
                }
            };
            pause = std::time::Duration::from_millis(100);
            match ready.take() {
                Some(r) => {
                    let _ = r.send(());
                }
                // Listening again: whatever happened while nobody listened.
                None => {
                    for topic in Topic::ALL {
                        self.tell_here(Change::anything(topic));
                    }
                }
            }
            loop {
                let next = tokio::select! {
                    n = l.try_recv() => n,
                    _ = stop.changed() => return,
                };
                match next {
                    Ok(Some(n)) => {
                        if let Some(change) = Change::decode(n.payload()) {
                            self.tell_here(change);
                        }
                    }
                    // The connection was lost (and opened again): some
                    // notifications may be gone.
                    Ok(None) => {
                        for topic in Topic::ALL {
                            self.tell_here(Change::anything(topic));
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "listening for changes failed; listening again");
                        break;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_travel_as_text_and_back() {
        let fair = Uuid::new_v4();
        let a = Uuid::new_v4();
        let b = Uuid::new_v4();
        let c = Change::new(Topic::Meetings, fair).for_people([b, a, b]);
        assert_eq!(c.people.len(), 2);
        assert_eq!(Change::decode(&c.encode()), Some(c.clone()));
        let any = Change::anything(Topic::Scans);
        assert_eq!(Change::decode(&any.encode()), Some(any));
        assert_eq!(Change::decode("tickets *"), None);
        assert_eq!(Change::decode("booths not-a-uuid"), None);
        // Too many people for one notification: everyone of the fair.
        let crowd = Change::new(Topic::Meetings, fair).for_people((0..500).map(|_| Uuid::new_v4()));
        let sent = Change::decode(&crowd.encode()).expect("decodes");
        assert!(sent.people.is_empty() && sent.fair_id == Some(fair));
        assert!(crowd.encode().len() < MAX_PAYLOAD);
    }

    #[test]
    fn a_change_concerns_its_fair_and_its_people() {
        let fair = Uuid::new_v4();
        let other = Uuid::new_v4();
        let me = Uuid::new_v4();
        let my_firm = Uuid::new_v4();
        let c = Change::new(Topic::Meetings, fair).for_people([my_firm]);
        assert!(c.concerns(Topic::Meetings, fair, &[me, my_firm]));
        assert!(!c.concerns(Topic::Meetings, fair, &[me]));
        assert!(!c.concerns(Topic::Meetings, other, &[my_firm]));
        assert!(!c.concerns(Topic::Booths, fair, &[my_firm]));
        let everyone = Change::new(Topic::Booths, fair);
        assert!(everyone.concerns(Topic::Booths, fair, &[]));
        assert!(Change::anything(Topic::Booths).concerns(Topic::Booths, other, &[me]));
    }
}
