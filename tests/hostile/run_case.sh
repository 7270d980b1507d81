#!/bin/bash
# run_case.sh — one case of the hostile corpus: runs `backprop ARGS...` under a 1 GB address-space limit and a
# 20 s time limit, and passes when it exits with EXPECTED_CODE, its stderr+stdout contain FRAGMENT (fixed
# texts joined by "&&"), nothing says "terminate called", a raw "[json.exception" or "std::bad_alloc", it did not crash or
# time out, and no temporary or partial output file ("*.tmp-*") was left in the corpus.
# Usage: run_case.sh BACKPROP CORPUS_DIR EXPECTED_CODE FRAGMENT ARGS...   ("@C@" in ARGS is CORPUS_DIR)
set -u
backprop=$1 dir=$2 expected=$3 fragment=$4
shift 4
args=("${@//@C@/$dir}")
# Under AddressSanitizer (scripts/sanitize.sh sets BP_HOSTILE_NO_VLIMIT=1) the address-space limit cannot
# apply: ASan reserves terabytes of shadow address space; its own allocator limits stand in.
vlimit="ulimit -v 1048576"
[ -n "${BP_HOSTILE_NO_VLIMIT:-}" ] && vlimit=true
out=$( ($vlimit; export OMP_NUM_THREADS=1 MALLOC_ARENA_MAX=2 BP_DATA_DIR="$dir/nodata";
        exec timeout -s KILL 20 "$backprop" "${args[@]}") 2>&1 </dev/null)
code=$?
fail() { echo "FAIL: $*"; echo "--- command: backprop ${args[*]}"; echo "--- exit code $code, output:"; echo "$out" | head -c 4000; exit 1; }
[ "$code" -eq 137 ] && fail "killed: over the 20 s time limit"
[ "$code" -ge 128 ] && [ "$expected" -lt 128 ] && fail "died from a signal"
[ "$code" -ne "$expected" ] && fail "expected exit code $expected"
# FRAGMENT may hold several fixed texts separated by "&&": each must appear.
rest=$fragment
while [ -n "$rest" ]; do
    part=${rest%%&&*}
    case "$out" in *"$part"*) ;; *) fail "expected the message to contain: $part" ;; esac
    [ "$part" = "$rest" ] && break
    rest=${rest#*&&}
done
case "$out" in *"terminate called"*|*"[json.exception"*|*"std::bad_alloc"*) fail "a raw library exception reached the user" ;; esac
if [ "$expected" -ne 0 ] && [ -z "$out" ]; then fail "no message"; fi
# A temporary file "<path>.tmp-<pid>-<n>" of a process still running belongs to a case running beside this
# one (ctest -j); one whose process is gone was left behind.
left=""
while IFS= read -r f; do
    pid=$(printf '%s\n' "$f" | sed -n 's/.*\.tmp-\([0-9]*\)-.*/\1/p')
    if { [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; } && [ -e "$f" ]; then left="$left $f"; fi
done < <(find "$dir" -name '*.tmp-*' 2>/dev/null)
[ -n "$left" ] && fail "temporary files left:$left"
echo "ok (exit $code)"
exit 0
