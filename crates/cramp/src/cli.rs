//! Flags (clap) converted once into what each command needs.

use crate::kb;
use clap::{Args, Parser, Subcommand, ValueEnum};
use cramp_core::knowledge::{Level, parse_iso_date};
use cramp_core::vocab::Audience;
use cramp_core::{AssessOptions, KnowledgeBase, assess};
use cramp_wire::{Style, parse_input, render, to_wire};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

/// Exit codes (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    Failure = 1,
    Usage = 2,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
}

fn usage(message: impl Into<String>) -> CliError {
    CliError {
        exit: Exit::Usage,
        message: message.into(),
    }
}

fn failure(message: impl Into<String>) -> CliError {
    CliError {
        exit: Exit::Failure,
        message: message.into(),
    }
}

const EXAMPLES: &str = "Examples:
  cramp assess case.json                  readable report (on a terminal)
  cramp assess case.json --format json    the SPEC §4 assessment
  cat case.json | cramp assess - --audience patient
  cramp ask \"does magnesium help?\"        a cited answer from approved statements
  cramp kb check                          lint the knowledge base
  cramp kb show plan.nightly_stretching   one entry with its review status

Exit codes: 0 success, 2 bad input or usage (the message names the field and the fix),
1 internal failure or a kb check with errors.";

/// Evidence-based decision support for nocturnal leg cramps: assess a case (SPEC §3 JSON) and get
/// the likely diagnosis, red flags, medication review, tests, plan and what to avoid, all cited.
#[derive(Debug, Parser)]
#[command(name = "cramp", version, after_help = EXAMPLES)]
struct Cli {
    /// Use the knowledge base in DIR instead of the copy compiled into cramp.
    #[arg(long, global = true, value_name = "DIR", env = "CRAMP_KNOWLEDGE")]
    knowledge: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Assess one case (SPEC §3 JSON, or a FHIR R4 Bundle) from FILE, or from stdin with "-" or no FILE.
    Assess(AssessArgs),
    /// Answer a follow-up question from the approved statements, with their citations, or say
    /// plainly that the knowledge base has no answer (never generated text).
    Ask(AskArgs),
    /// Check, inspect and report on the knowledge base.
    #[command(subcommand)]
    Kb(KbCommand),
    /// Serve the JSON API (POST /api/v1/assess), /healthz and /openapi.json.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on; inside a private network behind HTTPS termination, 0.0.0.0:8080.
    #[arg(long, env = "CRAMP_ADDR", default_value = "127.0.0.1:8080")]
    addr: String,
    /// Serve draft (unreviewed) entries too: for a staging instance only.
    #[arg(long, env = "CRAMP_INCLUDE_UNREVIEWED")]
    include_unreviewed: bool,
    /// Largest accepted request body in bytes (larger: 413).
    #[arg(long, env = "CRAMP_BODY_LIMIT", default_value_t = 1024 * 1024)]
    body_limit: usize,
    /// Deadline for one request, in seconds (exceeded: 408).
    #[arg(long, env = "CRAMP_REQUEST_TIMEOUT", default_value_t = 10)]
    request_timeout: u64,
    /// The public base URL of this server (e.g. https://cramp.example.org): the base of every link
    /// in a CDS Hooks card and of every FHIR canonical URL. Default: http:// and the listening
    /// address. The Host header is never used for it.
    #[arg(long, env = "CRAMP_PUBLIC_URL")]
    public_url: Option<String>,
    /// Origins allowed to call /cds-services from a browser, comma-separated; "*" for any.
    #[arg(long, env = "CRAMP_CORS_ORIGINS", default_value = "*", value_delimiter = ',')]
    cors_origins: Vec<String>,
    /// Require CDS clients to authenticate (CDS Hooks 2.0.1 JWT, ES384 or RS384): a JSON file
    /// listing the trusted issuers and their public keys, {"issuers": [{"iss", "jku"?, "jwks"}]}.
    /// Without it the CDS Hooks routes are open: use only on loopback or a private network.
    #[arg(long, env = "CRAMP_TRUSTED_ISSUERS")]
    trusted_issuers: Option<PathBuf>,
    /// FHIR servers this service may read when a CDS hook's prefetch lacks data, as URL prefixes,
    /// comma-separated (e.g. https://ehr.example.org/fhir). None by default: then missing required
    /// prefetch is a 412.
    #[arg(long, env = "CRAMP_FHIR_SERVER_ALLOW", value_delimiter = ',')]
    fhir_server_allow: Vec<String>,
    /// Allow plain-http FHIR servers (loopback tests only; production data travels over https).
    #[arg(long, env = "CRAMP_ALLOW_INSECURE_FHIR")]
    allow_insecure_fhir: bool,
    /// Deadline in milliseconds for all reads of a FHIR server in one hook call.
    #[arg(long, env = "CRAMP_FHIR_TIMEOUT_MS", default_value_t = 2000)]
    fhir_timeout_ms: u64,
    /// The diary's database: sqlite://PATH (created on first start) or postgres://user@host/db.
    /// Default: cramp.db in the working directory.
    #[arg(long, env = "CRAMP_DATABASE_URL", default_value = "sqlite://cramp.db")]
    database: String,
    /// Behind a reverse proxy: the header it puts the client's address in (e.g. X-Forwarded-For),
    /// for the diary's per-address rate limits. Set it only when the proxy always sets the header.
    #[arg(long, env = "CRAMP_CLIENT_IP_HEADER")]
    client_ip_header: Option<String>,
    /// Log format on stderr: json (one object a line) or text.
    #[arg(long, env = "CRAMP_LOG_FORMAT", value_enum, default_value = "json")]
    log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Json,
    Text,
}

