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

use crate::action;
use crate::intake::{self, Input};
use crate::pipeline::{self, Engine};
use crate::report::Report;
use crate::verdict::Verdict;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// The journal's file name inside SAFE.
pub const JOURNAL_NAME: &str = ".medscrub-journal";
/// Where copies are written before they get their final name, inside SAFE.
const STAGING_NAME: &str = ".medscrub-staging";

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

/// A file's size and modification time at one look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    pub len: u64,
    pub modified: Option<SystemTime>,
}

impl Look {
    /// Looks at a regular file; `None` when it is gone or not a regular file.
    pub fn of(path: &Path) -> Option<Look> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        meta.is_file().then(|| Look { len: meta.len(), modified: meta.modified().ok() })
    }
}

/// Decides when a file has stopped changing: the same [`Look`] for at least `settle`.
///
/// Times are passed in, so the rule is tested without sleeping.
#[derive(Debug)]
pub struct Stability {
    settle: Duration,
    first_seen: HashMap<PathBuf, (Look, Instant)>,
    /// Files that looked unfinished when read (see [`Stability::doubt`]).
    doubtful: HashSet<PathBuf>,
}

/// How many times longer than `settle` a file must hold still when it looks unfinished:
/// empty (a copy has just created it) or cut short (a writer that paused longer than
/// the settle time). Only then is it handled as it is, and blocked.
const PATIENCE: u32 = 10;

impl Stability {
    pub fn new(settle: Duration) -> Stability {
        Stability { settle, first_seen: HashMap::new(), doubtful: HashSet::new() }
    }

    /// Records a look at `path` taken at `now`; true once it has looked the same for at
    /// least the settle time. Any change starts the wait again.
    pub fn observe(&mut self, path: &Path, look: Look, now: Instant) -> bool {
        match self.first_seen.get(path) {
            Some((seen, since)) if *seen == look => {
                let patient = look.len == 0 || self.doubtful.contains(path);
                let wait = if patient { self.settle * PATIENCE } else { self.settle };
                now.saturating_duration_since(*since) >= wait
            }
            _ => {
                self.first_seen.insert(path.to_path_buf(), (look, now));
                false
            }
        }
    }

    /// Marks a file that was read and looked cut short: it must now hold still
    /// [`PATIENCE`] times longer. True when it was already marked (it has waited that
    /// long: it is as complete as it will get).
    pub fn doubt(&mut self, path: &Path) -> bool {
        self.first_seen.remove(path);
        !self.doubtful.insert(path.to_path_buf())
    }

    /// Forgets a file's looks (handled, or gone); `settled` also forgets any doubt.
    pub fn forget(&mut self, path: &Path, settled: bool) {
        self.first_seen.remove(path);
        if settled {
            self.doubtful.remove(path);
        }
    }
}

/// One line of the journal: a photo handled, by content.
///
/// The journal lives in SAFE, which people share, so it holds no original file name
/// (names can identify a patient): only the hash, the verdict and where the copy went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// SHA-256 of the original file, hex.
    pub sha256: String,
    pub verdict: Verdict,
    /// The share-safe copy, relative to SAFE; none when blocked.
    pub output: Option<String>,
    /// Whether the original was copied to the blocked folder.
    pub held: bool,
    /// When it was handled, seconds since the Unix epoch.
    pub at: u64,
}

/// The photos already handled, by SHA-256: an append-only JSON Lines file, synced after
/// every entry, so a restart (or a crash) never handles a photo twice.
#[derive(Debug)]
pub struct Journal {
    file: std::fs::File,
    done: HashMap<String, JournalEntry>,
}

