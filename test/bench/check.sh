# Sourced by the test/bench scripts: one PASS:/FAIL: line per check.
# check NAME STATUS (0 = pass) [detail]
check() {
	if [ "$2" -eq 0 ]; then
		echo "PASS: bench/$1"
	else
		echo "FAIL: bench/$1${3:+: $3}"
	fi
}
