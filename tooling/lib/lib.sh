# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the project's tooling scripts. Source it, do not run it.

# Debian's own tools first: a python3 of pyenv or a venv earlier in PATH
# lacks the Debian modules the kernel's scripts import (ply, git).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
# No bytecode caches in the trees (apply-series would see them as files).
export PYTHONDONTWRITEBYTECODE=1
# tooling/, whose lib/ holds this file.
TOOLING_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(dirname "$TOOLING_DIR")
# Everything big lives outside the repository and is reused across runs.
CACHE_DIR=${DMABUF_MT_CACHE:-$HOME/.cache/dmabuf-maptypes}
# ccache's depend mode for every build the scripts start (kbuild, kunit.py):
# on a miss the compiler runs once and ccache takes the headers from the
# dependency file kbuild always asks for, instead of running the
# preprocessor first to hash its output; hits still come from the direct
# mode, also for entries stored without it. Eight xe objects of the x86_64
# kernel from an empty cache: 15.6 s against 18.3 s.
export CCACHE_DEPEND=1
BASE_VERSION=${BASE_VERSION:-7.3.4-1~bpo13+1}
BASE_PKG=linux-source-7.3
BASE_SUITE=trixie-backports
BASE_DIR=$CACHE_DIR/base-$BASE_VERSION
WORK_DIR=${WORK_DIR:-$CACHE_DIR/work}

# Every script answers -h/--help with its header comment (the lines after the
# SPDX line, up to the first line that is not a comment), and exits.
case "${1:-}" in
-h|--help)
	awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0"
	exit 0 ;;
esac
mkdir -p "$CACHE_DIR/build"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The mirror URI the machine's apt already uses, from deb822 sources
# (/etc/apt/sources.list.d/*.sources) or one-line ones (sources.list and
# *.list); no host name is written anywhere by this project.
mirror_uri() {
	local uri
	uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '/^URIs:/ { print $2; exit }')
	[ -n "$uri" ] || uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" { sub(/\[[^]]*\] */, ""); print $2; exit }')
	[ -n "$uri" ] || die "no Debian mirror found in /etc/apt (sources.list, sources.list.d/*.sources or *.list): configure apt first"
	echo "$uri"
}

# Run apt-get against a private apt state that knows only SUITE, so that
# other suites (trixie-backports, sid) never reach the system's sources.
private_apt() {
	local suite=$1; shift
	local d=$CACHE_DIR/apt/$suite
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/etc"
	printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$(mirror_uri)" "$suite" > "$d/etc/private.sources"
	apt-get -q -o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts="$d/etc" \
		-o Dir::State::Lists="$d/lists" \
		-o Dir::Cache="$d/cache" \
		-o Dir::State::status=/var/lib/dpkg/status \
		-o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root "$@"
}

# Download PKG=VERSION (or PKG) from SUITE into DIR, once.
private_download() {
	local suite=$1 pkg=$2 dir=$3
	mkdir -p "$dir"
	[ -e "$CACHE_DIR/apt/$suite/.updated" ] || {
		private_apt "$suite" update >&2
		touch "$CACHE_DIR/apt/$suite/.updated"
	}
	(cd "$dir" && private_apt "$suite" download "$pkg" >&2)
}

# Install Debian packages from the machine's own suites when missing.
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing Debian packages: ${missing[*]}"
	[ -e /var/lib/apt/lists/lock ] && [ -n "$(ls /var/lib/apt/lists/*Packages* 2>/dev/null)" ] ||
		apt-get -q update >&2
	DEBIAN_FRONTEND=noninteractive apt-get -q -y install --no-install-recommends "${missing[@]}" >&2 || {
		apt-get -q update >&2
		DEBIAN_FRONTEND=noninteractive apt-get -q -y install --no-install-recommends "${missing[@]}" >&2
	}
}

