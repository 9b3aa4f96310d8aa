#!/usr/bin/env bash
# Builds the standalone executables dist/peersync-tracker and dist/peersync-peer with
# `deno compile`. They take the same arguments as `deno task tracker` and `deno task peer`.
#
# deno compile needs the `denort` runtime for the target: it downloads it from dl.deno.land, or
# uses the file named by DENORT_BIN. Without either (an offline machine) it fails, and so does this.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'USAGE'
Usage: scripts/compile.sh [--target TRIPLE] [--out DIR]

Builds DIR/peersync-tracker and DIR/peersync-peer (DIR defaults to dist).

Options:
  --target TRIPLE   cross-compile, e.g. x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu,
                    x86_64-apple-darwin, aarch64-apple-darwin, x86_64-pc-windows-msvc
  --out DIR         where to put the executables (default: dist)
  -h, --help        show this help

Environment:
  DENO              the deno binary to use (default: deno on PATH)
  DENORT_BIN        a denort runtime to embed instead of downloading one
USAGE
}

deno_bin=${DENO:-deno}
out=dist
target_args=()
suffix=""
while [ $# -gt 0 ]; do
  case "$1" in
    --target)
      [ $# -ge 2 ] || { echo "compile.sh: --target needs a value (see --help)" >&2; exit 2; }
      target_args=(--target "$2")
      case "$2" in *windows*) suffix=".exe" ;; esac
      shift 2 ;;
    --out)
      [ $# -ge 2 ] || { echo "compile.sh: --out needs a value (see --help)" >&2; exit 2; }
      out=$2
      shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compile.sh: unknown argument \"$1\" (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"

# Same permissions as the deno tasks: the tracker reads its credentials file and serves UDP; the
# peer also writes downloads into its share folder. INIT_CWD is read when run through deno task.
build() {
  local name=$1 entry=$2
  shift 2
  if ! "$deno_bin" compile --quiet --unstable-net --no-check=remote "$@" "${target_args[@]}" \
    --output "$out/$name$suffix" "$entry"; then
    echo "compile.sh: deno compile of $name failed (it needs the denort runtime: internet access to dl.deno.land, or DENORT_BIN)" >&2
    exit 1
  fi
  echo "built $out/$name$suffix"
}
build peersync-tracker tracker.ts --allow-net --allow-read --allow-write --allow-env=INIT_CWD
build peersync-peer peer.ts --allow-net --allow-read --allow-write \
  --allow-env=INIT_CWD,XDG_STATE_HOME,HOME,PEERSYNC_PASSWORD \
  --allow-sys=networkInterfaces
