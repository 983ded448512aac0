//! `medscrub serve`: the engine behind a small HTTP API, for an upload form or a posting
//! tool on the same machine.
//!
//! ```text
//! POST /v1/check?policy=P&name=F   body: the image bytes   → 200 JSON report
//! POST /v1/clean?policy=P&name=F   body: the image bytes   → 200 share-safe bytes, or 422 JSON report
//!   (Accept: application/json)                              → 200 {report, copy}: both in one answer
//! GET  /healthz                                            → 200 "ok": the server answers
//! GET  /readyz                                             → 200 when an analysis slot is free, else 503
//! GET  /                                                   → a page to drop photos on
//! ```
//!
//! The body is the image itself, or a `multipart/form-data` form whose `image` field
//! holds it (as HTML forms and upload libraries send). `policy`, `name`, `caption`,
//! `handle` and `platform` come as query parameters or form fields; the consent
//! registry stays the server's (`--consent`).
//!
//! An upload is analysed in memory by the same [`Engine`] as the CLI
//! ([`Engine::analyse_owned`]) on a blocking thread, and `clean` makes its copy from
//! that analysis ([`Engine::clean_in_memory`]): nothing is written to disk, and a photo
//! is analysed once. Its name (`?name=`, or the form's file name) is evidence too
//! (`text.name` reads file names). The copy is named as the CLI names it: the upload's
//! name, or `photo-<hash>.<ext>` when that name identifies. Earlier versions staged
//! uploads in a temporary folder named after the server's process id; one left by a
//! server that was killed is still removed at start ([`sweep_stale_uploads`]).
//!
//! Each request is logged on stderr in one line: method, route, status, verdict and
//! milliseconds — never a name, a caption or anything found.
//!
//! Bounded against slow and greedy clients, each by the plainest tool that does it:
//! * connections open at once (`max_connections`: the accept loop waits for a free one,
//!   so more wait in the kernel's queue, unread);
//! * request headers must arrive within `read_timeout` (hyper's header read timeout,
//!   which also closes a keep-alive connection left idle that long);
//! * a body that pauses longer than `read_timeout` is cut off (tower-http's
//!   `TimeoutBody`), and one still arriving at the request's deadline too (408): a body
//!   trickled a byte at a time never pauses, so the deadline is what stops it;
//! * upload bytes held in memory, across all requests (`max_buffered_bytes`): a request
//!   reserves its `Content-Length` before a byte of its body is read, and gives it back
//!   when its analysis ends (the upload is analysed in memory);
//! * body size (413), photos analysed at once (slots: 503 when none frees in time), and
//!   time per request, from its headers to its answer (504).
//!
//! A request that passes its deadline gives its slot back at once, so later photos are
//! not held up by one nobody waits for. Its analysis cannot be interrupted mid-stage; it
//! is told the request's deadline (the engine's own `--max-seconds` budget is cut to
//! what is left), stops at its next check, and its result is discarded. Analyses
//! running on blocking threads, abandoned ones included, are capped at twice the slots.

mod multipart;

use crate::intake::Format;
use crate::options::AnalysisOptions;
use crate::pipeline::{CleanCopy, Engine};
use crate::policy;
use crate::report::Report;
use crate::verdict::Verdict;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// How the server is bounded, and the options photos are analysed with.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on. Default `127.0.0.1:8080`: this machine only.
    pub bind: SocketAddr,
    /// Largest upload, in bytes. Default 64 MiB.
    pub max_body_bytes: usize,
    /// Upload bytes held in memory at once, all requests together (never less than one
    /// `max_body_bytes`). Default 256 MiB. Requests past it wait, unread, until others are
    /// analysed (an upload is held until its analysis ends).
    pub max_buffered_bytes: usize,
    /// Photos analysed at once. Default: one per core.
    pub max_concurrent: usize,
    /// Connections open at once; more wait until one closes. Default 64.
    pub max_connections: usize,
    /// Longest a request may take, from its headers to its answer: receiving the body,
    /// waiting for a slot and analysing. Default 120 s.
    pub timeout: Duration,
    /// Longest the server waits for a client's next bytes: request headers must arrive
    /// within it, a keep-alive connection idle that long is closed, and a body that
    /// pauses that long is cut off (408). Default 20 s.
    pub read_timeout: Duration,
    /// Analysis options; `policy` is the default profile, a request may ask for another.
    pub options: AnalysisOptions,
}