# One run at a time: the entry points (test, run, bench) and every script
# that writes the work tree, the check tree or the build directories share
# them. Take $CACHE_DIR/lock for the rest of the run, or stop and say who
# holds it. A script started by one that holds the lock inherits its open
# lock (fd 9, the same open file, so flock succeeds again); an environment
# variable alone does not pass for the lock.
take_lock() {
	local lock=$CACHE_DIR/lock
	if [ "$(readlink /proc/$$/fd/9 2>/dev/null)" = "$(realpath -m "$lock")" ] && flock -n 9; then
		return 0
	fi
	exec 9>>"$lock"
	if ! flock -n 9; then
		die "another run holds $lock ($(cat "$CACHE_DIR/lock.owner" 2>/dev/null || echo 'owner unknown')); wait for it or stop it"
	fi
	printf 'pid %s: %s, since %s\n' "$$" "$(basename "$0")" "$(date -u '+%F %T UTC')" \
		> "$CACHE_DIR/lock.owner"
}

# The checks that check out other commits (bisect, sparse) do it in a work
# tree of their own, $CACHE_DIR/check, never in the tree users edit. Put it
# at COMMIT of WORK's repository (creating it if needed) and print its path.
# Nothing but these checks writes it: it is reset at every use.
check_tree() {	# WORK COMMIT
	local work=$1 commit=$2 tree=$CACHE_DIR/check
	if [ -e "$tree/.git" ] && ! git -C "$tree" checkout -q -f --detach "$commit" 2>/dev/null; then
		# Of another repository (another WORK_DIR): make it anew.
		rm -rf "$tree"
	fi
	if ! [ -e "$tree/.git" ]; then
		git -C "$work" worktree prune
		git -C "$work" worktree add -q -f --detach "$tree" "$commit" >&2
	fi
	# kunit.py's in-tree build directory stays (tooling/steps/readme-kunit).
	git -C "$tree" clean -q -fdx -e /.kunit
	echo "$tree"
}

# After a kunit.py run that wrote --json=$CACHE_DIR/logs/NAME.json and
# --junit=$CACHE_DIR/logs/NAME.xml (both removed before it): fail when it
# wrote no JSON, then let tooling/lib/kunit-results compare the skips with
# tooling/config/kunit/expected-skips-${NAME#kunit-}, and check that the REQUIRED
# cases or suites passed (tooling/lib/kunit-results). Returns non-zero on either
# (kunit.py's own exit status stays the caller's).
kunit_check_results() {	# NAME LABEL KUNIT_PY_EXIT [REQUIRED...]
	local name=$1 label=$2 rc=$3
	shift 3
	[ -s "$CACHE_DIR/logs/$name.json" ] || { echo "$name: FAIL: kunit.py (exit $rc) wrote no JSON result"; return 1; }
	"$TOOLING_DIR/lib/kunit-results" "$label" "$CACHE_DIR/logs/$name.xml" \
		"$TOOLING_DIR/config/kunit/expected-skips-${name#kunit-}" "$@"
}

# Every WARN in a kernel's whole log must be listed in EXPECTED ("FILE
# FUNCTION" lines; # starts a comment): "WARNING: FILE:LINE at FUNCTION+..."
# becomes "FILE FUNCTION"; a WARNING line of another form (a lockdep report,
# say) is never listed. Prints each WARN and their number; returns non-zero
# on one that is not listed, and when there is no log.
kunit_check_warnings() {	# NAME LOG EXPECTED
	local name=$1 klog=$2 expected=$3 w key listed nwarn=0 bad=0
	if ! [ -s "$klog" ]; then
		echo "$name: FAIL: no kernel log ($klog) to scan for WARNs"
		return 1
	fi
	listed=$(grep -v '^#' "$expected" || true)
	while IFS= read -r w; do
		nwarn=$((nwarn + 1))
		key=$(sed -nE 's/^.*WARNING: ([^ :]+):[0-9]+ at ([A-Za-z0-9_.]+)\+.*$/\1 \2/p' <<< "$w")
		if [ -n "$key" ] && grep -qxF -- "$key" <<< "$listed"; then
			echo "  WARN (expected, $expected): $key"
		else
			echo "  WARN not in $expected: $w"
			bad=1
		fi
	done < <(grep -a 'WARNING: ' "$klog" || true)
	echo "$name: $nwarn WARNs in the kernel log"
	return $bad
}

