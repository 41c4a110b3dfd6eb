# lda-vi: every target installs what it needs into .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SAMPLE := corpora/stdlib_docstrings.txt
K      ?= 12

.PHONY: install run test lint bench sample clean

install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m lda_vi.engine.warm
	$(BIN)/python -m lda_vi.io.float_text
	touch $(STAMP)

sample: $(SAMPLE)

$(SAMPLE): corpora/make_sample.py | $(STAMP)
	$(BIN)/python corpora/make_sample.py -o $(SAMPLE)

run: $(STAMP) $(SAMPLE)
	mkdir -p out
	$(BIN)/lda-vi fit $(SAMPLE) -k $(K) --seed 1 --max-df 0.1 \
	    --stopwords corpora/docstring_stopwords.txt -o out/sample --force

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench_ap.py
	$(BIN)/python benchmarks/bench_cvb0.py

clean:
	rm -rf $(VENV) out *.egg-info .pytest_cache .ruff_cache
