#!/usr/bin/env python3
"""Score `medscrub scan --format json` reports against ../shared/realdev's manifest.

    python3 eval/real.py REALDEV_DIR SCAN.jsonl [SCAN.jsonl ...]

`scripts/eval --real` runs the scan and then this. Standard library only.

Prints, per category: verdict counts, the share of photos judged acceptably, on the
benign categories the false redact/block rate (and which rules caused them: text or
barcode findings, scene blocks), on the clinical categories recall (redact or block), and
scan time per photo and per megapixel (median and 95th percentile, from each report's
`timings`). Then recall per scene kind of the clinical photos, false blocks per
`hard_negative` kind of the everyday photos, and every wrong verdict with the rules
behind it, so a regression names its photo.
"""
import collections
import json
import os
import statistics
import sys

BENIGN = ("real_camera", "real_everyday", "real_text_benign")
CLINICAL = ("real_radiograph", "real_clinical_photo")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))] if values else float("nan")


def seconds(report):
    return sum((report.get("timings") or {}).values()) / 1000


def rules(report, remedies=("redact", "block")):
    return sorted({f["rule"] for f in report.get("findings", []) if f["remedy"] in remedies})


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    root = sys.argv[1]
    manifest = {}
    for line in open(os.path.join(root, "manifest.jsonl")):
        if line.strip():
            entry = json.loads(line)
            manifest[entry["file"]] = entry
    reports = {}
    for path in sys.argv[2:]:
        for line in open(path):
            if line.startswith("{"):
                r = json.loads(line)
                reports["/".join(r.get("path", "").split("/")[-2:])] = r

    flagged = lambda r: r["verdict"] in ("redact", "block")
    text_flag = lambda r: any(
        f["rule"].startswith(("text.", "barcode.", "doc.")) and f["remedy"] in ("redact", "block")
        for f in r.get("findings", [])
    )
    scene_block = lambda r: any(
        f["rule"].startswith("scene.") and f["remedy"] == "block" for f in r.get("findings", [])
    )
    print("| category | n | share | strip | redact | block | acceptable | false redact/block or recall "
          "| s/photo median | p95 | max | s/MP median | p95 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    all_times = []
    for cat in BENIGN + CLINICAL:
        got = [(manifest[f], reports[f]) for f in sorted(manifest) if manifest[f]["category"] == cat and f in reports]
        if not got:
            continue
        verdicts = collections.Counter(r["verdict"] for _, r in got)
        ok = sum(r["verdict"] in e["acceptable_verdicts"] for e, r in got)
        times = [seconds(r) for _, r in got]
        per_mp = [seconds(r) / max((r.get("width") or 0) * (r.get("height") or 0) / 1e6, 0.01)
                  for _, r in got if r.get("width")]
        all_times += times
        n = len(got)
        if cat in BENIGN:
            k = sum(flagged(r) for _, r in got)
            figure = (f"{k}/{n} ({100 * k / n:.0f} %): text {sum(text_flag(r) for _, r in got)}, "
                      f"scene {sum(scene_block(r) for _, r in got)}")
        else:
            k = sum(flagged(r) for _, r in got)
            figure = f"recall {k}/{n} ({100 * k / n:.0f} %)"
        print(f"| {cat} | {n} | {verdicts['share']} | {verdicts['strip']} | {verdicts['redact']} "
              f"| {verdicts['block']} | {100 * ok / n:.0f} % | {figure} | {statistics.median(times):.2f} "
              f"| {pct(times, 0.95):.2f} | {max(times):.2f} | {statistics.median(per_mp):.2f} | {pct(per_mp, 0.95):.2f} |")
    if all_times:
        print(f"\nall photos: median {statistics.median(all_times):.2f} s, p95 {pct(all_times, 0.95):.2f} s, "
              f"max {max(all_times):.2f} s over {len(all_times)}")
    big = [seconds(r) for f, r in reports.items() if (r.get("width") or 0) * (r.get("height") or 0) >= 8e6]
    if big:
        print(f"photos of 8 MP and more: {len(big)}, median {statistics.median(big):.2f} s, "
              f"p95 {pct(big, 0.95):.2f} s, max {max(big):.2f} s")

    print("\nrecall per kind of clinical picture (redact or block):")
    kinds = collections.defaultdict(list)
    for f, e in manifest.items():
        if e["category"] in CLINICAL and f in reports:
            kinds[e.get("scene") or e.get("modality") or e["category"]].append(flagged(reports[f]))
    for kind, hits in sorted(kinds.items()):
        print(f"  {kind:<16} {sum(hits)}/{len(hits)}")

    print("\nscene blocks per kind of everyday hard negative:")
    negatives = collections.defaultdict(list)
    for f, e in manifest.items():
        if e["category"] in BENIGN and f in reports and e.get("hard_negative"):
            negatives[e["hard_negative"]].append(scene_block(reports[f]))
    blocked = sum(sum(v) for v in negatives.values())
    print(f"  {blocked} of {sum(len(v) for v in negatives.values())} hard negatives blocked by a scene rule")
    for kind, hits in sorted(negatives.items()):
        if any(hits):
            print(f"  {kind:<50} {sum(hits)}/{len(hits)}")

    print("\nwrong verdicts:")
    for f in sorted(manifest):
        e, r = manifest[f], reports.get(f)
        if r is None:
            print(f"  {f}: no report")
        elif r["verdict"] not in e["acceptable_verdicts"]:
            why = ", ".join(rules(r)) or ", ".join(rules(r, ("strip",))) or "-"
            print(f"  {f}: {r['verdict']} (expected {'/'.join(e['acceptable_verdicts'])}) {why} "
                  f"[{seconds(r):.1f} s]")


if __name__ == "__main__":
    main()
