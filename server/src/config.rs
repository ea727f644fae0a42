//! Configuration from environment variables, with defaults that work on a
//! fresh machine. A bad value stops the start with a message naming the
//! variable.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `FAIRLINK_ADDR`: where to listen (default 127.0.0.1:3000).
    pub addr: SocketAddr,
    /// `DATABASE_URL`: `sqlite://...` or `postgres://...` (default the SQLite
    /// file ./data/fairlink.db).
    pub database_url: String,
    /// `FAIRLINK_PUBLIC_URL`: the address users reach the site at (default
    /// http://<FAIRLINK_ADDR>). Links use it; `https://` turns on Secure
    /// cookies and HSTS.
    pub public_url: String,
    /// `LEPTOS_SITE_ROOT`: the built site (JS, wasm, CSS, assets); default
    /// target/site, as cargo-leptos builds it from the repository root.
    pub site_root: PathBuf,
    /// `FAIRLINK_TRUST_PROXY`: take the client address from X-Forwarded-For
    /// (only behind a reverse proxy that sets it).
    pub trust_proxy: bool,
    /// `FAIRLINK_LOG_FORMAT`: `json` (default) or `pretty`.
    pub log_format: LogFormat,
    /// `SMTP_URL`: where mail goes (`smtp://host:25`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://host:465`). Unset: mail is written to `mail_dir` as .eml files.
    pub smtp_url: Option<String>,
    /// `FAIRLINK_MAIL_DIR`: the folder for mail when no SMTP server is set (default ./data/mail).
    pub mail_dir: PathBuf,
    /// `FAIRLINK_MAIL_FROM`: the sender of every mail.
    pub mail_from: fairlink::mail::Mailbox,
    /// `FAIRLINK_PAGE_CACHE_SECONDS`: how long anonymous visitors may see a
    /// public page (home, catalogue) from memory (default 5; 0 turns it off).
    pub page_cache_seconds: u64,
    /// `FAIRLINK_METRICS_TOKEN`: a bearer token that reads `/metrics` from
    /// anywhere (without it, only the machine itself reads them).
    pub metrics_token: Option<String>,
    /// `FAIRLINK_SEARCH_RATE`: catalogue searches per second per client
    /// address, with bursts of three times as many (default 20; 0: no limit).
    pub search_rate: f64,
    /// `FAIRLINK_SYNC_RATE`: scanner syncs per second per client address,
    /// with bursts of ten times as many (default 5: the scanners of a venue
    /// often share one address, and each syncs every 15 s; 0: no limit).
    pub sync_rate: f64,
    /// `FAIRLINK_DRAIN_SECONDS`: after SIGTERM, how long the instance goes
    /// on serving while `/readyz` answers 503, so that a load balancer
    /// stops sending it requests before it stops listening (default 0;
    /// behind a balancer, a little more than its health-check interval).
    pub drain_seconds: u64,
    /// `FAIRLINK_STOP_SECONDS`: how long requests in flight and the mail
    /// batch may take after the instance stopped listening (default 30);
    /// then the process ends anyway.
    pub stop_seconds: u64,
    /// Where the master key comes from (see `fairlink::secret`):
    /// `FAIRLINK_MASTER_KEY` (base64 of 32 bytes), else the file
    /// `FAIRLINK_MASTER_KEY_FILE` (default ./data/master.key, made on first
    /// start).
    pub master_key: MasterKeySource,
    /// `FAIRLINK_DOOR_CLOCK_SHIFT_DAYS`: the doors (scanner verdicts and
    /// uploads) run this many days ahead of the real date, to rehearse a
    /// fair's doors before it opens, with scanners whose clocks are set the
    /// same way (default 0, as it must be during a fair).
    pub door_clock_shift_days: i64,
}

/// Where the master key comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum MasterKeySource {
    /// Given in the environment.
    Given(fairlink::secret::MasterKey),
    /// Read from this file, made (readable by its owner only) when absent.
    File(PathBuf),
}

