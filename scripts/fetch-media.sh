#!/usr/bin/env bash
# scripts/fetch-media.sh: fetch real test photos and videos from Debian
# packages (pinned versions, sha256 per file; see ../shared/testdata/README.md)
# into ${ODAI_CACHE_DIR:-~/.cache/odai}/media. Nothing is installed: the .deb
# is downloaded with `apt-get download` and unpacked with `dpkg -x`.
set -euo pipefail

CACHE="${ODAI_CACHE_DIR:-$HOME/.cache/odai}"
DEST="$CACHE/media"
DEBS="$CACHE/debs"
mkdir -p "$DEST" "$DEBS"

# file | package=version | path inside the package | sha256
MEDIA="
astronaut.png|python3-skimage=0.19.3-8|usr/lib/python3/dist-packages/skimage/data/astronaut.png|88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5
coffee.png|python3-skimage=0.19.3-8|usr/lib/python3/dist-packages/skimage/data/coffee.png|cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7
chelsea.png|python3-skimage=0.19.3-8|usr/lib/python3/dist-packages/skimage/data/chelsea.png|596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb
messi5.jpg|opencv-doc=4.6.0+dfsg-12|usr/share/doc/opencv-doc/examples/data/messi5.jpg|1d570e49654e84c7a943918537bd9e5e1ef82920152e147c834006e235be97c9
fruits.jpg|opencv-doc=4.6.0+dfsg-12|usr/share/doc/opencv-doc/examples/data/fruits.jpg|9c031d80a1c52da5eca790db896baffec6a7e52bf786cdb7bbfca5c7f880e6a1
baboon.jpg|opencv-doc=4.6.0+dfsg-12|usr/share/doc/opencv-doc/examples/data/baboon.jpg|1a1dd18d78eec44420af3b0b7f08ee3d41c982916cae3ce203d7ff35d754cc0f
vtest.avi|opencv-doc=4.6.0+dfsg-12|usr/share/doc/opencv-doc/examples/data/vtest.avi|45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf
Megamind.avi|opencv-doc=4.6.0+dfsg-12|usr/share/doc/opencv-doc/examples/data/Megamind.avi|0057387cb7e75c8fd1663b62cfdc51fa53f527795d0fe3c1fea2fd159d3130b5
"

sha() { sha256sum "$1" | cut -d' ' -f1; }
fail=0
while IFS='|' read -r name pkgver path sum; do
  [ -n "$name" ] || continue
  out="$DEST/$name"
  if [ -f "$out" ] && [ "$(sha "$out")" = "$sum" ]; then continue; fi
  pkg=${pkgver%%=*}
  xdir="$DEBS/$pkg"
  src="$xdir/$path"
  if [ ! -f "$src" ]; then
    mkdir -p "$xdir"
    echo "fetch-media: apt-get download $pkgver"
    if ! (cd "$DEBS" && apt-get download -q "$pkgver" >/dev/null 2>&1); then
      # the package lists may be empty on a fresh machine
      apt-get update -q >/dev/null 2>&1 || true
      (cd "$DEBS" && apt-get download -q "$pkgver" >/dev/null)
    fi
    deb=$(ls "$DEBS"/"${pkg}"_*.deb | head -n 1)
    dpkg -x "$deb" "$xdir"
    rm -f "$deb"
    touch "$xdir/.unpacked"
  fi
  if [ ! -f "$src" ]; then echo "fetch-media: $pkgver has no $path" >&2; fail=1; continue; fi
  got=$(sha "$src")
  if [ "$got" != "$sum" ]; then
    echo "fetch-media: checksum mismatch for $name from $pkgver: expected $sum, got $got" >&2
    fail=1; continue
  fi
  cp "$src" "$out.tmp.$$" && mv "$out.tmp.$$" "$out"
  echo "fetch-media: $name ok"
done <<< "$MEDIA"
# Keep only what we use from the unpacked packages (opencv-doc is ~100 MB).
for d in "$DEBS"/*/; do
  [ -f "$d/.unpacked" ] && find "$d" -mindepth 1 -maxdepth 1 ! -name .unpacked -exec rm -rf {} +
done
if [ $fail -ne 0 ]; then exit 1; fi
echo "fetch-media: media in $DEST"
