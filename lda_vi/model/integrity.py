"""Checks of a saved model's files: every array against model.json and against the others.

Glossary of shapes: K topics (model.json "k" and "settings"."k"), V words (vocab.txt
lines, model.json "n_words"), D training documents (doc_ids.txt lines).

- ``lam`` K×V, ``alpha`` K, ``gamma`` D×K, ``topic_tokens`` K and ``doc_tokens`` D (optional):
  float64;
- λ, α, γ finite and positive, topic and document tokens finite and >= 0, η finite and
  positive.

Every failure is a :class:`~lda_vi.errors.ModelFileError` of one line naming the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lda_vi.errors import ModelFileError

ARRAYS = ("lam", "alpha", "gamma", "topic_tokens", "weights",   # weights: covariates' W
          "doc_tokens")                                           # D: training tokens
REQUIRED = ARRAYS[:3]


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """Load the float arrays of ``path``, refusing pickles, objects and damaged files."""
    try:
        with open(path, "rb") as handle:      # an .npz is a zip file; numpy would read other
            if handle.read(4) != b"PK\x03\x04":  # bytes as a pickle ("objects")
                raise ModelFileError(f"{path} is corrupt (not an .npz file); re-save the "
                                     "model")
        with np.load(path, allow_pickle=False) as npz:
            missing = [n for n in REQUIRED if n not in npz.files]
            if missing:
                raise ModelFileError(f"{path} lacks {', '.join(missing)}: the model is "
                                     "incomplete; re-save the model")
            arrays = {n: npz[n] for n in ARRAYS if n in npz.files}
    except FileNotFoundError:
        raise ModelFileError(f"{path} is missing: the model directory is incomplete") from None
    except ModelFileError:
        raise
    except ValueError as exc:
        if "pickle" in str(exc).lower() or "object" in str(exc).lower():
            raise ModelFileError(f"{path} holds objects, which lda-vi refuses to load") \
                from None
        raise ModelFileError(f"{path} is corrupt or truncated ({_name(exc)}); re-save the "
                             "model") from None
    except Exception as exc:  # BadZipFile, zlib.error, EOFError, OSError, struct.error...
        raise ModelFileError(f"{path} is corrupt or truncated ({_name(exc)}); re-save the "
                             "model") from None
    return arrays


def _name(exc: BaseException) -> str:
    return f"{type(exc).__module__}.{type(exc).__name__}".removeprefix("builtins.")


def check_model(directory: Path, meta: dict, arrays: dict[str, np.ndarray], n_words: int,
                n_docs: int, k: int, eta: float) -> None:
    """Raise ModelFileError unless the arrays agree with model.json, the vocabulary
    (``n_words`` lines), the document ids (``n_docs`` lines) and each other."""
    npz = directory / "arrays.npz"
    meta_k = meta.get("k")
    if not isinstance(meta_k, int) or isinstance(meta_k, bool) or meta_k != k:
        raise ModelFileError(f"{directory}/model.json is inconsistent: \"k\" is {meta_k!r} but "
                             f"its settings say k={k}; re-save the model")
    if meta.get("n_words") != n_words:
        raise ModelFileError(f"{directory} is inconsistent: model.json says n_words="
                             f"{meta.get('n_words')!r} but vocab.txt has {n_words} words; "
                             "re-save the model")
    expected = {"lam": (k, n_words), "alpha": (k,), "gamma": (n_docs, k), "topic_tokens": (k,),
                "doc_tokens": (n_docs,)}
    if "weights" in arrays:                      # K×F, F checked against covariates.json
        expected["weights"] = (k, arrays["weights"].shape[-1])
    for name, array in arrays.items():
        if array.dtype != np.float64:
            raise ModelFileError(f"{npz}: array {name} has dtype {array.dtype}, expected "
                                 "float64")
        if array.shape != expected[name]:
            raise ModelFileError(f"{directory} is inconsistent: {name} in arrays.npz has shape "
                                 f"{array.shape}, expected {expected[name]} (K={k} from "
                                 f"model.json, V={n_words} from vocab.txt, D={n_docs} from "
                                 "doc_ids.txt); re-save the model")
    for name in ("lam", "alpha", "gamma"):
        if not (np.all(np.isfinite(arrays[name])) and np.all(arrays[name] > 0)):
            raise ModelFileError(f"{npz}: {name} holds invalid parameters (all must be finite "
                                 "and positive)")
    if "weights" in arrays and not np.all(np.isfinite(arrays["weights"])):
        raise ModelFileError(f"{npz}: weights holds invalid values")
    for name in ("topic_tokens", "doc_tokens"):
        tokens = arrays.get(name)
        if tokens is not None and not (np.all(np.isfinite(tokens)) and np.all(tokens >= 0)):
            raise ModelFileError(f"{npz}: {name} holds invalid values")
    if not (np.isfinite(eta) and eta > 0):
        raise ModelFileError(f"{directory}/model.json: eta must be finite and positive, got "
                             f"{eta!r}")
