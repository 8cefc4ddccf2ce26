#!/usr/bin/env bash
# with-keyring.sh CMD [ARG...]
#
# Runs CMD where go-keyring can reach a real, unlocked Secret Service. When
# the current session bus already offers one (a desktop session), CMD runs
# as is. Otherwise CMD runs inside a private `dbus-run-session` with a
# gnome-keyring-daemon whose login keyring is created and unlocked with a
# throwaway password and kept in a temporary directory: it never touches the
# user's own keyrings, and everything stored in it vanishes when CMD exits.
set -euo pipefail

if [ $# -eq 0 ]; then
	echo "usage: $0 CMD [ARG...]" >&2
	exit 2
fi

# macOS and Windows keychains belong to the login session: nothing to start.
case "$(uname -s)" in
Darwin | MINGW* | MSYS* | CYGWIN*) exec "$@" ;;
esac

# secret_service_reachable succeeds when the session bus godbus would use
# has a running Secret Service whose default collection is unlocked. A
# service that is merely activatable, or locked, would wait on an unlock
# prompt nobody can answer.
secret_service_reachable() {
	local addr="${DBUS_SESSION_BUS_ADDRESS:-}"
	if [ -z "$addr" ] && [ -S "/run/user/$(id -u)/bus" ]; then
		addr="unix:path=/run/user/$(id -u)/bus"
	fi
	[ -n "$addr" ] || return 1
	command -v dbus-send >/dev/null || return 1
	local names locked
	names=$(DBUS_SESSION_BUS_ADDRESS="$addr" timeout 5 dbus-send --session --print-reply \
		--dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames 2>/dev/null) || return 1
	grep -q '"org.freedesktop.secrets"' <<<"$names" || return 1
	locked=$(DBUS_SESSION_BUS_ADDRESS="$addr" timeout 5 dbus-send --session --print-reply \
		--dest=org.freedesktop.secrets /org/freedesktop/secrets/aliases/default \
		org.freedesktop.DBus.Properties.Get string:org.freedesktop.Secret.Collection string:Locked 2>/dev/null) || return 1
	grep -q 'boolean false' <<<"$locked"
}

if [ "${PMC_WITH_KEYRING_INNER:-}" != 1 ]; then
	if secret_service_reachable; then
		exec "$@"
	fi
	for tool in dbus-run-session gnome-keyring-daemon; do
		if ! command -v "$tool" >/dev/null; then
			echo "with-keyring.sh: $tool is missing; run scripts/deps.sh (it installs dbus and gnome-keyring)" >&2
			exit 1
		fi
	done
	echo "with-keyring.sh: no unlocked Secret Service on the session bus; using a throwaway gnome-keyring for this run" >&2
	PMC_WITH_KEYRING_INNER=1 exec dbus-run-session -- "${BASH_SOURCE[0]}" "$@"
fi
unset PMC_WITH_KEYRING_INNER

# Inside the private session bus: start the keyring with a throwaway
# password. Its files and control socket live in a temporary directory.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmc-keyring.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -m 700 "$tmp/data" "$tmp/run"
password=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
if ! daemon_env=$(printf '%s' "$password" |
	XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run" gnome-keyring-daemon --unlock --components=secrets); then
	echo "with-keyring.sh: gnome-keyring-daemon failed to start" >&2
	exit 1
fi
unset password
# The daemon prints NAME=VALUE lines (GNOME_KEYRING_CONTROL, ...).
while IFS='=' read -r name value; do
	[[ "$name" =~ ^[A-Z_][A-Z0-9_]*$ ]] && export "$name=$value"
done <<<"$daemon_env"

"$@"
