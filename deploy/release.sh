#!/usr/bin/env bash
# deploy/release.sh — the release files of llm-mux, with SHA256SUMS:
#   llm-mux-<version>-linux-x64.tar.gz      Native AOT (how it ships: no .NET needed on the machine)
#   llm-mux-<version>-<rid>.tar.gz / .zip   framework-dependent single file for the other platforms this SDK can
#                                           target from here (needs the .NET 10 runtime there)
#   llm-mux.<version>.nupkg                 the dotnet tool (`dotnet tool install -g llm-mux --add-source DIR`)
#
# Knobs (env):                                                       default
#   OUT      where the files go                                      dist/
#   RIDS     framework-dependent targets ("" = none)                 "linux-arm64 osx-x64 osx-arm64 win-x64"
#   AOT_DIR  an already published linux-x64 AOT folder to package   (publish one)
#            instead of publishing again (.ci/run passes its own)
#   PACK     0 skips the dotnet tool package                         1
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-$ROOT/dist}"
RIDS="${RIDS-linux-arm64 osx-x64 osx-arm64 win-x64}"
PACK="${PACK:-1}"
PROJECT="$ROOT/src/LlmMux"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

log() { printf '[release] %s\n' "$*" >&2; }

# What goes into an archive: the program and its appsettings.json, no debug symbols.
stage() { # <published dir> <stage dir> <binary name>
  mkdir -p "$2"
  cp "$1/$3" "$2/"
  [ -f "$1/appsettings.json" ] && cp "$1/appsettings.json" "$2/"
  cp "$ROOT/README.md" "$2/"
  [ -f "$ROOT/LICENSE" ] && cp "$ROOT/LICENSE" "$2/"
  return 0
}

aot="${AOT_DIR:-}"
if [ -z "$aot" ]; then
  log "publishing linux-x64 (Native AOT)"
  aot="$work/aot"
  dotnet publish "$PROJECT" -c Release -r linux-x64 -o "$aot" > "$work/aot.log" 2>&1 || { cat "$work/aot.log"; exit 1; }
fi
VERSION="$("$aot/llm-mux" --version | awk '{print $2}')"
[ -n "$VERSION" ] || { log "could not read the version from $aot/llm-mux --version"; exit 1; }
log "version $VERSION"

name="llm-mux-$VERSION-linux-x64"
stage "$aot" "$work/$name" llm-mux
tar -C "$work" -czf "$OUT/$name.tar.gz" "$name"

for rid in $RIDS; do
  log "publishing $rid (framework-dependent, single file)"
  dir="$work/pub-$rid"
  dotnet publish "$PROJECT" -c Release -r "$rid" --self-contained false -p:PublishAot=false -p:PublishSingleFile=true \
    -o "$dir" > "$work/$rid.log" 2>&1 || { cat "$work/$rid.log"; exit 1; }
  name="llm-mux-$VERSION-$rid"
  case "$rid" in
    win-*) stage "$dir" "$work/$name" llm-mux.exe; (cd "$work" && zip -qr "$OUT/$name.zip" "$name") ;;
    *)     stage "$dir" "$work/$name" llm-mux; tar -C "$work" -czf "$OUT/$name.tar.gz" "$name" ;;
  esac
done

if [ "$PACK" = 1 ]; then
  log "packing the dotnet tool"
  dotnet pack "$PROJECT" -c Release -o "$work/pack" > "$work/pack.log" 2>&1 || { cat "$work/pack.log"; exit 1; }
  cp "$work/pack/"*.nupkg "$OUT/"
fi

shopt -s nullglob
(cd "$OUT" && rm -f SHA256SUMS && files=(*.tar.gz *.zip *.nupkg) && sha256sum -- "${files[@]}" > SHA256SUMS && sha256sum -c --quiet SHA256SUMS)
# The shipped archive must run as extracted.
mkdir -p "$work/check" && tar -C "$work/check" -xzf "$OUT/llm-mux-$VERSION-linux-x64.tar.gz"
"$work/check/llm-mux-$VERSION-linux-x64/llm-mux" --version > /dev/null
log "wrote $OUT:"
(cd "$OUT" && ls -l) >&2
