#!/usr/bin/env bash
# Builds Centrifugo, the realm's peer in the hostile-input comparison (RealmHostileInputTest), from source
# through the Go module proxy (no binary download) and installs it as
#
#   $REALMGATE_PEERS_DIR/bin/centrifugo      (default: ~/.cache/realmgate/peers/bin/centrifugo)
#
# Idempotent: when the binary is there and reports the pinned version it only prints its path. Build output
# goes to $REALMGATE_PEERS_DIR/centrifugo-build.log and is shown only on failure.
#
# Usage: tests/peers/centrifugo.sh [--print-version]
set -euo pipefail

CENTRIFUGO_VERSION=6.9.1
MODULE=github.com/centrifugal/centrifugo/v6

if [ "${1:-}" = "--print-version" ]; then echo "$CENTRIFUGO_VERSION"; exit 0; fi

dir=${REALMGATE_PEERS_DIR:-$HOME/.cache/realmgate/peers}
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
bin="$dir/bin/centrifugo"
say() { echo "centrifugo: $*" >&2; }
die() { echo "centrifugo: error: $*" >&2; exit 1; }

# `centrifugo version` prints "Centrifugo v6.9.1 (Go version: ...)".
current() { [ -x "$bin" ] && "$bin" version 2>/dev/null | grep -q "^Centrifugo v$CENTRIFUGO_VERSION "; }

if current; then echo "$bin"; exit 0; fi

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH="$PATH:/usr/local/go/bin"; fi
command -v go >/dev/null 2>&1 || die "Go is needed to build Centrifugo v$CENTRIFUGO_VERSION; 'go' is not on PATH"

mkdir -p "$dir/bin"
# One build at a time per cache directory.
exec 9>"$dir/.centrifugo.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if current; then echo "$bin"; exit 0; fi

log="$dir/centrifugo-build.log"
: >"$log"
stage="$dir/.stage-$$"
rm -rf "$stage"; mkdir -p "$stage"
trap 'rm -rf "$stage"' EXIT

# Only modules from the proxy; the release's version stamped as its own release build does it.
# Centrifugo's go.mod names the Go it needs; GOTOOLCHAIN is left to Go (auto) in case the local one is older.
export GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 GOBIN="$stage"
export GOCACHE="$stage/go-build"
started=$(date +%s)
say "building v$CENTRIFUGO_VERSION from source into $bin (takes minutes; log: $log)"
if ! go install -trimpath -ldflags "-s -w -X $MODULE/internal/build.Version=$CENTRIFUGO_VERSION" \
    "$MODULE@v$CENTRIFUGO_VERSION" >>"$log" 2>&1; then
  tail -n 40 "$log" >&2
  die "go install $MODULE@v$CENTRIFUGO_VERSION failed (full output: $log)"
fi
mv -f "$stage/centrifugo" "$bin"
current || die "$bin does not report v$CENTRIFUGO_VERSION: $("$bin" version 2>&1 | head -1)"
say "done in $(( $(date +%s) - started ))s"
echo "$bin"
