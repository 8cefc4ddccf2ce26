#!/usr/bin/env bash
# deps.sh installs what building and testing the console needs and is not
# there yet. Debian/Ubuntu: the C toolchain and GL/X11 headers Fyne's cgo
# build needs, Xvfb for a headless `make run`, D-Bus and gnome-keyring for
# the keychain tests, imagemagick for image checks; with the argument "test",
# also what the report tests check their output with (poppler-utils for
# pdftotext, Debian's chromium for the HTML report), which only `make test`
# needs: chromium is large. macOS: Go and the Xcode command line tools are
# all. Idempotent: when everything is present it only looks and returns.
set -euo pipefail

check_go() {
	if ! command -v go >/dev/null; then
		echo "deps.sh: Go is not installed; get the version go.mod names from https://go.dev/dl/" >&2
		exit 1
	fi
}

case "$(uname -s)" in
Darwin)
	check_go
	if ! xcode-select -p >/dev/null 2>&1; then
		echo "deps.sh: the Xcode command line tools are missing (Fyne needs a C compiler); run: xcode-select --install" >&2
		exit 1
	fi
	exit 0
	;;
Linux) ;;
*)
	echo "deps.sh: $(uname -s) is not handled; see fyne-cross/README.md for building other targets" >&2
	exit 1
	;;
esac

packages=(gcc pkg-config libgl1-mesa-dev xorg-dev xvfb dbus dbus-x11 gnome-keyring imagemagick)
if [ "${1:-}" = test ]; then
	packages+=(poppler-utils chromium)
fi

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
	echo "deps.sh: not a Debian/Ubuntu system; install the equivalents of: ${packages[*]}" >&2
	check_go
	exit 0
fi

installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null | awk '$2 == "installed" { print $1 }' || true)
missing=()
for p in "${packages[@]}"; do
	grep -qx "$p" <<<"$installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps.sh: installing ${missing[*]}" >&2
	as_root=()
	if [ "$(id -u)" -ne 0 ]; then
		if ! command -v sudo >/dev/null; then
			echo "deps.sh: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2
			exit 1
		fi
		as_root=(sudo)
	fi
	"${as_root[@]}" apt-get update -q
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi

check_go