impl fmt::Debug for MasterKeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MasterKeySource::Given(_) => f.write_str("Given(…)"),
            MasterKeySource::File(p) => write!(f, "File({})", p.display()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.variable, self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `get` (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let var = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let addr = match var("FAIRLINK_ADDR") {
            Some(v) => v.trim().parse().map_err(|_| ConfigError {
                variable: "FAIRLINK_ADDR",
                message: format!("{v:?} is not an address like 127.0.0.1:3000"),
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };
        let database_url = match var("DATABASE_URL") {
            Some(v) => {
                let v = v.trim().to_string();
                let ok = v.starts_with("sqlite:")
                    || v.starts_with("postgres://")
                    || v.starts_with("postgresql://");
                if !ok {
                    return Err(ConfigError {
                        variable: "DATABASE_URL",
                        message: format!(
                            "{} is neither sqlite://... nor postgres://...",
                            fairlink::db::redact(&v)
                        ),
                    });
                }
                v
            }
            None => fairlink::db::default_url(),
        };
        let public_url = match var("FAIRLINK_PUBLIC_URL") {
            Some(v) => {
                let v = v.trim().trim_end_matches('/').to_string();
                let rest = v
                    .strip_prefix("https://")
                    .or_else(|| v.strip_prefix("http://"))
                    .filter(|r| !r.is_empty() && !r.contains('/'));
                if rest.is_none() {
                    return Err(ConfigError {
                        variable: "FAIRLINK_PUBLIC_URL",
                        message: format!("{v:?} is not an origin like https://fair.example.vn"),
                    });
                }
                v
            }
            None => format!("http://{addr}"),
        };
        let site_root =
            PathBuf::from(var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()));
        let trust_proxy = match var("FAIRLINK_TRUST_PROXY").as_deref().map(str::trim) {
            None | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(other) => {
                return Err(ConfigError {
                    variable: "FAIRLINK_TRUST_PROXY",
                    message: format!("{other:?} is not true/false/1/0"),
                });
            }
        };
        let log_format = match var("FAIRLINK_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("json") => LogFormat::Json,
            Some("pretty") => LogFormat::Pretty,
            Some(other) => {
                return Err(ConfigError {
                    variable: "FAIRLINK_LOG_FORMAT",
                    message: format!("{other:?} is not json or pretty"),
                });
            }
        };
        let smtp_url = match var("SMTP_URL") {
            Some(v) => {
                let v = v.trim().to_string();
                fairlink::mail::delivery::Transport::smtp(&v).map_err(|e| ConfigError {
                    variable: "SMTP_URL",
                    message: format!("{}: {e}", fairlink::db::redact(&v)),
                })?;
                Some(v)
            }
            None => None,
        };
        let mail_dir =
            PathBuf::from(var("FAIRLINK_MAIL_DIR").unwrap_or_else(|| "./data/mail".into()));
        let from = var("FAIRLINK_MAIL_FROM")
            .unwrap_or_else(|| "Fairlink <no-reply@fairlink.example>".into());
        let mail_from = from.trim().parse().map_err(|_| ConfigError {
            variable: "FAIRLINK_MAIL_FROM",
            message: format!(
                "{from:?} is not an address like \"Fairlink <no-reply@fair.example.vn>\""
            ),
        })?;
        let page_cache_seconds = match var("FAIRLINK_PAGE_CACHE_SECONDS") {
            Some(v) => v
                .trim()
                .parse()
                .ok()
                .filter(|n| *n <= 3600)
                .ok_or(ConfigError {
                    variable: "FAIRLINK_PAGE_CACHE_SECONDS",
                    message: format!("{v:?} is not a number of seconds from 0 to 3600"),
                })?,
            None => 5,
        };
        let rate = |name: &'static str, default: f64| match var(name) {
            Some(v) => v
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|n| (0.0..=100_000.0).contains(n))
                .ok_or(ConfigError {
                    variable: name,
                    message: format!(
                        "{v:?} is not a number of requests per second from 0 to 100000"
                    ),
                }),
            None => Ok(default),
        };
        let seconds = |name: &'static str, default: u64| match var(name) {
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n <= 3600)
                .ok_or(ConfigError {
                    variable: name,
                    message: format!("{v:?} is not a number of seconds from 0 to 3600"),
                }),
            None => Ok(default),
        };
        let drain_seconds = seconds("FAIRLINK_DRAIN_SECONDS", 0)?;
        let stop_seconds = seconds("FAIRLINK_STOP_SECONDS", 30)?;
        let master_key = match var("FAIRLINK_MASTER_KEY") {
            Some(v) => MasterKeySource::Given(
                fairlink::secret::MasterKey::from_base64(&v).ok_or(ConfigError {
                    variable: "FAIRLINK_MASTER_KEY",
                    message: "is not 32 bytes in base64 (make one with `openssl rand -base64 32`)"
                        .into(),
                })?,
            ),
            None => MasterKeySource::File(PathBuf::from(
                var("FAIRLINK_MASTER_KEY_FILE").unwrap_or_else(|| "./data/master.key".into()),
            )),
        };
        let door_clock_shift_days = match var("FAIRLINK_DOOR_CLOCK_SHIFT_DAYS") {
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|d| d.abs() <= 3650)
                .ok_or(ConfigError {
                    variable: "FAIRLINK_DOOR_CLOCK_SHIFT_DAYS",
                    message: format!("{v:?} is not a number of days from -3650 to 3650"),
                })?,
            None => 0,
        };
        let search_rate = rate("FAIRLINK_SEARCH_RATE", 20.0)?;
        let sync_rate = rate("FAIRLINK_SYNC_RATE", 5.0)?;
        Ok(Config {
            addr,
            database_url,
            public_url,
            site_root,
            trust_proxy,
            log_format,
            smtp_url,
            mail_dir,
            mail_from,
            page_cache_seconds,
            metrics_token: var("FAIRLINK_METRICS_TOKEN"),
            search_rate,
            sync_rate,
            drain_seconds,
            stop_seconds,
            master_key,
            door_clock_shift_days,
        })
    }

    /// The time at the doors: now, shifted for a rehearsal.
    pub fn door_now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + chrono::Duration::days(self.door_clock_shift_days)
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The master key: given, or read from its file, or made and written
    /// there (readable by its owner only) when the file does not exist.
    pub fn load_master_key(&self) -> anyhow::Result<fairlink::secret::MasterKey> {
        use fairlink::secret::MasterKey;
        let path = match &self.master_key {
            MasterKeySource::Given(k) => return Ok(k.clone()),
            MasterKeySource::File(p) => p,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => MasterKey::from_base64(&text).ok_or_else(|| {
                anyhow::anyhow!(
                    "the master key file {} (FAIRLINK_MASTER_KEY_FILE) does not hold 32 bytes in base64",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = MasterKey::generate().map_err(|e| anyhow::anyhow!("{e}"))?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)?;
                }
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                use std::io::Write;
                let written = options
                    .open(path)
                    .and_then(|mut f| f.write_all(format!("{}\n", key.to_base64()).as_bytes()));
                match written {
                    Ok(()) => {
                        tracing::warn!(
                            file = %path.display(),
                            "a new master key was made: back it up apart from the database (badges cannot be signed without it)"
                        );
                        Ok(key)
                    }
                    // Another process made it at the same moment: read theirs.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        let text = std::fs::read_to_string(path)?;
                        MasterKey::from_base64(&text)
                            .ok_or_else(|| anyhow::anyhow!("the master key file {} is damaged", path.display()))
                    }
                    Err(e) => Err(anyhow::anyhow!(
                        "cannot write the master key file {}: {e}",
                        path.display()
                    )),
                }
            }
            Err(e) => Err(anyhow::anyhow!(
                "cannot read the master key file {} (FAIRLINK_MASTER_KEY_FILE): {e}",
                path.display()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_work_on_a_fresh_machine() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.database_url, "sqlite://./data/fairlink.db?mode=rwc");
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert!(!c.secure_cookies());
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.smtp_url, None);
        assert_eq!(c.mail_dir, PathBuf::from("./data/mail"));
        assert_eq!(
            c.mail_from.to_string(),
            "Fairlink <no-reply@fairlink.example>"
        );
    }

    #[test]
    fn bad_values_name_their_variable() {
        assert_eq!(
            cfg(&[("FAIRLINK_ADDR", "nonsense")]).unwrap_err().variable,
            "FAIRLINK_ADDR"
        );
        assert_eq!(
            cfg(&[("DATABASE_URL", "mysql://x")]).unwrap_err().variable,
            "DATABASE_URL"
        );
        assert_eq!(
            cfg(&[("FAIRLINK_PUBLIC_URL", "fair.example")])
                .unwrap_err()
                .variable,
            "FAIRLINK_PUBLIC_URL"
        );
        assert_eq!(
            cfg(&[("FAIRLINK_TRUST_PROXY", "maybe")])
                .unwrap_err()
                .variable,
            "FAIRLINK_TRUST_PROXY"
        );
        assert_eq!(
            cfg(&[("SMTP_URL", "ftp://x")]).unwrap_err().variable,
            "SMTP_URL"
        );
        assert_eq!(
            cfg(&[("FAIRLINK_MAIL_FROM", "nobody")])
                .unwrap_err()
                .variable,
            "FAIRLINK_MAIL_FROM"
        );
        let e = cfg(&[("SMTP_URL", "smtp://u:secret@h:25?tls=bogus")]);
        if let Err(e) = e {
            assert!(!e.message.contains("secret"), "{e}");
        }
        let e = cfg(&[("DATABASE_URL", "mysql://u:secret@h/db")]).unwrap_err();
        assert!(!e.message.contains("secret"), "{e}");
    }

    #[test]
    fn https_public_url_secures_cookies() {
        let c = cfg(&[("FAIRLINK_PUBLIC_URL", "https://fair.example.vn/")]).unwrap();
        assert_eq!(c.public_url, "https://fair.example.vn");
        assert!(c.secure_cookies());
    }
}
