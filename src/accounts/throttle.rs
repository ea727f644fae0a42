//! What an unauthenticated caller may spend: password hashes (memory and
//! CPU) and attempts, counted per client address in the database so that
//! the limits hold across instances.
//!
//! - At most one password hash per core runs at a time in a process, on
//!   threads of their own (argon2id takes 19 MiB and ~70 ms each); a
//!   request over that waits a few seconds for its turn, then gets
//!   `unavailable` (503) with `Retry-After`.
//! - Sign-up, password resets and invitation acceptance are limited per
//!   client address ([`Action::limit`]).
//! - Sign-in slows down instead of locking: after a few failures each
//!   further try waits twice as long as the one before, per account and
//!   address, per address, and (capped low, so that someone else's guesses
//!   never keep the owner out for long) per account ([`sign_in_wait`]).

use super::entity::login_attempt;
use crate::{Error, ErrorCode, Result};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

/// What an attempt tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignIn,
    SignUp,
    Reset,
    Invite,
}

/// A per-address limit: at most `max` attempts (or failures only) within
/// `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u64,
    pub window: Duration,
    pub failures_only: bool,
}

impl Action {
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::SignIn => "sign_in",
            Action::SignUp => "sign_up",
            Action::Reset => "reset",
            Action::Invite => "invite",
        }
    }

    /// The per-address limit of the actions other than sign-in.
    ///
    /// Sign-up counts every attempt that gets as far as hashing (each one
    /// makes an account): 30 in 10 minutes lets a venue's visitors sign up
    /// over one shared address while stopping a script. Resets and
    /// invitations count failures only: a person with a good link succeeds
    /// at the first try.
    pub const fn limit(self) -> Limit {
        match self {
            Action::SignUp => Limit {
                max: 30,
                window: Duration::minutes(10),
                failures_only: false,
            },
            Action::Reset | Action::Invite => Limit {
                max: 10,
                window: Duration::minutes(15),
                failures_only: true,
            },
            Action::SignIn => Limit {
                max: SIGN_IN_FREE_PER_IP,
                window: SIGN_IN_WINDOW,
                failures_only: true,
            },
        }
    }
}

/// Failed sign-ins are remembered this long.
pub const SIGN_IN_WINDOW: Duration = Duration::hours(1);
/// Failures per account from one address before the waits begin.
pub const SIGN_IN_FREE_PER_PAIR: u64 = 5;
/// Failures per address (whatever the accounts) before the waits begin.
pub const SIGN_IN_FREE_PER_IP: u64 = 20;
/// Failures per account (whatever the addresses) before the waits begin.
pub const SIGN_IN_FREE_PER_ACCOUNT: u64 = 10;
/// The longest wait per account and address, and per address.
pub const SIGN_IN_MAX_WAIT: Duration = Duration::minutes(15);
/// The longest wait per account from all addresses: what someone else's
/// guesses can cost the owner at most.
pub const SIGN_IN_MAX_ACCOUNT_WAIT: Duration = Duration::minutes(2);

/// The wait after the `failures`-th failure when the first `free` cost
/// nothing: 1 s, 2 s, 4 s, … up to `cap`.
pub fn growing_wait(failures: u64, free: u64, cap: Duration) -> Duration {
    if failures < free {
        return Duration::zero();
    }
    let doublings = (failures - free).min(30) as u32;
    Ord::min(Duration::seconds(1i64 << doublings), cap)
}

/// How much of `wait` after `last` is left at `now`, in whole seconds
/// rounded up (zero when it has passed).
fn left(last: Option<DateTime<Utc>>, wait: Duration, now: DateTime<Utc>) -> u64 {
    let Some(last) = last else { return 0 };
    let ms = (last + wait - now).num_milliseconds();
    if ms <= 0 {
        0
    } else {
        (ms as u64).div_ceil(1000)
    }
}

/// Failures matching `filter` since `since`: how many, and the latest.
async fn failures<C: ConnectionTrait>(
    conn: &C,
    filter: sea_orm::Condition,
    since: DateTime<Utc>,
) -> Result<(u64, Option<DateTime<Utc>>)> {
    let q = login_attempt::Entity::find()
        .filter(filter)
        .filter(login_attempt::Column::Succeeded.eq(false))
        .filter(login_attempt::Column::AttemptedAt.gt(since));
    let n = q.clone().count(conn).await?;
    if n == 0 {
        return Ok((0, None));
    }
    let last = q
        .order_by_desc(login_attempt::Column::AttemptedAt)
        .one(conn)
        .await?
        .map(|a| a.attempted_at);
    Ok((n, last))
}