#[derive(Debug, Args)]
struct AssessArgs {
    /// The case file; "-" or nothing reads stdin.
    file: Option<PathBuf>,
    /// Whose words: clinician (default) or patient. Both carry the same decisions.
    #[arg(long, value_enum, default_value = "clinician")]
    audience: AudienceArg,
    /// Output format; text on a terminal, json otherwise.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Also serve draft (unreviewed) entries: for editors on a staging copy only.
    #[arg(long)]
    include_unreviewed: bool,
}

#[derive(Debug, Args)]
struct AskArgs {
    /// The question, e.g. "does magnesium help?" (several words are joined).
    #[arg(required = true, num_args = 1..)]
    question: Vec<String>,
    /// Whose words: clinician (default) or patient.
    #[arg(long, value_enum, default_value = "clinician")]
    audience: AudienceArg,
    /// Output format; text on a terminal, json otherwise.
    #[arg(long, value_enum)]
    format: Option<Format>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum AudienceArg {
    Clinician,
    Patient,
}

impl From<AudienceArg> for Audience {
    fn from(a: AudienceArg) -> Audience {
        match a {
            AudienceArg::Clinician => Audience::Clinician,
            AudienceArg::Patient => Audience::Patient,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    Markdown,
}

impl Format {
    /// The format asked for; without one, text on a terminal and JSON otherwise.
    fn or_default(asked: Option<Format>) -> Format {
        asked.unwrap_or(if std::io::stdout().is_terminal() {
            Format::Text
        } else {
            Format::Json
        })
    }
}

#[derive(Debug, Subcommand)]
enum KbCommand {
    /// Lint: citations, sources, passages, review dates, codes and the rule registry.
    Check {
        /// Judge review dates as of DATE (YYYY-MM-DD) instead of today, for a reproducible run.
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },
    /// Show one entry or source (e.g. plan.nightly_stretching, R-Hall2012) with its review status.
    Show {
        /// The entry or source id.
        id: String,
    },
    /// Export the knowledge base: `--format fhir` prints an R4 Bundle (PlanDefinition of the pathway,
    /// ActivityDefinitions, the assessment Questionnaire, the card code systems).
    Export {
        /// The only format: fhir.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// The base URL of the canonical URLs (the server's --public-url).
        #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
    },
    /// The editorial state: entries by review status, reviews overdue and due soon, entries
    /// without clinical sign-off.
    Status {
        /// Judge review dates as of DATE (YYYY-MM-DD) instead of today.
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// List reviews due within this many days as due soon.
        #[arg(long, value_name = "DAYS", default_value_t = 60)]
        due_within: u32,
        /// text (default) or json.
        #[arg(long, value_enum, default_value = "text")]
        format: StatusFormat,
        /// The server's database, for the CDS card feedback per rule (default: ./cramp.db when it
        /// exists). Read only: a missing SQLite file is an error, never created.
        #[arg(long, env = "CRAMP_DATABASE_URL")]
        database: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    Fhir,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum StatusFormat {
    Text,
    Json,
}

fn load(knowledge: &Option<PathBuf>) -> Result<KnowledgeBase, CliError> {
    match knowledge {
        Some(dir) => kb::from_dir(dir).map_err(usage),
        None => kb::embedded().map_err(failure),
    }
}

fn write_out(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (e.g. `| head`) is not a failure of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(failure(format!("cannot write the output: {e}"))),
    }
}

pub fn run() -> Result<Exit, CliError> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { Exit::Usage } else { Exit::Success };
            let _ = e.print();
            return Ok(code);
        }
    };
    match cli.command {
        Command::Assess(args) => run_assess(&cli.knowledge, args),
        Command::Ask(args) => run_ask(&cli.knowledge, args),
        Command::Kb(KbCommand::Check { as_of }) => run_check(&cli.knowledge, as_of),
        Command::Kb(KbCommand::Show { id }) => run_show(&cli.knowledge, &id),
        Command::Kb(KbCommand::Export {
            format: ExportFormat::Fhir,
            public_url,
        }) => {
            if !(public_url.starts_with("https://") || public_url.starts_with("http://")) {
                return Err(usage(format!(
                    "--public-url {public_url:?} is not an http(s) URL; give the server's base URL, e.g. https://cramp.example.org"
                )));
            }
            let kb = load(&cli.knowledge)?;
            let bundle = cramp_fhir::resources::knowledge_bundle(&kb, &public_url);
            write_out(&format!(
                "{}\n",
                serde_json::to_string_pretty(&bundle).map_err(|e| failure(e.to_string()))?
            ))?;
            Ok(Exit::Success)
        }
        Command::Kb(KbCommand::Status {
            as_of,
            due_within,
            format,
            database,
        }) => run_status(&cli.knowledge, as_of, due_within, format, database),
        Command::Serve(args) => run_serve(&cli.knowledge, args),
    }
}

fn read_case(file: &Option<PathBuf>) -> Result<String, CliError> {
    match file {
        Some(p) if p.as_os_str() != "-" => std::fs::read_to_string(p).map_err(|e| {
            usage(format!(
                "cannot read the case file {}: {e}; check the path, or pipe the case on stdin with `-`",
                p.display()
            ))
        }),
        _ => {
            let mut stdin = std::io::stdin();
            if stdin.is_terminal() {
                return Err(usage(
                    "no case given: name a case file (cramp assess case.json) or pipe one on stdin (cramp assess - < case.json)",
                ));
            }
            let mut s = String::new();
            stdin
                .read_to_string(&mut s)
                .map_err(|e| usage(format!("cannot read the case from stdin: {e}; send UTF-8 JSON")))?;
            Ok(s)
        }
    }
}

fn run_assess(knowledge: &Option<PathBuf>, args: AssessArgs) -> Result<Exit, CliError> {
    let text = read_case(&args.file)?;
    let kb = load(knowledge)?;
    let input = parse_input(&kb, &text).map_err(|e| usage(e.to_string()))?;
    let audience = Audience::from(args.audience);
    let format = Format::or_default(args.format);
    let mut assessment = assess(
        &kb,
        &input.case,
        AssessOptions {
            include_unreviewed: args.include_unreviewed,
        },
    );
    assessment.input_warnings.extend(input.notes);
    let wire = to_wire(&assessment, audience, None);
    let out = match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&wire)
                .map_err(|e| failure(format!("cannot serialise the assessment: {e}")))?;
            s.push('\n');
            s
        }
        Format::Text => render(&wire, &kb.wording, Style::Text),
        Format::Markdown => render(&wire, &kb.wording, Style::Markdown),
    };
    write_out(&out)?;
    Ok(Exit::Success)
}

