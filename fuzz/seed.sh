#!/usr/bin/env bash
# Rebuild the seed corpora fuzz/seeds/<target>/ from the repository's own files (event
# fixtures, scenario corpus and examples, the policies, ARNs and tokens inside them, tokens the
# harness signs): see fuzz/harness/src/seeds.rs. Run it after adding fixtures or scenarios,
# then commit fuzz/seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q --locked -p fuzz-harness --bin fuzz-seeds
