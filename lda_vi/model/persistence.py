"""Saving and loading a fitted model: one directory, every file written atomically.

Files: ``model.json`` (format name and version, settings, tokenizer and pruning),
``arrays.npz`` (λ K×V, α K, γ D×K, topic tokens K, and the covariates' W K×F when
there are covariates; float64, no pickles), ``vocab.txt``, ``doc_ids.txt``,
``run.json`` (the :class:`~lda_vi.model.record.RunRecord`) and, for a model fitted
with covariates, ``covariates.json`` (their design and training values). ``model.json``
also holds the topics' ``labels`` (a name or null each; absent before lda-vi 0.2: every
topic unlabelled).

Format versions: 1 (lda-vi 0.1.0 on). A model of any version up to :data:`FORMAT_VERSION`
keeps loading (tests/fixtures/models holds one of each).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import numpy as np

from lda_vi import __version__
from lda_vi.errors import InputError, ModelFileError
from lda_vi.io.atomic import atomic_open, atomic_write_text, output_transaction, remove_on_commit
from lda_vi.model.covariates import CovariateState
from lda_vi.model.integrity import check_model, read_npz
from lda_vi.model.labels import check_labels
from lda_vi.model.record import RunRecord
from lda_vi.text.tokenize import TokenizerConfig
from lda_vi.text.vocabulary import PruneConfig, Vocabulary

FORMAT_NAME = "lda-vi-model"
FORMAT_VERSION = 1
#: The files a saved model may hold (the module docstring).
MODEL_FILES = ("model.json", "arrays.npz", "vocab.txt", "doc_ids.txt", "run.json",
               "covariates.json")


def save_model(model, directory: str | os.PathLike) -> Path:
    """Write the fitted ``model`` to ``directory`` (created if needed), all files or none."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {directory}: {exc.strerror}") from None
    with output_transaction():         # every file, or (after an error) none of them
        extra = {} if model.covariates is None else {"weights": model.covariates.weights}
        if model.doc_tokens is not None:                          # since 0.2: D tokens
            extra["doc_tokens"] = np.asarray(model.doc_tokens, dtype=np.float64)
        with atomic_open(directory / "arrays.npz", "wb") as handle:
            np.savez(handle, lam=model.lam, alpha=model.alpha, gamma=model.gamma,
                     topic_tokens=model.topic_shares() if model.topic_tokens is None
                     else model.topic_tokens, **extra)
        covariates = directory / "covariates.json"
        if model.covariates is not None:
            atomic_write_text(covariates, json.dumps(model.covariates.to_dict()) + "\n")
        else:
            remove_on_commit(covariates)     # (a model saved over one with covariates)
        atomic_write_text(directory / "vocab.txt", "".join(w + "\n" for w in model.vocab.words))
        atomic_write_text(directory / "doc_ids.txt", "".join(_one_line(i) + "\n"
                                                              for i in model.doc_ids))
        atomic_write_text(directory / "run.json", model.record.to_json())
        meta = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION,
                "lda_vi_version": __version__, "k": model.k, "n_words": len(model.vocab),
                "eta": model.eta, "settings": asdict(model.settings),
                "tokenizer": model.tokenizer_config.to_dict(),
                "prune": model.prune_config.to_dict(), "labels": list(model.labels)}
        atomic_write_text(directory / "model.json", json.dumps(meta, indent=2) + "\n")
    return directory


