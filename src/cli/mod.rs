//! The command line: arguments in, reports out. No detection logic lives here.

mod args;
pub mod drop;
mod policies;

pub use args::{
    AnalysisArgs, CheckArgs, Cli, Command, OutputFormat, PhotoArgs, ReportFormat, ServeArgs, WatchArgs,
};

use crate::exit::ExitStatus;
use crate::intake::{self, Input};
use crate::limits::Limits;
use crate::ocr;
use crate::options::{AnalysisOptions, CopyOptions};
use crate::pipeline::{self, Engine};
use crate::policy::{self, Profile};
use crate::report::text::{self, Tally};
use crate::report::{Report, html, sanitize::for_terminal};
use crate::watch;
use clap::Parser;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Temporary files in --out older than this are leftovers of an interrupted run;
/// younger ones may belong to a run still writing.
const STALE_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(120);

/// Runs of at least this many photos show a progress bar (on a terminal).
const PROGRESS_FROM: usize = 8;

/// Parses the command line, runs it, and returns the exit status.
pub fn main() -> ExitStatus {
    let cli = Cli::parse();
    let result = run(cli);
    // The models opened ahead must not be torn down mid-way at exit.
    ocr::finish_ahead();
    match result {
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
        Some(Command::Scan(args)) => photos(args, None),
        Some(Command::Clean { photos: args, out }) => photos(args, Some(out)),
        Some(Command::Check(args)) => check(args),
        Some(Command::Watch(args)) => watch(args),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Policies { id, format }) => policies::show(id.as_deref(), format),
        None if !cli.paths.is_empty() => drop::scan_and_offer(&cli.paths),
        None if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() => drop::interactive(),
        None => {
            // Not in a terminal, nothing to do: say how to use it, as a usage error.
            use clap::CommandFactory;
            eprintln!("{}", Cli::command().render_help());
            Ok(ExitStatus::Usage)
        }
    }
}

fn usage(msg: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, msg)
}

/// The profile and analysis options that `args` ask for; an unknown policy is a usage
/// error.
fn analysis_options(args: &AnalysisArgs) -> std::io::Result<(AnalysisOptions, &'static Profile)> {
    let config = settings(args)?;
    let policy = args.policy.clone().or(config.policy).unwrap_or_else(|| policy::DEFAULT_PROFILE.to_string());
    let profile = policy::named(&policy).map_err(|e| usage(e.to_string()))?;
    let mut switches = config.switches;
    for rule in &args.ignore {
        let (rule, reason) = rule.split_once('=').unwrap_or((rule, ""));
        switches.ignore(rule.trim(), reason, "--ignore").map_err(|e| usage(format!("--ignore: {e}")))?;
    }
    let options = AnalysisOptions {
        policy,
        limits: Limits {
            max_file_bytes: args.max_file_mb * 1024 * 1024,
            max_pixels: args.max_megapixels * 1_000_000,
            max_alloc_bytes: args.max_memory_mb * 1024 * 1024,
            max_time: std::time::Duration::from_secs(args.max_seconds),
            // One budget for every photo of this run (all jobs).
            memory: Default::default(),
        },
        show_text: args.show_text,
        ocr: args.text_reader,
        post: crate::rules::post::Post { caption: caption(args)?, handle: args.handle.clone() },
        consent: match (&args.consent, &args.platform) {
            (Some(file), Some(platform)) => Some((
                policy::consent::Registry::load(file).map_err(|e| usage(e.to_string()))?,
                platform.clone(),
            )),
            _ => None,
        },
        today: args.today,
        switches,
    };
    Ok((options, profile))
}

/// The settings file: `--config`, or `medscrub.toml` in the current folder when there
/// is one (said on stderr, since it changes what is counted); none is an empty one.
fn settings(args: &AnalysisArgs) -> std::io::Result<policy::switches::Config> {
    let file = match &args.config {
        Some(file) => file.clone(),
        None if Path::new(DEFAULT_CONFIG).is_file() => {
            eprintln!("medscrub: using the settings in ./{DEFAULT_CONFIG}");
            PathBuf::from(DEFAULT_CONFIG)
        }
        None => return Ok(Default::default()),
    };
    policy::switches::Config::load(&file).map_err(|e| usage(e.to_string()))
}

/// The settings file looked for in the current folder.
const DEFAULT_CONFIG: &str = "medscrub.toml";

