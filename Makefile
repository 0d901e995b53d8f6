# Shipdesk (发货台) — the one entry point for building, running and testing.
#
#   make run     install what is missing, build, open the app in demo (sandbox) mode
#   make test    install what is missing, run every test (UI tests under Xvfb)
#
# Run `make` or `make help` for the rest.

GO        ?= go
BIN       ?= bin/shipdesk
DATA_DIR  ?=
GOFLAGS   ?= -buildvcs=false
TEST_TIMEOUT ?= 25m
TEST_PKGS ?= ./...
BENCHTIME ?= 1s
STATICCHECK_VERSION ?= v0.8.2
export GOFLAGS

# Debian/Ubuntu packages the build and the tests need: a C compiler and
# pkg-config for cgo, the GL/X11 headers GLFW compiles against, libusb for
# gousb, Xvfb + xauth for the headless UI tests, ImageMagick and x11-utils to
# screenshot the real window, fonts for the screenshots, poppler-utils
# (pdftoppm) to rasterise the 交接单 and day-sheet PDFs in their tests.
APT_PACKAGES := gcc libc6-dev pkg-config libgl1-mesa-dev xorg-dev libusb-1.0-0-dev \
	xvfb xauth x11-utils imagemagick poppler-utils
# What the USB gadget test (printer/usbtest) boots: qemu, a kernel whose
# modules include dummy_hcd and usb_f_printer, and a static busybox.
USB_PACKAGES := qemu-system-x86 linux-image-amd64 busybox-static
# What the Windows build and its tests under Wine need: mingw-w64 for cgo
# (Fyne's GLFW) and windres, NSIS for the installer, Wine 8 to run the exe
# and the Windows test binaries, CUPS for Wine's spooler to print to.
WINDOWS_PACKAGES := gcc-mingw-w64-x86-64 nsis wine wine64 cups cups-client
# The PostgreSQL server the shared-store tests start privately (initdb and
# pg_ctl from Debian's postgresql package; no system service is used).
PG_PACKAGES  := postgresql
# pkg-config modules and commands whose presence proves the packages are in.
PKG_MODULES  := gl x11 xrandr xinerama xcursor xi xxf86vm libusb-1.0
COMMANDS     := gcc pkg-config Xvfb xwininfo import pdftoppm

.DEFAULT_GOAL := help

.PHONY: help
help: ## show this help
	@echo "Shipdesk (发货台) make targets:"
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  %-10s %s\n", $$1, $$2}'

.PHONY: deps
deps: ## install the system packages the build and tests need (apt-get; root or sudo)
	@missing=""; \
	for c in $(COMMANDS); do command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	for m in $(PKG_MODULES); do pkg-config --exists $$m 2>/dev/null || missing="$$missing $$m"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "deps: missing:$$missing — installing: $(APT_PACKAGES)"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; \
	else echo "deps: not root and no sudo; run this, then try again:"; \
	     echo "  sudo apt-get update && sudo apt-get install -y $(APT_PACKAGES)"; exit 1; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	     echo "deps: no apt-get here; install the equivalents of: $(APT_PACKAGES)"; exit 1; fi; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) >/dev/null && \
	echo "deps: installed"

.PHONY: build
build: deps ## build bin/shipdesk
	$(GO) build -o $(BIN) .

.PHONY: run
run: build ## build and open the app (demo mode until Kuaidi100 credentials are set)
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
		echo "run: no display (DISPLAY is unset); start one, e.g. 'Xvfb :99 & export DISPLAY=:99'"; exit 1; fi
	./$(BIN) $(if $(DATA_DIR),--data-dir $(DATA_DIR))

# The UI tests need an X server: use the caller's DISPLAY, or start Xvfb on a
# free display number for the duration of the run.
.PHONY: deps-usb
deps-usb: ## install qemu, a kernel and busybox for the USB gadget test (best effort)
	@if command -v qemu-system-x86_64 >/dev/null 2>&1 && ls /boot/vmlinuz-* >/dev/null 2>&1 && \
		{ [ -x /bin/busybox ] || [ -x /usr/bin/busybox ]; }; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; \
	else echo "deps-usb: cannot install $(USB_PACKAGES) (not root, no sudo): the USB gadget test will be skipped"; exit 0; fi; \
	command -v apt-get >/dev/null 2>&1 || { echo "deps-usb: no apt-get: the USB gadget test will be skipped"; exit 0; }; \
	echo "deps-usb: installing $(USB_PACKAGES)"; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(USB_PACKAGES) >/dev/null 2>&1 || \
	{ $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(USB_PACKAGES) >/dev/null 2>&1; } || \
	echo "deps-usb: could not install $(USB_PACKAGES): the USB gadget test will be skipped"

.PHONY: test-usb
test-usb: deps deps-usb ## print through a real kernel USB printer gadget inside a qemu guest
	SHIPDESK_REQUIRE_USBTEST=1 $(GO) test -count=1 -v -run TestUSBPrinterGadget -timeout 5m ./printer/usbtest/

