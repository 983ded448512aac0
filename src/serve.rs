//! `medscrub serve`: the engine behind a small HTTP API, for an upload form or a posting
//! tool on the same machine.
//!
//! ```text
//! POST /v1/check?policy=P&name=F   body: the image bytes   → 200 JSON report
//! POST /v1/clean?policy=P&name=F   body: the image bytes   → 200 share-safe bytes, or 422 JSON report
//! GET  /healthz                                            → 200 "ok"
//! GET  /                                                   → a page to drop photos on
//! ```
//!
//! Each upload is written to a private temporary folder (0700) under its sanitised name
//! — the name is evidence too (`text.name` reads file names) — analysed by the same
//! [`Engine`] as the CLI on a blocking thread, and deleted with the folder when the
//! response is ready. Bounded: body size (413), photos analysed at once (a semaphore;
//! 503 when no slot frees up in time), and time per request (504).

use crate::intake::{self, Format, Input, Sniffed};
use crate::options::Options;
use crate::pipeline::Engine;
use crate::policy;
use crate::report::Report;
use crate::verdict::Verdict;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// How the server is bounded, and the options photos are analysed with.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on. Default `127.0.0.1:8080`: this machine only.
    pub bind: SocketAddr,
    /// Largest upload, in bytes. Default 64 MiB.
    pub max_body_bytes: usize,
    /// Photos analysed at once. Default: one per core.
    pub max_concurrent: usize,
    /// Longest a request may take, waiting for a slot included. Default 120 s.
    pub timeout: Duration,
    /// Analysis options; `policy` is the default profile, a request may ask for another.
    pub options: Options,
}

struct AppState {
    config: ServeConfig,
    slots: Arc<Semaphore>,
    /// Every upload's folder is made in here (0700). It goes with the router, so when
    /// the server stops, uploads still held by analyses that outlived their deadline are
    /// deleted too.
    uploads: tempfile::TempDir,
}

#[derive(Debug, Deserialize)]
struct Params {
    /// Profile id; the server's default when absent.
    policy: Option<String>,
    /// The photo's file name, checked like any file name; `upload` when absent.
    name: Option<String>,
}

/// An error response: a status and a message, as JSON `{"error": …}`.
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.1 }).to_string();
        (self.0, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    }
}

/// The router, without a listener (tests and embedding).
pub fn router(config: ServeConfig) -> std::io::Result<Router> {
    let limit = config.max_body_bytes;
    let slots = Arc::new(Semaphore::new(config.max_concurrent.max(1)));
    let uploads = tempfile::Builder::new().prefix("medscrub-serve-").tempdir()?;
    let state = Arc::new(AppState { config, slots, uploads });
    Ok(Router::new()
        .route("/", get(page))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/v1/check", post(check))
        .route("/v1/clean", post(clean))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state))
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    config: ServeConfig,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(config)?).with_graceful_shutdown(shutdown).await
}

/// The browser page: drop photos, see each verdict, download the share-safe copy. All
/// inline; its Content-Security-Policy lets it talk to this server and nothing else.
const PAGE: &str = include_str!("serve_page/index.html");

