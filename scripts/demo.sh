#!/usr/bin/env bash
# scripts/demo.sh: odai's main job on a fresh Debian 12 machine — face
# detection (MediaPipe's short-range BlazeFace graph, run by odai's own
# scheduler and inference core) on a real sample video, writing the
# annotated video, the detections as JSON Lines and a per-node stats table.
#
#   scripts/demo.sh [INPUT [OUTPUT_DIR [CONFIG]]]
#
# INPUT: a video file, a camera (/dev/video0), an image or a directory of
# images; default: the Megamind.avi sample fetched from Debian's opencv-doc.
# OUTPUT_DIR: default ./out. CONFIG: default configs/face_detection_short_range.pbtxt
# (try configs/face_detection_full_range.pbtxt for faces farther away).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/fetch-models.sh
scripts/fetch-media.sh

CACHE="${ODAI_CACHE_DIR:-$HOME/.cache/odai}"
IN="${1:-}"
[ -n "$IN" ] || IN="$CACHE/media/Megamind.avi"
OUT="${2:-}"
[ -n "$OUT" ] || OUT=out
CONFIG="${3:-configs/face_detection_short_range.pbtxt}"
BUILD=build/demo
mkdir -p "$BUILD"

cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DODAI_BUILD_TESTS=OFF \
  -DODAI_BUILD_BENCH=OFF >"$BUILD.configure.log" 2>&1 || { cat "$BUILD.configure.log"; exit 1; }
ninja -C "$BUILD" odai-run

mkdir -p "$OUT"
name=$(basename "$CONFIG" .pbtxt)
case "$IN" in
  *.avi|*.mp4|*.mkv|*.mov|*.webm|/dev/video*|*://*) video_out="$OUT/$name.mp4" ;;
  *) video_out="$OUT/$name" ;;  # images in, annotated images out
esac
echo "demo: running $CONFIG on $IN"
"$BUILD/examples/odai-run/odai-run" "$CONFIG" \
  --side "input_video_path=$IN" \
  --side "output_video_path=$video_out" \
  --side "detections_path=$OUT/$name.jsonl" \
  --stats | tee "$OUT/$name.stats.txt"
echo
if [ -f "$OUT/$name.jsonl" ]; then  # configs without detections (segmentation) write none
  frames=$(wc -l < "$OUT/$name.jsonl")
  found=$(grep -o '"score"' "$OUT/$name.jsonl" | wc -l)
  echo "demo: $frames frames, $found detections"
fi
echo "demo: annotated output: $video_out"
[ -f "$OUT/$name.jsonl" ] && echo "demo: detections (JSON Lines): $OUT/$name.jsonl"
echo "demo: per-node stats: $OUT/$name.stats.txt"
