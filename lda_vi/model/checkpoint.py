"""Resumable checkpoints of a batch EM run, written atomically.

A checkpoint directory holds ``checkpoint.npz`` (λ K×V, γ D×K, α K, the covariates'
weights W K×F when there are any, and the per-iteration records; plain float arrays,
loaded without pickle) and
``checkpoint.json`` (format version, η, the model settings, and a fingerprint
of the count matrix so that a run resumes only on the corpus it began with).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from lda_vi import interrupts
from lda_vi.engine.em import EMResult
from lda_vi.engine.layout import CorpusArrays
from lda_vi.errors import InputError, ModelFileError, ParameterError
from lda_vi.io.atomic import atomic_open, atomic_write_text, remove_on_commit
from lda_vi.model.validation import check_resumable

CHECKPOINT_FORMAT = "lda-vi-checkpoint"
CHECKPOINT_VERSION = 1
NPZ, JSON = "checkpoint.npz", "checkpoint.json"


def fingerprint(corpus: CorpusArrays) -> str:
    """SHA-256 of the count matrix's CSR arrays and shape."""
    digest = hashlib.sha256()
    digest.update(np.array([corpus.n_docs, corpus.n_words], dtype=np.int64).tobytes())
    for array in (corpus.indptr, corpus.indices, corpus.data):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def save_checkpoint(directory: str | os.PathLike, state: EMResult, meta: dict) -> None:
    """Write ``state`` and ``meta`` (settings, fingerprint, ...) into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    info = {"format": CHECKPOINT_FORMAT, "format_version": CHECKPOINT_VERSION,
            "iterations": state.n_iter, "eta": state.eta,
            "restarting": bool(state.restarting)} | meta
    # written at once (even inside an output transaction), the two files together
    with interrupts.deferred():
        with atomic_open(directory / NPZ, "wb", now=True) as handle:
            np.savez(handle, lam=state.lam, gamma=state.gamma, alpha=state.alpha,
                     elbo=np.asarray(state.elbo, dtype=np.float64),
                     seconds=np.asarray(state.seconds, dtype=np.float64),
                     mean_inner=np.asarray(state.mean_inner, dtype=np.float64),
                     restarted=np.asarray(state.restarted, dtype=np.float64),
                     **({} if state.weights is None else {"weights": state.weights}))
        atomic_write_text(directory / JSON, json.dumps(info, indent=2) + "\n", now=True)


def _no_checkpoint(directory: Path) -> InputError:
    return InputError(f"{directory} holds no checkpoint; make one with "
                      "checkpoint_dir=DIR and checkpoint_every=N",
                      params=("checkpoint_dir", "checkpoint_every"))


def checkpoint_meta(directory: str | os.PathLike) -> dict:
    """The settings and fingerprint saved with the checkpoint in ``directory`` (cheap: no
    arrays are read), to check a resume before reading the corpus."""
    directory = Path(directory)
    if not (directory / JSON).is_file():
        raise _no_checkpoint(directory)
    try:
        meta = json.loads((directory / JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"the checkpoint in {directory} is corrupt "
                             f"({type(exc).__name__}); start the fit again") from None
    if not isinstance(meta, dict) or meta.get("format") != CHECKPOINT_FORMAT:
        raise ModelFileError(f"{directory}/{JSON} is not an lda-vi checkpoint")
    return meta


def checkpoint_iterations(directory: str | os.PathLike) -> int | None:
    """The iteration a checkpoint in ``directory`` holds, or None when there is none."""
    directory = Path(directory)
    if not (directory / NPZ).is_file():
        return None
    try:
        return int(json.loads((directory / JSON).read_text(encoding="utf-8"))["iterations"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def resumed_seed(directory: str | os.PathLike | None, seed: int | None) -> int | None:
    """``seed``, or (when it is None) the seed of the checkpoint in ``directory`` to resume:
    a resumed fit goes on with the seed it began with, and records it."""
    if seed is not None or directory is None:
        return seed
    saved = checkpoint_meta(directory).get("settings") or {}
    return saved.get("seed") if isinstance(saved.get("seed"), int) else None


def discard_checkpoint(directory: str | os.PathLike) -> None:
    """Remove the checkpoint files of ``directory`` when the fit's outputs are committed."""
    for name in (NPZ, JSON):
        remove_on_commit(Path(directory) / name)