fn run_ask(knowledge: &Option<PathBuf>, args: AskArgs) -> Result<Exit, CliError> {
    let joined = args.question.join(" ");
    let question = cramp_wire::ask::check_question(&joined).map_err(|e| usage(format!("QUESTION: {e}")))?;
    let kb = load(knowledge)?;
    let searcher = cramp_core::search::Searcher::new(&kb);
    let audience = Audience::from(args.audience);
    let out = cramp_wire::ask::answer(&kb, &searcher, question, audience);
    let format = Format::or_default(args.format);
    let text = match format {
        Format::Json => {
            let mut s =
                serde_json::to_string_pretty(&out).map_err(|e| failure(format!("cannot serialise the answer: {e}")))?;
            s.push('\n');
            s
        }
        Format::Text => cramp_wire::ask::render(&out, &kb.wording, Style::Text),
        Format::Markdown => cramp_wire::ask::render(&out, &kb.wording, Style::Markdown),
    };
    write_out(&text)?;
    Ok(Exit::Success)
}

fn run_serve(knowledge: &Option<PathBuf>, args: ServeArgs) -> Result<Exit, CliError> {
    // Logs carry no health data: start-up facts, shutdown, and (at debug) method, path and status.
    let filter = tracing_subscriber::EnvFilter::try_from_env("CRAMP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match args.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
    let addr: std::net::SocketAddr = args.addr.parse().map_err(|_| {
        usage(format!(
            "--addr {:?} is not an address; use host:port, e.g. 127.0.0.1:8080",
            args.addr
        ))
    })?;
    if let Some(url) = &args.public_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        return Err(usage(format!(
            "--public-url {url:?} is not an http(s) URL; give the base URL clients use, e.g. https://cramp.example.org"
        )));
    }
    let auth = match &args.trusted_issuers {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                usage(format!(
                    "--trusted-issuers {}: {e}; give a readable JSON file",
                    path.display()
                ))
            })?;
            let auth = cramp_cds::auth::Auth::from_json(&text)
                .map_err(|e| usage(format!("--trusted-issuers {}: {e}", path.display())))?;
            Some(std::sync::Arc::new(auth))
        }
    };
    let kb = load(knowledge)?;
    let mut config = cramp_server::Config {
        include_unreviewed: args.include_unreviewed,
        body_limit: args.body_limit,
        request_timeout: std::time::Duration::from_secs(args.request_timeout.max(1)),
        public_url: String::new(),
        today: None,
        cors_origins: args
            .cors_origins
            .iter()
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty())
            .collect(),
        auth,
        fhir_server_allow: args
            .fhir_server_allow
            .iter()
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty())
            .collect(),
        allow_insecure_fhir: args.allow_insecure_fhir,
        fhir_timeout: std::time::Duration::from_millis(args.fhir_timeout_ms.max(1)),
        client_ip_header: args.client_ip_header.clone().filter(|h| !h.trim().is_empty()),
        ..cramp_server::Config::default()
    };
    let database = database_url(&args.database)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| failure(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        // Storage first: once the server says it is listening, the database exists.
        let store = cramp_store::Store::open(&database).await.map_err(|e| {
            let msg = format!("--database {}: {e}", cramp_store::redact(&args.database));
            if matches!(e, cramp_store::StoreError::Url(_)) { usage(msg) } else { failure(msg) }
        })?;
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| usage(format!("cannot listen on {addr}: {e}; choose another --addr")))?;
        let local = listener.local_addr().map_err(|e| failure(e.to_string()))?;
        config.public_url = args.public_url.clone().map_or_else(|| format!("http://{local}"), |u| u.trim_end_matches('/').to_string());
        tracing::info!(addr = %local, kb_version = %kb.kb_version, engine_version = cramp_core::ENGINE_VERSION, include_unreviewed = config.include_unreviewed, public_url = %config.public_url, cds_auth = config.auth.is_some(), database = %cramp_store::redact(&database), backend = store.backend().as_str(), "cramp listening on http://{local}/");
        let state = cramp_server::AppState::with_store(kb, config, store.clone());
        let served = cramp_server::serve(listener, state).await.map_err(|e| failure(format!("server error: {e}")));
        // After the last request: close the database cleanly (SQLite checkpoints its WAL).
        store.close().await;
        served
    })?;
    Ok(Exit::Success)
}

