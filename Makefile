# formkit: `make demo` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test app install libreoffice chromium templates samples bench gallery clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "formkit heeft Python 3.11 of nieuwer nodig")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Kan geen virtuele omgeving maken. Installeer python3-venv (Debian/Ubuntu: apt-get install python3-venv)."; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

libreoffice:
	@sh scripts/ensure-libreoffice.sh

# Debian's chromium, headless: the app's browser tests and its screenshots in the gallery.
chromium:
	@sh scripts/ensure-chromium.sh

demo: install libreoffice
	$(BIN)/formkit demo --out out/demo

# The web app for the secretariat, on a copy of the sample register (the samples themselves stay
# untouched) and with the samples' seal key, so the returned sample forms can be dropped onto it.
app: install libreoffice
	@mkdir -p out/app
	@test -f out/app/register.xlsx || cp samples/register.xlsx out/app/register.xlsx
	$(BIN)/formkit --sleutel samples/demo-sleutel.key app --register out/app/register.xlsx --map out/app

test: install libreoffice chromium
	$(BIN)/ruff check formkit tests scripts benchmarks
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest

# Rebuild the committed default templates and samples from the schema.
templates: install
	$(BIN)/python scripts/build_templates.py

samples: install templates
	$(BIN)/python scripts/build_samples.py

# Every kind of document the demo writes, as PNG pages in out/gallery/: look before you submit.
gallery: install libreoffice chromium
	$(BIN)/python scripts/gallery.py

bench: install libreoffice
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) out .pytest_cache
