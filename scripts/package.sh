#!/usr/bin/env bash
# package.sh builds the Linux desktop package of the GUI with the root
# FyneApp.toml and checks it. `fyne package` reads FyneApp.toml only from
# the main package's folder and bumps its Build number afterwards, so it runs
# on a throwaway copy of the GUI's main package that carries the root
# metadata and icon: the tree stays untouched. The copy lives under dist/_package
# (inside the module so it builds, ignored by git and by ./... patterns).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

gui_src=${GUI_SRC:-app/console}
exe=portal-migration-console # fyne names the executable after the source folder

toml_value() {
	sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\(.*\)\"[[:space:]]*\$/\1/p" FyneApp.toml | head -n1
}
name=$(toml_value Name)
id=$(toml_value ID)
icon=$(toml_value Icon)
if [ -z "$name" ] || [ -z "$id" ] || [ ! -f "$icon" ]; then
	echo "package.sh: FyneApp.toml needs Details.Name, Details.ID and an existing Details.Icon" >&2
	exit 1
fi
if ! ls "$gui_src"/*.go >/dev/null 2>&1; then
	echo "package.sh: no Go main package in $gui_src" >&2
	exit 1
fi

work=dist/_package
src=$work/$exe
rm -rf "$work"
trap 'rm -rf "$work"' EXIT
mkdir -p "$src/$(dirname "$icon")"
cp -R "$gui_src"/. "$src"/
cp FyneApp.toml "$src"/
cp "$icon" "$src/$icon"

tarball="dist/$name.tar.xz"
rm -f "$tarball"
(cd dist && go tool fyne package -os linux --src "_package/$exe")

# The package must carry the right name, executable and icon.
check=$work/check
mkdir -p "$check"
tar -xJf "$tarball" -C "$check"
root=$check
[ -d "$root/usr" ] || root=$check/$exe # newer tar versions keep the folder prefix
desktop="$root/usr/local/share/applications/$id.desktop"
fail() {
	echo "package.sh: $tarball: $*" >&2
	exit 1
}
[ -x "$root/usr/local/bin/$exe" ] || fail "no executable usr/local/bin/$exe"
build_info=$(go version -m "$root/usr/local/bin/$exe")
grep -q -- '-tags=.*migrated_fynedo' <<<"$build_info" ||
	fail "the executable was not built with -tags migrated_fynedo ([Migrations] fyneDo)"
[ -f "$desktop" ] || fail "no desktop entry usr/local/share/applications/$id.desktop"
grep -qx "Name=$name" "$desktop" || fail "desktop entry does not say Name=$name"
grep -qx "Exec=$exe" "$desktop" || fail "desktop entry does not say Exec=$exe"
grep -qx "Icon=$id" "$desktop" || fail "desktop entry does not say Icon=$id"
cmp -s "$icon" "$root/usr/local/share/pixmaps/$id.png" || fail "the icon is not $icon"
echo "package.sh: built $tarball"