/// Prefix of the folder earlier versions staged uploads in; the process id follows, then `-` and
/// tempfile's random letters.
const UPLOADS_PREFIX: &str = "medscrub-serve-";

/// Longest file name most file systems take, in bytes (Linux `NAME_MAX`).
const MAX_NAME_BYTES: usize = 255;

struct AppState {
    config: ServeConfig,
    /// One per photo being analysed for a request that still waits for it. The request
    /// holds its slot and gives it back when it ends, answered or timed out.
    slots: Arc<Semaphore>,
    /// One per analysis running on a blocking thread, abandoned ones included (twice the
    /// slots): held by the analysis itself until it really ends, so abandoning analyses
    /// at their deadline can never pile up unbounded work.
    running: Arc<Semaphore>,
    /// Upload bytes in memory, in KiB.
    buffered: Arc<Semaphore>,
}

/// What a request may say about its photo, as query parameters or form fields.
#[derive(Debug, Default, Deserialize)]
struct Params {
    /// Profile id; the server's default when absent.
    policy: Option<String>,
    /// The photo's file name, checked like any file name; the form's file name, or
    /// `upload`, when absent.
    name: Option<String>,
    /// The caption the photo will be posted with (the caption rules read it).
    caption: Option<String>,
    /// The account it will be posted from (the handle rule reads it).
    handle: Option<String>,
    /// The platform it goes to, for the server's consent registry (`--consent`).
    platform: Option<String>,
}

impl Params {
    /// Fills in what the query left out from the form's fields; a value given both
    /// ways is the client's mistake.
    fn merge(&mut self, form: Params) -> Result<(), String> {
        let pairs = [
            ("policy", &mut self.policy, form.policy),
            ("name", &mut self.name, form.name),
            ("caption", &mut self.caption, form.caption),
            ("handle", &mut self.handle, form.handle),
            ("platform", &mut self.platform, form.platform),
        ];
        for (key, mine, theirs) in pairs {
            if theirs.is_some() {
                if mine.is_some() {
                    return Err(format!("{key} is given both in the query and in the form: send it once"));
                }
                *mine = theirs;
            }
        }
        Ok(())
    }
}

/// The verdict a response carries, for the request log.
#[derive(Debug, Clone, Copy)]
struct Logged(Verdict);

/// An error response: a status and a message, as JSON `{"error": …}`.
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.1 }).to_string();
        // The body may be unread (refused before reading, or cut off): close rather
        // than let hyper drain what the client still sends.
        (self.0, [(header::CONTENT_TYPE, "application/json"), (header::CONNECTION, "close")], body)
            .into_response()
    }
}

fn busy(why: &str) -> ApiError {
    ApiError(StatusCode::SERVICE_UNAVAILABLE, format!("busy: {why}; try again shortly"))
}

/// The router, without a listener (tests and embedding), and how many upload folders
/// left by servers that were killed it removed ([`sweep_stale_uploads`]).
pub fn router(config: ServeConfig) -> std::io::Result<(Router, usize)> {
    let swept = sweep_stale_uploads(&std::env::temp_dir(), std::time::SystemTime::now());
    let slots = config.max_concurrent.max(1);
    let budget = config.max_buffered_bytes.max(config.max_body_bytes).div_ceil(1024);
    let state = Arc::new(AppState {
        config,
        slots: Arc::new(Semaphore::new(slots)),
        running: Arc::new(Semaphore::new(2 * slots)),
        buffered: Arc::new(Semaphore::new(budget.min(Semaphore::MAX_PERMITS))),
    });
    let router = Router::new()
        .route("/", get(page))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
        .route("/v1/check", post(check))
        .route("/v1/clean", post(clean))
        .with_state(state)
        .layer(axum::middleware::from_fn(log_request));
    Ok((router, swept))
}

