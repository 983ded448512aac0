//! Command-line arguments (clap derive). `--help` is the first manual people read.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Decide whether clinical photos may be posted, explain why, and make them share-safe.
#[derive(Debug, Parser)]
#[command(
    name = "medscrub",
    version,
    about,
    long_about = "medscrub checks photos before they leave for social media, a group chat or a \
newsletter. For each photo it gives one verdict — share, strip, redact or block — lists what it \
found (GPS, capture time, camera serials, names in metadata, hidden previews, appended images) \
and cites the institutional policy clauses that make each finding a problem. `clean` then writes \
share-safe copies; originals are never modified.",
    after_help = "Exit codes: 0 shareable · 1 needs clean · 2 usage error · 3 blocked or unreadable (--help for more)",
    after_long_help = concat!("Examples:\n",
        "  medscrub                                        drop mode: drag photos into the terminal\n",
        "  medscrub IMG_0042.HEIC IMG_0043.jpg             scan, then offer share-safe copies\n",
        "  medscrub scan ~/Pictures/ward-rounds            what is in these photos?\n",
        "  medscrub clean IMG_0042.HEIC --out ~/share      write a share-safe copy\n",
        "  medscrub check IMG_0042.jpg && post IMG_0042.jpg\n                                                  pre-flight in a posting script\n",
        "  medscrub watch ~/Sync/Camera --out ~/share --blocked ~/held\n",
        "                                                  clean each photo a phone syncs in\n",
        "  medscrub scan ~/ward --report ward.html         self-contained HTML report\n",
        "  medscrub serve --bind 127.0.0.1:8080            HTTP API for an upload form\n",
        "  medscrub scan --format json photo.jpg | jq .verdict\n",
        "  find . -name '*.jpg' | medscrub scan -          paths from stdin\n",
        "  medscrub policies meta.gps                      why GPS is a problem, clause by clause\n\n",
        "Exit codes:\n",
        "  0  every photo may be shared as it is (clean: every photo was written share-safe)\n",
        "  1  some photos need `medscrub clean` (strip or redact)\n",
        "  2  usage or I/O error before any photo was scanned\n",
        "  3  some photos are blocked, or could not be analysed")
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Photos or folders given without a command (what dropping files onto medscrub does):
    /// each is scanned, then medscrub offers to write share-safe copies. With no paths
    /// and no command in a terminal, medscrub asks for photos to be dragged in.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report what each photo holds and its verdict. Never writes anything.
    Scan(PhotoArgs),
    /// Write share-safe copies of the photos that may leave; blocked photos are not written.
    ///
    /// Shareable photos are copied byte for byte; photos whose metadata identifies are
    /// stripped losslessly (the compressed pixels are copied, the ICC profile and
    /// orientation kept). Folder structure is mirrored under --out. Every copy is read
    /// back and checked before it is kept, and written to a temporary file first.
    Clean {
        #[command(flatten)]
        photos: PhotoArgs,
        /// Folder for the share-safe copies (created if missing; never one of the inputs).
        #[arg(long, short, value_name = "DIR")]
        out: PathBuf,
    },
    /// Pre-flight for one photo in a posting workflow: one verdict, and the exit code says it.
    ///
    /// Prints the same report as `scan` (or one JSON object with --format json) and exits
    /// 0 when the photo may be posted as it is, 1 when it needs `medscrub clean` first
    /// (strip or redact), 3 when it must not be posted or could not be analysed.
    #[command(after_long_help = "Examples:\n  \
        medscrub check IMG_0042.jpg && upload IMG_0042.jpg\n  \
        medscrub check --format json --policy umn IMG_0042.jpg | jq .findings[].rule\n\n\
        Exit codes: 0 share · 1 needs clean (strip or redact) · 2 usage error · 3 block or error")]
    Check(CheckArgs),
    /// Watch a folder (a phone-sync inbox): clean each new photo into --out, hold blocked ones.
    ///
    /// Files already in INBOX are handled at start, then each new one once it is complete
    /// (size and modification time unchanged across two looks half a second apart; sync
    /// tools' temporary names are ignored). Each photo is handled once, even across
    /// restarts or renames: a journal in --out (`.medscrub-journal`) remembers the SHA-256
    /// of every photo done. Share-safe copies are written to --out atomically; a blocked
    /// photo is never written there, only reported (and copied to --blocked if given).
    /// Originals stay in INBOX unless --move. Ctrl-C or SIGTERM finish the photo in hand,
    /// then exit 0.
    #[command(after_long_help = "Examples:\n  \
        medscrub watch ~/Sync/Camera --out ~/share\n  \
        medscrub watch ~/Sync/Camera --out ~/share --blocked ~/held --move\n  \
        medscrub watch inbox --out safe --format json | tee -a watch.log")]
    Watch(WatchArgs),
    /// Serve the engine over HTTP: POST a photo, get its report or its share-safe copy.
    ///
    /// `POST /v1/check` answers the JSON report; `POST /v1/clean` answers the share-safe
    /// image, or 422 with the report when the photo is blocked; `GET /healthz` answers
    /// "ok". The image is the raw request body; `?policy=` picks a profile and `?name=`
    /// gives the file name (names are checked too). Listens on this machine only unless
    /// --bind says otherwise. Ctrl-C or SIGTERM stop it after the requests in flight.
    #[command(after_long_help = "Examples:\n  \
        medscrub serve --bind 127.0.0.1:8080\n  \
        curl --data-binary @IMG_0042.jpg 'http://127.0.0.1:8080/v1/check?name=IMG_0042.jpg'\n  \
        curl -f --data-binary @IMG_0042.jpg -o safe.jpg 'http://127.0.0.1:8080/v1/clean?policy=umn'")]
    Serve(ServeArgs),
    /// List policy profiles and rules, or explain one rule or profile with its clauses.
    Policies {
        /// A rule id (`meta.gps`) or a profile id (`umn`).
        id: Option<String>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
    },
}