# The kernel's other reports in a KUnit kernel's whole log, each named with
# the suite that was running (from the KTAP "# Subtest:" lines): BUG (KASAN's
# reports, sleeping in atomic context, ...), Oops, general protection faults,
# UBSAN, suspicious RCU usage, lockdep's reports, and lockdep turning itself
# off ("turning off the locking correctness validator", "lockdep is turned
# off", and a taint's "Disabling lock debugging": debug_locks is 0 from
# there on, and no later suite's locking is checked; the x86_64 run also
# reads debug_locks after the suites, kunit_check_debug_locks).
# kunit_check_warnings checks the WARNs. Any such line fails; returns
# non-zero then, and when there is no log or no suite in it, or
# when the kernel has no lockdep (no "Lock dependency validator" banner):
# both KUnit kernels have PROVE_LOCKING (drivers/dma-buf/.kunitconfig,
# tooling/config/kunit/debug.config), and a run without it checks no lock
# rule.
kunit_check_reports() {	# NAME LOG
	local name=$1 klog=$2 rc=0
	if ! [ -s "$klog" ]; then
		echo "$name: FAIL: no kernel log ($klog) to scan for reports"
		return 1
	fi
	awk -v name="$name" '
	{ line = $0; sub(/^\[[ 0-9.]+\] ?/, "", line) }
	line ~ /^    # Subtest: / { suite = substr(line, 16); n++ }
	line ~ /Lock dependency validator/ { lockdep = 1 }
	line ~ /BUG: |Oops|general protection fault|UBSAN:|suspicious RCU usage|possible (circular|recursive) locking|inconsistent lock state|turning off the locking correctness validator|lockdep is turned off|Disabling lock debugging/ {
		printf "  report during %s: %s\n", suite == "" ? "boot (before any suite)" : suite, line
		bad++
	}
	END {
		if (!n) { printf "%s: FAIL: no KUnit suite in the log\n", name; exit 1 }
		if (bad) { printf "%s: FAIL: %d kernel reports (BUG, Oops, lockdep, UBSAN, RCU) in the log\n", name, bad; exit 1 }
		if (!lockdep) { printf "%s: FAIL: the kernel has no lockdep (no \"Lock dependency validator\" in the log): no lock rule was checked\n", name; exit 1 }
		printf "%s: no BUG, Oops, lockdep, UBSAN or RCU report in the log of %d suites: lockdep stayed on\n", name, n
	}' "$klog" || rc=1
	return $rc
}

# Lockdep's debug_locks after the last suite, as the x86_64 run's /init
# (tooling/config/kunit/kmemleak-init) read it from /proc/lockdep_stats:
# must be 1. After boot, nothing sets it back to 1 once a report or a
# taint turned it off (lockdep_reset(), the only writer of 1, runs in the
# boot-time locking self-tests alone): 1 after the last suite means 1
# after every suite. Returns non-zero otherwise, and when /init printed
# none.
kunit_check_debug_locks() {	# NAME LOG
	local dl
	dl=$(sed -nE 's/^.*kunit-debug_locks: ([0-9a-z]+) after the suites$/\1/p' "$2" | tail -n1)
	case $dl in
	1) echo "$1 lockdep: debug_locks 1 after the last suite (read by /init): on after every suite" ;;
	"") echo "$1: FAIL: /init printed no debug_locks after the suites"; return 1 ;;
	none) echo "$1: FAIL: no debug_locks in /proc/lockdep_stats (CONFIG_PROVE_LOCKING off?)"; return 1 ;;
	*) echo "$1: FAIL: debug_locks is $dl after the suites: lockdep turned itself off during them"; return 1 ;;
	esac
}