/// Serves `app` until `shutdown` completes, then finishes the requests in flight.
///
/// axum's own `serve` sets no header read timeout and takes every connection offered,
/// so the loop is here: hyper's HTTP/1 connection with a timer (the header read timeout
/// needs one), a semaphore of connections taken before each accept, and hyper-util's
/// graceful shutdown.
pub async fn serve(
    app: Router,
    config: &ServeConfig,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let connections = Arc::new(Semaphore::new(config.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    // hyper starts this clock whenever it waits for a request's first byte, so it bounds
    // both slow headers and keep-alive connections left idle.
    http.timer(TokioTimer::new()).header_read_timeout(config.read_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => permit.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of file descriptors, or the client left before we took it:
                    // pause rather than spin, and go on serving.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A client that left or was too slow: nothing to report to anyone.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Removes upload folders (`medscrub-serve-<pid>-…` in `tmp`) that a server of an earlier
/// version (which staged uploads on disk) left when it did not stop cleanly (`kill -9`, a
/// crash, power loss), and returns how many.
///
/// Only what is surely ours and surely stale goes: a folder (not a link) with our name
/// pattern, owned by this process's user, older than `started`, whose process no longer
/// runs. Liveness is read from `/proc`; where there is none, nothing is removed, since a
/// live server's uploads cannot be told from a dead one's.
pub fn sweep_stale_uploads(tmp: &Path, started: std::time::SystemTime) -> usize {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if !Path::new("/proc/self").exists() {
            return 0;
        }
        let (Ok(me), Ok(entries)) = (std::fs::metadata("/proc/self"), std::fs::read_dir(tmp)) else {
            return 0;
        };
        entries
            .flatten()
            .filter(|e| {
                let Some(pid) = e.file_name().to_str().and_then(upload_folder_pid) else { return false };
                let Ok(meta) = std::fs::symlink_metadata(e.path()) else { return false };
                let older = meta.modified().is_ok_and(|m| m <= started);
                meta.is_dir()
                    && meta.uid() == me.uid()
                    && older
                    && pid != std::process::id()
                    && !Path::new("/proc").join(pid.to_string()).exists()
            })
            .filter(|e| std::fs::remove_dir_all(e.path()).is_ok())
            .count()
    }
    #[cfg(not(unix))]
    {
        let _ = (tmp, started);
        0
    }
}

/// The process id in an upload folder's name, when it has our pattern.
fn upload_folder_pid(name: &str) -> Option<u32> {
    let (pid, random) = name.strip_prefix(UPLOADS_PREFIX)?.split_once('-')?;
    if random.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// The browser page: drop photos, see each verdict (the photo with its findings boxed,
/// the notes, what to do about a block), download the share-safe copy that came with the
/// same answer. All inline; its Content-Security-Policy lets it talk to this server and
/// show local `blob:` pictures, nothing else.
const PAGE: &str = include_str!("serve_page/index.html");

async fn page() -> Response {
    // img-src blob: the photo shown with its findings boxed is the dropped file itself,
    // read in the browser (never fetched from anywhere).
    let csp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; \
               img-src blob:";
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, csp),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        PAGE,
    )
        .into_response()
}

/// Ready for another photo: an analysis slot is free. `/healthz` says only that the
/// server answers; a load balancer or the posting tool asks here before sending.
async fn ready(State(state): State<Arc<AppState>>) -> Response {
    let free = state.slots.available_permits().min(state.running.available_permits());
    if free > 0 {
        (StatusCode::OK, format!("ready: {free} analysis slot(s) free\n")).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "busy: no analysis slot free\n").into_response()
    }
}

async fn check(
    State(state): State<Arc<AppState>>,
    Query(params): Query<Params>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let report = run(&state, params, &headers, body, false).await?.0;
    Ok(json_response(StatusCode::OK, &report))
}

async fn clean(
    State(state): State<Arc<AppState>>,
    Query(params): Query<Params>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (report, copy) = run(&state, params, &headers, body, true).await?;
    if wants_json(&headers) {
        // The report and the copy in one answer (the page shows the one and offers the
        // other without sending the photo again).
        use base64::Engine as _;
        let status = if copy.is_some() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
        let copy = copy.map(|c| {
            serde_json::json!({
                "name": c.name,
                "media_type": media_type(c.format),
                "bytes": c.bytes.len(),
                "base64": base64::engine::general_purpose::STANDARD.encode(&c.bytes),
            })
        });
        let body = serde_json::json!({ "report": report, "copy": copy }).to_string();
        let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
        response.extensions_mut().insert(Logged(report.verdict));
        return Ok(response);
    }
    let Some(copy) = copy else {
        // Blocked, or the copy could not be made: the report says why.
        return Ok(json_response(StatusCode::UNPROCESSABLE_ENTITY, &report));
    };
    let mut response = Response::new(Body::from(copy.bytes));
    response.extensions_mut().insert(Logged(report.verdict));
    let h = response.headers_mut();
    // What the bytes are, not what the name says (HEIC comes back as JPEG).
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type(copy.format)));
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&copy.name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(report.verdict.as_str()) {
        h.insert("x-medscrub-verdict", v);
    }
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    if let Ok(v) = HeaderValue::from_str(&rules.join(",")) {
        h.insert("x-medscrub-rules", v);
    }
    Ok(response)
}