/// The feedback on CDS cards, per rule, from a server's database.
#[derive(Default)]
struct FeedbackCounts {
    overridden: usize,
    accepted: usize,
    reasons: std::collections::BTreeMap<String, usize>,
}

/// The database read (password hidden) and the feedback counts by rule id.
type FeedbackPerRule = (String, std::collections::BTreeMap<String, FeedbackCounts>);

/// `None` when no database is named and ./cramp.db does not exist. Never creates a database.
fn feedback_per_rule(database: Option<String>) -> Result<Option<FeedbackPerRule>, CliError> {
    let url = match database {
        Some(u) => {
            let u = u.trim().to_string();
            if let Some(path) = sqlite_path(&u) {
                let file = path.split('?').next().unwrap_or("");
                if !std::path::Path::new(file).exists() {
                    return Err(usage(format!(
                        "--database {u}: no such file; give the database `cramp serve` uses"
                    )));
                }
            }
            u
        }
        None if std::path::Path::new("cramp.db").exists() => "sqlite://cramp.db".to_string(),
        None => return Ok(None),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failure(format!("cannot start the runtime: {e}")))?;
    let rows = runtime.block_on(async {
        let store = cramp_store::Store::open(&url).await?;
        let rows = store.feedback().await;
        store.close().await;
        rows
    });
    let rows = rows.map_err(|e| {
        let msg = format!("--database {}: {e}", cramp_store::redact(&url));
        if matches!(e, cramp_store::StoreError::Url(_)) {
            usage(msg)
        } else {
            failure(msg)
        }
    })?;
    let mut per_rule: std::collections::BTreeMap<String, FeedbackCounts> = Default::default();
    for f in rows {
        let c = per_rule
            .entry(
                f.rule_id
                    .unwrap_or_else(|| "(a card this server no longer remembers)".into()),
            )
            .or_default();
        if f.outcome == "overridden" {
            c.overridden += 1;
            if let Some(r) = f.override_reason {
                *c.reasons.entry(r).or_default() += 1;
            }
        } else {
            c.accepted += 1;
        }
    }
    Ok(Some((cramp_store::redact(&url), per_rule)))
}