impl Journal {
    /// Opens (or creates) the journal at `path`, owner-readable only. Lines that do not
    /// parse — a line torn by a crash — are ignored.
    pub fn open(path: &Path) -> std::io::Result<Journal> {
        let mut done = HashMap::new();
        let mut torn_tail = false;
        if let Ok(existing) = std::fs::read(path) {
            torn_tail = !existing.is_empty() && !existing.ends_with(b"\n");
            for line in existing.lines().map_while(Result::ok) {
                if let Ok(entry) = serde_json::from_str::<JournalEntry>(&line) {
                    done.insert(entry.sha256.clone(), entry);
                }
            }
        }
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path)?;
        if torn_tail {
            // End the torn line so the next entry starts on a line of its own.
            file.write_all(b"\n")?;
        }
        Ok(Journal { file, done })
    }

    /// The entry for a photo with this content, if it was handled.
    pub fn get(&self, sha256: &str) -> Option<&JournalEntry> {
        self.done.get(sha256)
    }

    /// Number of photos handled.
    pub fn len(&self) -> usize {
        self.done.len()
    }

    pub fn is_empty(&self) -> bool {
        self.done.is_empty()
    }

    /// Appends an entry and syncs it to disk before returning.
    pub fn record(&mut self, entry: JournalEntry) -> std::io::Result<()> {
        let mut line = serde_json::to_string(&entry).map_err(std::io::Error::other)?;
        line.push('\n');
        // One write call per line: a crash tears at most the last line.
        self.file.write_all(line.as_bytes())?;
        self.file.sync_data()?;
        self.done.insert(entry.sha256.clone(), entry);
        Ok(())
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

/// What the watcher tells of each photo whose analysis starts.
type Announce<'a> = Box<dyn Fn(&Path) + 'a>;

/// The watch loop's state: stability of candidates, the journal, and files handled.
pub struct Watcher<'a> {
    engine: Engine<'a>,
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
        Ok(Watcher {
            engine,
            config,
            journal,
            stability,
            handled: HashMap::new(),
            staging,
            inbox_canonical: inbox,
            on_analysing: None,
        })
    }

    /// Calls `f` with each photo's path as its analysis starts (after the checks that
    /// skip duplicates and unfinished files), so a person sees which photo is in hand.
    pub fn on_analysing(&mut self, f: impl Fn(&Path) + 'a) {
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
        if let Some(told) = &self.on_analysing {
            told(path);
        }
        // The bytes just read and hashed are the ones analysed and copied: read once.
        let analysis = self.engine.analyse_read(&input, bytes.clone(), sha256.clone());
        let mut report = self.engine.clean_analysed(analysis, &input, &staged);
        let cut_short = report
            .findings
            .iter()
            .any(|f| matches!(f.rule.as_str(), "error.intake" | "error.decode" | "error.metadata"));
        if cut_short && !self.stability.doubt(path) {
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

    /// Gives a staged copy its final name in SAFE without ever replacing a file: if a
    /// file with identical bytes is there already (a copy finished just before a crash,
    /// not yet in the journal), that file is the copy; otherwise a free name is used.
    fn publish(&self, staged: &Path) -> std::io::Result<PathBuf> {
        let relative = staged.strip_prefix(&self.staging).map_err(std::io::Error::other)?;
        let wanted = self.config.safe.join(relative);
        let dir = wanted.parent().unwrap_or(&self.config.safe).to_path_buf();
        std::fs::create_dir_all(&dir)?;
        let staged_bytes = std::fs::read(staged)?;
        let identical = |p: &Path| std::fs::read(p).is_ok_and(|b| b == staged_bytes);
        let mut candidate = wanted.clone();
        let mut n = 1;
        let result = loop {
            if identical(&candidate) {
                break Ok(candidate);
            }
            // A hard link fails when the name exists: atomic no-clobber on one filesystem.
            match std::fs::hard_link(staged, &candidate) {
                Ok(()) => break Ok(candidate),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    n += 1;
                    candidate = numbered(&wanted, n);
                }
                // Filesystems without hard links (exFAT, some network shares): a rename
                // after a check; only another writer in SAFE at the same instant could
                // slip in between.
                Err(_) if !candidate.exists() => match std::fs::rename(staged, &candidate) {
                    Ok(()) => {
                        sync_dir(&dir)?;
                        return Ok(candidate);
                    }
                    Err(e) => break Err(e),
                },
                Err(e) => break Err(e),
            }
        };
        std::fs::remove_file(staged)?;
        sync_dir(&dir)?;
        result
    }

    /// Records that the copy was not written (an `error.*` finding, so the photo is
    /// held): what failed is the writing, not the analysis.
    fn record_not_written(&self, report: &mut Report, message: String) {
        let e = crate::Error::new(crate::Stage::Action, message);
        report.findings.push(self.engine.profile.error_finding(&e));
        report.error = Some(format!("{}: {}", report.path, e.message));
        report.action = Some(crate::report::Action::NotWritten);
        report.settle_verdict();
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

/// Removes what an interrupted run may have left: the staging folder, and medscrub's
/// own temporary files (`.medscrub-*.tmp`) in SAFE and HELD. Nothing else is touched.
fn remove_leftovers(safe: &Path, staging: &Path, held: Option<&Path>) -> std::io::Result<()> {
    if staging.exists() {
        std::fs::remove_dir_all(staging)?;
    }
    for root in std::iter::once(safe).chain(held) {
        for entry in walkdir::WalkDir::new(root).into_iter().filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy();
            if entry.file_type().is_file() && name.starts_with(".medscrub-") && name.ends_with(".tmp") {
                std::fs::remove_file(entry.path())?;
            }
        }
    }
    Ok(())
}

/// Copies a blocked original to `wanted` (or `wanted-2`, …) atomically; a copy with the
/// same bytes already there is reused, so a photo handled again (after a restart, when
/// its failure was not journalled) is not held twice.
fn hold(wanted: &Path, bytes: &[u8]) -> crate::error::Result<PathBuf> {
    let mut candidate = wanted.to_path_buf();
    let mut n = 1;
    loop {
        match std::fs::read(&candidate) {
            Ok(existing) if existing == bytes => return Ok(candidate),
            Ok(_) => {}
            Err(_) if !candidate.exists() => {
                action::write_atomic(&candidate, bytes, false)?;
                return Ok(candidate);
            }
            Err(_) => {}
        }
        n += 1;
        candidate = numbered(wanted, n);
    }
}

/// `photo.jpg` → `photo-2.jpg`.
fn numbered(path: &Path, n: u32) -> PathBuf {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{n}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{n}"),
    };
    path.with_file_name(name)
}

