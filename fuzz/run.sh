#!/usr/bin/env bash
# Fuzz every target for a bounded time, as CI does: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
#   fuzz/run.sh            # every target, 45 s each (CI)
#   fuzz/run.sh 600        # every target, 10 minutes each
#   fuzz/run.sh 3600 jwt   # one target, an hour
#
# Installs cargo-fuzz if it is missing, builds every target once (release, debug assertions
# and overflow checks on, no sanitizer: see below), then runs each over a scratch copy of its
# seeds (fuzz/seeds/<target>/) and regression inputs (fuzz/regressions/<target>/), so the
# committed corpora never change. Any crash, failed invariant, timeout (-timeout, one input)
# or memory blowup (-rss_limit_mb) fails the run; the input is written to
# fuzz/artifacts/<target>/ and the commands to reproduce and minimize it are printed.
#
# Environment: FUZZ_SANITIZER (default `none`; `address` for ASan), FUZZ_TARGET_DIR (default
# fuzz/target), FUZZ_TIMEOUT (seconds per input, default 10), FUZZ_RSS_LIMIT_MB (default 2048),
# FUZZ_KEEP_CORPUS (a folder to keep the grown corpora in, instead of a temporary one).
#
# Sanitizer: none by default. The code is `#![forbid(unsafe_code)]` Rust, whose bounds and
# overflow checks (debug assertions are on) already turn memory and arithmetic errors into
# panics, and ASan does not instrument the C of aws-lc (built by its own build script).
# Measured on the policy target (30 s from its seeds, this 2-core machine): 1,241 execs/s and
# 511 MB with ASan, 5,370 execs/s and 72 MB without — four times the inputs in the same time.
set -euo pipefail
cd "$(dirname "$0")"

CARGO_FUZZ_VERSION=0.13.2
ALL_TARGETS=(policy arn_glob authorizer_event scenario jwt)

seconds="${1:-45}"
if [ "$#" -gt 0 ]; then shift; fi
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then targets=("${ALL_TARGETS[@]}"); fi
case "$seconds" in
  '' | *[!0-9]*) echo "usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 2 ;;
esac

sanitizer="${FUZZ_SANITIZER:-none}"
target_dir="${FUZZ_TARGET_DIR:-target}"
timeout="${FUZZ_TIMEOUT:-10}"
rss_limit="${FUZZ_RSS_LIMIT_MB:-2048}"
# cargo fuzz passes nightly flags (-Zsanitizer, ...) to rustc; the stable toolchain accepts
# them when told it may.
export RUSTC_BOOTSTRAP=1
# A CARGO_TARGET_DIR shared with the main workspace would rebuild both ways in turn.
unset CARGO_TARGET_DIR

if ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
  echo "== installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

fuzz_flags=(--sanitizer "$sanitizer" --target-dir "$target_dir")

echo "== building the fuzz targets (sanitizer: $sanitizer)"
# Fails if fuzz/Cargo.lock is out of date (cargo fuzz has no --locked of its own).
cargo metadata --locked --format-version 1 >/dev/null
cargo fuzz build "${fuzz_flags[@]}"

if [ -n "${FUZZ_KEEP_CORPUS:-}" ]; then
  scratch="$FUZZ_KEEP_CORPUS"
  mkdir -p "$scratch"
else
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
fi

failed=()
for target in "${targets[@]}"; do
  corpus="$scratch/$target"
  mkdir -p "$corpus" "artifacts/$target"
  for dir in "seeds/$target" "regressions/$target"; do
    if [ -d "$dir" ]; then cp -n "$dir"/* "$corpus"/ 2>/dev/null || true; fi
  done
  dict=()
  if [ -f "dict/$target.dict" ]; then dict=("-dict=dict/$target.dict"); fi
  echo "== fuzzing $target for ${seconds}s ($(find "$corpus" -type f | wc -l) inputs to start from)"
  log="$scratch/$target.log"
  status=0
  cargo fuzz run "${fuzz_flags[@]}" "$target" "$corpus" -- \
    -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss_limit" \
    -print_final_stats=1 "${dict[@]}" >"$log" 2>&1 || status=$?
  grep -E '^(#[0-9]+[[:space:]]+DONE|stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb))' "$log" || true
  if [ "$status" -ne 0 ]; then
    failed+=("$target")
    echo "!! $target failed (exit $status):"
    # The panic message (a broken invariant says what broke), then libFuzzer's verdict.
    sed -n '/panicked at/,/stack backtrace/p' "$log" | head -n 40
    grep -E 'ERROR: libFuzzer|SUMMARY|Test unit written|Slowest unit|out-of-memory|timeout' "$log" | head -n 10 || true
    artifact="$(grep -oE "artifacts/$target/[a-z-]+-[0-9a-f]+" "$log" | tail -n 1 || true)"
    if [ -n "$artifact" ]; then
      echo "!! input written to fuzz/$artifact"
      echo "!! reproduce:  cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run ${fuzz_flags[*]} $target $artifact"
      echo "!! minimize:   cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz tmin ${fuzz_flags[*]} $target $artifact"
      echo "!! then copy it to fuzz/regressions/$target/ (cargo test --workspace replays it) and fix"
    fi
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "== fuzzing failed: ${failed[*]}"
  exit 1
fi
echo "== fuzzing passed: ${targets[*]} (${seconds}s each)"
