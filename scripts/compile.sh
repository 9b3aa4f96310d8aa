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
  -V, --version     print the PeerSync version the executables will report

Environment:
  DENO              the deno binary to use (default: deno on PATH)
  DENORT_BIN        a denort runtime to embed instead of downloading one
USAGE
}

deno_bin=${DENO:-deno}

# The one version constant (lib/version.ts), which `--version` of each executable prints.
peersync_version() {
  sed -n 's/^export const VERSION = "\(.*\)";$/\1/p' lib/version.ts
}
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
    -V|--version) echo "compile.sh $(peersync_version)"; exit 0 ;;
    *) echo "compile.sh: unknown argument \"$1\" (see --help)" >&2; exit 2 ;;
  esac
done
# Say exactly what is missing before deno compile would fail for a less obvious reason.
if ! command -v "$deno_bin" >/dev/null 2>&1; then
  if [ -n "${DENO:-}" ]; then
    echo "compile.sh: DENO=$DENO is not an executable deno; point DENO at deno 2.9.6 or unset it" >&2
  else
    echo "compile.sh: deno is not on PATH; install it (npm install --prefix .tools deno@2.9.6, then PATH=\"\$PWD/.tools/node_modules/.bin:\$PATH\") or set DENO=/path/to/deno" >&2
  fi
  exit 1
fi
mkdir -p "$out"

# Same permissions as the deno tasks (deno.json; docs/operations.md, "Deno permissions").
build() {
  local name=$1 entry=$2
  shift 2
  local log
  log=$(mktemp)
  if ! "$deno_bin" compile --quiet --unstable-net --no-check=remote "$@" "${target_args[@]}" \
    --output "$out/$name$suffix" "$entry" 2>"$log"; then
    cat "$log" >&2
    # Blame the runtime only when deno compile did: any other failure is shown as it was.
    if grep -qiE 'denort|dl\.deno\.land' "$log"; then
      echo "compile.sh: deno compile of $name could not get the denort runtime: it needs internet access to dl.deno.land, or DENORT_BIN set to a denort file" >&2
    else
      echo "compile.sh: deno compile of $name failed (see above)" >&2
    fi
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  echo "built $out/$name$suffix ($(peersync_version))"
}
# The tracker gets all access: Deno 2.9.6 lets it read /proc (its receive buffer, the kernel's drops
# on its socket) only under --allow-all, and its FFI grant already runs native code outside the
# sandbox. The peer reads nothing in /proc and keeps narrow grants; its --allow-ffi names only
# Debian's libcrypto. Both programs seal with OpenSSL through that file when it is there, and with
# node:crypto (same datagrams, slower) where it is not (docs/security.md).
# The tracker's V8 flags are those of `deno task tracker` (deno.json): a young generation of two
# 16 MiB semi-spaces instead of V8's 2 x 32 MiB (docs/operations.md, "Memory").
build peersync-tracker tracker.ts --v8-flags=--max-semi-space-size=16 --allow-all
build peersync-peer peer.ts --allow-net --allow-read --allow-write \
  --allow-env=INIT_CWD,XDG_STATE_HOME,HOME,PEERSYNC_PASSWORD,NO_COLOR,TERM \
  --allow-sys=networkInterfaces --allow-ffi=/usr/lib/x86_64-linux-gnu/libcrypto.so.3
