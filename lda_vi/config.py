"""Settings objects saved with a model: read back from JSON with clear errors."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from lda_vi.errors import InputError

T = TypeVar("T")


def from_dict(cls: type[T], d: object, what: str) -> T:
    """Build the dataclass ``cls`` from a dict; missing keys take their defaults.

    Raises InputError for a non-dict or an unknown key (naming the known ones);
    ``cls`` itself validates the values. ``what`` names the settings ("tokenizer").
    """
    if not isinstance(d, dict):
        raise InputError(f"{what} settings must be a JSON object (a dict), not "
                         f"{type(d).__name__}")
    known = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(str(k) for k in d if k not in known)
    if unknown:
        raise InputError(f"unknown {what} setting(s) {', '.join(unknown)}; "
                         f"the known settings are {', '.join(known)}")
    return cls(**d)
