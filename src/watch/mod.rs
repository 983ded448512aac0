//! Watch: a phone-sync inbox turned into a folder of share-safe copies.
//!
//! ```text
//! notify events ─┐
//! rescan (2 s) ──┴─► candidates ─► Stability (same size+mtime ≥ settle) ─► sha256 ─► Journal?
//!                                                                             │ new
//!                        SAFE ◄─ hard link ◄─ staging ◄─ Engine::clean ◄──────┘
//!                        HELD ◄─ blocked originals (atomic copy)          then Journal::record
//! ```
//!
//! File events only make things faster: the periodic rescan alone finds every file, so a
//! missed or coalesced event (network folders, overflowing queues) delays a photo by at
//! most one rescan interval and never loses it.
//!
//! Durability order for each photo: the copy is written to a staging folder inside SAFE
//! (temp file + fsync + rename), linked under its final name (never replacing a file),
//! the folder is synced, and only then is the photo's SHA-256 appended to the journal
//! and synced; with `--move` the original is removed last. A crash at any point leaves
//! either nothing under the final name or a complete copy whose content is recognised
//! when the photo is handled again after the restart.
//!
//! This module is the loop ([`Watcher`]); `stability` decides when a file being synced
//! has stopped changing, `journal` remembers the photos handled, and `publish` puts
//! copies and held originals in place.

mod journal;
mod publish;
mod stability;

use crate::intake::{self, Input};
use crate::options::CopyOptions;
use crate::pipeline::{self, AnalysisStep, Engine};
use crate::report::Report;
use crate::verdict::Verdict;
pub use journal::{JOURNAL_NAME, Journal, JournalEntry};
pub(crate) use publish::free_name;
use publish::{STAGING_NAME, hold, remove_leftovers};
use sha2::{Digest, Sha256};
pub use stability::{Look, Stability};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// What `watch` was asked to do.
#[derive(Debug, Clone)]
pub struct WatchConfig {
    /// The folder photos arrive in.
    pub inbox: PathBuf,
    /// Where share-safe copies go (and the journal).
    pub safe: PathBuf,
    /// Where blocked originals are copied for review, if anywhere.
    pub held: Option<PathBuf>,
    /// Remove originals from the inbox once their copy and journal entry are durable.
    pub move_originals: bool,
    /// How long size and modification time must stay unchanged before a file is read.
    /// Default 500 ms.
    pub settle: Duration,
    /// Interval of the full rescan that backs up file events. Default 2 s.
    pub rescan: Duration,
}

impl WatchConfig {
    /// A configuration with the default settle time and rescan interval.
    pub fn new(inbox: PathBuf, safe: PathBuf) -> WatchConfig {
        WatchConfig {
            inbox,
            safe,
            held: None,
            move_originals: false,
            settle: Duration::from_millis(500),
            rescan: Duration::from_secs(2),
        }
    }
}

/// What happened to one candidate file at one look.
#[derive(Debug)]
pub enum Step {
    /// Still arriving (or just seen): look again later.
    Waiting,
    /// Gone, or unchanged since it was handled: nothing to do.
    Nothing,
    /// Same content as a photo already handled (renamed, copied, or seen before a
    /// restart): not handled again.
    Duplicate,
    /// Analysed and acted on.
    Handled(Box<Report>),
}

/// What the watcher tells of each photo it works on: the photo and the step it is in
/// (each step of the analysis as it begins, then the copy).
type Announce<'a> = Box<dyn Fn(&Path, AnalysisStep) + 'a>;

/// The watch loop's state: stability of candidates, the journal, and files handled.
pub struct Watcher<'a> {
    engine: Engine<'a>,
    /// How copies are written: inside SAFE (its staging folder), never replacing a file.
    copies: CopyOptions,
    config: WatchConfig,
    journal: Journal,
    stability: Stability,
    /// How each handled file looked when it was handled: while it looks the same it is
    /// not read again (keeps rescans cheap and reports each problem file once).
    handled: HashMap<PathBuf, Look>,
    staging: PathBuf,
    /// The inbox as the file system names it: events may name files this way, and they
    /// are mapped back onto the inbox as the user gave it.
    inbox_canonical: PathBuf,
    /// Told each photo as its analysis starts (a progress line for a person waiting).
    on_analysing: Option<Announce<'a>>,
}

