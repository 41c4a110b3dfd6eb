"""What every ``lda-vi`` command shares: the one-line error, the input and tokenizer
options, and the formatting of numbers.

Exit codes: 0 success, 1 runtime failure, 2 usage or input error, 130 interrupted.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import sys
from pathlib import Path

import click

from lda_vi import interrupts
from lda_vi.cli.language_options import language_options
from lda_vi.errors import InputError, LdaViError, ModelFileError
from lda_vi.io.atomic import output_transaction
from lda_vi.io.detect import FORMATS


class CLIError(click.ClickException):
    """A user-facing error, shown as one line ``error: ...`` with its exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(" ".join(message.split()))
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


#: The library's parameter names and the flags that set them, for error messages.
FLAGS = {
    "fmt": "--format", "vocab": "--vocab", "glob": "--glob", "text_column": "--text-column",
    "id_column": "--id-column", "text_field": "--text-field", "id_field": "--id-field",
    "covariates_file": "--covariates-file", "docs": "--docs",
    "k": "-k", "alpha": "--alpha", "eta": "--eta", "max_iter": "--max-iter", "tol": "--tol",
    "e_tol": "--e-tol", "e_max_iter": "--e-max-iter", "e_warmup": "--e-warmup", "seed": "--seed",
    "threads": "--threads", "method": "--method", "batch_size": "--batch-size",
    "passes": "--passes", "tau0": "--tau0", "kappa": "--kappa", "holdout": "--holdout",
    "fraction": "--holdout", "top_n": "--top-n", "seeds": "--seeds",
    "checkpoint_every": "--checkpoint-every", "checkpoint_dir": "-o", "resume_dir": "--resume",
    "min_df": "--min-df", "max_df": "--max-df", "max_vocab": "--max-vocab",
    "min_length": "--min-length", "encoding": "--encoding", "stem": "--stem",
    "plot": "--plot", "ks": "-k", "covariates": "--covariates",
    "covariate_prior": "--covariate-prior", "time_bins": "--time-bins", "by": "--by",
    "freq": "--freq", "draws": "--draws", "seed_words": "--seed-words",
    "seed_strength": "--seed-strength",
    "inference": "--inference", "eval_every": "--eval-every", "engine": "--engine",
    "coherence": "--coherence", "coherence_top_n": "--coherence-top-n", "documents": "--docs",
    "language": "--language", "phrases": "--phrases",
    "phrase_scoring": "--phrase-scoring", "phrase_threshold": "--phrase-threshold",
    "phrase_min_count": "--phrase-min-count",
}


#: Settings whose flag is a switch: ``name=value`` as the library writes it -> the flag.
SWITCHES = {"stopwords='none'": "--no-stopwords", "force=True": "--force"}
#: Parameters named like an ordinary word of the messages ("the file's real encoding"):
#: shown as their flag only as ``name=value`` or alone in parentheses, ``(name)``.
PROSE = {"encoding"}


def _in_summary(message: str, start: int) -> bool:
    """Whether a ``name=value`` at ``start`` is one of a parenthesized list of settings,
    "(min_df=2, max_df=0.5, ...)", which shows the values as the library spells them."""
    inside = message.count("(", 0, start) > message.count(")", 0, start)
    return inside and (message[start - 1:start] == "(" or message[start - 2:start] == ", ")


def flag_message(exc: LdaViError) -> str:
    """The message of a library error with the parameters it names shown as flags.

    Only the names in ``exc.params`` are replaced (``max_iter`` → ``--max-iter``;
    ``min_df=2`` → ``--min-df 2``; ``fmt='dir'`` → ``--format dir``; a switch such as
    ``stopwords='none'`` → ``--no-stopwords``), so ordinary words are never touched; nor
    is a list of settings in parentheses (``(min_df=2, max_df=0.5)``).
    """
    message = str(exc)
    for name in getattr(exc, "params", ()):
        for setting, switch in SWITCHES.items():
            if setting.startswith(f"{name}="):
                message = re.sub(rf"(?<![\w\-\[.]){re.escape(setting)}", switch, message)
        flag = FLAGS.get(name)
        if flag is None:
            continue

        def assigned(match, flag=flag):
            if _in_summary(match.string, match.start()):
                return match.group(0)
            return f"{flag} {match.group(1) or match.group(2)}"

        message = re.sub(rf"(?<![\w\-\[./]){re.escape(name)}=(?:'([\w.\-]+)'|(?=\S)())",
                         assigned, message)
        if name in PROSE:
            message = message.replace(f"({name})", f"({flag})")
        else:
            message = re.sub(rf"(?<![\w\-\[./]){re.escape(name)}(?![\w\-\]=/]|\.\w)", flag,
                             message)
    return message