/// Seconds a sign-in to `email` from `ip` must still wait (0: go ahead).
pub async fn sign_in_wait<C: ConnectionTrait>(
    conn: &C,
    email: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    use sea_orm::Condition;
    let since = now - SIGN_IN_WINDOW;
    let sign_in = login_attempt::Column::Action.eq(Action::SignIn.as_str());
    // A success ends the account's count (from every address).
    let last_success = login_attempt::Entity::find()
        .filter(sign_in.clone())
        .filter(login_attempt::Column::Email.eq(email))
        .filter(login_attempt::Column::Succeeded.eq(true))
        .order_by_desc(login_attempt::Column::AttemptedAt)
        .one(conn)
        .await?
        .map(|a| a.attempted_at);
    let account_since = last_success.map_or(since, |s| Ord::max(s, since));
    let (pair_n, pair_last) = failures(
        conn,
        Condition::all()
            .add(sign_in.clone())
            .add(login_attempt::Column::Email.eq(email))
            .add(login_attempt::Column::Ip.eq(ip)),
        account_since,
    )
    .await?;
    let (account_n, account_last) = failures(
        conn,
        Condition::all()
            .add(sign_in.clone())
            .add(login_attempt::Column::Email.eq(email)),
        account_since,
    )
    .await?;
    let (ip_n, ip_last) = failures(
        conn,
        Condition::all()
            .add(sign_in)
            .add(login_attempt::Column::Ip.eq(ip)),
        since,
    )
    .await?;
    Ok([
        left(
            pair_last,
            growing_wait(pair_n, SIGN_IN_FREE_PER_PAIR, SIGN_IN_MAX_WAIT),
            now,
        ),
        left(
            account_last,
            growing_wait(
                account_n,
                SIGN_IN_FREE_PER_ACCOUNT,
                SIGN_IN_MAX_ACCOUNT_WAIT,
            ),
            now,
        ),
        left(
            ip_last,
            growing_wait(ip_n, SIGN_IN_FREE_PER_IP, SIGN_IN_MAX_WAIT),
            now,
        ),
    ]
    .into_iter()
    .max()
    .unwrap_or(0))
}

/// Checks `action`'s per-address limit for `ip` and records the attempt as
/// a failure (turn it into a success with [`succeeded`]). Over the limit:
/// `too_many_attempts` with the seconds until the oldest counted attempt
/// leaves the window, and nothing recorded.
pub async fn attempt<C: ConnectionTrait>(
    conn: &C,
    action: Action,
    subject: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let limit = action.limit();
    let ip: String = ip.chars().take(64).collect();
    let subject: String = subject.chars().take(254).collect();
    let mut q = login_attempt::Entity::find()
        .filter(login_attempt::Column::Action.eq(action.as_str()))
        .filter(login_attempt::Column::Ip.eq(&ip))
        .filter(login_attempt::Column::AttemptedAt.gt(now - limit.window));
    if limit.failures_only {
        q = q.filter(login_attempt::Column::Succeeded.eq(false));
    }
    let n = q.clone().count(conn).await?;
    if n >= limit.max {
        let oldest = q
            .order_by_asc(login_attempt::Column::AttemptedAt)
            .one(conn)
            .await?
            .map(|a| a.attempted_at);
        let secs = left(oldest, limit.window, now);
        tracing::warn!(ip = %ip, action = action.as_str(), n, "attempts limited");
        return Err(Error::retry_after(ErrorCode::TooManyAttempts, secs));
    }
    let row = login_attempt::ActiveModel {
        email: Set(subject),
        ip: Set(ip),
        succeeded: Set(false),
        attempted_at: Set(now),
        action: Set(action.as_str().to_string()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(row.id)
}

/// Marks an attempt recorded by [`attempt`] as a success.
pub async fn succeeded<C: ConnectionTrait>(conn: &C, attempt_id: i64) -> Result<()> {
    login_attempt::Entity::update_many()
        .col_expr(
            login_attempt::Column::Succeeded,
            sea_orm::sea_query::Expr::value(true),
        )
        .filter(login_attempt::Column::Id.eq(attempt_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Forgets an attempt that never got to try (the server was too busy).
pub async fn forget<C: ConnectionTrait>(conn: &C, attempt_id: i64) -> Result<()> {
    login_attempt::Entity::delete_by_id(attempt_id)
        .exec(conn)
        .await?;
    Ok(())
}

/// How long a request waits for a free hashing slot before `unavailable`.
pub const HASH_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(4);

/// The threads that hash passwords: one per core, for the life of the
/// process. Each hash takes 19 MiB; on threads of their own the memory the
/// allocator keeps for reuse stays with those few threads (run on the
/// general blocking pool, every thread that ever hashed kept its 19 MiB:
/// a flood of sign-ups took a server from 67 MiB to over 500 MiB even with
/// two hashes at a time).
struct Hashers {
    /// Free slots: a request waits here at most [`HASH_QUEUE_WAIT`].
    slots: tokio::sync::Semaphore,
    jobs: std::sync::Mutex<std::sync::mpsc::Sender<Job>>,
}

type Job = Box<dyn FnOnce() + Send>;

fn hashers() -> &'static Hashers {
    static HASHERS: std::sync::OnceLock<Hashers> = std::sync::OnceLock::new();
    HASHERS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for i in 0..cores {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-hash-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "a password hashing thread could not start");
            }
        }
        Hashers {
            slots: tokio::sync::Semaphore::new(cores),
            jobs: std::sync::Mutex::new(tx),
        }
    })
}