def load_checkpoint(directory: str | os.PathLike) -> tuple[EMResult, dict]:
    """Read a checkpoint written by :func:`save_checkpoint`: (state, meta)."""
    directory = Path(directory)
    if not (directory / JSON).is_file() or not (directory / NPZ).is_file():
        raise _no_checkpoint(directory)
    try:
        meta = json.loads((directory / JSON).read_text(encoding="utf-8"))
        if meta.get("format") != CHECKPOINT_FORMAT:
            raise ValueError("not an lda-vi checkpoint")
        if meta.get("format_version", 0) > CHECKPOINT_VERSION:
            raise ModelFileError(f"{directory} holds a checkpoint from a newer lda-vi; "
                                 "upgrade lda-vi to resume it")
        with np.load(directory / NPZ, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        state = EMResult(lam=arrays["lam"], gamma=arrays["gamma"], alpha=arrays["alpha"],
                         eta=float(meta["eta"]), elbo=arrays["elbo"].tolist(),
                         seconds=arrays["seconds"].tolist(),
                         mean_inner=arrays["mean_inner"].tolist(),
                         restarted=arrays["restarted"].tolist(),
                         restarting=bool(meta["restarting"]), weights=arrays.get("weights"))
    except ModelFileError:
        raise
    except Exception as exc:   # OSError, BadZipFile, zlib.error, KeyError, JSON errors...
        raise ModelFileError(f"the checkpoint in {directory} is corrupt "
                             f"({type(exc).__name__}: {exc}); start the fit again") from None
    return state, meta


def checkpoint_hooks(arrays: CorpusArrays, meta: dict, *, checkpoint_dir=None,
                     checkpoint_every: int = 0, resume_dir=None, monitor=None,
                     monitor_every: int = 0):
    """The wiring of a batch fit: ``(resume, on_state)``.

    ``resume`` is the EM state checkpointed in ``resume_dir`` (None without one; refused when
    it was made on another corpus); ``on_state(state)``, None when there is nothing to call,
    saves a checkpoint every ``checkpoint_every`` iterations and calls ``monitor`` every
    ``monitor_every``. ``meta`` (settings, tokenizer, ...) is stored with each checkpoint,
    with the corpus fingerprint added.
    """
    print_ = fingerprint(arrays)
    resume = None
    if resume_dir is not None:
        resume, saved = load_checkpoint(resume_dir)
        check_resumable(saved, meta.get("settings", {}), resume_dir)
        if saved.get("fingerprint") != print_:
            raise InputError(f"the checkpoint in {resume_dir} was made on another corpus "
                             "or other pipeline settings; resume with the same input")
        max_iter = meta.get("settings", {}).get("max_iter")
        if max_iter is not None and resume.n_iter > max_iter:
            raise ParameterError("max_iter", f"the checkpoint in {resume_dir} is at iteration "
                                 f"{resume.n_iter}, beyond {{}} {max_iter}: resume with at "
                                 f"least {resume.n_iter} (or start a new fit elsewhere)")
    meta = {"fingerprint": print_} | meta
    hooks = []
    if checkpoint_dir is not None and checkpoint_every > 0:
        hooks.append((checkpoint_every,
                      lambda state: save_checkpoint(checkpoint_dir, state, meta)))
    if monitor is not None and monitor_every > 0:
        hooks.append((monitor_every, monitor))
    if not hooks:
        return resume, None

    def on_state(state: EMResult) -> None:
        for every, hook in hooks:
            if state.n_iter % every == 0:
                hook(state)

    return resume, on_state