def on_interrupt(describe) -> None:
    """Let the running command say what an interrupt leaves behind: ``describe()`` returns
    the end of the line (e.g. where the checkpoint to resume from is), or None."""
    click.get_current_context().meta["lda_vi.on_interrupt"] = describe


def _interrupted_line(exc: KeyboardInterrupt, committed: bool) -> str:
    name = exc.name if isinstance(exc, interrupts.Interrupted) else "SIGINT"
    if committed:
        return f"interrupted ({name}) after every output was written"
    describe = click.get_current_context().meta.get("lda_vi.on_interrupt")
    detail = describe() if describe is not None else None
    return f"interrupted ({name}): no output was written" + (f"; {detail}" if detail else "")


def handle_errors(func):
    """Run a command with its outputs in one transaction (all written, or none) and turn
    the library's user errors, write errors and interrupts into one line and an exit code.

    With ``quiet=True`` (``-q``) standard error shows only the error line.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        transaction = None
        try:
            with _quiet(kwargs.get("quiet")), output_transaction() as transaction:
                return func(*args, **kwargs)
        except LdaViError as exc:
            raise CLIError(flag_message(exc), exc.exit_code) from None
        except MemoryError as exc:
            detail = f" ({exc})" if str(exc) else ""
            raise CLIError(f"out of memory{detail}; nothing was written; try fewer topics, "
                           "a smaller corpus or --method online", 1) from None
        except KeyboardInterrupt as exc:
            interrupts.reset()             # handled: the clean-up that follows may finish
            click.echo(_interrupted_line(exc, transaction is not None and
                                         transaction.committed), err=True)
            sys.exit(INTERRUPTED)

    wrapper.handles_errors = True
    return wrapper


#: Exit status after SIGINT or SIGTERM.
INTERRUPTED = 130


@contextlib.contextmanager
def _quiet(enabled: bool):
    if not enabled:
        yield
        return
    with open(os.devnull, "w", encoding="utf-8") as null, contextlib.redirect_stderr(null):
        yield


class OneLineGroup(click.Group):
    """A click group whose usage errors (bad option, bad value, unknown command) are one
    line ``error: ...`` ending with where to find help, exit 2; and whose interrupts
    while parsing exit 130 like those of a running command."""

    def make_context(self, info_name, args, parent=None, **extra):
        with _one_line_usage(None):
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx):
        with _one_line_usage(ctx):
            return super().invoke(ctx)


@contextlib.contextmanager
def _one_line_usage(group_ctx):
    try:
        yield
    except click.exceptions.NoArgsIsHelpError:
        raise
    except click.UsageError as exc:
        path = exc.ctx.command_path.split(" ")[1:] if exc.ctx is not None else []
        if not path and group_ctx is not None and group_ctx.invoked_subcommand:
            path = [group_ctx.invoked_subcommand]      # failed while parsing its options
        command = " ".join(["lda-vi", *path])
        message = " ".join(exc.format_message().split())
        message = re.sub(r"\.\s+\(?Did you mean (.*?)\)?$", r" (did you mean \1)", message)
        message = message.rstrip(".")
        message = message[:1].lower() + message[1:]
        raise CLIError(f"{message}; see '{command} --help'", exc.exit_code) from None
    except KeyboardInterrupt as exc:
        from lda_vi.cli import _checkpoint_hint

        interrupts.reset()
        name = exc.name if isinstance(exc, interrupts.Interrupted) else "SIGINT"
        click.echo(f"interrupted ({name}): no output was written"
                   + _checkpoint_hint(sys.argv[1:]), err=True)
        sys.exit(INTERRUPTED)


def table_width() -> int | None:
    """Columns to wrap the topic table to: the terminal's; None (no wrapping) when standard
    output is a file or a pipe."""
    stream = sys.stdout
    try:
        return shutil.get_terminal_size().columns if stream.isatty() else None
    except (AttributeError, ValueError, OSError):
        return None


def show_warning(message, category, filename, lineno, file=None, line=None):
    click.echo(f"warning: {message}", err=True)


def number_or_auto(value: str) -> float | str:
    return value if value.strip().lower() == "auto" else value


def count_or_fraction(value: str, flag: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"{flag} {value!r} is not a number; give a document count like 5 "
                         "or a fraction of documents like 0.01") from None
    return number


def pipeline_options(func):
    """The tokenizer and pruning options shared by the commands that read raw text."""
    options = [
        *language_options(),
        click.option("--stopwords", "stopwords_file", type=click.Path(dir_okay=False),
                     help="A file of stopwords, one per line, added to the language's list."),
        click.option("--replace-stopwords", is_flag=True,
                     help="Let --stopwords FILE replace the language's list instead."),
        click.option("--no-stopwords", is_flag=True, help="Keep stopwords."),
        click.option("--stem", type=click.Choice(["snowball", "porter"]), default=None,
                     help="Stem words: the Snowball stemmer of --language, or Porter "
                          "(English)."),
        click.option("--min-length", type=int, default=3, show_default=True,
                     help="Drop words shorter than this."),
        click.option("--min-df", type=str, default=None,
                     help="Drop words in fewer documents: a count, or a fraction < 1; 0 keeps "
                          "every word [default: 2 for text; count formats (ldac, uci, mtx) "
                          "are not pruned unless a pruning option is given]."),
        click.option("--max-df", type=str, default=None,
                     help="Drop words in more documents: a fraction <= 1, or a count "
                          "[default: 0.5 for text; 1.0 for count formats]."),
        click.option("--max-vocab", type=int, default=None,
                     help="Keep only the most frequent words [default: no limit]."),
        click.option("--encoding", default="utf-8", show_default=True,
                     help="Text encoding of the input."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


#: ``--coherence`` when it is not given (lda_vi.evaluate.coherence.DEFAULT_MEASURES).
DEFAULT_COHERENCE = "npmi,umass"
#: The labels of the coherence measures in tables, and their number formats.
COHERENCE_LABELS = {"npmi": ("NPMI", ".4f"), "umass": ("UMass", ".2f"), "c_v": ("c_v", ".4f"),
                    "c_npmi": ("c_npmi", ".4f"), "c_uci": ("c_uci", ".3f"),
                    "u_mass": ("u_mass", ".3f")}


def coherence_options(func):
    """``--coherence M1,M2,...`` and ``--coherence-top-n N`` (docs/coherence.md)."""
    options = [
        click.option("--coherence", "coherence", default=DEFAULT_COHERENCE, show_default=True,
                     metavar="M1,M2,...",
                     help="Coherence measures: gensim's c_v, c_npmi, c_uci and u_mass, and "
                          "lda-vi's document-level npmi and umass. c_v, c_npmi and c_uci "
                          "need the token order of text input (docs/coherence.md)."),
        click.option("--coherence-top-n", type=int, default=None, metavar="N",
                     help="Top words per topic for coherence [default: 10]."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def coherence_summary(scores: dict) -> str:
    """``NPMI 0.1234, UMass -12.34, c_v 0.5123``: each measure's mean over topics."""
    parts = []
    for measure, values in scores.items():
        label, spec = COHERENCE_LABELS.get(measure, (measure, ".4f"))
        parts.append(f"{label} {num(float(values.mean()), spec)}")
    return ", ".join(parts)