/// `check`: one photo, one verdict, and an exit code that says it.
///
/// The photo is analysed exactly as `scan` would; a path that is not a file (missing,
/// a folder) is a usage error (2) rather than a verdict, since nothing was checked.
// `--caption`, `--handle`, `--consent` and `--today` come with `AnalysisArgs` and reach
// the engine through `AnalysisOptions`, so the pre-flight check judges the post, not just the photo.
fn check(args: CheckArgs) -> std::io::Result<ExitStatus> {
    let file = match args.files.as_slice() {
        [file] => file,
        files => {
            return Err(usage(format!(
                "`check` takes one photo and {} were given; `medscrub scan` checks several (same exit codes)",
                files.len()
            )));
        }
    };
    let (options, profile) = analysis_options(&args.analysis)?;
    let meta = std::fs::metadata(file)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", file.display())))?;
    if meta.is_dir() {
        return Err(usage(format!(
            "{} is a folder; `check` takes one photo (use `medscrub scan` for folders)",
            file.display()
        )));
    }
    let input =
        Input { path: file.clone(), relative: file.file_name().map(PathBuf::from).unwrap_or_default() };
    ocr::start_ahead(options.ocr);
    let report = Engine { options: &options, profile }.analyse(&input).report;
    note_unmatched_consent(&options, &[(file.clone(), report.sha256.clone())]);
    let out = match args.format {
        OutputFormat::Json => serde_json::to_string(&report).map_err(std::io::Error::other)? + "\n",
        OutputFormat::Text => text::paint(
            text::render(&report, text::Detail::of(args.verbose, false)),
            report.verdict,
            text::colour_wanted(),
        ),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    Ok(ExitStatus::for_scan([report.verdict]))
}

/// `watch`: handles the inbox until SIGINT or SIGTERM, one line (or JSON object) per photo.
fn watch(args: WatchArgs) -> std::io::Result<ExitStatus> {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    let (options, profile) = analysis_options(&args.analysis)?;
    if !(args.rescan > 0.0 && args.rescan.is_finite()) {
        return Err(usage(format!("--rescan {} must be a positive number of seconds", args.rescan)));
    }
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // A second signal while the photo in hand is finished exits at once (130).
        signal_hook::flag::register_conditional_shutdown(signal, 130, Arc::clone(&stop))?;
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    let mut config = watch::WatchConfig::new(args.inbox.clone(), args.out.clone());
    config.held = args.blocked.clone();
    config.move_originals = args.move_originals;
    config.rescan = std::time::Duration::from_secs_f64(args.rescan);
    let engine = Engine { options: &options, profile };
    let mut watcher = watch::Watcher::new(engine, config).map_err(|e| usage(e.to_string()))?;
    ocr::start_ahead(options.ocr);
    let already = watcher.journal().len();
    eprintln!(
        "medscrub: watching {} → {}{} ({already} photo{} handled before; Ctrl-C to stop)",
        for_terminal(&args.inbox.display().to_string()),
        for_terminal(&args.out.display().to_string()),
        args.blocked.as_ref().map(|h| format!(", blocked → {}", h.display())).unwrap_or_default(),
        if already == 1 { "" } else { "s" },
    );
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut duplicates = 0usize;
    let stdout = std::io::stdout();
    let mut io_error = None;
    let colour = text::colour_wanted();
    // On a terminal, one line that says which photo is being checked and for how long.
    let status = std::io::stderr().is_terminal().then(|| {
        let pb = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
            pb.set_style(style);
        }
        pb
    });
    if let Some(pb) = &status {
        let pb = pb.clone();
        // The time shown is the photo's, not the step's: reset when a new photo starts.
        let current = std::cell::RefCell::new(PathBuf::new());
        watcher.on_analysing(move |path, step| {
            if *current.borrow() != path {
                current.replace(path.to_path_buf());
                pb.reset_elapsed();
                pb.enable_steady_tick(std::time::Duration::from_millis(200));
            }
            let name = for_terminal(&path.display().to_string());
            pb.set_message(format!("checking {name}: {}", step.describe()));
        });
    }
    watcher.run(
        &stop,
        |report| {
            tally.add(report);
            let line = match args.format {
                OutputFormat::Json => serde_json::to_string(report).map(|j| j + "\n").unwrap_or_default(),
                OutputFormat::Text => text::paint(text::report_line(report), report.verdict, colour),
            };
            let mut lock = stdout.lock();
            let written = match &status {
                Some(pb) => {
                    let written = pb.suspend(|| lock.write_all(line.as_bytes()).and_then(|()| lock.flush()));
                    pb.reset_elapsed();
                    pb.set_message("waiting for new photos");
                    written
                }
                None => lock.write_all(line.as_bytes()).and_then(|()| lock.flush()),
            };
            if let Err(e) = written {
                // stdout gone (a closed pipe): stop after this photo.
                io_error.get_or_insert(e);
                stop.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        },
        |path, at_start| {
            duplicates += 1;
            if at_start {
                return;
            }
            let say = || {
                eprintln!(
                    "medscrub: {} has the same content as a photo handled before; skipped",
                    for_terminal(&path.display().to_string())
                )
            };
            match &status {
                Some(pb) => pb.suspend(say),
                None => say(),
            }
        },
        |found| {
            eprintln!(
                "medscrub: ready ({found} file{} in the inbox at start)",
                if found == 1 { "" } else { "s" }
            )
        },
    )?;
    if let Some(pb) = status {
        pb.finish_and_clear();
    }
    if let Some(e) = io_error
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(e);
    }
    eprintln!(
        "medscrub: stopped; {} ({duplicates} already handled, skipped)",
        tally.line(started.elapsed().as_secs_f64())
    );
    Ok(ExitStatus::Ok)
}