/// The first of `path`, `path-2`, `path-3`… that does not exist.
pub(crate) fn free_name(path: &Path) -> PathBuf {
    let mut candidate = path.to_path_buf();
    let mut n = 1;
    while candidate.exists() {
        n += 1;
        candidate = numbered(path, n);
    }
    candidate
}

/// Makes a rename or link inside `dir` durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(len: u64, secs: u64) -> Look {
        Look { len, modified: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)) }
    }

    #[test]
    fn a_file_is_stable_after_looking_the_same_for_the_settle_time() {
        let mut s = Stability::new(Duration::from_millis(500));
        let t0 = Instant::now();
        let p = Path::new("a.jpg");
        assert!(!s.observe(p, look(10, 1), t0), "first look never settles");
        assert!(!s.observe(p, look(10, 1), t0 + Duration::from_millis(200)));
        assert!(s.observe(p, look(10, 1), t0 + Duration::from_millis(500)));
    }

    #[test]
    fn a_growing_file_starts_the_wait_again() {
        let mut s = Stability::new(Duration::from_millis(500));
        let t0 = Instant::now();
        let p = Path::new("a.jpg");
        s.observe(p, look(10, 1), t0);
        assert!(!s.observe(p, look(20, 1), t0 + Duration::from_millis(600)), "grew");
        assert!(!s.observe(p, look(20, 2), t0 + Duration::from_millis(1200)), "touched");
        assert!(!s.observe(p, look(20, 2), t0 + Duration::from_millis(1600)));
        assert!(s.observe(p, look(20, 2), t0 + Duration::from_millis(1700)));
        s.forget(p, true);
        assert!(!s.observe(p, look(20, 2), t0 + Duration::from_millis(1800)), "forgotten");
    }

    #[test]
    fn an_empty_file_must_stay_empty_much_longer() {
        let mut s = Stability::new(Duration::from_millis(500));
        let t0 = Instant::now();
        let p = Path::new("new.jpg");
        s.observe(p, look(0, 1), t0);
        assert!(!s.observe(p, look(0, 1), t0 + Duration::from_secs(1)));
        assert!(s.observe(p, look(0, 1), t0 + Duration::from_secs(5)));
    }

    #[test]
    fn a_file_that_read_as_cut_short_must_hold_still_longer() {
        let mut s = Stability::new(Duration::from_millis(500));
        let t0 = Instant::now();
        let p = Path::new("paused.jpg");
        s.observe(p, look(10, 1), t0);
        assert!(s.observe(p, look(10, 1), t0 + Duration::from_millis(500)));
        assert!(!s.doubt(p), "first doubt: wait longer");
        assert!(!s.observe(p, look(10, 1), t0 + Duration::from_millis(600)));
        assert!(!s.observe(p, look(10, 1), t0 + Duration::from_millis(1600)));
        assert!(s.observe(p, look(10, 1), t0 + Duration::from_millis(5600)));
        assert!(s.doubt(p), "second doubt: handle it as it is");
        s.forget(p, true);
        s.observe(p, look(10, 1), t0);
        assert!(s.observe(p, look(10, 1), t0 + Duration::from_millis(500)), "doubt forgotten");
    }

    #[test]
    fn journal_survives_reopening_and_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(JOURNAL_NAME);
        let entry = |sha: &str| JournalEntry {
            sha256: sha.into(),
            verdict: Verdict::Strip,
            output: Some("a.jpg".into()),
            held: false,
            at: 1,
        };
        let mut j = Journal::open(&path).unwrap();
        assert!(j.is_empty());
        j.record(entry("aa")).unwrap();
        drop(j);
        // A crash in the middle of the second line.
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"sha256\":\"bb\",\"verd").unwrap();
        drop(f);
        let mut j = Journal::open(&path).unwrap();
        assert_eq!(j.len(), 1);
        assert!(j.get("aa").is_some() && j.get("bb").is_none());
        j.record(entry("cc")).unwrap();
        drop(j);
        let j = Journal::open(&path).unwrap();
        assert!(j.get("aa").is_some() && j.get("cc").is_some(), "entry after the torn line is kept");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn holding_the_same_original_twice_keeps_one_copy() {
        let dir = tempfile::tempdir().unwrap();
        let wanted = dir.path().join("held/a.jpg");
        assert_eq!(hold(&wanted, b"one").unwrap(), wanted);
        assert_eq!(hold(&wanted, b"one").unwrap(), wanted, "same bytes: reused");
        assert_eq!(hold(&wanted, b"two").unwrap(), dir.path().join("held/a-2.jpg"));
        assert_eq!(hold(&wanted, b"two").unwrap(), dir.path().join("held/a-2.jpg"));
        assert_eq!(std::fs::read_dir(dir.path().join("held")).unwrap().count(), 2);
    }

    #[test]
    fn numbered_names_keep_the_extension() {
        assert_eq!(numbered(Path::new("/s/a.jpg"), 2), PathBuf::from("/s/a-2.jpg"));
        assert_eq!(numbered(Path::new("/s/README"), 3), PathBuf::from("/s/README-3"));
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jpg");
        std::fs::write(&a, b"x").unwrap();
        assert_eq!(free_name(&a), dir.path().join("a-2.jpg"));
    }
}