# The counts the race cases print (st-dma-buf-race.c: "CASE: A vs B: N + M
# operations in T ms, ..."), one line each, for tooling/test's summary.
kunit_print_races() {	# NAME LOG
	[ -s "$2" ] || return 0
	sed -nE 's/^.*# ([a-z_]+_races): (.* operations in .*)$/\1: \2/p' "$2" |
		sed "s/^/$1 race: /"
}

# The fault-injection cases' lines of a KUnit log (the series'
# drivers/dma-buf/st-dma-buf-fail-nth.h prints "fault injection: WHAT: A of
# B allocation sites failed, in R rounds (...)" per case), one line each,
# then their sum.
kunit_print_fault_injection() {	# NAME LOG
	[ -s "$2" ] || return 0
	sed -nE 's/^.*# [a-z_]+: (fault injection: .* allocation sites failed, .*)$/\1/p' "$2" |
		sed "s/^/$1 /"
	local leaks=${kunit_leaks:-}
	sed -nE 's/^.*# [a-z_]+: fault injection: .*: ([0-9]+) of ([0-9]+) allocation sites failed, in ([0-9]+) rounds .*$/\1 \2 \3/p' "$2" |
		awk -v k="$1" -v leaks="$leaks" '{ f += $1; a += $2; r += $3; n++ }
		END {
			if (!n) exit
			printf "%s fault injection: %d of %d allocation sites failed", k, f, a
			if (leaks != "") printf ", %d leaks", leaks
			printf " (%d cases, %d rounds", n, r
			if (leaks != "") printf "; leaks: kmemleak after the suites"
			printf ")\n"
		}'
}

# The initramfs of the x86_64 KUnit run: busybox and
# tooling/config/kunit/kmemleak-init as /init. Prints its path.
kunit_x86_initramfs() {
	local stage=$CACHE_DIR/build/kunit-x86-initramfs out=$CACHE_DIR/build/kunit-x86-initramfs.cpio applet
	need_pkgs busybox-static cpio
	rm -rf "$stage"
	mkdir -p "$stage/bin" "$stage/proc" "$stage/sys" "$stage/dev"
	cp /bin/busybox "$stage/bin/busybox"
	for applet in $("$stage/bin/busybox" --list); do
		[ "$applet" = busybox ] || ln -sf busybox "$stage/bin/$applet"
	done
	cp "$TOOLING_DIR/config/kunit/kmemleak-init" "$stage/init"
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$out"
	echo "$out"
}

# The kmemleak scans that /init (tooling/config/kunit/kmemleak-init) made
# after the KUnit suites: their count must be in LOG, and every report must
# be expected: a report is, if a function of its backtrace is listed in
# EXPECTED (function, a tab, why; upstream suites that leak on purpose or
# by their own bug). Prints "NAME kmemleak: N leaks ...", and the reports
# that are not expected; sets kunit_leaks to their number.
kunit_kmemleak_count() {	# LOG
	sed -nE 's/^.*kmemleak-kunit: ([0-9]+) unreferenced objects after the suites$/\1/p' "$1" | tail -n1
}