static HASHES_RUN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
static HASHES_REFUSED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Password hashes and checks this process ran, and requests it turned away
/// for want of a hashing slot (for `/metrics`).
pub fn hashing_counts() -> (u64, u64) {
    use std::sync::atomic::Ordering::Relaxed;
    (HASHES_RUN.load(Relaxed), HASHES_REFUSED.load(Relaxed))
}

/// Runs `work` (a password hash or check) on a hashing thread once a slot
/// is free; waits at most [`HASH_QUEUE_WAIT`] for one, then fails with
/// `unavailable` and a `Retry-After` of a few seconds.
pub async fn with_hashing_slot<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    let h = hashers();
    let permit = tokio::time::timeout(HASH_QUEUE_WAIT, h.slots.acquire())
        .await
        .map_err(|_| {
            HASHES_REFUSED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tracing::warn!("password hashing saturated: request turned away");
            Error::retry_after(ErrorCode::Unavailable, 2)
        })?
        .map_err(Error::internal)?;
    HASHES_RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (tx, rx) = tokio::sync::oneshot::channel();
    // The slot is given back when the hash is done, not when the caller
    // stops waiting: a client that hangs up frees no slot early.
    let job: Job = Box::new(move || {
        let _ = tx.send(work());
        drop(permit);
    });
    h.jobs
        .lock()
        .map_err(|_| Error::internal("the hashing queue is poisoned"))?
        .send(job)
        .map_err(|_| Error::internal("no password hashing thread runs"))?;
    rx.await
        .map_err(|_| Error::internal("a password hash was lost"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_after_the_free_failures_up_to_the_cap() {
        let cap = Duration::minutes(15);
        let table = [
            (0, 0),
            (4, 0),
            (5, 1),
            (6, 2),
            (7, 4),
            (10, 32),
            (14, 512),
            (15, 900),
            (1000, 900),
        ];
        for (n, secs) in table {
            assert_eq!(growing_wait(n, 5, cap), Duration::seconds(secs), "{n}");
        }
    }

    #[test]
    fn what_is_left_of_a_wait_rounds_up() {
        let t = DateTime::parse_from_rfc3339("2026-12-16T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(left(None, Duration::seconds(60), t), 0);
        assert_eq!(left(Some(t), Duration::seconds(60), t), 60);
        assert_eq!(
            left(
                Some(t),
                Duration::seconds(60),
                t + Duration::milliseconds(59_001)
            ),
            1
        );
        assert_eq!(
            left(Some(t), Duration::seconds(60), t + Duration::seconds(61)),
            0
        );
    }
}