impl<'a> Watcher<'a> {
    /// Checks the folders, creates SAFE (and HELD), removes temporary files that an
    /// interrupted run left there, and opens the journal.
    pub fn new(engine: Engine<'a>, config: WatchConfig) -> std::io::Result<Watcher<'a>> {
        let invalid = |msg: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, msg);
        let inbox = config
            .inbox
            .canonicalize()
            .map_err(|e| std::io::Error::new(e.kind(), format!("inbox {}: {e}", config.inbox.display())))?;
        if !inbox.is_dir() {
            return Err(invalid(format!("inbox {} is not a folder", config.inbox.display())));
        }
        let mut folders = vec![("--out", &config.safe)];
        folders.extend(config.held.as_ref().map(|h| ("--blocked", h)));
        let mut made = Vec::new();
        for (flag, dir) in folders {
            std::fs::create_dir_all(dir)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{flag} {}: {e}", dir.display())))?;
            let dir = dir.canonicalize()?;
            if dir.starts_with(&inbox) || inbox.starts_with(&dir) {
                return Err(invalid(format!(
                    "{flag} {} and the inbox {} must be separate folders, neither inside the other",
                    dir.display(),
                    inbox.display()
                )));
            }
            made.push(dir);
        }
        if let [safe, held] = made.as_slice()
            && (safe.starts_with(held) || held.starts_with(safe))
        {
            return Err(invalid("--blocked must be a separate folder from --out: blocked photos must never sit among share-safe copies".into()));
        }
        let staging = config.safe.join(STAGING_NAME);
        remove_leftovers(&config.safe, &staging, config.held.as_deref())?;
        let journal = Journal::open(&config.safe.join(JOURNAL_NAME)).map_err(|e| {
            std::io::Error::new(e.kind(), format!("journal in {}: {e}", config.safe.display()))
        })?;
        let stability = Stability::new(config.settle);
        // Copies are staged inside SAFE, never through a link there, and never replace.
        let copies = CopyOptions { out_dir: Some(config.safe.clone()), force: false };
        Ok(Watcher {
            engine,
            copies,
            config,
            journal,
            stability,
            handled: HashMap::new(),
            staging,
            inbox_canonical: inbox,
            on_analysing: None,
        })
    }

    /// Calls `f` with each photo's path and the [`AnalysisStep`] it is in, as each step begins
    /// (after the checks that skip duplicates and unfinished files), so a person sees
    /// which photo is in hand and what a slow one is spending its time on.
    pub fn on_analysing(&mut self, f: impl Fn(&Path, AnalysisStep) + 'a) {
        self.on_analysing = Some(Box::new(f));
    }