kunit_check_kmemleak() {	# NAME LOG EXPECTED
	local n res unexpected expected
	kunit_leaks=
	n=$(kunit_kmemleak_count "$2")
	if [ -z "$n" ]; then
		grep -h 'kmemleak-kunit: ' "$2" || true
		echo "$1: FAIL: no kmemleak scan after the suites in the log (/init did not run, or kmemleak is off)"
		return 1
	fi
	res=$(sed -nE 's/^.*kmemleak-kunit\| //p' "$2" | awk -v listed="$3" '
	function done() {
		if (hit != "") { e++; eh[hit]++ } else { u++; printf "%s", block }
	}
	BEGIN {
		while ((getline l < listed) > 0) {
			if (l ~ /^#/ || l == "") continue
			split(l, f, "\t"); want[f[1]] = 1
		}
	}
	/^unreferenced object/ { if (block != "") done(); block = $0 "\n"; hit = ""; next }
	{ block = block $0 "\n"; fn = $1; sub(/\+.*/, "", fn); if (hit == "" && (fn in want)) hit = fn }
	END {
		if (block != "") done()
		printf "UNEXPECTED %d\n", u
		for (h in eh) printf "EXPECTED %s %d\n", h, eh[h]
	}')
	unexpected=$(sed -n 's/^UNEXPECTED //p' <<< "$res")
	expected=$(grep '^EXPECTED ' <<< "$res" | awk '{ n += $3; s = s " " $2 " " $3 } END { printf "%d (%s)", n, substr(s, 2) }')
	kunit_leaks=$unexpected
	echo "$1 kmemleak: $unexpected leaks after the suites (two scans, by /init); $n reported, $expected listed as upstream's in $(basename "$3")"
	[ "$unexpected" -eq 0 ] && return 0
	grep -v '^UNEXPECTED \|^EXPECTED ' <<< "$res" | head -n 400
	echo "$1: FAIL: kmemleak reports $unexpected unreferenced objects after the suites that $(basename "$3") does not list (above)"
	return 1
}

# The kunit.py commands a text shows (README, the cover letter): each
# indented line that starts with ./tools/testing/kunit/kunit.py, joined with
# its backslash-continued lines, one command per output line.
kunit_commands() {	# FILE
	awk '
	function out(l) { sub(/^ +/, "", l); gsub(/\\\n */, "", l); print l }
	cont { line = line "\n" $0; cont = /\\$/; if (!cont) out(line); next }
	/^ +\.\/tools\/testing\/kunit\/kunit\.py / { line = $0; cont = /\\$/; if (!cont) out(line) }
	' "$1"
}

# Identity used for the series' commits (author and Signed-off-by).
GIT_NAME=${GIT_NAME:-Maptypes Developers}
GIT_EMAIL=${GIT_EMAIL:-maptypes-dev@example.org}

# The series' patches, in order, without the cover letter.
series_patches() {
	local p
	for p in "$REPO_DIR"/patches/[0-9][0-9][0-9][0-9]-*.patch; do
		[ -e "$p" ] || continue
		case "$p" in */0000-cover-letter.patch) continue ;; esac
		echo "$p"
	done
}

# Set up an x86_64 kunit.py run (tooling/steps/kunit-x86, tooling/bench): build
# tools and QEMU, ccache, QEMU in TCG only whatever /dev/kvm says
# (tooling/lib/tcg/), the pci-testdev topology the P2P cases need
# (tooling/config/kunit/x86_64-p2p.qemu-args) in KUNIT_X86_QEMU_ARGS, and in
# KUNIT_X86_ARGS what a kunit.py run that builds its own kernel passes
# (tooling/bench): the dma-buf and xe suites in one kernel, with PCI P2P.
kunit_x86_setup() {
	need_pkgs gcc make libc6-dev ccache bc flex bison python3 libelf-dev libssl-dev qemu-system-x86
	export CCACHE_DIR=$CACHE_DIR/ccache
	export PATH="$TOOLING_DIR/lib/tcg:$PATH"
	KUNIT_X86_QEMU_ARGS=$(tr '\n' ' ' < "$TOOLING_DIR/config/kunit/x86_64-p2p.qemu-args")
	KUNIT_X86_ARGS=(--arch=x86_64
		--kunitconfig=drivers/dma-buf
		--kunitconfig=drivers/gpu/drm/xe
		--kunitconfig="$TOOLING_DIR/config/kunit/x86_64-p2p.config"
		--kunitconfig="$TOOLING_DIR/config/kunit/x86_64-xe.config"
		--qemu_args="$KUNIT_X86_QEMU_ARGS"
		--jobs="$(nproc)" --timeout=900 --make_options CC="ccache gcc")
}
