"""The public API: ``import lda_vi`` is cheap and exposes the model, the corpus, the errors."""

from __future__ import annotations

import ast
import doctest
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lda_vi
from lda_vi.errors import InputError, LdaViError, ModelFileError

ROOT = Path(__file__).resolve().parents[1]


def test_plain_import_pulls_in_only_the_package_itself():
    code = ("import sys; before = set(sys.modules); import lda_vi; "
            "print(' '.join(sorted(set(sys.modules) - before)))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=True)
    # lda_vi/__init__.py alone: no submodule, no numpy, scipy, numba, nltk or click
    # (``__future__`` is stdlib, and already loaded where site imports it)
    assert set(proc.stdout.split()) - {"__future__"} == {"lda_vi"}


def test_public_names():
    from lda_vi.io.corpus import Corpus
    from lda_vi.io.load import load_corpus
    from lda_vi.model.lda import LDA

    assert lda_vi.LDA is LDA and lda_vi.Corpus is Corpus and lda_vi.load_corpus is load_corpus
    assert (lda_vi.LdaViError, lda_vi.InputError, lda_vi.ModelFileError) == \
        (LdaViError, InputError, ModelFileError)
    assert {"LDA", "Corpus", "load_corpus", "InputError"} <= set(dir(lda_vi))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        lda_vi.nothing  # noqa: B018


@pytest.mark.parametrize("module", ["lda_vi", "lda_vi.model.lda"])
def test_docstring_examples_run(module):
    __import__(module)
    result = doctest.testmod(sys.modules[module])
    assert result.attempted > 0 and result.failed == 0


DOCS = ["apple banana apple fruit", "banana fruit apple apple",
        "engine wheel car engine", "car wheel engine road"] * 5


def test_a_string_is_one_document_never_its_characters():
    model = lda_vi.LDA(k=2, seed=0, min_df=1, max_df=1.0).fit(DOCS)
    theta = model.transform("apple fruit banana")
    assert theta.shape == (1, 2)
    np.testing.assert_array_equal(theta, model.transform(["apple fruit banana"]))
    X, ids, _ = model.vectorize("car engine")
    assert X.shape[0] == 1 and ids == ["1"]
    one = lda_vi.LDA(k=2, seed=0, min_df=1, max_df=1.0).fit("apple banana apple fruit")
    assert one.gamma.shape == (1, 2) and len(one.vocab) == 3


def test_bytes_are_refused_with_a_clear_type_error():
    model = lda_vi.LDA(k=2, seed=0, min_df=1, max_df=1.0).fit(DOCS)
    with pytest.raises(TypeError, match="decode"):
        model.transform(b"apple fruit")
    with pytest.raises(TypeError, match="document 2 is bytes"):
        model.transform(["apple", b"fruit"])


def test_errors_name_the_parameter_not_a_flag():
    with pytest.raises(InputError, match=r"^max_iter must be a whole number >= 1") as info:
        lda_vi.LDA(max_iter=0)
    assert info.value.params == ("max_iter",)
    with pytest.raises(InputError, match=r"^alpha must be a positive number"):
        lda_vi.LDA(alpha="-1")
    # a prior beyond 1e6 is refused by name (it overflowed the compiled ψ, and the E-step's
    # error then blamed k)
    for name in ("alpha", "eta"):
        with pytest.raises(InputError, match=rf"^{name} must be at most 1e\+06") as info:
            lda_vi.LDA(**{name: 1e100})
        assert info.value.params == (name,)
        lda_vi.LDA(**{name: 1e6})


def test_cli_shows_parameters_as_flags():
    from lda_vi.cli.common import flag_message

    message = flag_message(InputError("tol must be >= 0, e_tol > 0 and e_max_iter >= 1",
                                      params=("tol", "e_tol", "e_max_iter")))
    assert message == "--tol must be >= 0, --e-tol > 0 and --e-max-iter >= 1"
    assert flag_message(InputError("use e.g. min_df=2", params=("min_df",))) == \
        "use e.g. --min-df 2"
    # only the parameters the error names are touched
    assert flag_message(InputError("the tol of threads", params=())) == "the tol of threads"


def _string_literals(path: Path) -> list[str]:
    """The string constants of a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings]


#: A command-line flag inside a string: ``--max-iter``, or ``-k`` / ``-o`` standing alone.
FLAG = re.compile(r"(^|[\s('\"])--[a-z]|(^|\s)-[ko](\s|:|$)")


def test_no_flag_strings_in_the_model_and_evaluate_layers():
    for layer in ("model", "evaluate"):
        for path in (ROOT / "lda_vi" / layer).glob("*.py"):
            flags = [s for s in _string_literals(path) if FLAG.search(s)]
            assert not flags, f"{path}: {flags}"


def test_readme_api_example_runs_as_written(sample_corpus_path, tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks, "README.md has no ```python block"
    code = blocks[0]
    assert len([line for line in code.splitlines() if line.strip()]) == 5
    (tmp_path / "corpora").mkdir()
    (tmp_path / "corpora" / "stdlib_docstrings.txt").symlink_to(sample_corpus_path)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)      # noqa: S102
    model = namespace["model"]
    assert model.k == 12 and (tmp_path / "out" / "api" / "run.json").is_file()
    assert lda_vi.LDA.load(tmp_path / "out" / "api").record.elbo == model.record.elbo


def test_counts_beyond_what_the_bound_resolves_are_refused():
    import scipy.sparse as sp

    X = sp.csr_matrix(np.array([[1e14, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0]]))
    for inference in ("vb", "cvb0"):
        with pytest.raises(InputError, match="a count of 1e\\+14 is beyond the 1e\\+12"):
            lda_vi.LDA(k=2, max_iter=3, inference=inference).fit_counts(X)
    X.data[X.data > 1] = 1e12
    lda_vi.LDA(k=2, max_iter=3).fit_counts(X)