/// `serve`: the HTTP API until SIGINT or SIGTERM.
fn serve(args: ServeArgs) -> std::io::Result<ExitStatus> {
    let (options, _) = analysis_options(&args.analysis)?;
    let at_least_one = [
        ("--timeout", args.timeout as usize),
        ("--read-timeout", args.read_timeout as usize),
        ("--max-upload-mb", args.max_upload_mb),
        ("--max-buffered-mb", args.max_buffered_mb),
        ("--max-connections", args.max_connections),
    ];
    if let Some((flag, _)) = at_least_one.iter().find(|(_, v)| *v == 0) {
        return Err(usage(format!("{flag} must be at least 1")));
    }
    let mib = |n: usize| {
        n.checked_mul(1024 * 1024)
            .ok_or_else(|| usage(format!("{n} MiB is more than this machine can address")))
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let config = crate::serve::ServeConfig {
        bind: args.bind,
        max_body_bytes: mib(args.max_upload_mb)?,
        max_buffered_bytes: mib(args.max_buffered_mb)?,
        max_concurrent: args.max_concurrent.unwrap_or(cores).max(1),
        max_connections: args.max_connections,
        timeout: std::time::Duration::from_secs(args.timeout),
        read_timeout: std::time::Duration::from_secs(args.read_timeout),
        options,
    };
    ocr::start_ahead(config.options.ocr);
    // Two threads move bytes; the analyses run on tokio's blocking pool, bounded by
    // --max-concurrent.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.bind)
            .await
            .map_err(|e| usage(format!("cannot listen on {}: {e}", args.bind)))?;
        let addr = listener.local_addr()?;
        if !crate::serve::is_local(&addr) {
            eprintln!(
                "medscrub: warning: {addr} is reachable from other machines; anyone who can reach it can upload photos"
            );
        }
        let (app, swept) = crate::serve::router(config.clone())?;
        eprintln!(
            "medscrub: serving on {addr}: POST /v1/check, POST /v1/clean, GET /healthz, GET /readyz (Ctrl-C to stop)"
        );
        if swept > 0 {
            eprintln!("medscrub: removed {swept} upload folder(s) left by a server that did not stop cleanly");
        }
        crate::serve::serve(app, &config, listener, shutdown_signal()).await
    })?;
    // Requests are all answered; an analysis that outlived its deadline may still run
    // (its upload is in memory only, and goes with the process). Do not wait long for it.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    eprintln!("medscrub: stopped");
    Ok(ExitStatus::Ok)
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) {
            (Ok(mut int), Ok(mut term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// The HTML report is never written over a photo (whatever --force says), and replaces
/// an existing file only with --force. Checked before any photo is analysed.
/// Whether a file can be written in `folder` (for `flag`), found out before any photo
/// is scanned rather than after minutes of work: a temporary file is made and removed.
fn can_write_in(folder: &Path, flag: &str) -> Result<(), String> {
    if !folder.is_dir() {
        return Err(format!("{flag}: the folder {} does not exist", folder.display()));
    }
    tempfile::Builder::new()
        .prefix(crate::action::write::TEMP_PREFIX)
        .tempfile_in(folder)
        .map(drop)
        .map_err(|e| format!("{flag}: cannot write in {}: {e}", folder.display()))
}

fn refuse_report_path(file: &Path, paths: &[PathBuf], inputs: &[Input], force: bool) -> std::io::Result<()> {
    if let Ok(report) = file.canonicalize() {
        let is_input = |p: &Path| p.canonicalize().is_ok_and(|p| p == report);
        if paths.iter().any(|p| is_input(p)) || inputs.iter().any(|i| is_input(&i.path)) {
            return Err(usage(format!(
                "--report {} is one of the photos being checked; the report must go to a new file",
                file.display()
            )));
        }
    }
    if !force && std::fs::symlink_metadata(file).is_ok() {
        return Err(usage(format!(
            "--report {} already exists; choose a new file name, or add --force to replace it",
            file.display()
        )));
    }
    Ok(())
}

/// `scan` and `clean`: expand the paths, analyse every photo, print reports in order.
fn photos(args: PhotoArgs, out: Option<PathBuf>) -> std::io::Result<ExitStatus> {
    let (options, profile) = analysis_options(&args.analysis)?;
    let copies = CopyOptions { out_dir: out.clone(), force: args.force };
    let paths = expand_stdin(&args.paths)?;
    refuse_before_reading(&args, &paths, out.as_deref())?;
    let exclude: Vec<PathBuf> = out.iter().cloned().collect();
    let collected = intake::collect(&paths, &exclude)?;
    for s in &collected.skipped {
        if !args.quiet {
            eprintln!("medscrub: skipped {} ({})", for_terminal(&s.path.display().to_string()), s.reason);
        }
    }
    if let Some(file) = &args.report {
        refuse_report_path(file, &paths, &collected.inputs, args.force)?;
        let folder = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        can_write_in(folder, "--report").map_err(usage)?;
    }
    if collected.inputs.is_empty() {
        eprintln!("medscrub: no photos found in the paths given");
        return Ok(ExitStatus::Ok);
    }
    if let Some(dir) = &out {
        std::fs::create_dir_all(dir)
            .map_err(|e| usage(format!("cannot create the output folder {}: {e}", dir.display())))?;
        can_write_in(dir, "--out").map_err(usage)?;
    }
    ocr::start_ahead(options.ocr);
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
    // The HTML report needs each photo's thumbnail, made while its pixels are at hand.
    let thumbnails = std::sync::Mutex::new(std::collections::HashMap::new());
    let mut html_entries = Vec::new();
    let work = |input: &Input| {
        let analysis = engine.analyse(input);
        if args.report.is_some()
            && analysis.report.verdict != crate::Verdict::Block
            && let Some(image) = analysis.image()
        {
            let cover: Vec<_> = if options.show_text {
                vec![]
            } else {
                analysis.report.findings.iter().filter_map(|f| f.bbox).collect()
            };
            if let Some(t) = html::thumbnail(image, &cover) {
                // Keyed as the report names it (`path` is the lossy display form).
                thumbnails
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(input.path.display().to_string(), t);
            }
        }
        let report = match destinations.get(&input.path) {
            Some(dest) => engine.clean_analysed(analysis, input, dest, &copies),
            None => analysis.report,
        };
        if let Some(pb) = &progress {
            pb.inc(1);
        }
        report
    };
    let colour = text::colour_wanted();
    // Each photo as a consent entry could name it.
    let mut named: Vec<(PathBuf, Option<String>)> = Vec::new();
    pipeline::run_parallel(inputs, args.jobs, work, |report: Report| {
        tally.add(&report);
        named.push((PathBuf::from(&report.path), report.sha256.clone()));
        if args.report.is_some() {
            let thumbnail = thumbnails.lock().unwrap_or_else(|e| e.into_inner()).remove(&report.path);
            html_entries.push(html::Entry { report: report.clone(), thumbnail });
        }
        if io_error.is_some() {
            return;
        }
        let line = match args.format {
            ReportFormat::Json => serde_json::to_string(&report).map(|j| j + "\n").unwrap_or_default(),
            ReportFormat::Text if args.quiet && report.verdict == crate::Verdict::Share => String::new(),
            ReportFormat::Text => text::paint(
                text::render(&report, text::Detail::of(args.verbose, args.quiet)),
                report.verdict,
                colour,
            ),
            ReportFormat::Html => String::new(),
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
    if !args.quiet {
        note_unmatched_consent(&options, &named);
    }
    let seconds = started.elapsed().as_secs_f64();
    if let Some(file) = &args.report {
        write_html_report(file, &args, out.as_deref(), &html_entries, seconds)?;
    }
    summarise(&tally, &args, out.as_deref(), seconds)
}

/// The mistakes in a `scan`/`clean` command line that can be told before any photo is
/// read: nothing named, `--out` inside an input folder, HTML without a file.
fn refuse_before_reading(args: &PhotoArgs, paths: &[PathBuf], out: Option<&Path>) -> std::io::Result<()> {
    if paths.is_empty() {
        return Err(usage("no photos given: name files or folders, or `-` to read a list from stdin".into()));
    }
    if let Some(dir) = out
        && let Ok(dir) = dir.canonicalize()
        && paths.iter().any(|p| p.canonicalize().is_ok_and(|p| p == dir))
    {
        return Err(usage(format!(
            "--out {} is one of the folders being cleaned; choose a separate folder for the share-safe copies",
            dir.display()
        )));
    }
    if args.format == ReportFormat::Html && args.report.is_none() {
        return Err(usage("--format html writes the report to a file: add --report FILE".into()));
    }
    Ok(())
}

/// `--report FILE`: the HTML report of the run, readable by its owner only.
fn write_html_report(
    file: &Path,
    args: &PhotoArgs,
    out: Option<&Path>,
    entries: &[html::Entry],
    seconds: f64,
) -> std::io::Result<()> {
    // A photo named on the command line is shown in the title as its report shows it
    // (masked when the name holds an identifier).
    let shown = |p: &PathBuf| {
        let path = p.display().to_string();
        entries
            .iter()
            .find(|e| e.report.path == path)
            .map_or(path.clone(), |e| e.report.display_path().to_string())
    };
    let names: Vec<String> = args.paths.iter().map(shown).collect();
    let title = match out {
        Some(dir) => format!("clean {} → {}", names.join(", "), dir.display()),
        None => format!("scan {}", names.join(", ")),
    };
    html::write(file, &html::render(entries, &title, seconds), args.force)
        .map_err(|e| std::io::Error::new(e.kind(), format!("HTML report {}: {e}", file.display())))?;
    if !args.quiet {
        eprintln!("medscrub: HTML report written to {} (readable by you only)", file.display());
    }
    Ok(())
}

/// The run's closing line (counts, and for `clean` what was written) and its exit status.
fn summarise(
    tally: &Tally,
    args: &PhotoArgs,
    out: Option<&Path>,
    seconds: f64,
) -> std::io::Result<ExitStatus> {
    let summary = tally.line(seconds);
    let summary = match out {
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
        ReportFormat::Text | ReportFormat::Html => writeln!(std::io::stdout(), "{summary}")?,
        ReportFormat::Json if !args.quiet => eprintln!("{summary}"),
        ReportFormat::Json => {}
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
fn caption(args: &AnalysisArgs) -> std::io::Result<Option<String>> {
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

/// Says which consent entries named none of the photos checked: an entry with another
/// spelling of a path, or the hash of an edited copy, would otherwise be ignored in
/// silence while its photo stays blocked.
fn note_unmatched_consent(options: &AnalysisOptions, photos: &[(PathBuf, Option<String>)]) {
    let Some((registry, _)) = &options.consent else { return };
    for entry in registry.unmatched(photos) {
        eprintln!(
            "medscrub: note: consent {} ({}) names none of the photos checked; \
             check its path or sha256 if it is meant for one of them",
            entry.id,
            entry.naming()
        );
    }
}

pub(super) fn progress_bar(total: usize, quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || total < PROGRESS_FROM || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb =
        indicatif::ProgressBar::with_draw_target(Some(total as u64), indicatif::ProgressDrawTarget::stderr());
    let style = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} photos  {pace}  {eta_left}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .with_key("pace", |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = match seconds_per_photo(state) {
                Some(s) => write!(w, "{s:.1} s/photo"),
                None => write!(w, "{:.0} s on the first photo", state.elapsed().as_secs_f64()),
            };
        })
        .with_key("eta_left", |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            // The average so far, not indicatif's recent rate: photos differ tenfold in
            // cost, and an estimate from the last few jumps about.
            if let (Some(s), Some(len)) = (seconds_per_photo(state), state.len()) {
                let left = std::time::Duration::from_secs_f64(s * len.saturating_sub(state.pos()) as f64);
                let _ = write!(w, "about {} left", indicatif::HumanDuration(left));
            }
        });
    pb.set_style(style);
    // Drawn at once and kept moving, not only when the first photo is done.
    pb.enable_steady_tick(std::time::Duration::from_millis(500));
    Some(pb)
}

/// Wall-clock seconds per photo so far (photos done in parallel count as they finish).
fn seconds_per_photo(state: &indicatif::ProgressState) -> Option<f64> {
    (state.pos() > 0).then(|| state.elapsed().as_secs_f64() / state.pos() as f64)
}
