//! `fairlink`: serve the app, migrate the database, create accounts, seed
//! the demo fair.

use clap::{Parser, Subcommand};
use fairlink::Locale;
use fairlink::accounts::{NewAccount, Role};
use fairlink_server::config::Config;
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "fairlink",
    version,
    about = "Fairlink: specialised supporting-industry trade fairs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app (migrates the database first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Create the demo fair (idempotent: does nothing if it exists).
    SeedDemo,
    /// Badge signing keys: list them, rotate (a new key signs from now
    /// on), retire one (its active badges are re-signed with the newest key
    /// first; the old codes stop working at every door).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Copy the database (DATABASE_URL) into a new file while the app keeps
    /// serving: SQLite's VACUUM INTO, checked; PostgreSQL's pg_dump.
    Backup {
        /// The backup file to write (must not exist).
        #[arg(long)]
        output: std::path::PathBuf,
    },
    /// Put a backup back into the database (DATABASE_URL), then migrate it.
    /// Stop the app first.
    Restore {
        /// The backup file.
        #[arg(long)]
        input: std::path::PathBuf,
        /// Overwrite an existing SQLite database.
        #[arg(long)]
        replace: bool,
    },
    /// Assign booths to applications: a plan and applications in (JSON), an
    /// assignment with reasons out (JSON). No database needed. The format
    /// is described in the README ("Automatic allocation").
    Allocate {
        /// The problem: {"booths": [...], "applications": [...], "policy": {...}}.
        #[arg(long)]
        input: Option<std::path::PathBuf>,
        /// Where to write the assignment (standard output when absent).
        #[arg(long)]
        output: Option<std::path::PathBuf>,
        /// Instead of reading --input, write a generated fair of this many
        /// booths and applications ("1500x1200") to --output, as an example.
        #[arg(long, value_name = "BOOTHSxAPPLICATIONS")]
        example: Option<String>,
    },
    /// Place accepted B2B meeting requests into slots and tables: an instance
    /// in (JSON), a schedule out (JSON), the upper bound and figures on
    /// standard error. No database needed. The format is described in the
    /// README ("Meeting scheduler").
    Schedule {
        /// The instance: {"slots", "tables", "participants", "requests", "fixed"}.
        #[arg(long)]
        input: Option<std::path::PathBuf>,
        /// Where to write the schedule (standard output when absent).
        #[arg(long)]
        output: Option<std::path::PathBuf>,
        /// How long to search, in seconds.
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        /// Re-schedule: keep every meeting of this earlier schedule that
        /// still stands, and place only the requests without one.
        #[arg(long)]
        previous: Option<std::path::PathBuf>,
        /// Instead of reading --input, write a generated instance (small,
        /// large or extra-large) to --output, as an example.
        #[arg(long)]
        example: Option<String>,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// The keys, which one signs, and how many active badges each signed.
    List,
    /// Make a new key that signs every badge from now on.
    Rotate,
    /// Retire a key: its badges are re-signed with the newest key, then it is refused.
    Retire {
        /// The key's number, as `fairlink keys list` shows it.
        id: u8,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account. The password is prompted for, or read from stdin.
    Create {
        #[arg(long)]
        email: String,
        /// organiser, exhibitor, visitor or staff.
        #[arg(long, default_value = "organiser")]
        role: String,
        /// The name shown in the app (defaults to the part of the address
        /// before the @).
        #[arg(long)]
        name: Option<String>,
        /// vi or en.
        #[arg(long, default_value = "vi")]
        locale: String,
    },
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Repeat password: ")?;
        if first != second {
            anyhow::bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

/// `fairlink allocate`: JSON in, JSON out.
fn allocate(
    input: Option<std::path::PathBuf>,
    output: Option<std::path::PathBuf>,
    example: Option<String>,
) -> anyhow::Result<()> {
    use fairlink::booths::allocator;
    let write = |text: String| -> anyhow::Result<()> {
        match &output {
            Some(path) => std::fs::write(path, text + "\n")
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display())),
            None => {
                println!("{text}");
                Ok(())
            }
        }
    };
    if let Some(size) = example {
        let (booths, apps) = size
            .split_once('x')
            .and_then(|(b, a)| Some((b.parse::<usize>().ok()?, a.parse::<usize>().ok()?)))
            .filter(|(b, a)| *b <= 100_000 && *a <= 100_000)
            .ok_or_else(|| {
                anyhow::anyhow!("--example wants BOOTHSxAPPLICATIONS, e.g. 1500x1200")
            })?;
        let problem = allocator::generated_fair(booths, apps, 7);
        return write(serde_json::to_string_pretty(&problem)?);
    }
    let path = input.ok_or_else(|| anyhow::anyhow!("--input is required (or --example)"))?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let problem: allocator::Problem = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{} is not an allocation problem: {e}", path.display()))?;
    problem
        .check()
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let started = std::time::Instant::now();
    let assignment = allocator::allocate(&problem.booths, &problem.applications, &problem.policy);
    eprintln!(
        "placed {} of {} applications in {:.0} ms; first choices {} of at most {} ({:.1} %)",
        assignment.placed.len(),
        problem.applications.len(),
        started.elapsed().as_secs_f64() * 1000.0,
        assignment.first_choices,
        assignment.first_choice_bound,
        assignment.quality() * 100.0
    );
    write(serde_json::to_string_pretty(&assignment)?)
}

fn write_to(output: &Option<std::path::PathBuf>, text: String) -> anyhow::Result<()> {
    match output {
        Some(path) => std::fs::write(path, text + "\n")
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display())),
        None => {
            println!("{text}");
            Ok(())
        }
    }
}

