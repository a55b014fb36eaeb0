#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, on a scratch copy of its seed
# corpus, and fails on any finding (crash, panic, timeout, out-of-memory).
#
#   bash fuzz/run.sh SECONDS [TARGET...]
#
# Prints one line per target: `fuzz <target>: ok, <N> executions in <S> s, corpus <a> -> <b>`.
# The tree is left clean: the corpus grows in a scratch directory that is deleted afterwards.
# A finding's input is copied to fuzz/artifacts/<target>/ (ignored by git) and its path printed;
# reproduce it with `cargo +nightly fuzz run <target> <file>`, minimise it with
# `cargo +nightly fuzz tmin <target> <file>`.
#
# Environment: FUZZ_KEEP_SCRATCH=1 keeps the scratch directory (grown corpus, full logs);
# FUZZ_SCRATCH=DIR uses DIR instead of a new temporary directory.

set -euo pipefail

usage() {
    echo "usage: $0 SECONDS [TARGET...]" >&2
    exit 2
}

[[ $# -ge 1 && $1 =~ ^[0-9]+$ && $1 -gt 0 ]] || usage
seconds=$1
shift

fuzz_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$fuzz_dir"

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
[[ ${#targets[@]} -gt 0 ]] || { echo "fuzz: no targets" >&2; exit 1; }

if [[ -n ${FUZZ_SCRATCH:-} ]]; then
    scratch=$FUZZ_SCRATCH
    mkdir -p "$scratch"
else
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/iscsisec-fuzz.XXXXXX")
fi
cleanup() {
    if [[ -z ${FUZZ_KEEP_SCRATCH:-} && -z ${FUZZ_SCRATCH:-} ]]; then
        rm -rf "$scratch"
    else
        echo "fuzz: scratch kept in $scratch" >&2
    fi
}
trap cleanup EXIT

# Longest input per target: a sequence of method calls needs room for several 1100-byte
# tunnel buffers; a record is at most ~1.2 KB, so libFuzzer's default (4096) is plenty; phase-1
# IKE datagrams (ike_message) are under 500 bytes with MODP-2048, 4096 covers larger groups too.
max_len_for() {
    case $1 in
        execute_method) echo 8192 ;;
        record | ike_message) echo 4096 ;;
        # A login PDU: 48-byte header and text with CHAP values up to 2050 characters.
        iscsi_login) echo 8192 ;;
        *) echo 4096 ;;
    esac
}

# Build first, so that the time budget is spent fuzzing and a build error is reported as one.
for target in "${targets[@]}"; do
    cargo +nightly fuzz build "$target"
done

failed=0
summaries=()
for target in "${targets[@]}"; do
    seeds="$fuzz_dir/corpus/$target"
    corpus="$scratch/corpus/$target"
    artifacts="$scratch/artifacts/$target"
    log="$scratch/$target.log"
    mkdir -p "$corpus" "$artifacts"
    if compgen -G "$seeds/seed-*" >/dev/null; then
        cp "$seeds"/seed-* "$corpus"/
    fi
    before=$(find "$corpus" -type f | wc -l)

    status=0
    # cargo-fuzz passes its own -artifact_prefix first; libFuzzer keeps the last one given.
    cargo +nightly fuzz run "$target" "$corpus" -- \
        -max_total_time="$seconds" \
        -max_len="$(max_len_for "$target")" \
        -timeout=10 \
        -rss_limit_mb=2048 \
        -print_final_stats=1 \
        -artifact_prefix="$artifacts/" \
        >"$log" 2>&1 || status=$?

    after=$(find "$corpus" -type f | wc -l)
    execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
    if [[ -z $execs ]]; then
        execs=$(sed -n 's/^#\([0-9]*\)[[:space:]]*DONE.*/\1/p' "$log" | tail -n 1)
    fi
    elapsed=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)

    findings=$(find "$artifacts" -type f | wc -l)
    if [[ $status -ne 0 || $findings -ne 0 ]]; then
        failed=1
        kept="$fuzz_dir/artifacts/$target"
        mkdir -p "$kept"
        echo "---- fuzz $target: FAILED (exit $status); last lines of the log:" >&2
        tail -n 60 "$log" >&2
        for f in "$artifacts"/*; do
            [[ -f $f ]] || continue
            cp "$f" "$kept/"
            echo "---- finding: $kept/$(basename "$f") ($(wc -c <"$f") bytes):" >&2
            od -A d -t x1 "$f" | head -n 40 >&2
        done
        summaries+=("fuzz $target: FAILED (exit $status), ${execs:-?} executions, ${findings} finding(s) in $kept")
    else
        summaries+=("fuzz $target: ok, ${execs:-?} executions in ${elapsed:-$seconds} s, corpus $before -> $after")
    fi
done

printf '%s\n' "${summaries[@]}"
exit "$failed"
