"""The Python package against the CLI: same photos, same verdicts and findings; bytes in
memory judged as the file is; clean's copy checked by a second scan and by exiftool."""

import hashlib
import json
import subprocess
import threading

import pytest

import medscrub
from conftest import FIXTURES, cli_reports, rules


def test_scan_gives_the_clis_verdict_and_findings_for_every_fixture(photos):
    expected = cli_reports(photos)
    for photo in photos:
        report = medscrub.scan(str(photo))
        cli = expected[str(photo)]
        assert report["verdict"] == cli["verdict"], photo.name
        assert rules(report) == rules(cli), photo.name
        assert report["sha256"] == cli["sha256"]
    # Every verdict the fixtures hold is there: the comparison covers each kind.
    assert {r["verdict"] for r in expected.values()} >= {"share", "strip", "redact", "block"}


def test_bytes_are_judged_as_the_file_is_and_the_name_is_evidence():
    path = FIXTURES / "photos" / "gps_only.jpg"
    from_file = medscrub.scan(path)  # a pathlib.Path works as well as a str
    from_bytes = medscrub.scan(path.read_bytes(), name="gps_only.jpg")
    assert from_bytes["verdict"] == from_file["verdict"] == "strip"
    assert rules(from_bytes) == rules(from_file) == ["meta.gps"]
    assert from_bytes["path"] == "gps_only.jpg"
    # A name is read by the text rules, as a file's name is; the MRN is masked.
    named = medscrub.scan(bytearray(path.read_bytes()), name="Smith_John_MRN55120348.jpg")
    assert "text.mrn" in rules(named)
    assert "55120348" not in json.dumps(named["findings"])


def test_clean_returns_a_copy_that_scans_share_and_leaves_the_original_alone(tmp_path):
    path = FIXTURES / "photos" / "phone_full_metadata.jpg"
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    copy, report = medscrub.clean(str(path))
    assert report["verdict"] == "strip" and copy is not None
    assert report["output"] == "phone_full_metadata.jpg"
    assert medscrub.scan(copy, name="copy.jpg")["verdict"] == "share"
    # exiftool, independently: no camera, time or place left in the copy.
    written = tmp_path / "copy.jpg"
    written.write_bytes(copy)
    tags = json.loads(subprocess.run(["exiftool", "-j", "-G", str(written)], capture_output=True, check=True).stdout)[0]
    left = [k for k in tags if k.startswith(("EXIF:", "XMP", "IPTC:", "Composite:GPS"))]
    assert left == [], left
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_a_photo_that_must_not_leave_gets_no_copy():
    copy, report = medscrub.clean(FIXTURES / "text" / "prescription_should_block.jpg")
    assert report["verdict"] == "block"
    assert copy is None and report["output"] is None


def test_an_unreadable_photo_is_blocked_with_an_error_that_names_it(tmp_path):
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    report = medscrub.scan(empty)
    assert report["verdict"] == "block"
    assert str(empty) in report["error"]
    copy, report = medscrub.clean(b"\xff\xd8\xff\xe0 not really a jpeg", name="broken.jpg")
    assert copy is None and report["verdict"] == "block" and "broken.jpg" in report["error"]


def test_policies_captions_and_switches_reach_the_analysis():
    ids = [pid for pid, _ in medscrub.policies()]
    assert ids[0] == "strictest" and "umms" in ids
    photo = FIXTURES / "photos" / "clean.jpg"
    assert medscrub.scan(photo, policy="umms")["verdict"] == "share"
    captioned = medscrub.scan(photo, caption="Great case today with my 67 yo patient")
    assert "caption.age" in rules(captioned)
    ignored = medscrub.scan(FIXTURES / "photos" / "gps_only.jpg", ignore=["meta.gps"])
    assert ignored["verdict"] == "share"
    assert [s["rule"] for s in ignored["switched_off"]] == ["meta.gps"]


def test_mistakes_in_the_arguments_raise():
    with pytest.raises(ValueError, match="unknown policy"):
        medscrub.scan("x.jpg", policy="nope")
    with pytest.raises(ValueError, match="no rule"):
        medscrub.scan("x.jpg", ignore=["meta.nope"])
    with pytest.raises(ValueError, match="cannot be switched off"):
        medscrub.scan("x.jpg", ignore=["error.decode"])
    with pytest.raises(ValueError, match="go together"):
        medscrub.scan("x.jpg", platform="instagram")
    with pytest.raises(TypeError, match="path .* or the file's bytes"):
        medscrub.scan(42)


def test_the_analysis_runs_without_holding_the_gil():
    # While one thread analyses a photo with text, the interpreter keeps running this
    # one: with the GIL held for the whole analysis, the loop would not advance at all.
    photo = FIXTURES / "text" / "wristband_should_redact.jpg"
    done = threading.Event()
    worker = threading.Thread(target=lambda: (medscrub.scan(photo), done.set()))
    worker.start()
    spins = 0
    while not done.is_set():
        spins += 1
    worker.join()
    assert spins > 10_000, spins


def test_the_bundled_models_are_the_ones_loaded():
    # scripts/python-wheel puts the text models inside the package.
    assert str(medscrub.models_dir()).startswith(medscrub.__path__[0])
