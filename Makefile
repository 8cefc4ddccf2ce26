# Portal Migration Console: build, run, test and package.
# GNU make. `make help` lists the targets.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO ?= go
# Fyne 2.6+ compiles slow thread checks in unless the app declares the
# fyne.Do migration (FyneApp.toml) and builds with this tag.
GUI_TAGS := migrated_fynedo
# Packages `make test` and `make bench` cover; narrow it while iterating,
# e.g. make test PKGS=./storage/keychain/ FUZZ_TARGETS=
PKGS ?= ./...
GUI := bin/portal-migration-console
CLI := bin/migctl

# Bounded fuzz runs in `make test`: space-separated package:FuzzName pairs,
# e.g. ./engine/audit:FuzzVerify. Each runs for FUZZTIME.
FUZZ_TARGETS := \
	./engine/okta:FuzzNormalizeOktaApp \
	./engine/okta:FuzzNormalizeOktaGroup \
	./engine/okta:FuzzNormalizeOktaIdP \
	./engine/okta:FuzzNormalizeOktaRoutingRule \
	./engine/okta:FuzzNormalizeOktaPolicy \
	./engine/okta:FuzzNormalizeOktaDomain \
	./engine/okta:FuzzNormalizeOktaAssignment \
	./engine/redact:FuzzRedact \
	./engine/portal/sandbox:FuzzSandboxCreate
# The Entra normalizers' fuzz targets (./engine/entra: FuzzNormalizeApplication,
# ...ServicePrincipal, ...Group, ...Domain, ...Policy, ...Assignment) run
# their seed corpus in every `go test`, but not in fuzzing mode here: -fuzz
# rebuilds the whole Graph SDK with coverage instrumentation, which takes
# longer than CI's budget on these 2-core machines. Run them by hand with
# `make fuzz FUZZ_TARGETS=./engine/entra:FuzzNormalizeGroup FUZZTIME=5m`.
FUZZTIME ?= 20s

# fyne-cross (Docker or Podman) for `make cross`; see fyne-cross/README.md.
FYNE_CROSS ?= fyne-cross
MACOS_SDK_PATH ?=

.PHONY: help deps deps-test build run generate check-generated test fuzz bench soak package cross clean

help:
	@echo "make deps     install missing system packages (scripts/deps.sh)"
	@echo "make build    $(GUI) and $(CLI)"
	@echo "make run      open the GUI on the demo workspace"
	@echo "make generate the admin API code from openapi.yaml and the demo payloads in assets/demo"
	@echo "make test     vet, gofmt and generated-file checks, all tests against a real keychain, bounded fuzz runs"
	@echo "make bench    all benchmarks"
	@echo "make soak     long soaks: the rollout's full kill-and-resume matrix, more property cases"
	@echo "make package  Linux desktop package in dist/ (fyne package, root FyneApp.toml)"
	@echo "make cross    Windows, macOS and Linux packages with fyne-cross (needs Docker or Podman)"
	@echo "make clean    remove build outputs"

deps:
	@scripts/deps.sh

# Also the tools the report tests check their output with (pdftotext,
# headless Chromium); only the tests need them.
deps-test:
	@scripts/deps.sh test

build: deps
	$(GO) build -tags $(GUI_TAGS) -o $(GUI) ./app/console
	CGO_ENABLED=0 $(GO) build -o $(CLI) ./app/migctl

run: build
	scripts/run-gui.sh $(GUI) --demo

# Generated files are committed: engine/portal/api/api.gen.go (oapi-codegen,
# pinned in go.mod's tool block), the demo incumbents in assets/demo and the
# rules page docs/assessment-rules.md (from the rule catalogue).
# Edit openapi.yaml, a generator or a rule, run this, commit both.
generate:
	$(GO) generate ./engine/portal/api
	$(GO) run ./engine/okta/oktareplay/gendemo assets/demo/okta
	$(GO) run ./engine/entra/graphreplay/gendemo assets/demo/entra
	$(GO) generate ./engine/assessment/rules

# Fails naming each committed generated file that differs from what
# `make generate` writes now (it regenerates into a temporary directory).
check-generated:
	@GO=$(GO) scripts/check-generated.sh

# Tests build without $(GUI_TAGS): Fyne's test driver runs fyne.Do inline on
# the calling goroutine, so background work and the test goroutine meet in
# Fyne's caches, which are plain maps under that tag and goroutine-safe
# without it. The app itself is vetted and built with the tag.
test: deps-test
	$(GO) vet -tags $(GUI_TAGS) $(PKGS)
	@unformatted=$$(find . -name '*.go' -not -path './.*' -not -path './bin/*' -not -path './dist/*' \
		-not -path './fyne-cross/*' -print0 | xargs -0 -r gofmt -l); \
	if [ -n "$$unformatted" ]; then echo "gofmt -w needed on:"; echo "$$unformatted"; exit 1; fi
	@$(MAKE) --no-print-directory check-generated
	CGO_ENABLED=0 $(GO) build -o /dev/null ./app/migctl
	PMC_KEYCHAIN_TESTS=1 scripts/with-keyring.sh $(GO) test -timeout 20m $(PKGS)
	@$(MAKE) --no-print-directory fuzz

fuzz:
	@for target in $(FUZZ_TARGETS); do \
		pkg=$${target%%:*}; name=$${target##*:}; \
		echo "fuzz $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) "$$pkg"; \
	done

bench: deps
	scripts/with-keyring.sh $(GO) test -timeout 0 -tags $(GUI_TAGS) -run '^$$' -bench . -benchmem $(PKGS)

# make test runs a sample of these; the soak runs the full matrix.
soak: deps
	PMC_SOAK=1 $(GO) test -timeout 60m -count=1 -run 'KillAndResume|SafetyProperties' ./engine/rollout/ -rapid.checks=1000

package: deps
	scripts/package.sh

# Outputs land in fyne-cross/bin, fyne-cross/dist and fyne-cross/tmp.
# FyneApp.toml (name, id, version, build, icon) is read from this directory.
cross:
	@command -v $(FYNE_CROSS) >/dev/null || { echo "fyne-cross is not installed; see fyne-cross/README.md" >&2; exit 1; }
	@command -v docker >/dev/null || command -v podman >/dev/null || { echo "fyne-cross needs Docker or Podman" >&2; exit 1; }
	$(FYNE_CROSS) linux -arch=amd64,arm64 -tags $(GUI_TAGS) ./app/console
	$(FYNE_CROSS) windows -arch=amd64 -tags $(GUI_TAGS) ./app/console
	@[ -n "$(MACOS_SDK_PATH)" ] || { echo "set MACOS_SDK_PATH to an extracted macOS SDK; see fyne-cross/README.md" >&2; exit 1; }
	$(FYNE_CROSS) darwin -arch=amd64,arm64 -tags $(GUI_TAGS) -macosx-sdk-path "$(MACOS_SDK_PATH)" ./app/console

clean:
	rm -rf bin dist fyne-cross/bin fyne-cross/dist fyne-cross/tmp
