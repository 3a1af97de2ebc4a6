#!/bin/sh
# hilt quick start for a fresh Debian or Ubuntu machine.
#   ./quickstart.sh run [hilt run options]   install what is missing, build, run the default plan
#   ./quickstart.sh test [tap test files]    install what is missing, build, run the whole test suite
# Installing Debian packages needs root or sudo; every step is skipped when already done.
set -eu
cd "$(dirname "$0")"

mode=${1:-run}
[ $# -gt 0 ] && shift

case "$mode" in
run | test) ;;
*)
	echo "usage: ./quickstart.sh run [hilt run options] | ./quickstart.sh test [test files]" >&2
	exit 2
	;;
esac

say() { echo "quickstart: $*" >&2; }

# What hilt needs at run time (qemu, busybox, cpio tools, module tools, decompressors),
# to build its suites (gcc, headers) and node-pty (python3, g++, make).
packages="qemu-system-x86 busybox-static gcc g++ make libc6-dev libdrm-dev linux-libc-dev cpio kmod xz-utils zstd util-linux python3"
# The tests also check the JUnit with xmllint and an independent reader (junitparser),
# and look at the HTML report in Chromium.
[ "$mode" = test ] && packages="$packages libxml2-utils chromium python3-junitparser"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
		say "these Debian packages are missing and there is neither root nor sudo to install them:$missing"
		exit 2
	fi
	say "installing Debian packages:$missing"
	$sudo apt-get update -q >&2
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing >&2
fi

# The real lab parts the machine tests start on loopback: a pdudaemon for power, QEMU's iPXE
# ROMs for network boot, an sshd, LAVA's dispatcher. Best effort: a test whose part is missing
# skips and says which package it wants.
if [ "$mode" = test ]; then
	lab="pdudaemon ipxe-qemu openssh-server openssh-client lava-dispatcher"
	want=""
	for p in $lab; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || want="$want $p"
	done
	if [ -n "$want" ] && { [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null; }; then
		[ "$(id -u)" -eq 0 ] && sudo="" || sudo="sudo"
		say "installing the lab parts the machine tests use:$want"
		# Services these packages would start are not wanted: the tests start their own.
		printf '#!/bin/sh\nexit 101\n' > /tmp/hilt-policy-rc.d && chmod +x /tmp/hilt-policy-rc.d
		[ -e /usr/sbin/policy-rc.d ] || { $sudo cp /tmp/hilt-policy-rc.d /usr/sbin/policy-rc.d && added_policy=1; }
		[ -n "$missing" ] || $sudo apt-get update -q >&2 || true
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $want >&2 || say "some lab parts did not install; the tests that need them skip"
		[ -z "${added_policy:-}" ] || $sudo rm -f /usr/sbin/policy-rc.d
	fi
fi

if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
	say "hilt needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))."
	say "Debian 12 ships Node 18; install Node 20 from nodejs.org, NodeSource or nvm, then run this again."
	exit 2
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	say "installing npm dependencies"
	npm ci --no-audit --no-fund >&2
fi

say "building"
npx tsc -p tsconfig.json >&2
make -s -C suites >&2

if [ "$mode" = run ]; then
	exec ./bin/hilt run "$@"
fi
exec sh scripts/test.sh "$@"