/// The path (and options) of a `sqlite://` or `sqlite:` URL.
fn sqlite_path(url: &str) -> Option<&str> {
    url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))
}

/// The database URL sqlx opens: a SQLite file is created when missing (`mode=rwc`).
fn database_url(url: &str) -> Result<String, CliError> {
    let url = url.trim();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(url.to_string());
    }
    let Some(path) = sqlite_path(url) else {
        return Err(usage(format!(
            "--database {:?} is not a database URL; use sqlite://cramp.db or postgres://user@host:5432/cramp",
            cramp_store::redact(url)
        )));
    };
    if path.is_empty() {
        return Err(usage(
            "--database sqlite:// needs a file path, e.g. sqlite://cramp.db".to_string(),
        ));
    }
    Ok(if path.contains('?') {
        format!("sqlite://{path}")
    } else {
        format!("sqlite://{path}?mode=rwc")
    })
}

fn run_check(knowledge: &Option<PathBuf>, as_of: Option<String>) -> Result<Exit, CliError> {
    let date = match as_of {
        Some(s) => parse_iso_date(&s).ok_or_else(|| usage(format!("--as-of {s:?} is not a date; use YYYY-MM-DD")))?,
        None => time::OffsetDateTime::now_utc().date(),
    };
    let kb = load(knowledge)?;
    let report = kb.check(Some(date));
    let mut out = String::new();
    for i in &report.issues {
        let level = if i.level == Level::Error { "error" } else { "warning" };
        out.push_str(&format!("{level}: {}: {}\n", i.subject, i.message));
    }
    out.push_str(&format!(
        "kb {}: {} entries ({} approved, {} in review, {} draft; {} without clinical sign-off), {} sources; checked as of {date}\n",
        kb.kb_version,
        kb.entries.len(),
        report.approved,
        report.in_review,
        report.draft,
        report.without_signoff,
        report.sources,
    ));
    out.push_str(&format!("{} errors, {} warnings\n", report.errors(), report.warnings()));
    write_out(&out)?;
    Ok(if report.errors() == 0 {
        Exit::Success
    } else {
        Exit::Failure
    })
}

