//! Drop mode in a real terminal (tmux), and its behaviour without one.

use crate::common::*;
use predicates::prelude::*;

const PROMPT: &str = "Drag photos or folders here and press Enter (Ctrl-D to quit)";

#[test]
fn dropped_paths_are_scanned_and_copies_written_on_yes() {
    let home = tempfile::tempdir().unwrap();
    let t = Terminal::start(home.path(), "");
    t.wait_for(PROMPT, 1);
    // GNOME-style quotes, a backslash-escaped space, a file:// URI: one line.
    let uri = format!("file://{}", fixtures().join("photos/clean.jpg").display()).replace(' ', "%20");
    t.keys(&[
        "-l",
        &format!(r"'photos/gps_only.jpg' broken/truncated.jpg {uri} photos/Ward\ rounds\ –\ café"),
    ]);
    t.keys(&["Enter"]);
    let screen = t.wait_for("[y/N]", 1);
    assert!(screen.contains("STRIP  photos/gps_only.jpg"), "{screen}");
    assert!(screen.contains("BLOCK  broken/truncated.jpg"), "{screen}");
    assert!(screen.contains("SHARE  /"), "{screen}");
    assert!(screen.contains("4 photos: 1 share · 2 strip · 0 redact · 1 block"), "{screen}");
    let safe = home.path().join("medscrub-safe");
    assert!(
        screen.contains(&format!("Write share-safe copies of 3 photos to {}? [y/N]", safe.display())),
        "{screen}"
    );
    t.keys(&["y", "Enter"]);
    t.wait_for("Wrote 3 share-safe copies", 1);
    let mut written: Vec<String> =
        files_under(&safe).iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    written.sort();
    assert_eq!(written, ["clean.jpg", "gps_only.jpg", "ünïcode photo.jpg"]);

    // The same photo again: answering no writes nothing; yes never replaces a copy.
    t.wait_for(PROMPT, 2);
    t.keys(&["photos/gps_only.jpg", "Enter"]);
    t.wait_for("[y/N]", 2);
    t.keys(&["n", "Enter"]);
    t.wait_for("Nothing written.", 1);
    t.wait_for(PROMPT, 3);
    t.keys(&["photos/gps_only.jpg", "Enter"]);
    t.wait_for("[y/N]", 3);
    t.keys(&["y", "Enter"]);
    t.wait_for("gps_only-2.jpg", 1);
    assert_eq!(files_under(&safe).len(), 4);

    // Ctrl-D leaves; the exit code is the worst verdict seen (a blocked photo: 3).
    t.wait_for(PROMPT, 4);
    t.keys(&["C-d"]);
    t.wait_for("EXIT=3", 1);
}

#[test]
fn a_yes_writes_from_the_analysis_already_made() {
    // Issue #19: a `y` used to analyse every photo again (a 12 MP photo: 11.8 s to scan,
    // 11.8 s more to write). The debug statistic counts analyses in the process.
    let home = tempfile::tempdir().unwrap();
    let t = Terminal::start_with(
        home.path(),
        "MEDSCRUB_DEBUG_STATS=1",
        "photos/gps_only.jpg text/sign_should_redact.jpg photos/clean.jpg broken/truncated.jpg",
    );
    let screen = t.wait_for("[y/N]", 1);
    assert!(screen.contains("medscrub-debug: analyses=4"), "{screen}");
    t.keys(&["y", "Enter"]);
    let screen = t.wait_for("Wrote 3 share-safe copies", 1);
    assert_eq!(screen.matches("medscrub-debug: analyses=4").count(), 2, "analysed again to write:\n{screen}");
    assert!(!screen.contains("analyses=5"), "{screen}");
    let mut written: Vec<String> = files_under(&home.path().join("medscrub-safe"))
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, ["clean.jpg", "gps_only.jpg", "sign_should_redact.jpg"]);
    // The copies are what `clean` writes from a fresh analysis.
    let out = tempfile::tempdir().unwrap();
    medscrub()
        .args(["clean", "photos/gps_only.jpg", "text/sign_should_redact.jpg", "photos/clean.jpg", "--out"])
        .arg(out.path())
        .assert()
        .success();
    for name in &written {
        let (a, b) = (
            std::fs::read(home.path().join("medscrub-safe").join(name)),
            std::fs::read(out.path().join(name)),
        );
        assert_eq!(a.unwrap(), b.unwrap(), "{name} differs from clean's copy");
    }
}

#[test]
fn ctrl_c_at_the_prompt_leaves_at_once_writing_nothing() {
    let home = tempfile::tempdir().unwrap();
    let t = Terminal::start(home.path(), "");
    t.wait_for(PROMPT, 1);
    t.keys(&["C-c"]);
    t.wait_for("EXIT=130", 1);
    assert!(!home.path().join("medscrub-safe").exists());
}

#[test]
fn photos_dropped_onto_the_program_are_scanned_then_offered() {
    let home = tempfile::tempdir().unwrap();
    let t = Terminal::start(home.path(), "photos/datetime_only.jpg");
    t.wait_for("[y/N]", 1);
    t.keys(&["C-d"]);
    let screen = t.wait_for("EXIT=1", 1);
    assert!(screen.contains("STRIP  photos/datetime_only.jpg"), "{screen}");
    assert!(!home.path().join("medscrub-safe").exists(), "nothing written without a yes");
}

#[test]
fn without_a_terminal_no_arguments_is_usage_and_paths_are_a_plain_scan() {
    medscrub().assert().code(2).stdout("").stderr(
        predicate::str::contains("Usage: medscrub [PATH]...").and(predicate::str::contains("Commands:")),
    );
    medscrub()
        .args(["photos/gps_only.jpg", "photos/clean.jpg"])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("STRIP  photos/gps_only.jpg")
                .and(predicate::str::contains("[y/N]").not()),
        )
        .stderr(predicate::str::contains("medscrub clean PATH... --out DIR"));
    // A path that looks like a command is still a command; anything else is a path.
    medscrub().args(["policies", "meta.gps"]).assert().code(0);
    medscrub().args(["photos/no_such.jpg"]).assert().code(2);
}
