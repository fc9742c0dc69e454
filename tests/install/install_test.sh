#!/bin/sh
# Installs odai into a temporary prefix and builds the task examples
# (examples/tasks) against it twice: with `pkg-config --cflags --libs odai`
# and with a CMake project using find_package(odai) -> odai::odai. Runs
# every build on real photos and checks the JSON lines they print.
#   install_test.sh BUILD_DIR SOURCE_DIR MEDIA_DIR [extra C flags, e.g. -fsanitize=...]
set -eu
build=$1 src=$2 media=$3 sanflags=${4:-}
for f in astronaut.png messi5.jpg; do
  [ -f "$media/$f" ] || { echo "FAIL: $media/$f missing (run scripts/fetch-media.sh)"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; echo "FAIL: cmake --install"; exit 1; }
pc=$(find "$prefix" -name odai.pc | head -1)
[ -n "$pc" ] || { echo "FAIL: no odai.pc installed"; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
for f in "$prefix/include/odai/odai.h" "$prefix/include/odai/face_detector.h" \
         "$prefix/include/odai/version.h" "$libdir/libodai.a" "$libdir/cmake/odai/odaiConfig.cmake"; do
  [ -f "$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
soname=$(readelf -d "$libdir/libodai.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ -e "$libdir/$soname" ] || { echo "FAIL: $libdir/$soname (the SONAME link) not installed"; exit 1; }

# 1. pkg-config
export PKG_CONFIG_PATH="$(dirname "$pc")"
flags=$(pkg-config --cflags --libs odai) || { echo "FAIL: pkg-config --cflags --libs odai"; exit 1; }
mkdir -p "$tmp/pc"
for ex in face_detector person_detector image_segmenter face_recognizer; do
  ${CC:-cc} -std=c11 -Wall -Wextra -Werror $sanflags "$src/examples/tasks/$ex.c" -o "$tmp/pc/$ex" \
    $flags -Wl,-rpath,"$libdir" || { echo "FAIL: building $ex with pkg-config ($flags)"; exit 1; }
done

# 2. find_package(odai)
cmake -S "$src/tests/install/consumer" -B "$tmp/cm" -DCMAKE_PREFIX_PATH="$prefix" \
  -DODAI_EXAMPLES_DIR="$src/examples/tasks" -DCMAKE_C_FLAGS="$sanflags" >"$tmp/cm.log" 2>&1 &&
  cmake --build "$tmp/cm" >>"$tmp/cm.log" 2>&1 || { cat "$tmp/cm.log"; echo "FAIL: find_package build"; exit 1; }

# Runs: both builds, both photos; the installed library must be the one used.
check() { # name file pattern...
  out=$1; shift
  for pat in "$@"; do
    grep -q -E "$pat" "$out" || { echo "FAIL: $out lacks /$pat/:"; cat "$out"; exit 1; }
  done
}
for kind in pc cm; do
  for ex in face_detector person_detector image_segmenter; do
    LD_DEBUG=libs "$tmp/$kind/$ex" "$media/astronaut.png" "$media/messi5.jpg" >"$tmp/$kind.$ex.json" \
      2>"$tmp/$kind.$ex.err" || { cat "$tmp/$kind.$ex.err" | grep -v '^ *[0-9]*:' ; echo "FAIL: $kind/$ex exited $?"; exit 1; }
    grep -q "calling init: $libdir/libodai.so" "$tmp/$kind.$ex.err" ||
      { echo "FAIL: $kind/$ex did not load $libdir/libodai.so"; exit 1; }
    [ "$(wc -l <"$tmp/$kind.$ex.json")" -eq 2 ] || { echo "FAIL: $kind/$ex printed:"; cat "$tmp/$kind.$ex.json"; exit 1; }
  done
  # astronaut: one face (score ~0.92) near x 0.35..0.53, one person; messi5: one person.
  check "$tmp/$kind.face_detector.json" \
    'astronaut.png","timestamp_us":0,"faces":\[\{"score":0\.9[0-9]*,"xmin":0\.3[0-9]*,"ymin":0\.1[0-9]*,[^]]*\}\]\}' \
    'messi5.jpg","timestamp_us":1,"faces":\['
  check "$tmp/$kind.person_detector.json" 'astronaut.png","people":\[\{"score":0\.[6-9]' \
    'messi5.jpg","people":\[\{"score":0\.9'
  check "$tmp/$kind.image_segmenter.json" \
    'astronaut.png","width":512,"height":512,"person_fraction":0\.[3-7]' \
    'messi5.jpg","width":548,"height":342,"person_fraction":0\.[12]'
  # enrol the astronaut, then name her (same photo: similarity ~1) and not Messi
  "$tmp/$kind/face_recognizer" "$tmp/$kind.gallery" enroll eileen "$media/astronaut.png" \
    >"$tmp/$kind.enroll.json" 2>"$tmp/$kind.fr.err" &&
    "$tmp/$kind/face_recognizer" "$tmp/$kind.gallery" recognize "$media/astronaut.png" \
      "$media/messi5.jpg" >"$tmp/$kind.face_recognizer.json" 2>>"$tmp/$kind.fr.err" ||
    { cat "$tmp/$kind.fr.err"; echo "FAIL: $kind/face_recognizer"; exit 1; }
  check "$tmp/$kind.enroll.json" '"enrolled":"eileen"'
  check "$tmp/$kind.face_recognizer.json" 'astronaut.png","faces":\[\{"identity":"eileen","similarity":(0\.9|1\.0)' \
    'messi5.jpg","faces":\[\{"identity":"unknown"'
  cmp -s "$tmp/$kind.face_detector.json" "$tmp/pc.face_detector.json" ||
    { echo "FAIL: pkg-config and CMake builds disagree"; exit 1; }
done
cat "$tmp/cm.face_detector.json" "$tmp/cm.person_detector.json" "$tmp/cm.image_segmenter.json" \
  "$tmp/cm.face_recognizer.json"
echo "OK: installed into a temporary prefix; examples built with pkg-config and find_package(odai); outputs checked"
