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
        Command::SeedDemo => {
            let db = fairlink_server::open_database(&config).await?;
            let report = fairlink::seed::run(&db, chrono::Utc::now()).await?;
            if report.already_present {
                println!("demo fair already present: nothing to do");
            } else {
                println!(
                    "demo fair created: {} firms ({} certified, {} certificates), {} visitors, {} accounts",
                    report.firms,
                    report.certified_firms,
                    report.certificates,
                    report.visitors,
                    report.users
                );
            }
        }
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

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fairlink: {e}");
            ExitCode::FAILURE
        }
    }
}
