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
        "  medscrub scan ~/Pictures/ward-rounds            what is in these photos?\n",
        "  medscrub clean IMG_0042.HEIC --out ~/share       write a share-safe copy\n",
        "  medscrub scan --format json photo.jpg | jq .verdict\n",
        "  find . -name '*.jpg' | medscrub scan -           paths from stdin\n",
        "  medscrub policies meta.gps                       why GPS is a problem, clause by clause\n\n",
        "Exit codes:\n",
        "  0  every photo may be shared as it is (clean: every photo was written share-safe)\n",
        "  1  some photos need `medscrub clean` (metadata to strip)\n",
        "  2  usage or I/O error before any photo was scanned\n",
        "  3  some photos are blocked, or could not be analysed")
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
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
        /// Replace files that already exist in --out.
        #[arg(long)]
        force: bool,
    },
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
    /// Policy profile: strictest, umms, umn, wsu, michigan-medicine, nottingham.
    #[arg(long, default_value = crate::policy::DEFAULT_PROFILE, value_name = "PROFILE")]
    pub policy: String,
    /// Output: readable text, or JSON Lines (one object per photo, see the README).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Photos analysed at once (default: one per CPU core).
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    /// Show found names, comments and serials unmasked (they are masked by default).
    #[arg(long)]
    pub show_text: bool,
    /// Text output: list every field behind each finding.
    #[arg(long, short)]
    pub verbose: bool,
    /// Print only photos that need attention, no progress bar or notes.
    #[arg(long, short)]
    pub quiet: bool,
    /// Largest file read, in MiB; bigger files are blocked (error.limits).
    #[arg(long, default_value_t = 256, value_name = "MIB")]
    pub max_file_mb: u64,
    /// Largest image decoded, in megapixels; bigger images are blocked (error.limits).
    #[arg(long, default_value_t = 150, value_name = "MP")]
    pub max_megapixels: u64,
    /// Most memory one decoder allocation may take, in MiB; more is blocked (error.limits).
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// `YYYY-MM-DD` as days since 1970-01-01.
fn parse_day(s: &str) -> Result<i64, String> {
    crate::rules::time::days_from_date(s).ok_or_else(|| format!("{s:?} is not a date like 2026-12-20"))
}