def load_model(cls, directory: str | os.PathLike):
    """Read a model written by :func:`save_model` as ``cls``; a clear ModelFileError otherwise."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ModelFileError(f"{directory} is not a model directory (a fitted model's "
                             "save() writes one)")
    meta = _read_json(directory / "model.json")
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{directory}/model.json is not an lda-vi model")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(f"{directory} was written in model format {version!r}, newer "
                             f"than this lda-vi {__version__} reads ({FORMAT_VERSION}); "
                             "upgrade lda-vi")
    try:
        settings = meta["settings"]
        model = cls(**{k: v for k, v in settings.items() if k != "k"}, k=settings["k"],
                    tokenizer=TokenizerConfig.from_dict(meta["tokenizer"]),
                    prune=PruneConfig.from_dict(meta["prune"]))
        eta = float(meta["eta"])
    except (KeyError, TypeError, ValueError, InputError) as exc:
        raise ModelFileError(f"{directory}/model.json is incomplete or corrupt ({exc})") \
            from None
    arrays = read_npz(directory / "arrays.npz")
    words = _read_lines(directory / "vocab.txt")
    doc_ids = _read_lines(directory / "doc_ids.txt")
    check_model(directory, meta, arrays, len(words), len(doc_ids), model.k, eta)
    try:
        vocab = Vocabulary(words)
    except ValueError as exc:
        raise ModelFileError(f"{directory}/vocab.txt is corrupt: {exc}") from None
    lam, alpha, gamma = arrays["lam"], arrays["alpha"], arrays["gamma"]
    model.lam, model.alpha, model.gamma, model.eta = lam, alpha, gamma, eta
    model.topic_tokens = arrays.get("topic_tokens")
    model.doc_tokens = arrays.get("doc_tokens")
    model.vocab, model.doc_ids = vocab, doc_ids
    model.covariates = _read_covariates(directory, arrays, model.k, gamma.shape[0])
    try:                    # labels: since lda-vi 0.2 (absent: every topic unlabelled)
        labels = meta.get("labels") or [None] * model.k
        if not isinstance(labels, list):
            raise InputError("labels must be a list, one entry per topic")
        model.labels = check_labels(labels, model.k)
    except InputError as exc:
        raise ModelFileError(f"{directory}/model.json: {exc}") from None
    run = directory / "run.json"
    model.record = RunRecord.from_dict(_read_json(run)) if run.exists() else RunRecord()
    model.record.labels = list(model.labels)          # model.json's are the model's own
    return model


def _read_covariates(directory: Path, arrays: dict, k: int, n_docs: int):
    """The covariates of a model fitted with them (covariates.json + W), else None."""
    path = directory / "covariates.json"
    if not path.exists():
        if "weights" in arrays:
            raise ModelFileError(f"{path} is missing: the model directory is incomplete")
        return None
    if "weights" not in arrays:
        raise ModelFileError(f"{directory}/arrays.npz lacks the covariates' weights: the "
                             "model is incomplete")
    try:
        state = CovariateState.from_dict(_read_json(path), arrays["weights"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{path} is incomplete or corrupt ({exc})") from None
    n_values = len(next(iter(state.values.values()), []))
    if state.weights.shape[0] != k or n_values != n_docs:
        raise ModelFileError(f"{path} does not match the model (K topics, one value per "
                             "training document); re-save the model")
    return state


def _one_line(text: str) -> str:
    return " ".join(str(text).splitlines())


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"{path} is missing: the model directory is incomplete") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{path} is corrupt ({exc.__class__.__name__}); re-save the "
                             "model") from None


def _read_lines(path: Path) -> list[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            return [line.rstrip("\n") for line in handle]
    except FileNotFoundError:
        raise ModelFileError(f"{path} is missing: the model directory is incomplete") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{path} is unreadable ({exc.__class__.__name__})") from None


def save_labels(directory: str | os.PathLike, labels: list[str | None]) -> None:
    """Write new topic labels into a saved model: ``model.json`` and ``run.json``, each
    replaced atomically (the arrays are not rewritten). ``labels`` are checked first."""
    directory = Path(directory)
    meta = _read_json(directory / "model.json")
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{directory}/model.json is not an lda-vi model")
    meta["labels"] = check_labels(labels, int(meta.get("k", len(labels))))
    atomic_write_text(directory / "model.json", json.dumps(meta, indent=2) + "\n")
    run = directory / "run.json"
    if run.exists():
        record = RunRecord.from_dict(_read_json(run))
        record.labels = list(meta["labels"])
        atomic_write_text(run, record.to_json())
