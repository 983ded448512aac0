//! The command line: arguments in, reports out. No detection logic lives here.

mod args;
mod policies;

pub use args::{Cli, Command, OutputFormat, PhotoArgs};

use crate::exit::ExitStatus;
use crate::intake::{self, Input};
use crate::options::{Limits, Options};
use crate::pipeline::{self, Engine};
use crate::policy;
use crate::report::text::{self, Tally};
use crate::report::{Report, sanitize::for_terminal};
use clap::Parser;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::time::Instant;

/// Temporary files in --out older than this are leftovers of an interrupted run;
/// younger ones may belong to a run still writing.
const STALE_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(120);

/// Runs of at least this many photos show a progress bar (on a terminal).
const PROGRESS_FROM: usize = 8;

/// Parses the command line, runs it, and returns the exit status.
pub fn main() -> ExitStatus {
    let cli = Cli::parse();
    match run(cli) {
        Ok(status) => status,
        Err(e) => {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return ExitStatus::Ok;
            }
            eprintln!("medscrub: {e}");
            ExitStatus::Usage
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> std::io::Result<ExitStatus> {
    match cli.command {
        Command::Scan(args) => photos(args, None, false),
        Command::Clean { photos: args, out, force } => photos(args, Some(out), force),
        Command::Policies { id, format } => policies::show(id.as_deref(), format),
    }
}

fn usage(msg: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, msg)
}

/// `scan` and `clean`: expand the paths, analyse every photo, print reports in order.
fn photos(args: PhotoArgs, out: Option<PathBuf>, force: bool) -> std::io::Result<ExitStatus> {
    let profile = policy::profile(&args.policy).ok_or_else(|| {
        let ids: Vec<&str> = policy::profiles().iter().map(|p| p.id.as_str()).collect();
        usage(format!("unknown policy {:?}; choose one of: {}", args.policy, ids.join(", ")))
    })?;
    let options = Options {
        policy: args.policy.clone(),
        limits: Limits {
            max_file_bytes: args.max_file_mb * 1024 * 1024,
            max_pixels: args.max_megapixels * 1_000_000,
            max_alloc_bytes: args.max_memory_mb * 1024 * 1024,
            max_time: std::time::Duration::from_secs(args.max_seconds),
        },
        jobs: args.jobs,
        show_text: args.show_text,
        out_dir: out.clone(),
        force,
        ocr: Default::default(),
        post: crate::rules::post::Post { caption: caption(&args)?, handle: args.handle.clone() },
        consent: match (&args.consent, &args.platform) {
            (Some(file), Some(platform)) => {
                Some((crate::consent::Registry::load(file).map_err(usage)?, platform.clone()))
            }
            _ => None,
        },
        today: args.today,
    };
    let paths = expand_stdin(&args.paths)?;
    if paths.is_empty() {
        return Err(usage("no photos given: name files or folders, or `-` to read a list from stdin".into()));
    }
    if let Some(dir) = &out
        && let Ok(dir) = dir.canonicalize()
        && paths.iter().any(|p| p.canonicalize().is_ok_and(|p| p == dir))
    {
        return Err(usage(format!(
            "--out {} is one of the folders being cleaned; choose a separate folder for the share-safe copies",
            dir.display()
        )));
    }
    let exclude: Vec<PathBuf> = out.iter().cloned().collect();
    let collected = intake::collect(&paths, &exclude)?;
    for s in &collected.skipped {
        if !args.quiet {
            eprintln!("medscrub: skipped {} ({})", for_terminal(&s.path.display().to_string()), s.reason);
        }
    }
    if collected.inputs.is_empty() {
        eprintln!("medscrub: no photos found in the paths given");
        return Ok(ExitStatus::Ok);
    }
    if let Some(dir) = &out {
        std::fs::create_dir_all(dir)
            .map_err(|e| usage(format!("cannot create the output folder {}: {e}", dir.display())))?;
    }
    let engine = Engine { options: &options, profile };
    let inputs = &collected.inputs;
    let destinations: std::collections::HashMap<&PathBuf, PathBuf> = match &out {
        Some(dir) => {
            // What an earlier run killed mid-write left behind (never a finished name).
            let swept = crate::action::sweep_stale_temps(dir, STALE_TEMP_AGE);
            if swept > 0 && !args.quiet {
                eprintln!("medscrub: removed {swept} unfinished temporary file(s) left in {}", dir.display());
            }
            inputs.iter().map(|i| &i.path).zip(pipeline::destinations(dir, inputs)).collect()
        }
        None => Default::default(),
    };
    let progress = progress_bar(inputs.len(), args.quiet);
    let started = Instant::now();
    let mut tally = Tally::default();
    let stdout = std::io::stdout();
    let mut io_error = None;
    let work = |input: &Input| {
        let report = match destinations.get(&input.path) {
            Some(dest) => engine.clean(input, dest),
            None => engine.analyse(input).report,
        };
        if let Some(pb) = &progress {
            pb.inc(1);
        }
        report
    };
    pipeline::run_parallel(inputs, options.jobs, work, |report: Report| {
        tally.add(&report);
        if io_error.is_some() {
            return;
        }
        let line = match args.format {
            OutputFormat::Json => serde_json::to_string(&report).map(|j| j + "\n").unwrap_or_default(),
            OutputFormat::Text if args.quiet && report.verdict == crate::Verdict::Share => String::new(),
            OutputFormat::Text => text::render(&report, args.verbose),
        };
        let write = || -> std::io::Result<()> {
            let mut lock = stdout.lock();
            match &progress {
                Some(pb) => pb.suspend(|| lock.write_all(line.as_bytes())),
                None => lock.write_all(line.as_bytes()),
            }?;
            lock.flush()
        };
        if let Err(e) = write() {
            io_error = Some(e);
        }
    })?;
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    if let Some(e) = io_error {
        return Err(e);
    }
    let summary = tally.line(started.elapsed().as_secs_f64());
    let summary = match &out {
        Some(dir) => format!(
            "{summary}\nwrote {} share-safe cop{} to {}; {} not written",
            tally.written,
            if tally.written == 1 { "y" } else { "ies" },
            dir.display(),
            tally.total() - tally.written
        ),
        None => summary,
    };
    match args.format {
        OutputFormat::Text => println!("{summary}"),
        OutputFormat::Json if !args.quiet => eprintln!("{summary}"),
        OutputFormat::Json => {}
    }
    Ok(match out {
        Some(_) => ExitStatus::for_clean(tally.written == tally.total()),
        None => {
            let verdicts = [
                (tally.share, crate::Verdict::Share),
                (tally.strip, crate::Verdict::Strip),
                (tally.redact, crate::Verdict::Redact),
                (tally.block, crate::Verdict::Block),
            ];
            ExitStatus::for_scan(verdicts.into_iter().filter(|(n, _)| *n > 0).map(|(_, v)| v))
        }
    })
}

/// The caption from `--caption` or `--caption-file`.
fn caption(args: &PhotoArgs) -> std::io::Result<Option<String>> {
    match (&args.caption, &args.caption_file) {
        (Some(text), _) => Ok(Some(text.clone())),
        (None, Some(file)) => std::fs::read_to_string(file)
            .map(Some)
            .map_err(|e| usage(format!("cannot read the caption file {}: {e}", file.display()))),
        (None, None) => Ok(None),
    }
}

/// Replaces `-` with the paths listed on stdin.
fn expand_stdin(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            let mut list = String::new();
            std::io::stdin().read_to_string(&mut list)?;
            out.extend(intake::paths_from_list(&list));
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn progress_bar(total: usize, quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || total < PROGRESS_FROM || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb =
        indicatif::ProgressBar::with_draw_target(Some(total as u64), indicatif::ProgressDrawTarget::stderr());
    let style = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} photos  {per_sec}  eta {eta}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    pb.set_style(style);
    Some(pb)
}