/// `fairlink schedule`: an instance in, a schedule out.
fn schedule(
    input: Option<std::path::PathBuf>,
    output: Option<std::path::PathBuf>,
    seconds: f64,
    previous: Option<std::path::PathBuf>,
    example: Option<String>,
) -> anyhow::Result<()> {
    use fairlink::meetings::{self, Instance, Schedule, generate};
    if let Some(name) = example {
        let spec = [
            generate::Spec::SMALL,
            generate::Spec::LARGE,
            generate::Spec::EXTRA_LARGE,
        ]
        .into_iter()
        .find(|s| s.name == name)
        .ok_or_else(|| anyhow::anyhow!("--example wants small, large or extra-large"))?;
        let inst = Instance::new(generate::generate(&spec, 1))?;
        return write_to(&output, inst.to_json());
    }
    if !(seconds > 0.0 && seconds <= 3600.0) {
        anyhow::bail!("--seconds must be more than 0 and at most 3600");
    }
    let read = |path: &std::path::Path| {
        std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))
    };
    let path = input.ok_or_else(|| anyhow::anyhow!("--input is required (or --example)"))?;
    let inst =
        Instance::parse(&read(&path)?).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let outcome = match previous {
        Some(earlier) => {
            let before = Schedule::parse(&read(&earlier)?)
                .map_err(|e| anyhow::anyhow!("{}: {e}", earlier.display()))?;
            meetings::reschedule(&inst, &before)
        }
        None => {
            let options = meetings::Options {
                time_limit: std::time::Duration::from_secs_f64(seconds),
                ..meetings::Options::default()
            };
            meetings::schedule(&inst, &options)
        }
    };
    // The result is checked against every rule before anyone sees it.
    inst.check(&outcome.schedule)
        .map_err(|e| anyhow::anyhow!("internal error, schedule refused: {e}"))?;
    let bound = match outcome.upper_bound {
        Some(b) => format!(
            "of at most {b} ({:.2} %); the plain greedy reaches {} ({:.2} %)",
            100.0 * outcome.ratio(),
            outcome.greedy_weight,
            100.0 * outcome.greedy_weight as f64 / b.max(1) as f64
        ),
        None => "(earlier meetings kept in place)".to_string(),
    };
    eprintln!(
        "scheduled {} meetings, weight {} {bound}; {} unscheduled; {} idle gaps; {:.2} s",
        outcome.schedule.meetings.len(),
        outcome.weight,
        outcome.schedule.unscheduled.len(),
        outcome.gaps,
        outcome.seconds
    );
    write_to(&output, outcome.schedule.to_json())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    fairlink_server::telemetry::init(&config.log_format);
    match cli.command {
        Command::Serve => {
            let db = fairlink_server::open_database(&config).await?;
            match &config.smtp_url {
                Some(url) => {
                    tracing::info!(smtp = %fairlink::db::redact(url), "mail goes out over SMTP")
                }
                None => {
                    tracing::info!(folder = %config.mail_dir.display(), "no SMTP_URL: mail is written to a folder")
                }
            }
            if !config.site_root.join("pkg").join("fairlink.js").exists() {
                tracing::warn!(
                    site_root = %config.site_root.display(),
                    "the built site is missing (LEPTOS_SITE_ROOT): pages work without JavaScript until `cargo leptos build` runs"
                );
            }
            let public_url = config.public_url.clone();
            let running = fairlink_server::start(config, db).await?;
            tracing::info!(addr = %running.addr, public_url = %public_url, "listening");
            running.wait().await?;
        }
        Command::Migrate => {
            fairlink_server::open_database(&config).await?;
            println!("migrations applied");
        }
        Command::Backup { output } => {
            use fairlink_server::backup;
            backup::backup(&config.database_url, &output).await?;
            println!("backup written to {}", output.display());
        }
        Command::Restore { input, replace } => {
            use fairlink_server::backup;
            backup::restore(&config.database_url, &input, replace).await?;
            let db = fairlink::db::Db::connect(&config.database_url).await?;
            let counts = backup::row_counts(&db).await?;
            let summary: Vec<String> = counts.iter().map(|(t, n)| format!("{t} {n}")).collect();
            println!("restored from {}: {}", input.display(), summary.join(", "));
        }
        Command::SeedDemo => {
            let db = fairlink_server::open_database(&config).await?;
            let report = fairlink::seed::run(&db, chrono::Utc::now()).await?;
            if report.already_present {
                println!("demo fair already present: nothing to do");
            } else {
                println!(
                    "demo fair created: {} firms ({} certified, {} certificates), {} visitors, {} accounts, {} B2B meetings scheduled",
                    report.firms,
                    report.certified_firms,
                    report.certificates,
                    report.visitors,
                    report.users,
                    report.meetings
                );
            }
        }
        Command::Keys { command } => {
            let db = fairlink_server::open_database(&config).await?;
            let now = chrono::Utc::now();
            let fail = |e: fairlink::Error| {
                anyhow::anyhow!("{}", e.detail.unwrap_or_else(|| e.code.to_string()))
            };
            match command {
                KeysCommand::List => {
                    let keys = fairlink::badges::keys::list(&db).await.map_err(fail)?;
                    if keys.is_empty() {
                        println!("no badge keys yet (the first is made with the first badge)");
                    }
                    for k in keys {
                        let state = match (k.retired_at, k.signing) {
                            (Some(at), _) => format!("retired {}", at.format("%Y-%m-%d %H:%M")),
                            (None, true) => "signs new badges".into(),
                            (None, false) => "trusted".into(),
                        };
                        println!(
                            "key {:>3}  made {}  {state}  {} active badges",
                            k.id,
                            k.created_at.format("%Y-%m-%d %H:%M"),
                            k.badges
                        );
                    }
                }
                KeysCommand::Rotate => {
                    let id = fairlink::badges::keys::rotate(&db, None, now)
                        .await
                        .map_err(fail)?;
                    println!(
                        "key {id} signs new badges from now on; older keys stay trusted until retired"
                    );
                }
                KeysCommand::Retire { id } => {
                    let r = fairlink::badges::keys::retire(&db, None, id, now)
                        .await
                        .map_err(|e| match e.code {
                            fairlink::ErrorCode::NotFound => anyhow::anyhow!(
                                "no key {id} that is not retired already (see `fairlink keys list`)"
                            ),
                            _ => fail(e),
                        })?;
                    println!(
                        "key {id} retired; {} active badges re-signed with key {} (their holders need their new badge)",
                        r.reissued, r.with
                    );
                }
            }
        }
        Command::Allocate {
            input,
            output,
            example,
        } => allocate(input, output, example)?,
        Command::Schedule {
            input,
            output,
            seconds,
            previous,
            example,
        } => schedule(input, output, seconds, previous, example)?,
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    role,
                    name,
                    locale,
                },
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                anyhow::anyhow!("--role must be organiser, exhibitor, visitor or staff")
            })?;
            let locale = Locale::parse(&locale)
                .ok_or_else(|| anyhow::anyhow!("--locale must be vi or en"))?;
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or("").to_string());
            let db = fairlink_server::open_database(&config).await?;
            let password = read_password()?;
            let user = fairlink::accounts::create_account(
                &db,
                NewAccount {
                    email,
                    name,
                    password,
                    role,
                    locale,
                },
                chrono::Utc::now(),
            )
            .await
            .map_err(|e| anyhow::anyhow!("cannot create the account: {}", e.code))?;
            println!("created {} ({}) with id {}", user.email, user.role, user.id);
        }
    }
    Ok(())
}

/// glibc gives memory of large allocations back only when they were
/// mapped on their own, and by default it raises that threshold to the
/// largest block freed so far: after one password hash (19 MiB) every
/// later hash came from the heap and stayed there, some 20 MiB a hash, up
/// to 440 MiB. A fixed threshold keeps every allocation of 1 MiB or more
/// mapped on its own and returned when freed.
fn keep_large_allocations_apart() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called once,
    // before any thread is started.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

fn main() -> ExitCode {
    keep_large_allocations_apart();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(run_cli()),
        Err(e) => {
            eprintln!("fairlink: cannot start the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run_cli() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fairlink: {e}");
            ExitCode::FAILURE
        }
    }
}
