//! The `medscrub` binary: everything lives in the library; this only sets the exit code.

fn main() -> std::process::ExitCode {
    limit_openmp_threads();
    // A panic is caught per photo and reported as `error.internal` for that photo; say
    // so in one line instead of Rust's default backtrace hint.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("medscrub: internal error ({info}); that photo is blocked and the run goes on");
    }));
    std::process::ExitCode::from(medscrub::cli::main().code())
}

/// Debian's libtesseract links OpenMP, which reads `OMP_THREAD_LIMIT` once, when the
/// library loads — before `main` could set it. Without it each OCR call spins up a
/// thread per core and fights medscrub's own per-photo workers: measured 5× slower on
/// 2 cores. So the first run re-executes itself with the variable set.
fn limit_openmp_threads() {
    #[cfg(unix)]
    if std::env::var_os("OMP_THREAD_LIMIT").is_none()
        && let Ok(exe) = std::env::current_exe()
    {
        use std::os::unix::process::CommandExt;
        let err = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("OMP_THREAD_LIMIT", "1")
            .exec();
        // exec only returns on failure; carry on single-process, just slower.
        eprintln!("medscrub: note: could not limit OCR threads ({err}); OCR may be slow");
    }
}
