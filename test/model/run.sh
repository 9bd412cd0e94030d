#!/bin/bash
# Model-check the SMP copy-on-write protocol (test/model/cow.pml) with SPIN.
#
# The model itself must pass exhaustively: the safety search (assertions,
# invalid end states) with 2 harts and with 3, and the non-progress-cycle
# search (pan -l) with 2.  Each mutation (a known bug, -DMUT_*) must give
# a counterexample of the expected kind; its trail, replayed with
# `spin -t`, goes to build/model/<name>/trail.txt and its end is printed.
# One PASS:/FAIL: line per check; exits non-zero if any failed.
# Work files: build/model/<name>/; concurrent runs take turns.
set -u
cd "$(dirname "$0")/../.."
MODEL=test/model/cow.pml
W=build/model
HOSTCC=${HOSTCC:-cc}
failed=0

if ! command -v spin >/dev/null 2>&1; then
	echo "FAIL: model/spin: spin is not installed (tools/deps.sh installs the Debian package spin)"
	exit 1
fi
mkdir -p "$W"
# One run at a time in a tree: a second one (another make test) waits.
exec 9>"$W/.lock"
flock 9

# The replayed trail, readable: the model's own step lines, the error
# and cycle markers, without the variable dump (nor the long text of a
# failed assertion: the MODEL: line before it says what broke).
trail() { # trail DIR SPINFLAGS...
	local dir=$1
	shift
	(cd "$dir" && spin -t "$@" cow.pml 2>&1) |
		awk '/trail ends/ { print; exit }
		     /text of failed assertion|indexing|Error: indexing/ { next }
		     { print }' >"$dir/trail.txt"
}

# run NAME MODE EXPECT SPINFLAGS...: build pan for the model with
# SPINFLAGS and search.  MODE: safety (assertions and invalid end states)
# or progress (non-progress cycles).  EXPECT: pass, or the kind of error
# a mutation must produce: assertion, "invalid end state", non-progress.
run() {
	local name=$1 mode=$2 expect=$3
	shift 3
	local dir=$W/$name cflags flags=(-m100000 -w24) start=$SECONDS
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$MODEL" "$dir/cow.pml"
	if [ "$mode" = progress ]; then
		cflags=-DNP
		flags+=(-l)
	else
		cflags=-DSAFETY
	fi
	if ! (cd "$dir" && spin -a "$@" cow.pml >spin.log 2>&1); then
		echo "FAIL: model/$name: spin -a failed (see $dir/spin.log)"
		failed=1
		return
	fi
	if ! (cd "$dir" && $HOSTCC -O2 -w $cflags -DCOLLAPSE -o pan pan.c >cc.log 2>&1); then
		echo "FAIL: model/$name: compiling pan failed (see $dir/cc.log)"
		failed=1
		return
	fi
	(cd "$dir" && ./pan "${flags[@]}" >pan.log 2>&1)
	local errors states why
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$dir/pan.log" | tail -1)
	states=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' "$dir/pan.log" | tail -1)
	why=$(grep -m1 '^pan:1: ' "$dir/pan.log" | sed 's/^pan:1: //')
	local took=$((SECONDS - start))
	if [ -z "$errors" ]; then
		echo "FAIL: model/$name: pan did not finish (see $dir/pan.log)"
		failed=1
	elif [ "$expect" = pass ]; then
		if [ "$errors" != 0 ]; then
			trail "$dir" "$@"
			grep -q 'MODEL: ' "$dir/trail.txt" && why=$(grep -m1 'MODEL: ' "$dir/trail.txt" | sed 's/.*MODEL: //')
			echo "FAIL: model/$name: $why"
			sed 's/^/    /' "$dir/trail.txt" | tail -40
			failed=1
		elif grep -q 'max search depth too small\|Search not completed\|out of memory' "$dir/pan.log"; then
			echo "FAIL: model/$name: search not exhaustive (see $dir/pan.log)"
			failed=1
		else
			echo "PASS: model/$name ($states states, ${took}s)"
		fi
	elif [ "$errors" = 0 ]; then
		echo "FAIL: model/$name: no counterexample: the model no longer sees this bug"
		failed=1
	elif [ ! -f "$dir/cow.pml.trail" ]; then
		echo "FAIL: model/$name: pan wrote no trail"
		failed=1
	elif [[ $why != *"$expect"* ]]; then
		trail "$dir" "$@"
		echo "FAIL: model/$name: expected $expect, got: $why"
		failed=1
	else
		trail "$dir" "$@"
		# an assertion's own text is long: the model said what broke
		if [[ $why == "assertion violated"* ]] && grep -q 'MODEL: ' "$dir/trail.txt"; then
			why=$(grep -m1 'MODEL: ' "$dir/trail.txt" | sed 's/.*MODEL: //')
		fi
		echo "PASS: model/$name (counterexample: $why)"
		grep -v '^spin: trail ends\|^spin: .*Error' "$dir/trail.txt" | tail -8 | sed 's/^ */    /'
	fi
}

echo "-- the model (build/model/)"
run safety safety pass
run safety-3harts safety pass -DNHARTS=3 -DOPS_CHILD=1
run progress progress pass -DOPS_CHILD=1

echo "-- mutations: each must give a counterexample"
run mut-unref-before-fence safety assertion -DMUT_UNREF_BEFORE_FENCE
run mut-reuse-without-lock safety assertion -DMUT_REUSE_WITHOUT_LOCK
run mut-no-clone-shootdown safety assertion -DMUT_NO_CLONE_SHOOTDOWN
run mut-no-copy-fence safety assertion -DMUT_NO_COPY_FENCE
run mut-no-unlock-on-eperm safety "invalid end state" -DMUT_NO_UNLOCK_ON_EPERM
run mut-spurious-no-flush progress non-progress -DMUT_SPURIOUS_NO_FLUSH -DOPS_CHILD=1

exit $failed