/// Whether the client asked for JSON first (`Accept: application/json`).
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|first| first.trim().to_ascii_lowercase().starts_with("application/json"))
}

fn media_type(format: Format) -> &'static str {
    match format {
        Format::Png => "image/png",
        Format::Webp => "image/webp",
        Format::Gif => "image/gif",
        Format::Tiff => "image/tiff",
        Format::Jpeg => "image/jpeg",
        _ => "application/octet-stream",
    }
}

/// `attachment` under the copy's name: plain ASCII in `filename` (other characters as
/// `_`), the exact name in `filename*` (RFC 6266).
fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

fn json_response(status: StatusCode, report: &Report) -> Response {
    let body = serde_json::to_string(report).unwrap_or_else(|e| {
        serde_json::json!({ "error": format!("report not serialised: {e}") }).to_string()
    });
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    response.extensions_mut().insert(Logged(report.verdict));
    response
}

/// One line on stderr per request: method, route, status, verdict, milliseconds. The
/// route is one of ours or `other` (a path may hold anything); never the query (names,
/// captions), never a finding.
async fn log_request(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = match request.uri().path() {
        p @ ("/" | "/healthz" | "/readyz" | "/v1/check" | "/v1/clean") => p.to_string(),
        _ => "other".to_string(),
    };
    let response = next.run(request).await;
    let verdict = response.extensions().get::<Logged>().map_or("-", |v| v.0.as_str());
    #[allow(unused_mut)] // extended in debug builds only
    let mut line = format!(
        "medscrub: {method} {route} {} {verdict} {} ms",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    // How many analyses the process has run: tests/integration/serve.rs proves one per photo.
    #[cfg(debug_assertions)]
    if std::env::var_os("MEDSCRUB_DEBUG_STATS").is_some() {
        line.push_str(&format!(" analyses={}", crate::pipeline::analyses_started()));
    }
    eprintln!("{line}");
    response
}

/// Checks the request, receives the body, waits for a slot, and analyses (and for
/// `clean`, cleans) the upload in memory on a blocking thread. Returns the report and
/// the share-safe copy, if any.
async fn run(
    state: &Arc<AppState>,
    mut params: Params,
    headers: &HeaderMap,
    body: Body,
    clean: bool,
) -> Result<(Report, Option<CleanCopy>), ApiError> {
    // The request's time runs from its headers: receiving the body, waiting for a slot
    // and the analysis all come out of it.
    let timeout = state.config.timeout;
    let deadline = Instant::now() + timeout;
    let bad = |msg: String| ApiError(StatusCode::BAD_REQUEST, msg);
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    // The label raw bytes carry cannot be trusted (curl's --data-binary calls them a
    // urlencoded form), so anything but multipart is the image itself.
    let boundary = if content_type.to_ascii_lowercase().starts_with("multipart/") {
        if !content_type.to_ascii_lowercase().starts_with("multipart/form-data") {
            return Err(ApiError(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the image as the request body (curl --data-binary @photo.jpg) or as the `image` field \
                 of a multipart/form-data form (curl -F image=@photo.jpg)"
                    .into(),
            ));
        }
        Some(multipart::boundary(content_type).map_err(bad)?)
    } else {
        None
    };
    if boundary.is_none() {
        // Everything is known before the body: refuse a bad request before reading it.
        resolve(state, &params).map_err(bad)?;
    }
    // Every error names the upload it is about (once the name is known).
    let mut label = upload_name(params.name.as_deref()).unwrap_or_else(|_| "upload".into());
    let outcome: Result<(Report, Option<CleanCopy>), ApiError> = async {
        let length = content_length(headers, state.config.max_body_bytes)?;
        if length == 0 {
            return Err(bad("empty body: send the image bytes as the request body".into()));
        }
        // Room in memory for the whole body, before a byte of it is read: past the budget a
        // request waits with its body unread (the client's bytes stay in its own buffers).
        let kib = u32::try_from(length.div_ceil(1024)).map_err(|_| too_large(state.config.max_body_bytes))?;
        let room = tokio::time::timeout_at(deadline, Arc::clone(&state.buffered).acquire_many_owned(kib))
            .await
            .map_err(|_| busy("too many uploads are being received"))?
            .map_err(|_| busy("shutting down"))?;
        let body = receive(body, length, state.config.read_timeout, deadline, timeout).await?;
        let image = match &boundary {
            None => body,
            Some(boundary) => {
                let form = multipart::parse(&body, boundary).map_err(bad)?;
                params.merge(form.fields).map_err(bad)?;
                if params.name.is_none() {
                    params.name = form.file_name;
                }
                label = upload_name(params.name.as_deref()).unwrap_or_else(|_| "upload".into());
                form.image
            }
        };
        if image.is_empty() {
            return Err(bad("empty body: send the image bytes as the request body".into()));
        }
        let (profile, options) = resolve(state, &params).map_err(bad)?;
        let name = upload_name(params.name.as_deref()).map_err(bad)?;
        // The slot is this request's: it goes back when the request ends, in time or not.
        let _slot = tokio::time::timeout_at(deadline, Arc::clone(&state.slots).acquire_owned())
            .await
            .map_err(|_| busy("every analysis slot is taken"))?
            .map_err(|_| busy("shutting down"))?;
        let worker = tokio::time::timeout_at(deadline, Arc::clone(&state.running).acquire_owned())
            .await
            .map_err(|_| busy("analyses past their deadline are still finishing"))?
            .map_err(|_| busy("shutting down"))?;
        let mut options = options;
        // What is left of the request's time is the engine's budget, so an analysis the
        // request stops waiting for stops at its next check instead of running its whole
        // --max-seconds.
        let left = deadline.saturating_duration_since(Instant::now());
        options.limits.max_time = options.limits.max_time.min(left);
        let work = tokio::task::spawn_blocking(move || {
            // Held until the work really ends, even when the request has given up on it.
            let _worker = worker;
            // The upload stays in memory until its analysis ends: its room with it.
            let _room = room;
            analyse_upload(&options, profile, &name, image, clean)
        });
        let too_slow = || {
            ApiError(
                StatusCode::GATEWAY_TIMEOUT,
                format!("analysis took longer than {} s", timeout.as_secs()),
            )
        };
        let outcome = tokio::time::timeout_at(deadline, work).await.map_err(|_| too_slow())?;
        if Instant::now() >= deadline {
            // Finished at the deadline, most likely stopped by it (`error.limits` naming
            // --max-seconds, which the client did not set): say what happened instead.
            return Err(too_slow());
        }
        outcome.map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, format!("analysis failed: {e}")))
    }
    .await;
    outcome.map_err(|ApiError(status, msg)| ApiError(status, format!("{label}: {msg}")))
}

