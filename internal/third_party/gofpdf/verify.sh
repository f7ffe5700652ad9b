#!/usr/bin/env bash
# Keeps the patched gofpdf honest, in CI:
#  1. rebuilds this copy from upstream gofpdf (through the Go module proxy),
#     its gofmt, cqp.patch and fontcache.go, and fails on any difference with
#     the committed files: the copy is upstream plus the patch, nothing else;
#  2. runs go vet on it;
#  3. runs staticcheck on upstream and on the copy, and fails on any finding
#     the copy has that upstream has not (compared without line numbers):
#     upstream's own style is left as it is, our changes are held to ours.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
module=github.com/phpdave11/gofpdf
version=v1.4.3
staticcheck=honnef.co/go/tools/cmd/staticcheck@v0.8.2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Outside any module, so that the project's replace does not answer.
upstream=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "$module@$version" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
[ -d "$upstream" ] || { echo "gofpdf: cannot download $module@$version" >&2; exit 1; }

mkdir "$work/upstream"
for f in "$upstream"/*.go "$upstream/LICENSE"; do
  case "$f" in *_test.go) continue ;; esac
  cp "$f" "$work/upstream/"
done
chmod -R u+w "$work/upstream"
gofmt -w "$work/upstream"
cp "$here/go.mod" "$work/upstream/"

cp -r "$work/upstream" "$work/copy"
(cd "$work/copy" && git apply --whitespace=nowarn -p1 "$here/cqp.patch")
# The files of our own: the cache, the notes, the patch and this script.
cp "$here/fontcache.go" "$here/README.md" "$here/cqp.patch" "$here/verify.sh" "$work/copy/"
if ! diff -r -q "$work/copy" "$here" >"$work/diff"; then
  echo "gofpdf: internal/third_party/gofpdf is not $module $version + cqp.patch + fontcache.go:" >&2
  cat "$work/diff" >&2
  diff -r -u "$work/copy" "$here" | head -80 >&2 || true
  exit 1
fi
echo "gofpdf: the copy is $module $version + cqp.patch + fontcache.go"

(cd "$here" && go vet ./...)
echo "gofpdf: go vet clean"

# file: message (check), one line per finding, without positions.
findings() {
  (cd "$1" && go run "$staticcheck" ./... 2>/dev/null || true) |
    sed -n -E 's/^([^:[:space:]]+\.go):[0-9]+:[0-9]+: (.*)$/\1: \2/p' | sort
}
findings "$work/upstream" >"$work/upstream.findings"
findings "$here" >"$work/copy.findings"
if [ ! -s "$work/upstream.findings" ]; then
  echo "gofpdf: staticcheck found nothing in upstream: it did not run" >&2
  exit 1
fi
new=$(comm -13 "$work/upstream.findings" "$work/copy.findings")
if [ -n "$new" ]; then
  echo "gofpdf: staticcheck findings the patch adds:" >&2
  echo "$new" >&2
  exit 1
fi
echo "gofpdf: staticcheck adds no finding to upstream's $(wc -l <"$work/upstream.findings")"
