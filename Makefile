# audit-kit — `make demo` and `make test` do all the set-up on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

# Debian packages some steps need: LibreOffice converts .doc/.wps (and makes PDFs in tests); Noto CJK
# fonts give those PDFs and the browser real Chinese glyphs; Chromium runs the browser tests (driven by
# Playwright with executable_path=/usr/bin/chromium). Installed when run as root, checked otherwise.
APT_PACKAGES := libreoffice-writer-nogui fonts-noto-cjk chromium

.PHONY: venv system demo test lint bench lab samples notebooks clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "安装 Debian 包：$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else echo "缺少 Debian 包：$$missing（以 root 运行 make 可自动安装；相关测试将跳过）"; fi

## The main job on the bundled sample data: read every sample, show its tables and a summary line, then
## audit the folder (store, cross-year checks) and write one HTML memo per report plus an index.
demo: venv
	$(BIN)/audit-kit show data/samples/*.txt data/samples/*.html data/samples/*.docx
	rm -rf out/demo out/demo-store
	$(BIN)/audit-kit batch data/samples -o out/demo --store out/demo-store --memos --jobs 2 --ledger out/demo.ledger.sqlite || [ $$? -eq 1 ]
	@echo "审核意见书："; ls -1 $$PWD/out/demo/memos/*.html; echo "索引：$$PWD/out/demo/index.html"

## Lint, then the whole test suite (the real-report corpus is used when ../shared is present).
test: venv system lint
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src/audit_kit

## JupyterLab on the notebooks, on localhost only, in Chinese (zh-CN language pack, set as the default
## language by jupyter/settings/overrides.json); the URL with its token is printed.
LAB_SETTINGS := --LabApp.app_settings_dir=$(CURDIR)/jupyter/settings --config=$(CURDIR)/jupyter/jupyter_server_config.py
lab: venv
	cd notebooks && ../$(BIN)/jupyter lab --ip=127.0.0.1 --no-browser $(LAB_SETTINGS) $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

bench: venv
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/ocr_speed.py
	$(BIN)/python benchmarks/memo_speed.py 40

samples: venv
	$(BIN)/python -m audit_kit.testing.samples data/samples

## The package's notebooks (src/audit_kit/notebooks/, the source the memo runs) copied to notebooks/ for JupyterLab.
notebooks: venv
	$(BIN)/python -m audit_kit.bundled notebooks

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache .mypy_cache