fn run_status(
    knowledge: &Option<PathBuf>,
    as_of: Option<String>,
    due_within: u32,
    format: StatusFormat,
    database: Option<String>,
) -> Result<Exit, CliError> {
    let date = match as_of {
        Some(s) => parse_iso_date(&s).ok_or_else(|| usage(format!("--as-of {s:?} is not a date; use YYYY-MM-DD")))?,
        None => time::OffsetDateTime::now_utc().date(),
    };
    let kb = load(knowledge)?;
    let r = kb.status(date, i64::from(due_within));
    let feedback = feedback_per_rule(database)?;
    let dated = |v: &[(String, time::Date)]| -> Vec<serde_json::Value> {
        v.iter()
            .map(|(id, d)| serde_json::json!({ "id": id, "next_review_due": d.to_string() }))
            .collect()
    };
    let out = match format {
        StatusFormat::Json => {
            let v = serde_json::json!({
                "kb_version": kb.kb_version,
                "as_of": date.to_string(),
                "due_within_days": due_within,
                "counts": { "approved": r.approved.len(), "in_review": r.in_review.len(), "draft": r.draft.len(),
                    "without_clinical_signoff": r.without_signoff.len(), "overdue": r.overdue.len(), "due_soon": r.due_soon.len() },
                "approved": r.approved, "in_review": r.in_review, "draft": r.draft,
                "overdue": dated(&r.overdue), "due_soon": dated(&r.due_soon),
                "without_clinical_signoff": r.without_signoff,
                "cds_overrides": feedback.as_ref().map(|(db, rules)| serde_json::json!({
                    "database": db,
                    "rules": rules.iter().map(|(rule, c)| serde_json::json!({
                        "rule": rule, "overridden": c.overridden, "accepted": c.accepted, "override_reasons": c.reasons,
                    })).collect::<Vec<_>>(),
                })),
            });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&v).map_err(|e| failure(e.to_string()))?
            )
        }
        StatusFormat::Text => {
            let mut out = format!(
                "kb {} as of {date}: {} entries: {} approved, {} in review, {} draft; {} without clinical sign-off\n",
                kb.kb_version,
                kb.entries.len(),
                r.approved.len(),
                r.in_review.len(),
                r.draft.len(),
                r.without_signoff.len()
            );
            let list = |out: &mut String, title: String, ids: &[String]| {
                out.push_str(&format!("\n{title} ({}):\n", ids.len()));
                for id in ids {
                    out.push_str(&format!("  {id}\n"));
                }
            };
            let dates = |out: &mut String, title: String, v: &[(String, time::Date)]| {
                out.push_str(&format!("\n{title} ({}):\n", v.len()));
                for (id, d) in v {
                    out.push_str(&format!("  {d}  {id}\n"));
                }
            };
            dates(&mut out, "Reviews overdue".into(), &r.overdue);
            dates(&mut out, format!("Reviews due within {due_within} days"), &r.due_soon);
            list(&mut out, "Draft".into(), &r.draft);
            list(&mut out, "In review".into(), &r.in_review);
            list(&mut out, "Approved".into(), &r.approved);
            list(&mut out, "Without clinical sign-off".into(), &r.without_signoff);
            match &feedback {
                None => out.push_str(
                    "\nCDS feedback per rule: no database here (./cramp.db); pass --database to read a server's\n",
                ),
                Some((db, rules)) => {
                    out.push_str(&format!("\nCDS feedback per rule ({db}; {} rules):\n", rules.len()));
                    for (rule, c) in rules {
                        let reasons: Vec<String> = c.reasons.iter().map(|(k, n)| format!("{k} {n}")).collect();
                        out.push_str(&format!(
                            "  {rule}: overridden {}{}, accepted {}\n",
                            c.overridden,
                            if reasons.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", reasons.join(", "))
                            },
                            c.accepted
                        ));
                    }
                }
            }
            out
        }
    };
    write_out(&out)?;
    Ok(Exit::Success)
}