/// The profile and the options a request's photo is analysed with: the server's, with
/// the request's policy, caption, handle and platform.
fn resolve(state: &AppState, params: &Params) -> Result<(&'static policy::Profile, AnalysisOptions), String> {
    let mut options = state.config.options.clone();
    if let Some(id) = &params.policy {
        options.policy = id.clone();
    }
    let profile = policy::named(&options.policy).map_err(|e| e.to_string())?;
    if params.caption.is_some() {
        options.post.caption = params.caption.clone();
    }
    if params.handle.is_some() {
        options.post.handle = params.handle.clone();
    }
    if let Some(platform) = &params.platform {
        match &mut options.consent {
            Some((_, p)) => *p = platform.clone(),
            None => {
                return Err(
                    "platform is for the consent registry, and this server has none (serve --consent FILE)"
                        .into(),
                );
            }
        }
    }
    upload_name(params.name.as_deref())?;
    Ok((profile, options))
}

fn too_large(max: usize) -> ApiError {
    ApiError(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the upload is larger than the limit of {} MiB ({max} bytes, the whole request body; \
             serve --max-upload-mb)",
            max / (1024 * 1024)
        ),
    )
}

/// The body's declared length. Required: it is what is reserved in the memory budget
/// and checked against the size limit before any of the body is read.
fn content_length(headers: &HeaderMap, max: usize) -> Result<usize, ApiError> {
    let Some(value) = headers.get(header::CONTENT_LENGTH) else {
        return Err(ApiError(
            StatusCode::LENGTH_REQUIRED,
            "send the upload with a Content-Length (curl --data-binary @photo.jpg does), not chunked".into(),
        ));
    };
    let length: usize =
        value.to_str().ok().and_then(|v| v.trim().parse().ok()).ok_or_else(|| {
            ApiError(StatusCode::BAD_REQUEST, "Content-Length is not a number of bytes".into())
        })?;
    if length > max {
        return Err(too_large(max));
    }
    Ok(length)
}