async fn page() -> Response {
    let csp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'";
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

async fn check(
    State(state): State<Arc<AppState>>,
    Query(params): Query<Params>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let report = run(&state, params, &headers, body, false).await?.0;
    Ok(json_response(StatusCode::OK, &report))
}

async fn clean(
    State(state): State<Arc<AppState>>,
    Query(params): Query<Params>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (report, output) = run(&state, params, &headers, body, true).await?;
    let Some(bytes) = output else {
        // Blocked, or the copy could not be made: the report says why.
        return Ok(json_response(StatusCode::UNPROCESSABLE_ENTITY, &report));
    };
    // What the bytes are, not what the name says (HEIC comes back as JPEG).
    let mime = match intake::sniff(&bytes[..bytes.len().min(160)]) {
        Sniffed::Image(Format::Png) => "image/png",
        Sniffed::Image(Format::Webp) => "image/webp",
        Sniffed::Image(Format::Gif) => "image/gif",
        Sniffed::Image(Format::Tiff) => "image/tiff",
        Sniffed::Image(Format::Jpeg) => "image/jpeg",
        _ => "application/octet-stream",
    };
    let mut response = Response::new(Body::from(bytes));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(report.verdict.as_str()) {
        h.insert("x-medscrub-verdict", v);
    }
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    if let Ok(v) = HeaderValue::from_str(&rules.join(",")) {
        h.insert("x-medscrub-rules", v);
    }
    Ok(response)
}

fn json_response(status: StatusCode, report: &Report) -> Response {
    let body = serde_json::to_string(report).unwrap_or_else(|e| {
        serde_json::json!({ "error": format!("report not serialised: {e}") }).to_string()
    });
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Checks the request, waits for a slot, and analyses (and for `clean`, cleans) the
/// upload on a blocking thread. Returns the report and the share-safe bytes, if any.
async fn run(
    state: &Arc<AppState>,
    params: Params,
    headers: &HeaderMap,
    body: Bytes,
    clean: bool,
) -> Result<(Report, Option<Vec<u8>>), ApiError> {
    let bad = |msg: String| ApiError(StatusCode::BAD_REQUEST, msg);
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    // Only multipart is refused: curl's --data-binary labels raw bytes as a urlencoded
    // form, so the label cannot be trusted, but a multipart body is surely not an image.
    if content_type.starts_with("multipart/") {
        return Err(ApiError(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the image itself as the request body (curl --data-binary @photo.jpg), not a multipart form"
                .into(),
        ));
    }
    if body.is_empty() {
        return Err(bad("empty body: send the image bytes as the request body".into()));
    }
    let policy_id = params.policy.unwrap_or_else(|| state.config.options.policy.clone());
    let profile = policy::profile(&policy_id).ok_or_else(|| {
        let ids: Vec<&str> = policy::profiles().iter().map(|p| p.id.as_str()).collect();
        bad(format!("unknown policy {policy_id:?}; choose one of: {}", ids.join(", ")))
    })?;
    let name = upload_name(params.name.as_deref());
    let timeout = state.config.timeout;
    let deadline = tokio::time::Instant::now() + timeout;
    let too_slow = || {
        ApiError(StatusCode::GATEWAY_TIMEOUT, format!("analysis took longer than {} s", timeout.as_secs()))
    };
    let permit = tokio::time::timeout_at(deadline, Arc::clone(&state.slots).acquire_owned())
        .await
        .map_err(|_| ApiError(StatusCode::SERVICE_UNAVAILABLE, "busy: every analysis slot is taken".into()))?
        .map_err(|_| ApiError(StatusCode::SERVICE_UNAVAILABLE, "shutting down".into()))?;
    let mut options = state.config.options.clone();
    options.policy = policy_id;
    let uploads = state.uploads.path().to_path_buf();
    let work = tokio::task::spawn_blocking(move || {
        // The slot stays taken until the work ends, even if the client has given up.
        let _permit = permit;
        analyse_upload(&options, profile, &uploads, &name, &body, clean)
    });
    let outcome = tokio::time::timeout_at(deadline, work).await.map_err(|_| too_slow())?;
    outcome
        .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, format!("analysis failed: {e}")))?
        .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot stage the upload: {e}")))
}

/// A file name for the upload: its last path component, without controls; `upload`
/// when there is none.
fn upload_name(name: Option<&str>) -> String {
    let name = name.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let name: String = name.chars().filter(|c| !c.is_control()).collect();
    if name.is_empty() || name == "." || name == ".." { "upload".into() } else { name }
}

fn analyse_upload(
    options: &Options,
    profile: &'static policy::Profile,
    uploads: &std::path::Path,
    name: &str,
    body: &[u8],
    clean: bool,
) -> std::io::Result<(Report, Option<Vec<u8>>)> {
    // tempfile creates the folder 0700: other users cannot read the upload.
    let dir = tempfile::Builder::new().prefix("upload-").tempdir_in(uploads)?;
    let path = dir.path().join(name);
    std::fs::write(&path, body)?;
    let input = Input { path: path.clone(), relative: PathBuf::from(name) };
    let engine = Engine { options, profile };
    let mut report = if clean {
        engine.clean(&input, &dir.path().join("out").join(name))
    } else {
        engine.analyse(&input).report
    };
    let output = match (&report.output, report.verdict) {
        (Some(out), v) if v != Verdict::Block => Some(std::fs::read(out)?),
        _ => None,
    };
    // Temporary paths mean nothing to the client: report the names it sent.
    let hide = |s: &str| {
        s.replace(&format!("{}/", dir.path().join("out").display()), "")
            .replace(&format!("{}/", dir.path().display()), "")
    };
    report.path = hide(&report.path);
    report.output = report.output.as_deref().map(hide);
    report.error = report.error.as_deref().map(hide);
    for n in &mut report.notes {
        *n = hide(n);
    }
    Ok((report, output))
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
        assert_eq!(upload_name(None), "upload");
        assert_eq!(upload_name(Some("")), "upload");
        assert_eq!(upload_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(upload_name(Some("C:\\Users\\me\\IMG 1.jpg")), "IMG 1.jpg");
        assert_eq!(upload_name(Some("a\u{0}b\n.jpg")), "ab.jpg");
        assert_eq!(upload_name(Some("..")), "upload");
        assert_eq!(upload_name(Some("dir/")), "upload");
    }

    #[test]
    fn loopback_is_local() {
        assert!(is_local(&"127.0.0.1:8080".parse().unwrap()));
        assert!(is_local(&"[::1]:8080".parse().unwrap()));
        assert!(!is_local(&"0.0.0.0:8080".parse().unwrap()));
    }
}