    /// Photos handled so far, across restarts.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// Every file in the inbox that could be a photo, sorted.
    pub fn scan(&self) -> Vec<PathBuf> {
        let walker = walkdir::WalkDir::new(&self.config.inbox)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        walker
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && self.is_candidate(e.path()))
            .map(|e| e.into_path())
            .collect()
    }

    /// A file that may be a photo: under the inbox, in no hidden folder, and not named
    /// like a sync tool's temporary file.
    pub fn is_candidate(&self, path: &Path) -> bool {
        let Ok(relative) = path.strip_prefix(&self.config.inbox) else { return false };
        let mut parts = relative.components().peekable();
        while let Some(part) = parts.next() {
            let name = part.as_os_str().to_string_lossy();
            let last = parts.peek().is_none();
            if last {
                return intake::junk_reason(&name).is_none();
            }
            if name.starts_with('.') {
                return false;
            }
        }
        false
    }

    /// Looks at one candidate at `now` and, once it is complete, handles it.
    pub fn step(&mut self, path: &Path, now: Instant) -> Step {
        let Some(look) = Look::of(path) else {
            self.stability.forget(path, true);
            self.handled.remove(path);
            return Step::Nothing;
        };
        if self.handled.get(path) == Some(&look) {
            return Step::Nothing;
        }
        if !self.stability.observe(path, look, now) {
            return Step::Waiting;
        }
        self.stability.forget(path, false);
        let step = self.handle(path, look);
        if !matches!(step, Step::Waiting) {
            self.stability.forget(path, true);
        }
        step
    }

    fn handle(&mut self, path: &Path, look: Look) -> Step {
        let limits = &self.engine.options.limits;
        let relative = path.strip_prefix(&self.config.inbox).unwrap_or(path).to_path_buf();
        let input = Input { path: path.to_path_buf(), relative };
        let bytes = match intake::read_file(path, limits.max_file_bytes) {
            Ok(bytes) => bytes,
            Err(_) => {
                // Vanished or unreadable between the look and the read: the engine
                // reports it as a block that names the file. Not journalled (there is no
                // content to key it by); reported again only if the file changes.
                self.handled.insert(path.to_path_buf(), look);
                return Step::Handled(Box::new(self.engine.analyse(&input).report));
            }
        };
        let sha256 = pipeline::hex(&Sha256::digest(&bytes));
        if let Some(entry) = self.journal.get(&sha256) {
            let stored = entry.output.is_some() || entry.held;
            self.handled.insert(path.to_path_buf(), look);
            if self.config.move_originals && stored {
                // A crash between the journal entry and the removal left the original.
                let _ = std::fs::remove_file(path);
            }
            return Step::Duplicate;
        }
        let staged = pipeline::destination(&self.staging, &input);
        let tell = |step: AnalysisStep| {
            if let Some(told) = &self.on_analysing {
                told(path, step);
            }
        };
        // The bytes just read and hashed are the ones analysed and copied: read once.
        let analysis = self.engine.analyse_read(&input, bytes.clone(), sha256.clone(), &tell);
        tell(AnalysisStep::Copying);
        let mut report = self.engine.clean_analysed(analysis, &input, &staged, &self.copies);
        let cut_short = report
            .findings
            .iter()
            .any(|f| matches!(f.rule.as_str(), "error.intake" | "error.decode" | "error.metadata"));
        if cut_short && !self.stability.mark_cut_short(path) {
            // Unreadable may mean unfinished: a writer that paused. Wait longer first.
            return Step::Waiting;
        }
        if Look::of(path) != Some(look) {
            // Changed since it was read (size or time): it is still being written. What
            // was analysed was one snapshot of it; wait for the finished file.
            if let Some(out) = report.output.take() {
                let _ = std::fs::remove_file(out);
            }
            return Step::Waiting;
        }
        let mut stored = false;
        if let Some(out) = report.output.take() {
            match self.publish(Path::new(&out)) {
                Ok(final_path) => {
                    report.set_output(&final_path);
                    stored = true;
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&out);
                    self.record_not_written(
                        &mut report,
                        format!("cannot put the copy into {}: {e}", self.config.safe.display()),
                    );
                }
            }
        }
        if report.verdict == Verdict::Block
            && let Some(held) = &self.config.held
        {
            match hold(&pipeline::mirrored(held, &input), &bytes) {
                Ok(dest) => {
                    report.notes.push(format!("original held for review at {}", dest.display()));
                    stored = true;
                }
                Err(e) => report.notes.push(format!("could not hold the original: {}", e.message)),
            }
        }
        // A copy that could not be written is our failure, not the photo's: leave it out
        // of the journal so the next run tries again.
        let our_failure = report.findings.iter().any(|f| f.rule == "error.action");
        if !our_failure {
            let output = report.output.as_ref().map(|o| {
                Path::new(o).strip_prefix(&self.config.safe).unwrap_or(Path::new(o)).display().to_string()
            });
            let held = stored && report.output.is_none();
            let at = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
            let entry = JournalEntry { sha256, verdict: report.verdict, output, held, at };
            if let Err(e) = self.journal.record(entry) {
                // Without a journal entry the photo would be handled again after a
                // restart; say so, and keep the original where it is.
                report.notes.push(format!("journal not written ({e}): it may be handled again"));
                stored = false;
            }
        }
        if self.config.move_originals && stored && !our_failure {
            match std::fs::remove_file(path) {
                Ok(()) => report.notes.push("original removed from the inbox (--move)".into()),
                Err(e) => report.notes.push(format!("original not removed from the inbox: {e}")),
            }
        }
        self.handled.insert(path.to_path_buf(), look);
        Step::Handled(Box::new(report))
    }

    /// Runs until `stop` is set: handles what is in the inbox, then what arrives.
    /// `on_photo` gets every photo handled; `on_duplicate` every file skipped because
    /// its content was handled before, with `true` when the file was already in the
    /// inbox at start (a restart without `--move` finds all of them again). `on_ready`
    /// gets the number of files found by the first scan, once it is done: a file that
    /// arrives after it is new, not "in the inbox at start". A photo in hand is finished
    /// before stopping.
    pub fn run(
        &mut self,
        stop: &AtomicBool,
        mut on_photo: impl FnMut(&Report),
        mut on_duplicate: impl FnMut(&Path, bool),
        on_ready: impl FnOnce(usize),
    ) -> std::io::Result<()> {
        let (tx, rx) = std::sync::mpsc::channel::<notify::Result<notify::Event>>();
        // Events only wake the loop early; without them the rescan still finds every file.
        let _events = start_events(&self.config.inbox, tx);
        let mut candidates: BTreeSet<PathBuf> = self.scan().into_iter().collect();
        let mut at_start: HashSet<PathBuf> = candidates.clone().into_iter().collect();
        on_ready(at_start.len());
        let mut next_rescan = Instant::now() + self.config.rescan;
        // Candidates are looked at (a stat each) at this interval, and the stop flag
        // checked: short against the settle time, cheap against the work.
        let tick = Duration::from_millis(100);
        while !stop.load(Ordering::SeqCst) {
            let mut finished = Vec::new();
            for path in &candidates {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                match self.step(path, Instant::now()) {
                    Step::Waiting => continue,
                    Step::Nothing => {}
                    Step::Duplicate => on_duplicate(path, at_start.contains(path)),
                    Step::Handled(report) => on_photo(&report),
                }
                finished.push(path.clone());
            }
            for p in finished {
                at_start.remove(&p);
                candidates.remove(&p);
            }
            self.collect_events(&rx, tick, &mut candidates);
            if Instant::now() >= next_rescan {
                candidates.extend(self.scan());
                next_rescan = Instant::now() + self.config.rescan;
            }
        }
        // Nothing is in hand any more: the staging folder is empty or holds debris.
        let _ = std::fs::remove_dir_all(&self.staging);
        Ok(())
    }

    /// Waits up to `wait` for file events and adds the files they name to `candidates`;
    /// a new folder is scanned whole, since files may have landed in it before its
    /// watch was in place. Only events that mean "content may have arrived" count:
    /// reads (ours included) would otherwise wake the loop forever.
    fn collect_events(
        &self,
        rx: &std::sync::mpsc::Receiver<notify::Result<notify::Event>>,
        wait: Duration,
        candidates: &mut BTreeSet<PathBuf>,
    ) {
        use notify::EventKind;
        use notify::event::{AccessKind, AccessMode};
        let until = Instant::now() + wait;
        let mut next = rx.recv_timeout(wait).ok();
        while let Some(event) = next {
            let arrived = matches!(
                event.as_ref().map(|e| e.kind),
                Ok(EventKind::Create(_)
                    | EventKind::Modify(_)
                    | EventKind::Access(AccessKind::Close(AccessMode::Write)))
            );
            if let (true, Ok(event)) = (arrived, event) {
                for path in event.paths {
                    let path = match path.strip_prefix(&self.inbox_canonical) {
                        Ok(rel) if !path.starts_with(&self.config.inbox) => self.config.inbox.join(rel),
                        _ => path,
                    };
                    if path.is_dir() {
                        let found: HashSet<PathBuf> =
                            self.scan().into_iter().filter(|p| p.starts_with(&path)).collect();
                        candidates.extend(found);
                    } else if self.is_candidate(&path) {
                        candidates.insert(path);
                    }
                }
            }
            // A steady stream of events must not starve the candidates.
            next = if Instant::now() < until { rx.try_recv().ok() } else { None };
        }
    }
}

/// Starts file events for `inbox`, or `None` when the platform or folder offers none
/// (the rescan then does all the work).
fn start_events(
    inbox: &Path,
    tx: std::sync::mpsc::Sender<notify::Result<notify::Event>>,
) -> Option<notify::RecommendedWatcher> {
    use notify::Watcher as _;
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .ok()?;
    watcher.watch(inbox, notify::RecursiveMode::Recursive).ok()?;
    Some(watcher)
}