/// Reads the body: it must not pause longer than `idle` (tower-http's `TimeoutBody`) and
/// must be in by `deadline`; either way past, 408.
async fn receive(
    body: Body,
    length: usize,
    idle: Duration,
    deadline: Instant,
    timeout: Duration,
) -> Result<Bytes, ApiError> {
    let body = Body::new(tower_http::timeout::TimeoutBody::new(idle, body));
    let late = |msg: String| ApiError(StatusCode::REQUEST_TIMEOUT, msg);
    match tokio::time::timeout_at(deadline, axum::body::to_bytes(body, length)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) if stalled(&e) => {
            Err(late(format!("the upload stopped: no bytes for {} s (--read-timeout)", idle.as_secs_f64())))
        }
        Ok(Err(e)) => Err(ApiError(StatusCode::BAD_REQUEST, format!("the upload broke off: {e}"))),
        Err(_) => Err(late(format!(
            "the upload did not arrive within the request's {} s (--timeout)",
            timeout.as_secs_f64()
        ))),
    }
}

/// Whether reading a body failed because it paused too long.
fn stalled(e: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = c.source();
    }
    false
}

/// A file name for the upload: its last path component, made plain like an output
/// name (`action::safe_name`: no controls, bidi marks or invisible characters);
/// `upload` when nothing is left. A name longer than a file system takes is the
/// client's mistake, said as such (it would otherwise fail as the file is created).
fn upload_name(name: Option<&str>) -> Result<String, String> {
    let last = name.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let name = crate::action::safe_name(std::ffi::OsStr::new(last)).unwrap_or_else(|| "upload".into());
    if name.len() > MAX_NAME_BYTES {
        return Err(format!(
            "name is {} bytes long; a file name can be at most {MAX_NAME_BYTES} bytes: send a shorter ?name=",
            name.len()
        ));
    }
    Ok(name)
}

fn analyse_upload(
    options: &AnalysisOptions,
    profile: &'static policy::Profile,
    name: &str,
    body: Bytes,
    clean: bool,
) -> (Report, Option<CleanCopy>) {
    let engine = Engine { options, profile };
    // Zero-copy when the body is the only holder of its bytes.
    let analysis = engine.analyse_owned(name, Vec::from(body));
    if clean { engine.clean_in_memory(analysis) } else { (analysis.report, None) }
}

/// Whether `addr` is reachable from this machine only.
pub fn is_local(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_names_are_one_plain_component() {
        let name = |n: Option<&str>| upload_name(n).unwrap();
        assert_eq!(name(None), "upload");
        assert_eq!(name(Some("")), "upload");
        assert_eq!(name(Some("../../etc/passwd")), "passwd");
        assert_eq!(name(Some("C:\\Users\\me\\IMG 1.jpg")), "IMG 1.jpg");
        assert_eq!(name(Some("a\u{0}b\n.jpg")), "ab.jpg");
        assert_eq!(name(Some("x\u{202E}gpj.exe")), "xgpj.exe");
        assert_eq!(name(Some("..")), "upload");
        assert_eq!(name(Some("dir/")), "upload");
        assert_eq!(name(Some(&"é".repeat(127))).len(), 254);
        assert!(upload_name(Some(&"é".repeat(128))).unwrap_err().contains("256 bytes"));
    }

    #[test]
    fn only_our_folder_names_carry_a_pid() {
        assert_eq!(upload_folder_pid("medscrub-serve-4242-AbC123"), Some(4242));
        assert_eq!(upload_folder_pid("medscrub-serve-AbC123"), None, "an older server's: not ours to judge");
        assert_eq!(upload_folder_pid("medscrub-serve-4242-"), None);
        assert_eq!(upload_folder_pid("medscrub-serve--4242-x"), None);
        assert_eq!(upload_folder_pid("other-4242-x"), None);
    }

    #[test]
    fn loopback_is_local() {
        assert!(is_local(&"127.0.0.1:8080".parse().unwrap()));
        assert!(is_local(&"[::1]:8080".parse().unwrap()));
        assert!(!is_local(&"0.0.0.0:8080".parse().unwrap()));
    }
}