fn run_show(knowledge: &Option<PathBuf>, id: &str) -> Result<Exit, CliError> {
    let kb = load(knowledge)?;
    let mut out = String::new();
    if let Some(e) = kb.entry(id) {
        let list = |v: &[String]| v.join(", ");
        out.push_str(&format!("{}  ({}, {})\n", e.id, e.kind.as_str(), e.file));
        out.push_str(&format!("status:            {}\n", e.status.as_str()));
        out.push_str(&format!(
            "reviewer:          {}{}\n",
            e.reviewer,
            kb.role(&e.reviewer)
                .map(|r| format!(" ({})", r.name))
                .unwrap_or_default()
        ));
        out.push_str(&format!(
            "reviewed_on:       {}\n",
            e.reviewed_on.map(|d| d.to_string()).unwrap_or_else(|| "-".into())
        ));
        out.push_str(&format!(
            "next_review_due:   {}\n",
            e.next_review_due.map(|d| d.to_string()).unwrap_or_else(|| "-".into())
        ));
        out.push_str(&format!(
            "clinical_signoff:  {}\n",
            if e.clinical_signoff.is_empty() {
                "(none yet)"
            } else {
                &e.clinical_signoff
            }
        ));
        out.push_str(&format!(
            "marks:             {}\n",
            e.marks
                .iter()
                .map(|m| format!("[{}]", m.as_str()))
                .collect::<Vec<_>>()
                .join(" ")
        ));
        out.push_str(&format!("population:        {}\n", e.population));
        if let Some(c) = e.certainty {
            out.push_str(&format!("certainty:         {}\n", c.as_str()));
        }
        if !e.conflicts.is_empty() {
            out.push_str(&format!(
                "conflicts:         {}\n",
                e.conflicts.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        out.push_str(&format!(
            "\nclinician:\n  {}\n\npatient:\n  {}\n",
            e.clinician, e.patient
        ));
        if let Some(d) = &e.dosing {
            out.push_str(&format!("\ndosing (clinician only):\n  {d}\n"));
        }
        out.push_str(&format!("\nsources: {}\n", list(&e.sources)));
        for s in e.sources.iter().filter_map(|s| kb.source(s)) {
            out.push_str(&format!(
                "  {}: {} ({}; {})\n",
                s.id,
                s.citation,
                s.locator,
                if s.passage_verbatim { "verbatim" } else { "summary" }
            ));
        }
    } else if let Some(s) = kb.source(id) {
        out.push_str(&format!(
            "{}  ({}, {}, verified [{}])\n",
            s.id,
            s.kind.as_str(),
            s.year,
            s.verification.as_str()
        ));
        out.push_str(&format!("citation: {}\nlocator:  {}\n", s.citation, s.locator));
        if let Some(u) = s.link() {
            out.push_str(&format!("url:      {u}\n"));
        }
        out.push_str(&format!(
            "\n{}:\n  {}\n",
            if s.passage_verbatim {
                "quote (verbatim)"
            } else {
                "passage (summary, not a verbatim quote)"
            },
            s.passage
        ));
        let citing: Vec<&str> = kb
            .entries
            .iter()
            .filter(|e| e.sources.iter().any(|x| x == id))
            .map(|e| e.id.as_str())
            .collect();
        out.push_str(&format!("\ncited by {} entries: {}\n", citing.len(), citing.join(", ")));
    } else {
        let mut near: Vec<(usize, usize, &str)> = kb
            .entries
            .iter()
            .map(|e| e.id.as_str())
            .chain(kb.sources.iter().map(|s| s.id.as_str()))
            .map(|x| (!x.contains(id) as usize, strsim_distance(id, x), x))
            .collect();
        near.sort();
        let suggestions: Vec<&str> = near.iter().take(3).map(|(_, _, x)| *x).collect();
        return Err(usage(format!(
            "no entry or source {id:?}; did you mean {}?",
            suggestions.join(", ")
        )));
    }
    write_out(&out)?;
    Ok(Exit::Success)
}

fn strsim_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}
