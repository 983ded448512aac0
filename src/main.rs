//! The `medscrub` binary: everything lives in the library; this only sets the exit code.

fn main() -> std::process::ExitCode {
    if let Err(err) = medscrub::ocr::limit_openmp_threads() {
        eprintln!("medscrub: note: could not limit OCR threads ({err}); OCR may be slow");
    }
    // A panic is caught per photo and reported as `error.internal` for that photo; say
    // so in one line instead of Rust's default backtrace hint.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("medscrub: internal error ({info}); that photo is blocked and the run goes on");
    }));
    std::process::ExitCode::from(medscrub::cli::main().code())
}
