#!/usr/bin/env bash
# Fails, naming each file, when a committed generated file is not what
# `make generate` writes now: the admin API code (engine/portal/api/api.gen.go
# from engine/portal/openapi.yaml), the demo payloads (assets/demo/okta
# and assets/demo/entra from their generators) and the rules page
# (docs/assessment-rules.md from the rule catalogue). It regenerates into a
# temporary directory and compares, so it changes nothing in the tree.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

stale=()
sed "s|^output:.*|output: $tmp/api.gen.go|" engine/portal/api/oapi-codegen.yaml >"$tmp/oapi-codegen.yaml"
"$GO" tool oapi-codegen -config "$tmp/oapi-codegen.yaml" engine/portal/openapi.yaml
cmp -s "$tmp/api.gen.go" engine/portal/api/api.gen.go || stale+=("engine/portal/api/api.gen.go")

"$GO" run ./engine/okta/oktareplay/gendemo "$tmp/okta"
"$GO" run ./engine/entra/graphreplay/gendemo "$tmp/entra"
for vendor in okta entra; do
	for f in "$tmp/$vendor"/*.json; do
		name=assets/demo/$vendor/$(basename "$f")
		cmp -s "$f" "$name" || stale+=("$name")
	done
	for f in assets/demo/"$vendor"/*.json; do
		[ -e "$tmp/$vendor/$(basename "$f")" ] || stale+=("$f (no generator writes it any more)")
	done
done

"$GO" run ./engine/assessment/rules/gendoc "$tmp/assessment-rules.md"
cmp -s "$tmp/assessment-rules.md" docs/assessment-rules.md || stale+=("docs/assessment-rules.md")

if ((${#stale[@]})); then
	echo "stale generated files; run 'make generate' and commit the result:" >&2
	printf '  %s\n' "${stale[@]}" >&2
	exit 1
fi
