#!/bin/sh
# libodai.so exports only odai_ symbols, exports every ODAI_API function
# declared in the public headers, and carries SONAME libodai.so.MAJOR with
# the file libodai.so.VERSION.
#   check_exports.sh LIBODAI_SO SOURCE_DIR VERSION
set -eu
lib=$1 src=$2 version=$3
major=${version%%.*}
fail=0
real=$(readlink -f "$lib")
case "$(basename "$real")" in
  "libodai.so.$version") ;;
  *) echo "FAIL: $lib resolves to $(basename "$real"), want libodai.so.$version"; fail=1 ;;
esac
soname=$(readelf -d "$real" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
if [ "$soname" != "libodai.so.$major" ]; then
  echo "FAIL: SONAME is '$soname', want libodai.so.$major"; fail=1
fi
# Global defined dynamic symbols; the linker's own markers are allowed.
syms=$(nm -D --defined-only "$real" | awk '$2 ~ /^[A-Z]$/ {print $3}' | sed 's/@.*//')
[ -n "$syms" ] || { echo "FAIL: nm -D found no symbols in $real"; exit 1; }
# (ASan builds add __odr_asan.NAME twins of the exported variables.)
bad=$(echo "$syms" | grep -v -E '^(odai_|__odr_asan[._]odai_|_init$|_fini$|__bss_start$|_edata$|_end$)' || true)
if [ -n "$bad" ]; then
  echo "FAIL: libodai.so exports symbols without the odai_ prefix:"; echo "$bad" | head -50; fail=1
fi
# Every function/variable declared ODAI_API in a public header is exported.
declared=$(cat "$src"/include/odai/*.h | tr '\n' ' ' | sed 's/ODAI_API/\nODAI_API/g' |
  grep '^ODAI_API' | sed 's/(.*//; s/\[.*//; s/;.*//' | grep -o 'odai_[a-z0-9_]*[ ]*$' | tr -d ' ' | sort -u)
missing=""
for d in $declared; do
  echo "$syms" | grep -qx "$d" || missing="$missing $d"
done
if [ -n "$missing" ]; then
  echo "FAIL: declared ODAI_API in include/odai but not exported by libodai.so:$missing"; fail=1
fi
if [ $fail -eq 0 ]; then
  echo "OK: $(echo "$syms" | grep -c '^odai_') odai_ symbols exported (all $(echo "$declared" | wc -l) ODAI_API declarations), nothing else; SONAME $soname; file $(basename "$real")"
fi
exit $fail
