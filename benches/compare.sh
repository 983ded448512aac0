#!/usr/bin/env bash
# Side-by-side: medscrub clean vs exiftool (batch mode, one process) vs mat2 (if
# installed), on the same corpus in the same run. Prints files/s (median of RUNS runs),
# the ratios, and how many identifying tags exiftool still finds in each tool's output.
#
#   benches/compare.sh [N=200] [RUNS=3] [WIDTH=4032] [HEIGHT=3024]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}; RUNS=${2:-3}; W=${3:-4032}; H=${4:-3024}
work=$(mktemp -d "${TMPDIR:-/tmp}/medscrub-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT

cargo build --release --locked --quiet --bin medscrub --example bench-corpus
target/release/examples/bench-corpus "$work/corpus" "$N" "$W" "$H" >/dev/null
echo "corpus: $N JPEGs of ${W}×${H} with EXIF (GPS, dates, serial, thumbnail), XMP, COM and an appended JPEG"
echo "machine: $(nproc) cores"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
timeit() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN {print e - s}'; }

declare -A secs
run_medscrub() { rm -rf "$work/out-m"; timeit target/release/medscrub clean "$work/corpus" --out "$work/out-m" --quiet; }
run_exiftool() {
  rm -rf "$work/out-e"; mkdir -p "$work/out-e"
  timeit exiftool -q -q -all= -tagsfromfile @ -icc_profile -orientation -o "$work/out-e/" "$work/corpus"
}
run_mat2() {
  rm -rf "$work/out-t"; cp -r "$work/corpus" "$work/out-t"
  timeit mat2 --inplace "$work"/out-t/*.jpg
}

tools=(medscrub exiftool)
command -v mat2 >/dev/null && tools+=(mat2)
for tool in "${tools[@]}"; do
  times=()
  for _ in $(seq "$RUNS"); do times+=("$(run_$tool)"); done
  secs[$tool]=$(printf '%s\n' "${times[@]}" | median)
done

# Identifying tags exiftool still reads in each output (same allow-list as tests/integration/clean.rs).
leaks() {
  exiftool -j -a -G1 -r "$1" 2>/dev/null | python3 -c '
import json, sys
ok_groups = {"System", "File", "ExifTool", "Composite", "JFIF", "Adobe"}
n = 0
for f in json.load(sys.stdin):
    for k in f:
        g, _, t = k.partition(":")
        if g in ok_groups and "Comment" not in t and "Thumbnail" not in t:
            continue
        if g.startswith("ICC") or k in ("SourceFile", "IFD0:Orientation", "IFD0:XResolution", "IFD0:YResolution", "IFD0:ResolutionUnit", "IFD0:YCbCrPositioning"):
            continue
        n += 1
    n += "trailer" in json.dumps(f.get("ExifTool:Warning", "")).lower()
print(n)'
}

# Planted values found in the raw bytes of each tool's outputs: exiftool cannot see a
# comment after the scan data or an appended image, so count those independently.
raw_leaks() {
  python3 - "$1" <<'PY'
import pathlib, sys
n = 0
for p in pathlib.Path(sys.argv[1]).rglob("*"):
    if not p.is_file():
        continue
    b = p.read_bytes()
    n += sum(b.count(s) for s in (b"MRN ", b"Photographer", b"F2LXK", b"Ann Arbor", b"bench photo"))
    n += max(0, b.count(b"\xff\xd8\xff") - 1)  # an appended image (the thumbnail counts too)
print(n)
PY
}

printf '\n%-10s %10s %10s %12s %12s %12s\n' tool "seconds" "files/s" "vs exiftool" "tags left" "planted left"
for tool in "${tools[@]}"; do
  out=$work/out-${tool:0:1}; [ "$tool" = mat2 ] && out=$work/out-t
  fps=$(awk -v n="$N" -v t="${secs[$tool]}" 'BEGIN {print n / t}')
  ratio=$(awk -v a="${secs[exiftool]}" -v b="${secs[$tool]}" 'BEGIN {print a / b}')
  printf '%-10s %10.2f %10.1f %11.2f× %12s %12s\n' "$tool" "${secs[$tool]}" "$fps" "$ratio" "$(leaks "$out")" "$(raw_leaks "$out")"
done
echo "(median of $RUNS runs each. tags left: tags exiftool reads in the outputs beyond structure, ICC and"
echo " orientation. planted left: planted names, serials, MRN comments and appended images found in the raw bytes.)"