.PHONY: deps-pg
deps-pg: ## install the PostgreSQL server binaries the shared-store tests run privately
	@if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi; \
	echo "deps-pg: no initdb — installing: $(PG_PACKAGES)"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; \
	else echo "deps-pg: not root and no sudo; run: sudo apt-get install -y $(PG_PACKAGES)"; exit 1; fi; \
	command -v apt-get >/dev/null 2>&1 || { echo "deps-pg: no apt-get here; install PostgreSQL's server binaries (initdb, pg_ctl)"; exit 1; }; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(PG_PACKAGES) >/dev/null 2>&1 || \
	{ $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(PG_PACKAGES) >/dev/null; } && \
	echo "deps-pg: installed"

# The tests of the PostgreSQL store and of several stations sharing it run
# against one private server for the whole run: `pgcluster start` makes a
# cluster in a temp folder (as the user nobody when we are root: initdb
# refuses root), on a free loopback port with its socket in that folder;
# SHIPDESK_TEST_PG names it to the tests; the trap stops it and deletes the
# folder however the run ends.
.PHONY: deps-windows
deps-windows: ## install mingw-w64, NSIS, Wine and CUPS for the Windows build and its tests (best effort)
	@if command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 && command -v makensis >/dev/null 2>&1 && \
		command -v wine >/dev/null 2>&1 && command -v cupsd >/dev/null 2>&1 && command -v lpadmin >/dev/null 2>&1 && \
		[ -f /usr/lib/cups/backend/socket ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; \
	else echo "deps-windows: cannot install $(WINDOWS_PACKAGES) (not root, no sudo): the Windows tests will be skipped"; exit 0; fi; \
	command -v apt-get >/dev/null 2>&1 || { echo "deps-windows: no apt-get: the Windows tests will be skipped"; exit 0; }; \
	echo "deps-windows: installing $(WINDOWS_PACKAGES)"; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(WINDOWS_PACKAGES) >/dev/null 2>&1 || \
	{ $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(WINDOWS_PACKAGES) >/dev/null 2>&1; } || \
	echo "deps-windows: could not install $(WINDOWS_PACKAGES): the Windows tests will be skipped"

.PHONY: windows
windows: deps deps-windows ## cross-compile dist/windows/shipdesk.exe and the installer Shipdesk-Setup-VERSION.exe (mingw-w64, NSIS)
	GO=$(GO) windows/build.sh

.PHONY: test-windows
test-windows: deps deps-windows ## the Windows build's tests under Wine: unit tests as Windows binaries, spooler printing end to end, GUI, installer
	GO=$(GO) windows/test-windows.sh

.PHONY: test
test: deps deps-usb deps-pg deps-windows ## run every test under the race detector (starts Xvfb for the UI tests when there is no display, and a private PostgreSQL)
	@set -e; \
	pgdsn=$$($(GO) run ./store/postgres/pgtest/pgcluster start "$${TMPDIR:-/tmp}"); \
	xpid=""; \
	trap '[ -n "$$xpid" ] && kill $$xpid 2>/dev/null; $(GO) run ./store/postgres/pgtest/pgcluster stop "$$pgdsn"' EXIT; \
	export SHIPDESK_TEST_PG="$$pgdsn"; \
	if [ -n "$$DISPLAY" ]; then \
		$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) $(TEST_PKGS); \
	else \
		n=99; while [ -e /tmp/.X$$n-lock ] || [ -e /tmp/.X11-unix/X$$n ]; do n=$$((n+1)); done; \
		Xvfb :$$n -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 & xpid=$$!; \
		i=0; while [ ! -e /tmp/.X11-unix/X$$n ] && [ $$i -lt 100 ]; do i=$$((i+1)); sleep 0.1; done; \
		DISPLAY=:$$n $(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) $(TEST_PKGS); \
	fi
	@GO=$(GO) windows/test-windows.sh

.PHONY: lint
lint: deps ## gofmt check, go vet, staticcheck (every check incl. stylistic: staticcheck.conf)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@sc=$$(command -v staticcheck || echo "$$($(GO) env GOPATH)/bin/staticcheck"); \
	if [ ! -x "$$sc" ] || ! "$$sc" -version 2>/dev/null | grep -q '($(STATICCHECK_VERSION:v%=%))'; then \
		echo "lint: installing staticcheck $(STATICCHECK_VERSION)"; \
		GOFLAGS= $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) || { echo "lint: staticcheck could not be installed"; exit 1; }; \
		sc="$$($(GO) env GOPATH)/bin/staticcheck"; \
	fi; \
	"$$sc" ./...

.PHONY: bench
bench: deps deps-pg ## run the benchmarks (store fixture size: SHIPDESK_BENCH_SHIPMENTS, default 1000000)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -timeout 60m ./...

.PHONY: package
package: deps ## build an installable package for this OS with the fyne tool
	$(GO) run fyne.io/tools/cmd/fyne@v1.7.4 package --release

.PHONY: clean
clean: ## remove build output
	rm -rf bin dist build
