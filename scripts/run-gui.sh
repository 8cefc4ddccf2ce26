#!/usr/bin/env bash
# run-gui.sh BINARY [ARG...] opens the GUI. On Linux without a display it
# starts a virtual one (Xvfb :99) and says so; the keychain comes from
# with-keyring.sh, which uses the session's Secret Service when there is one.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ "$(uname -s)" = Linux ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
	socket=/tmp/.X11-unix/X99
	if [ ! -S "$socket" ]; then
		if ! command -v Xvfb >/dev/null; then
			echo "run-gui.sh: no DISPLAY or WAYLAND_DISPLAY and no Xvfb; run scripts/deps.sh" >&2
			exit 1
		fi
		Xvfb :99 -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
		xvfb_pid=$!
		trap 'kill "$xvfb_pid" 2>/dev/null || true' EXIT
		for _ in $(seq 100); do
			[ -S "$socket" ] && break
			kill -0 "$xvfb_pid" 2>/dev/null || break
			sleep 0.1
		done
		if [ ! -S "$socket" ]; then
			echo "run-gui.sh: Xvfb :99 did not start" >&2
			exit 1
		fi
	fi
	export DISPLAY=:99
	echo "run-gui.sh: no DISPLAY or WAYLAND_DISPLAY: the console runs on the virtual display Xvfb :99 (invisible; screenshot it with: import -display :99 -window root shot.png)" >&2
fi

"$here/with-keyring.sh" "$@"
