"""Options given where they change nothing, or against each other: refused in one line,
as ``--covariate-prior`` without ``--covariates`` is, rather than left unused in silence.
"""

from __future__ import annotations

from collections.abc import Callable

import click

from lda_vi.errors import InputError

#: Options that apply only beside another: ((parameter, flag), ...), what they need (as
#: the message says it), and whether the command's values have it.
Rule = tuple[tuple[tuple[str, str], ...], str, Callable[[dict], bool]]

FIT_RULES: tuple[Rule, ...] = (
    ((("batch_size", "--batch-size"), ("passes", "--passes"), ("tau0", "--tau0"),
      ("kappa", "--kappa")), "--method online", lambda v: v["method"] == "online"),
    ((("seed_strength", "--seed-strength"),), "--seed-words FILE",
     lambda v: bool(v["seed_words"])),
    ((("phrase_scoring", "--phrase-scoring"), ("phrase_threshold", "--phrase-threshold"),
      ("phrase_min_count", "--phrase-min-count")), "--phrases", lambda v: bool(v["phrases"])),
    ((("connect_timeout", "--connect-timeout"),), "--engine dask",
     lambda v: v["engine"] == "dask"),
    ((("all_words", "--all-words"),), "--topic-words FILE or -o DIR",
     lambda v: bool(v["topic_words"] or v["output"])),
)

#: Options that contradict each other: (parameter, flag) pairs.
CONFLICTS = ((("no_stopwords", "--no-stopwords"), ("stopwords_file", "--stopwords")),
             (("no_stopwords", "--no-stopwords"), ("replace_stopwords", "--replace-stopwords")))


def given(*names: str) -> bool:
    """Whether any of the options ``names`` was given on the command line."""
    ctx = click.get_current_context()
    return any(ctx.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)
               for name in names)


def refuse_unused(rules: tuple[Rule, ...], values: dict) -> None:
    """Refuse the options of a rule given without what they need, and contradicting pairs."""
    for options, needs, active in rules:
        used = [flag for name, flag in options if given(name)]
        if used and not active(values):
            one = len(used) == 1
            raise InputError(f"{' and '.join(used)} appl{'ies' if one else 'y'} with {needs} "
                             f"only: add {needs.split()[0]}, or drop {'it' if one else 'them'}")
    for (name_a, flag_a), (name_b, flag_b) in CONFLICTS:
        if given(name_a) and given(name_b):
            raise InputError(f"{flag_a} and {flag_b} contradict each other; give one of them")


def covariate_names(text: str | None) -> list[str] | None:
    """``--covariates date,section`` as names (None when not given); an empty list or a
    name given twice is refused."""
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise InputError("--covariates needs column names, e.g. --covariates date,section")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"--covariates names {', '.join(map(repr, repeated))} more than "
                         "once; give each column once")
    return names