def input_options(func):
    """How to read the input: its format and the options of some formats (docs/inputs.md)."""
    options = [
        click.option("--format", "input_format", type=click.Choice(FORMATS, case_sensitive=False),
                     default=None, help="Input format (default: guessed from the file name: "
                     ".txt text, directory dir, .csv, .tsv, .jsonl, .dat ldac, docword.*.txt "
                     "uci, .mtx; .gz/.bz2/.xz are read directly)."),
        click.option("--glob", default=None, metavar="PATTERN",
                     help="dir: the files to read, relative to the directory "
                          "[default: **/*.txt]."),
        click.option("--text-column", default=None, metavar="NAME",
                     help="csv/tsv: the column holding the text [default: text]."),
        click.option("--id-column", default=None, metavar="NAME",
                     help="csv/tsv: the column holding the document ids (default: 1, 2, ...)."),
        click.option("--text-field", default=None, metavar="NAME",
                     help="jsonl: the field holding the text [default: text]."),
        click.option("--id-field", default=None, metavar="NAME",
                     help="jsonl: the field holding the document ids (default: 1, 2, ...)."),
        click.option("--vocab", "vocab_file", default=None, metavar="FILE",
                     help="ldac/uci/mtx: the vocabulary, one word per line (default: "
                          "vocab.txt, or vocab.NAME.txt for docword.NAME.txt, beside it)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


INPUT_KEYS = ("input_format", "glob", "text_column", "id_column", "text_field", "id_field",
               "vocab_file")


def pop_input_options(kwargs: dict) -> dict:
    """Take the input_options out of a command's keyword arguments, named as readers takes
    them (fmt, glob, text_column, id_column, text_field, id_field, vocab)."""
    opts = {key: kwargs.pop(key, None) for key in INPUT_KEYS}
    return {"fmt": opts.pop("input_format"), "vocab": opts.pop("vocab_file"), **opts}


def pipeline_configs(stopwords_file, replace_stopwords, no_stopwords, stem, min_length, min_df,
                     max_df, max_vocab, language=None, phrases=0, phrase_scoring="npmi",
                     phrase_threshold=None, phrase_min_count=10, *, counts: bool = False):
    """The tokenizer and pruning settings of the pipeline options. Pruning options not given
    take the defaults of the input's kind (``counts``: a count format, not pruned unless
    asked; else text: --min-df 2 --max-df 0.5)."""
    # imported here, not at the top: numpy and nltk stay out of `--version` and `--help`
    from lda_vi.text.tokenize import TokenizerConfig, load_stopword_file
    from lda_vi.text.vocabulary import default_pruning

    extra = load_stopword_file(stopwords_file) if stopwords_file else ()
    if replace_stopwords and not stopwords_file:
        raise InputError("--replace-stopwords needs --stopwords FILE")
    if phrases not in (0, 2, 3):
        raise InputError(f"--phrases takes 2 (pairs of words) or 3 (longer phrases too), "
                         f"not {phrases}")
    tokenizer = TokenizerConfig(
        min_length=min_length, stem=stem, extra_stopwords=extra,
        stopwords="none" if no_stopwords else "language", replace_stopwords=replace_stopwords,
        language=language, phrases=phrases, phrase_scoring=phrase_scoring,
        phrase_threshold=phrase_threshold, phrase_min_count=phrase_min_count)
    prune = default_pruning(
        counts, min_df=None if min_df is None else count_or_fraction(min_df, "--min-df"),
        max_df=None if max_df is None else count_or_fraction(max_df, "--max-df"),
        max_vocab=max_vocab)
    return tokenizer, prune


def num(x: float, spec: str) -> str:
    """``x`` formatted with ``spec``, or 'n/a' for NaN."""
    return "n/a" if x != x else format(x, spec)


def heldout_lines(figures, n_oov: int, seed: int) -> list[str]:
    return [
        f"  {figures.documents} documents, {figures.tokens} tokens in the vocabulary "
        f"({n_oov} out of it, ignored)",
        f"  per-word bound          {num(figures.bound_per_word, '.4f')} nats per word",
        f"  bound perplexity        {num(figures.bound_perplexity, '.1f')}   "
        f"(= exp(-bound/N), N = {figures.tokens})",
        f"  completion perplexity   {num(figures.completion_perplexity, '.1f')}   "
        f"({figures.completion_tokens} second-half tokens scored; halves drawn with "
        f"seed {seed})",
    ]


def load_model(model_dir: str):
    """The model saved in ``model_dir``; a directory without model.json is named as such."""
    path = Path(model_dir)
    if not path.is_dir():
        raise ModelFileError(f"{path} is not a model directory (fit one with "
                             "'lda-vi fit CORPUS -o DIR')")
    if path.is_dir() and not (path / "model.json").exists():
        raise ModelFileError(f"{path} is not an lda-vi model directory (it has no model.json); "
                             "save one with 'lda-vi fit CORPUS -o DIR'")
    from lda_vi.model.lda import LDA  # imported here: `--version` and `--help` stay fast

    return LDA.load(model_dir)

