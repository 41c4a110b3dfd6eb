"""The ``lda-vi`` command line: parses, calls the library, formats. No numerics here.

Exit codes: 0 success, 1 runtime failure, 2 usage or input error, 130 interrupted.
"""

from __future__ import annotations

import functools
import sys
import warnings
from pathlib import Path

import click

from . import __version__
from .atomic import check_writable
from .corpus import build_corpus, read_documents
from .errors import InputError, LdaViError
from .export import format_topic_table, write_doc_topics, write_topic_words
from .model import LDA
from .tokenize import Tokenizer, TokenizerConfig, load_stopword_file
from .vocabulary import PruneConfig


class CLIError(click.ClickException):
    """A user-facing error, shown as one line ``error: ...`` with its exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def handle_errors(func):
    """Turn the library's user errors and Ctrl-C into one line and an exit code."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except LdaViError as exc:
            raise CLIError(str(exc), exc.exit_code) from None
        except KeyboardInterrupt:
            click.echo("interrupted: no output was written", err=True)
            sys.exit(130)

    return wrapper


def _show_warning(message, category, filename, lineno, file=None, line=None):
    click.echo(f"warning: {message}", err=True)


def _number_or_auto(value: str) -> float | str:
    return value if value.strip().lower() == "auto" else value


def _count_or_fraction(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a number (a count like 5 or a fraction "
                                 "like 0.5)") from None
    return number


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lda-vi")
def cli() -> None:
    """LDA topic models by mean-field variational inference."""
    warnings.showwarning = _show_warning


def pipeline_options(func):
    """The tokenizer and pruning options shared by the commands that read raw text."""
    options = [
        click.option("--stopwords", "stopwords_file", type=click.Path(dir_okay=False),
                     help="A file of stopwords, one per line, added to the English list."),
        click.option("--replace-stopwords", is_flag=True,
                     help="Let --stopwords FILE replace the English list instead."),
        click.option("--no-stopwords", is_flag=True, help="Keep stopwords."),
        click.option("--stem", type=click.Choice(["snowball", "porter"]), default=None,
                     help="Stem words (English)."),
        click.option("--min-length", type=int, default=3, show_default=True,
                     help="Drop words shorter than this."),
        click.option("--min-df", type=str, default="2", show_default=True,
                     help="Drop words in fewer documents: a count, or a fraction < 1."),
        click.option("--max-df", type=str, default="0.5", show_default=True,
                     help="Drop words in more documents: a fraction <= 1, or a count."),
        click.option("--max-vocab", type=int, default=None,
                     help="Keep only the most frequent words."),
        click.option("--encoding", default="utf-8", show_default=True,
                     help="Text encoding of the input."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _pipeline(stopwords_file, replace_stopwords, no_stopwords, stem, min_length, min_df,
              max_df, max_vocab):
    extra = load_stopword_file(stopwords_file) if stopwords_file else ()
    if replace_stopwords and not stopwords_file:
        raise InputError("--replace-stopwords needs --stopwords FILE")
    tokenizer = TokenizerConfig(
        min_length=min_length, stem=stem, extra_stopwords=extra,
        stopwords="none" if no_stopwords else "english", replace_stopwords=replace_stopwords)
    prune = PruneConfig(min_df=_count_or_fraction(min_df), max_df=_count_or_fraction(max_df),
                        max_vocab=max_vocab)
    return tokenizer, prune


def _progress(report) -> None:
    change = "" if report.rel_change != report.rel_change else f"{report.rel_change:9.2e}"
    click.echo(f"iter {report.iteration:4d}  elbo {report.elbo:.8e}  rel {change:>9}  "
               f"{report.seconds:6.3f}s  inner {report.mean_inner:5.1f}", err=True)


@cli.command()
@click.argument("corpus", metavar="CORPUS")
@click.option("-k", "--topics", "k", type=int, default=10, show_default=True,
              help="Number of topics.")
@click.option("--alpha", default="auto", show_default=True,
              help="Prior on document-topic proportions: a number, or 'auto' to learn it.")
@click.option("--eta", default="auto", show_default=True,
              help="Prior on topic-word distributions: a number, or 'auto' to learn it.")
@click.option("--max-iter", type=int, default=200, show_default=True,
              help="EM iterations, at most.")
@click.option("--tol", type=float, default=1e-4, show_default=True,
              help="Stop when the relative ELBO change is below this.")
@click.option("--e-tol", type=float, default=1e-3, show_default=True,
              help="E-step: stop a document when its mean |Δγ| is below this.")
@click.option("--e-max-iter", type=int, default=100, show_default=True,
              help="E-step: iterations per document, at most.")
@click.option("--seed", type=int, default=None, help="Random seed (recorded in run.json).")
@click.option("--threads", type=int, default=None, help="Threads (default: all cores).")
@click.option("--top-n", type=int, default=10, show_default=True, help="Top words shown.")
@click.option("--doc-topics", type=click.Path(dir_okay=False), default=None,
              help="Write the document-topic matrix θ as CSV.")
@click.option("--topic-words", type=click.Path(dir_okay=False), default=None,
              help="Write the top words of each topic as CSV.")
@click.option("--all-words", is_flag=True, help="--topic-words: write the full K×V table.")
@click.option("-o", "--output", type=click.Path(file_okay=False), default=None,
              help="Save the model, both CSVs and run.json in this directory.")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@pipeline_options
@handle_errors
def fit(corpus, k, alpha, eta, max_iter, tol, e_tol, e_max_iter, seed, threads, top_n,
        doc_topics, topic_words, all_words, output, force, quiet, encoding, **pipeline):
    """Fit an LDA model to CORPUS: a text file (one document per line), '-' for
    stdin, or a directory of .txt files (one document per file)."""
    if k < 1:
        raise InputError(f"-k must be at least 1 (got {k})")
    tokenizer_config, prune_config = _pipeline(**pipeline)
    outputs = [p for p in (doc_topics, topic_words) if p]
    for path in outputs:
        check_writable(path, force=force)
    if output:
        out = Path(output)
        if out.exists() and any(out.iterdir()) and not force:
            raise InputError(f"{out} already exists and is not empty; pass --force to "
                             "overwrite it")
        check_writable(out, force=True)
    model = LDA(k=k, alpha=_number_or_auto(alpha), eta=_number_or_auto(eta), max_iter=max_iter,
                tol=tol, e_tol=e_tol, e_max_iter=e_max_iter, seed=seed, threads=threads,
                tokenizer=tokenizer_config, prune=prune_config)
    corpus_data = build_corpus(read_documents(corpus, encoding=encoding),
                               Tokenizer(tokenizer_config), prune_config)
    if not quiet:
        click.echo(f"corpus: {corpus_data.n_docs} documents, {corpus_data.n_words} words, "
                   f"{corpus_data.n_tokens} tokens"
                   + (f", {corpus_data.n_empty} documents empty after pruning"
                      if corpus_data.n_empty else ""), err=True)
    if k > corpus_data.n_docs:
        warnings.warn(f"k={k} is larger than the number of documents "
                      f"({corpus_data.n_docs}); some topics will be empty", stacklevel=1)
    model.fit_corpus(corpus_data, callback=None if quiet else _progress)
    model.run_info["input"] = str(corpus)
    trace = model.trace
    if not quiet:
        state = "converged" if trace.converged else "stopped"
        click.echo(f"{state} after {trace.n_iter} iterations ({trace.stop_reason}), "
                   f"{model.run_info['fit_seconds']:.2f}s", err=True)
    click.echo(format_topic_table(model.topics(top_n), model.topic_shares()))
    words = model.vocab.words
    if doc_topics:
        write_doc_topics(doc_topics, model.doc_ids, model.theta)
    if topic_words:
        write_topic_words(topic_words, model.beta, words, None if all_words else top_n)
    if output:
        model.save(output)
        write_doc_topics(Path(output) / "doc_topics.csv", model.doc_ids, model.theta)
        write_topic_words(Path(output) / "topic_words.csv", model.beta, words,
                          None if all_words else top_n)
        if not quiet:
            click.echo(f"saved the model, doc_topics.csv, topic_words.csv and run.json "
                       f"in {output}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``lda-vi`` console script."""
    cli.main(args=argv, prog_name="lda-vi")


if __name__ == "__main__":  # pragma: no cover
    main()