#[derive(Debug, Args)]
pub struct PhotoArgs {
    /// Photos or folders (searched recursively). `-` reads a list of paths from stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output: readable text, JSON Lines (one object per photo, see the README), or an
    /// HTML report written to --report (stdout then gets the summary only).
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Also write a self-contained HTML report (thumbnails, boxed findings, citations)
    /// to FILE, readable by the owner only. Required with --format html.
    /// FILE must not exist already (add --force to replace it) and is never one of the
    /// photos.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Replace files that already exist: the --report FILE and, with `clean`, copies
    /// already in --out. An input photo is never replaced, even with --force.
    #[arg(long)]
    pub force: bool,
    /// Photos analysed at once (default: one per CPU core).
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    /// Text output: list every field behind each finding, and each policy clause it
    /// rests on with what the clause says (by default one line names the policies).
    #[arg(long, short)]
    pub verbose: bool,
    /// Print only photos that need attention, no progress bar or notes.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

/// How photos are judged: shared by every command that analyses photos.
#[derive(Debug, Args)]
pub struct AnalysisArgs {
    /// Policy profile: strictest, umms, umn, wsu, michigan-medicine, nottingham
    /// (default: medscrub.toml's policy, or strictest).
    #[arg(long, value_name = "PROFILE")]
    pub policy: Option<String>,
    /// Switch a rule off for this run (repeatable), as `RULE` or `RULE=REASON`: its
    /// findings are dropped, and every report they are dropped from says so. error.*
    /// rules cannot be switched off.
    #[arg(long, value_name = "RULE[=REASON]")]
    pub ignore: Vec<String>,
    /// Settings: the default policy, rules ignored with a reason, rules that count only
    /// above a confidence (see the README). Default: ./medscrub.toml when there is one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Show found names, comments and serials unmasked (they are masked by default).
    #[arg(long)]
    pub show_text: bool,
    /// Largest file read, in MiB; bigger files are blocked (error.limits).
    #[arg(long, default_value_t = 256, value_name = "MIB")]
    pub max_file_mb: u64,
    /// Largest image decoded, in megapixels; bigger images are blocked (error.limits).
    #[arg(long, default_value_t = 150, value_name = "MP")]
    pub max_megapixels: u64,
    /// Most memory decoded pictures may take, in MiB, for the whole run (all jobs
    /// together: a photo waits while others hold it); a photo that alone needs more is
    /// blocked (error.limits).
    #[arg(long, default_value_t = 1024, value_name = "MIB")]
    pub max_memory_mb: u64,
    /// The caption the photos will be posted with: checked for ages, case timing,
    /// trophies and identifiers (caption.* rules).
    #[arg(long, value_name = "TEXT", conflicts_with = "caption_file")]
    pub caption: Option<String>,
    /// Read the caption from a file (`-` for stdin is not accepted: paths use stdin).
    #[arg(long, value_name = "FILE")]
    pub caption_file: Option<PathBuf>,
    /// The account the photos will be posted from, e.g. @JaneDoeMD: checked for
    /// university brands in personal usernames (handle.brand).
    #[arg(long, value_name = "@NAME")]
    pub handle: Option<String>,
    /// Patient consent registry (TOML or CSV, see the README): a valid entry lifts the
    /// patient-content findings it covers for --platform. Never the metadata rules.
    #[arg(long, value_name = "FILE", requires = "platform")]
    pub consent: Option<PathBuf>,
    /// The platform the photos will be posted on (instagram, x, facebook…), for --consent.
    #[arg(long, value_name = "NAME")]
    pub platform: Option<String>,
    /// Judge the one-month hold on clinical photos as of this day (YYYY-MM-DD) instead
    /// of today: "may I post it on the 20th?"
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub today: Option<i64>,
    /// Longest one photo may take, in seconds; slower photos are blocked (error.limits).
    #[arg(long, default_value_t = 120, value_name = "SECONDS")]
    pub max_seconds: u64,
    /// Measurement only (`scripts/eval --real`): how text is read (scene, tesseract,
    /// recogniser, plain; see `ocr::Strategy`).
    #[arg(long, hide = true, default_value = "scene", value_parser = parse_text_reader)]
    pub text_reader: crate::ocr::Strategy,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The photo to check (one: `medscrub scan` checks several).
    // Several are accepted here so that `check a b` gets a message that says what to do
    // instead of clap's "unexpected argument".
    #[arg(value_name = "FILE", required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// Output: the `scan` text report, or one JSON object (the JSON Lines report).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Text output: list every field behind each finding, and each policy clause it
    /// rests on with what the clause says (by default one line names the policies).
    #[arg(long, short)]
    pub verbose: bool,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The folder photos arrive in (watched recursively).
    #[arg(value_name = "INBOX")]
    pub inbox: PathBuf,
    /// Folder for the share-safe copies (created if missing; not inside INBOX).
    #[arg(long, short, value_name = "SAFE")]
    pub out: PathBuf,
    /// Folder to copy blocked photos to, for a person to look at (never --out).
    #[arg(long, value_name = "HELD")]
    pub blocked: Option<PathBuf>,
    /// Remove each original from INBOX once its copy (or held copy) and the journal
    /// entry are safely on disk. Blocked photos without --blocked stay where they are.
    #[arg(long = "move")]
    pub move_originals: bool,
    /// Output: one line per photo, or one JSON object per photo (JSON Lines).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Seconds between full rescans of INBOX, the fallback for missed file events.
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS")]
    pub rescan: f64,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0: any free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub bind: std::net::SocketAddr,
    /// Largest upload accepted, in MiB (larger: 413).
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    pub max_upload_mb: usize,
    /// Photos analysed at once (default: one per CPU core); more requests wait.
    #[arg(long, value_name = "N")]
    pub max_concurrent: Option<usize>,
    /// Longest a request may take, from its headers to its answer (receiving the body,
    /// waiting and analysing), in seconds. A body still arriving then: 408; an analysis
    /// still running: 504, and its slot is free for the next photo.
    #[arg(long, default_value_t = 120, value_name = "SECONDS")]
    pub timeout: u64,
    /// Longest the server waits for a client's next bytes, in seconds: request headers
    /// must arrive within it, an idle connection is closed after it, and an upload that
    /// pauses that long is cut off (408).
    #[arg(long, default_value_t = 20, value_name = "SECONDS")]
    pub read_timeout: u64,
    /// Connections open at once; more wait until one closes.
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub max_connections: usize,
    /// Upload bytes held in memory at once, all requests together, in MiB (at least
    /// --max-upload-mb). Uploads past it wait, unread, until others are analysed.
    #[arg(long, default_value_t = 256, value_name = "MIB")]
    pub max_buffered_mb: usize,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// Output of `scan` and `clean`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    /// A self-contained HTML file at --report.
    Html,
}

/// `YYYY-MM-DD` as days since 1970-01-01.
fn parse_day(s: &str) -> Result<i64, String> {
    crate::dates::days_from_date(s).ok_or_else(|| format!("{s:?} is not a date like 2026-12-20"))
}

fn parse_text_reader(name: &str) -> Result<crate::ocr::Strategy, String> {
    crate::ocr::Strategy::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = crate::ocr::Strategy::NAMED.iter().map(|(n, _)| *n).collect();
        format!("choose one of: {}", names.join(", "))
    })
}
