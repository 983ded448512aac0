#!/usr/bin/env bash
# Side by side on real photos, in the same run: medscrub's full scan (text detector,
# OCR of what it found, barcodes, every rule) against Tesseract reading each whole photo
# (`tesseract PHOTO - `: the plain baseline, one process per photo, as a user would run
# it). Prints each tool's median and 95th-percentile seconds per photo (median of RUNS
# runs per photo) and their ratio, per kind of photo.
#
#   benches/compare_text.sh [RUNS=3]          (photos from ../shared/realdev, or REALDEV=DIR;
#                                              KINDS="real_camera ..." for some kinds only)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
realdev=${REALDEV:-../shared/realdev}
[ -f "$realdev/manifest.jsonl" ] || { echo "benches/compare_text.sh: no $realdev/manifest.jsonl" >&2; exit 1; }
command -v tesseract >/dev/null || { echo "benches/compare_text.sh: tesseract not installed (scripts/bootstrap)" >&2; exit 1; }
cargo build --release --locked --quiet --bin medscrub
export OMP_THREAD_LIMIT=1
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN {print e - s}'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
p95() { sort -n | awk '{a[NR]=$1} END {i=int(0.95*(NR-1)+0.5)+1; print a[i]}'; }
echo "machine: $(nproc) cores; one photo at a time; median of $RUNS runs per photo"
printf '%-20s %5s %14s %14s %14s %14s %8s\n' kind photos "medscrub med" "medscrub p95" "tesseract med" "tesseract p95" ratio
for kind in ${KINDS:-real_camera real_everyday real_text_benign real_radiograph real_clinical_photo}; do
  m=(); t=()
  # Tesseract reads JPEG, PNG and TIFF; HEIC and the rest are left out of both columns.
  while IFS= read -r photo; do
    mr=(); tr=()
    for _ in $(seq "$RUNS"); do
      mr+=("$(secs target/release/medscrub scan --jobs 1 --quiet "$photo")")
      tr+=("$(secs tesseract "$photo" -)")
    done
    m+=("$(printf '%s\n' "${mr[@]}" | median)"); t+=("$(printf '%s\n' "${tr[@]}" | median)")
  done < <(find "$realdev/$kind" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' -o -iname '*.tif' -o -iname '*.tiff' \) | sort)
  mm=$(printf '%s\n' "${m[@]}" | median); mp=$(printf '%s\n' "${m[@]}" | p95)
  tm=$(printf '%s\n' "${t[@]}" | median); tp=$(printf '%s\n' "${t[@]}" | p95)
  printf '%-20s %5d %13.2fs %13.2fs %13.2fs %13.2fs %7.2fx\n' "$kind" "${#m[@]}" "$mm" "$mp" "$tm" "$tp" \
    "$(awk -v a="$tm" -v b="$mm" 'BEGIN {print (b > 0 ? a / b : 0)}')"
done
echo "ratio: tesseract's median over medscrub's (above 1: medscrub is faster, while it also finds barcodes and judges every rule)"
