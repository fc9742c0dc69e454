#!/bin/sh
# examples/odai-faces/test_cli_faces.sh TOOL FACES: the face commands of
# odai-faces end to end on real photos (shared/testdata/faces: gallery/PERSON/
# and queries/ + labels.json): enroll every person, identify every query
# (plain and --json) against labels.json, verify, reject, the refusals
# (no face), and calibrate on the result.
set -eu
tool=$1; faces=$2
[ -f "$faces/queries/labels.json" ] || { echo "FAIL: $faces/queries/labels.json missing"; exit 1; }
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
g="$d/faces.gallery"
for p in "$faces"/gallery/*/; do
  name=$(basename "$p")
  "$tool" enroll "$g" "$name" "$p"*.jpg || fail "enroll $name"
done
[ "$(stat -c %a "$g")" = 600 ] || fail "gallery mode"
"$tool" list "$g" | grep -q '5 identities' || fail "list after enroll"
"$tool" list "$g" | grep -q '^obama .*2 embeddings' || fail "obama has 2 photos"
# a photo with no face is refused and nothing is stored
if "$tool" enroll "$g" nobody "$faces/queries/q02.jpg" 2>"$d/err"; then fail "enrolled a photo with no face"; fi
grep -q 'no face' "$d/err" || fail "no-face message"
"$tool" list "$g" | grep -q '5 identities' || fail "refused enroll stored something"
# identify every query; the largest face's name must be the label
right=0; total=0
for q in "$faces"/queries/*.jpg; do
  b=$(basename "$q")
  want=$(sed -n "s/.*\"$b\": \"\([^\"]*\)\".*/\1/p" "$faces/queries/labels.json")
  "$tool" identify "$g" "$q" > "$d/out"
  if grep -q ': 0 faces' "$d/out"; then got=noface; else got=$(sed -n '2s/^ *\([^ ]*\) .*/\1/p' "$d/out"); fi
  total=$((total + 1))
  if [ "$got" = "$want" ]; then right=$((right + 1)); else echo "  $b: expected $want, got $got"; fi
done
echo "odai-faces identify: $right/$total queries right at the gallery threshold"
[ "$right" = "$total" ] || fail "identify"
"$tool" --json identify "$g" "$faces/queries/q11.jpg" > "$d/json"
grep -q '"identity": "obama", "similarity": 0\.[0-9]*, "score": [0-9.]*, "box": {"xmin"' "$d/json" || fail "identify --json"
"$tool" --json identify "$g" "$faces/queries/q13.jpg" | grep -q '"faces": \[\]' || fail "identify --json no face"
# verify: the same person and two different people
"$tool" verify "$faces/queries/q11.jpg" "$faces/queries/q12.jpg" | grep -q ': same person' || fail "verify same"
"$tool" verify "$faces/queries/q11.jpg" "$faces/queries/q01.jpg" | grep -q ': different person' || fail "verify different"
"$tool" --json verify "$faces/queries/q11.jpg" "$faces/queries/q12.jpg" --gallery "$g" | grep -q '"verdict": "same"' || fail "verify --json"
# reject: biden's query stored as "not obama"; obama's photos still named
"$tool" reject "$g" obama "$faces/queries/q01.jpg" | grep -q 'negative' || fail reject
"$tool" list "$g" | grep -q '^obama .*1 negative' || fail "reject stored"
"$tool" identify "$g" "$faces/queries/q11.jpg" | grep -q '^ *obama ' || fail "obama after reject"
"$tool" identify "$g" "$faces/queries/q01.jpg" | grep -q '^ *biden ' || fail "biden after reject"
if "$tool" reject "$g" nobody "$faces/queries/q01.jpg" 2>/dev/null; then fail "reject for a missing name"; fi
# calibrate on the enrolled faces
"$tool" calibrate "$g" --dry-run | grep -q '^threshold' || fail calibrate
echo "odai-faces face commands: all checks passed"
