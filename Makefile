# Two commands set everything up on a fresh Linux machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYS_STAMP := $(VENV)/.system-packages
# Debian packages: Qt's xcb platform plugin needs the xcb/xkb/EGL libraries; tests screenshot under
# Xvfb, render PDFs with pdftoppm and decode barcodes with zbarimg; the hub tests start the Debian
# PostgreSQL cluster themselves (tests/hub/helpers.py) and run every hub test on it and on SQLite.
# usbmuxd: real iPhones reach the bench only through it (the tests use the simulated one).
# The label tests print through a private cupsd (tests/drivers/printer/test_cups.py).
# desktop-file-utils and systemd: tests/packaging checks the .desktop entry and the hub's unit with their own tools.
# libfuse2 and fuse3: the power-loss tests mount a lossy FUSE file system (tests/sync/lossyfs.py).
# gcc, python3-dev and linux-libc-dev build python-evdev (the HID scanner grab) when pip installs it.
# qemu-system-x86, linux-image-amd64 and busybox-static boot a kernel with uinput for the HID scanner grab's
# test (tests/drivers/rig/test_evdev_uinput.py) when the machine's own kernel has none.
SYSTEM_PACKAGES := cups cups-client cups-daemon gcc python3-dev linux-libc-dev qemu-system-x86 linux-image-amd64 busybox-static postgresql xvfb xauth zbar-tools poppler-utils smartmontools libegl1 libgl1 libxkbcommon-x11-0 libxcb-cursor0 \
	libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-image0 \
	libxcb-render-util0 libfontconfig1 libdbus-1-3 fonts-dejavu-core adb usbmuxd libfuse2 fuse3 desktop-file-utils systemd
# Peers the benchmarks measure against (bench only, not needed by the tests).
BENCH_PACKAGES := nwipe
BENCH_STAMP := $(VENV)/.bench-packages
ARGS ?=

.PHONY: run demo test lint bench clean install screenshots translations package package-smoke

install: $(STAMP) $(SYS_STAMP)

$(STAMP): pyproject.toml $(SYS_STAMP)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,package]'
	@touch $@

# Installs the system packages when we are root (CI, a bench being set up); otherwise says what is missing.
$(SYS_STAMP): Makefile
	@mkdir -p $(VENV)
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing system packages: $$missing"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	else echo "note: missing system packages (install as root): $$missing"; fi
	@touch $@

run: install
	$(BIN)/refurb-bench $(ARGS)

demo: install
	$(BIN)/refurb-bench --data-dir $(CURDIR)/.demo-data --simulate demo $(ARGS)

lint: install
	$(BIN)/ruff check app drivers tests
	$(BIN)/lint-imports
	$(BIN)/mypy

test: install lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(ARGS)

bench: install $(BENCH_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.bench.run_all $(ARGS)

# Same rule as the system packages above: installed as root, otherwise named (the bench then says so).
$(BENCH_STAMP): Makefile
	@mkdir -p $(VENV)
	@missing=$$(for p in $(BENCH_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing benchmark peers: $$missing"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	else echo "note: missing benchmark peers (install as root): $$missing"; fi
	@touch $@

# The self-contained Linux x86_64 build: dist/refurb-bench-VERSION-linux-x86_64.tar.gz (PyInstaller
# one-folder + install.sh, .desktop entry, icons, udev helper, hub unit; see README "Installing a bench").
# tests/packaging/test_package.py builds it and runs it in `make test`; package-smoke does the same by hand.
package: install
	sh packaging/build-package.sh $(BIN)/python dist

package-smoke: package
	sh packaging/smoke-package.sh dist/refurb-bench-$$($(BIN)/python -c 'import app; print(app.__version__)')-linux-x86_64.tar.gz

clean:
	rm -rf $(VENV) .demo-data .bench build dist *.egg-info

# Screenshots of the real window under Xvfb, saved to resources/screenshots/ (used by the README).
screenshots: install
	xvfb-run -a -s "-screen 0 1280x800x24" $(BIN)/python -m tests.ui.take_screenshots

# The French catalogue. resources/translations/refurb_bench_fr.ts is the source (translated by hand or
# in pyside6-linguist); this refreshes it from the code's marked texts (self.tr, QT_TRANSLATE_NOOP) and
# compiles the .qm the app loads. The .qm is committed, so a fresh clone and the built package need no
# Qt tools; tests/ui/test_translations.py fails when it is stale or a text is left untranslated.
TS_SOURCES = app/ui/*.py app/core/*.py app/services/*.py app/store/*.py drivers/block/safety.py
translations: install
	$(BIN)/pyside6-lupdate -locations none -no-obsolete $(TS_SOURCES) -ts resources/translations/refurb_bench_fr.ts
	$(BIN)/pyside6-lrelease -silent resources/translations/refurb_bench_fr.ts -qm resources/translations/refurb_bench_fr.qm
