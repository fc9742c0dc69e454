#!/usr/bin/env bash
# tests/fuzz-seeds/fuzz_tflite.sh CORPUS_DIR: extra seeds for fuzz_tflite,
# made from the real models (too big to commit): whole small models,
# truncated copies and copies with a few bytes flipped. Models come from
# $ODAI_MODEL_DIR or ~/.cache/odai/models; missing models are skipped.
set -euo pipefail
out=${1:?usage: fuzz_tflite.sh CORPUS_DIR}
models=${ODAI_MODEL_DIR:-$HOME/.cache/odai/models}
mkdir -p "$out"
[ -d "$models" ] || { echo "fuzz_tflite.sh: no model dir $models, no extra seeds"; exit 0; }
flip() { # flip(file, offset, byte): overwrite one byte in place
  printf "$(printf '\\%03o' "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
n=0
for f in "$models"/face_detection_short_range.tflite "$models"/face_detection_full_range_sparse.tflite \
         "$models"/selfie_segmentation_landscape.tflite "$models"/face_detection_full_range.tflite; do
  [ -f "$f" ] || continue
  base=$(basename "$f" .tflite)
  size=$(stat -c %s "$f")
  # the fuzzer reads at most 1 MiB per input (scripts/fuzz.sh -max_len)
  [ "$size" -le 1048576 ] && cp "$f" "$out/$base.tflite"
  for pct in 1 10 50 90 99; do
    head -c $((size * pct / 100)) "$f" > "$out/$base.trunc$pct"
  done
  # header, early table area and a few spread offsets, flipped
  for k in 0 1 2 3; do
    cp "$f" "$out/$base.flip$k"
    for off in $((k * 4)) $((64 + k * 37)) $((size / (k + 3))) $((size / 2 + k * 1001)); do
      [ "$off" -lt "$size" ] && flip "$out/$base.flip$k" "$off" $(( (off * 131 + k * 7) % 256 ))
    done
    if [ "$size" -gt 1048576 ]; then
      head -c 1048576 "$out/$base.flip$k" > "$out/$base.flip$k.tmp"
      mv "$out/$base.flip$k.tmp" "$out/$base.flip$k"
    fi
  done
  n=$((n + 1))
done
echo "fuzz_tflite.sh: seeds from $n models in $out"
