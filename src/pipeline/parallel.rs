//! Photos in parallel, reports in input order.

use crate::intake::Input;
use crate::report::Report;

/// Runs `work` over `inputs` on `jobs` threads and hands each report to `sink` in input
/// order, as soon as it and every report before it are done.
pub fn run_parallel<W, S>(inputs: &[Input], jobs: Option<usize>, work: W, mut sink: S) -> std::io::Result<()>
where
    W: Fn(&Input) -> Report + Sync,
    S: FnMut(Report),
{
    use rayon::prelude::*;
    let mut builder = rayon::ThreadPoolBuilder::new().thread_name(|i| format!("medscrub-{i}"));
    if let Some(n) = jobs {
        builder = builder.num_threads(n.max(1));
    }
    let pool = builder.build().map_err(std::io::Error::other)?;
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Report)>();
    std::thread::scope(|scope| {
        let work = &work;
        scope.spawn(move || {
            pool.install(|| {
                inputs.par_iter().enumerate().for_each_with(tx, |tx, (i, input)| {
                    let _ = tx.send((i, work(input)));
                });
            });
        });
        let mut pending = std::collections::BTreeMap::new();
        let mut next = 0;
        for (i, report) in rx {
            pending.insert(i, report);
            while let Some(r) = pending.remove(&next) {
                sink(r);
                next += 1;
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn parallel_runs_report_in_input_order() {
        let inputs: Vec<Input> = (0..50)
            .map(|i| Input { path: PathBuf::from(format!("{i}")), relative: PathBuf::new() })
            .collect();
        let mut seen = Vec::new();
        run_parallel(
            &inputs,
            Some(4),
            |inp| {
                let n: u64 = inp.path.to_str().unwrap().parse().unwrap();
                std::thread::sleep(std::time::Duration::from_micros((50 - n) * 100));
                Report::new(inp.path.display().to_string(), "strictest")
            },
            |r| seen.push(r.path),
        )
        .unwrap();
        let expected: Vec<String> = (0..50).map(|i| i.to_string()).collect();
        assert_eq!(seen, expected);
    }
}
