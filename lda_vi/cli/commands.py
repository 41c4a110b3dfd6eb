"""The ``lda-vi`` command line: parses, calls the library, formats. No numerics here.

Exit codes: 0 success, 1 runtime failure, 2 usage or input error, 130 interrupted.
"""

from __future__ import annotations

import functools
import json
import sys
import warnings
from pathlib import Path

import click

from lda_vi import __version__
from lda_vi.errors import InputError, LdaViError, ModelFileError
from lda_vi.evaluate.heldout import (
    HeldoutMonitor,
    coherence,
    completion_rng,
    evaluate_heldout,
    merge_rows,
    resolve_seed,
    split_documents,
)
from lda_vi.io.atomic import atomic_write_text, check_writable
from lda_vi.io.corpus import build_corpus, read_documents, vectorize
from lda_vi.io.export import (
    format_topic_table,
    write_doc_topics,
    write_doc_topics_stream,
    write_topic_words,
)
from lda_vi.io.readers import FORMATS, iter_documents, load_corpus, vectorize_input
from lda_vi.model.lda import LDA
from lda_vi.text.tokenize import Tokenizer, TokenizerConfig, load_stopword_file
from lda_vi.text.vocabulary import PruneConfig


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


_INPUT_KEYS = ("input_format", "glob", "text_column", "id_column", "text_field", "id_field",
               "vocab_file")


def _pop_input_options(kwargs: dict) -> dict:
    """Take the input_options out of a command's keyword arguments, named as readers takes
    them (fmt, glob, text_column, id_column, text_field, id_field, vocab)."""
    opts = {key: kwargs.pop(key, None) for key in _INPUT_KEYS}
    return {"fmt": opts.pop("input_format"), "vocab": opts.pop("vocab_file"), **opts}


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
@click.option("--holdout", type=float, default=None, metavar="FRACTION",
              help="Hold out this fraction of the documents (chosen with --seed), fit on the "
                   "rest and report held-out perplexities.")
@click.option("--eval-every", type=int, default=None, metavar="N",
              help="With --holdout: also score the held-out documents every N iterations.")
@click.option("--method", type=click.Choice(["batch", "online"]), default="batch",
              show_default=True, help="Batch variational EM, or online VB streaming from disk "
                                      "for corpora larger than memory.")
@click.option("--batch-size", type=int, default=256, show_default=True,
              help="--method online: documents per minibatch.")
@click.option("--passes", type=int, default=1, show_default=True,
              help="--method online: passes over the corpus.")
@click.option("--tau0", type=float, default=10.0, show_default=True,
              help="--method online: learning-rate delay τ0, ρ_t = (τ0 + t)^-κ.")
@click.option("--kappa", type=float, default=0.7, show_default=True,
              help="--method online: learning-rate decay κ in (0.5, 1].")
@click.option("--checkpoint-every", type=int, default=None, metavar="N",
              help="Save a resumable state in the -o directory every N iterations.")
@click.option("--resume", "resume_dir", type=click.Path(file_okay=False), default=None,
              metavar="DIR", help="Continue the fit checkpointed in DIR (same corpus and "
                                  "settings) to the result of an uninterrupted run.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local",
              show_default=True, help="Where the E-step runs: this process, or a Dask cluster "
                                      "(the same result to the last bit; docs/cluster.md).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="--engine dask: join the cluster whose scheduler is at ADDRESS "
                   "(tcp://HOST:8786).")
@click.option("--workers", "n_workers", type=int, default=None, metavar="N",
              help="--engine dask: start a local cluster of N worker processes instead.")
@click.option("--connect-timeout", type=float, default=10.0, show_default=True,
              metavar="SECONDS", help="--engine dask: how long to try to reach the scheduler.")
@input_options
@pipeline_options
@handle_errors
def fit(corpus, k, alpha, eta, max_iter, tol, e_tol, e_max_iter, seed, threads, top_n,
        doc_topics, topic_words, all_words, output, force, quiet, encoding, holdout=None,
        eval_every=None, method="batch", batch_size=256, passes=1, tau0=10.0, kappa=0.7,
        checkpoint_every=None, resume_dir=None, engine="local", scheduler=None, n_workers=None,
        connect_timeout=10.0, **pipeline):
    """Fit an LDA model to CORPUS: a text file (one document per line), '-' for
    stdin, a directory of .txt files (one document per file), a CSV/TSV or JSON Lines
    file, or word counts in lda-c, UCI bag-of-words or Matrix Market format (with
    --vocab). The format is guessed from the name (--format to choose it); .gz, .bz2
    and .xz files are read directly. See docs/inputs.md.

    At the end, the mean coherence (NPMI, UMass) of each topic's top 10 words, counted
    over the training documents, is reported (per topic in run.json, "coherence").

    With --holdout FRACTION, that fraction of the documents is set aside at random
    (seeded by --seed), the vocabulary is built and the model fitted on the rest, and
    the held-out documents' per-word bound perplexity and document-completion
    perplexity are reported (stderr, and run.json "heldout"). The doc-topics CSV
    still has one row per input document, in input order: for the held-out ones, θ
    comes from γ inferred with the topics fixed (as 'lda-vi transform' does).
    --eval-every N also scores them after every N iterations (run.json
    "heldout"."during_fit"); the fitted model is the same with or without it.

    --method online streams the documents from disk in minibatches (one pass to
    count the vocabulary, then --passes passes), never holding the corpus in
    memory; stdin cannot be read twice, so it needs a file.

    --checkpoint-every N (with -o DIR) saves the state atomically every N
    iterations; after a crash or Ctrl-C, 'lda-vi fit CORPUS --resume DIR' with
    the same options goes on to the result of an uninterrupted run.

    --engine dask runs the E-step on a Dask cluster (pip install 'lda-vi[dask]'):
    --scheduler tcp://HOST:8786 joins a running one, --workers N starts N local
    worker processes (--threads: kernel threads per worker). The model is the
    same to the last bit as with the local engine; see docs/cluster.md.
    """
    if eval_every is not None and (holdout is None or eval_every < 1):
        raise InputError("--eval-every N needs --holdout FRACTION and N >= 1")
    if k < 1:
        raise InputError(f"-k must be at least 1 (got {k})")
    if checkpoint_every is not None and (checkpoint_every < 1 or not output):
        raise InputError("--checkpoint-every N needs N >= 1 and -o DIR to save into")
    if engine == "local" and (scheduler is not None or n_workers is not None):
        raise InputError("--scheduler and --workers need --engine dask")
    if resume_dir is not None:
        output = output or resume_dir
        force = True                       # the checkpoint's own directory is the output
    reader = _pop_input_options(pipeline)
    tokenizer_config, prune_config = _pipeline(**pipeline)
    if method == "online":
        if holdout is not None or checkpoint_every or resume_dir:
            raise InputError("--holdout, --checkpoint-every and --resume work with "
                             "--method batch only")
        if corpus == "-":
            raise InputError("--method online reads its input more than once; give a file "
                             "instead of - (standard input)")
    outputs = [p for p in (doc_topics, topic_words) if p]
    for path in outputs:
        check_writable(path, force=force)
    if output:
        out = Path(output)
        if out.exists() and any(out.iterdir()) and not force:
            raise InputError(f"{out} already exists and is not empty; pass --force to "
                             "overwrite it")
        check_writable(out, force=True)
    if holdout is not None:
        seed = resolve_seed(seed)          # one seed for the split and the fit, recorded
    make_engine = None
    if engine == "dask":
        make_engine = _dask_engine(scheduler, n_workers, threads, connect_timeout, quiet)
    model = LDA(k=k, alpha=_number_or_auto(alpha), eta=_number_or_auto(eta), max_iter=max_iter,
                tol=tol, e_tol=e_tol, e_max_iter=e_max_iter, seed=seed, threads=threads,
                tokenizer=tokenizer_config, prune=prune_config, method=method,
                batch_size=batch_size, passes=passes, tau0=tau0, kappa=kappa)
    if method == "online":
        _fit_online(model, corpus, encoding, reader, quiet=quiet, top_n=top_n,
                    doc_topics=doc_topics, topic_words=topic_words, all_words=all_words,
                    output=output, engine=make_engine)
        return
    documents = None  # text held out below; otherwise any format through load_corpus
    split = None
    if holdout is not None:
        documents = iter_documents(corpus, encoding=encoding, needed_by="--holdout", **reader)
        split = split_documents(documents, holdout, seed)
        documents = split.train
        if not quiet:
            click.echo(f"holdout: {len(split.test)} of {split.n_docs} documents set aside "
                       f"(seed {split.seed}); fitting on the other {len(split.train)}", err=True)
    if split is not None:
        corpus_data = build_corpus(documents, Tokenizer(tokenizer_config), prune_config)
    else:
        corpus_data = load_corpus(corpus, encoding=encoding, tokenizer=Tokenizer(tokenizer_config),
                                  prune_config=prune_config, **reader)
    heldout = monitor = None
    if split is not None:
        heldout = vectorize(split.test, Tokenizer(tokenizer_config), corpus_data.vocab)
        if eval_every:
            monitor = HeldoutMonitor(model, heldout[0], split.seed,
                                     report=None if quiet else _eval_progress)
    if not quiet:
        click.echo(f"corpus: {corpus_data.n_docs} documents, {corpus_data.n_words} words, "
                   f"{corpus_data.n_tokens} tokens"
                   + (f", {corpus_data.n_empty} documents empty after pruning"
                      if corpus_data.n_empty else ""), err=True)
    if k > corpus_data.n_docs:
        warnings.warn(f"k={k} is larger than the number of documents "
                      f"({corpus_data.n_docs}); some topics will be empty", stacklevel=1)
    model.fit_corpus(corpus_data, callback=None if quiet else _progress, monitor=monitor,
                     monitor_every=eval_every or 0,
                     checkpoint_dir=output if checkpoint_every else None,
                     checkpoint_every=checkpoint_every or 0, resume_dir=resume_dir,
                     engine=make_engine)
    model.run_info["input"] = str(corpus)
    trace = model.trace
    if not quiet:
        state = "converged" if trace.converged else "stopped"
        click.echo(f"{state} after {trace.n_iter} iterations ({trace.stop_reason}), "
                   f"{model.run_info['fit_seconds']:.2f}s", err=True)
    _report_coherence(model, corpus_data.counts)
    all_ids, all_theta = model.doc_ids, model.theta
    if split is not None:
        all_ids, all_theta = _report_heldout(model, split, *heldout, monitor)
    click.echo(format_topic_table(model.topics(top_n), model.topic_shares()))
    words = model.vocab.words
    if doc_topics:
        write_doc_topics(doc_topics, all_ids, all_theta)
    if topic_words:
        write_topic_words(topic_words, model.beta, words, None if all_words else top_n)
    if output:
        model.save(output)
        write_doc_topics(Path(output) / "doc_topics.csv", all_ids, all_theta)
        write_topic_words(Path(output) / "topic_words.csv", model.beta, words,
                          None if all_words else top_n)
        if not quiet:
            click.echo(f"saved the model, doc_topics.csv, topic_words.csv and run.json "
                       f"in {output}", err=True)


def _dask_engine(scheduler, n_workers, threads, connect_timeout, quiet):
    """``fit --engine dask``: reach (or start) the cluster now, before reading the corpus;
    it is closed when the command ends. Returns the engine factory for ``fit_counts``."""
    if (scheduler is None) == (n_workers is None):
        raise InputError("--engine dask needs --scheduler tcp://HOST:8786 (a running cluster) "
                         "or --workers N (a local one)")
    if n_workers is not None and n_workers < 1:
        raise InputError("--workers must be >= 1")
    if connect_timeout <= 0:
        raise InputError("--connect-timeout must be > 0")
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise InputError("--engine dask needs the dask extra: pip install 'lda-vi[dask]'") from None
    from lda_vi.engine import dask_engine

    cluster = dask_engine.connect(scheduler, n_workers=n_workers, threads_per_worker=threads,
                                  timeout=connect_timeout)
    click.get_current_context().call_on_close(cluster.close)
    if not quiet:
        click.echo(f"dask: {cluster.n_workers()} workers, scheduler {cluster.address}",
                   err=True)
    return cluster.engine_factory(threads=threads)


class _OnlineProgress:
    """One stderr line per minibatch: documents seen, rate, ETA of the pass, bound."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, report) -> None:
        self.seconds += report.seconds
        rate = report.docs_seen / self.seconds if self.seconds > 0 else float("inf")
        in_pass = report.docs_seen - report.pass_index * report.n_docs
        eta = (report.n_docs - in_pass) / rate if rate > 0 else 0.0
        click.echo(f"pass {report.pass_index + 1}/{report.passes}  docs {in_pass:,}/"
                   f"{report.n_docs:,}  {rate:,.0f} docs/s  ETA {eta:5.1f}s  "
                   f"bound {report.per_word_bound:.4f} nats/word  rho {report.rho:.3f}",
                   err=True)


def _fit_online(model: LDA, corpus: str, encoding: str, reader: dict, *, quiet: bool,
                top_n: int, doc_topics, topic_words, all_words: bool, output,
                engine=None) -> None:
    """``fit --method online``: stream the input from disk, never holding the corpus;
    with ``engine`` (``--engine dask``) each minibatch's E-step runs on the cluster."""

    def open_docs():
        return iter_documents(corpus, encoding=encoding, needed_by="--method online",
                              **reader)

    model.fit_stream(open_docs, callback=None if quiet else _OnlineProgress(), engine=engine)
    model.run_info["input"] = str(corpus)
    info = model.run_info
    if not quiet:
        click.echo(f"online VB: {info['updates']} minibatches, {info['documents_seen']:,} "
                   f"documents seen, {info['fit_seconds']:.2f}s", err=True)
    click.echo(format_topic_table(model.topics(top_n), model.topic_shares()))
    words = model.vocab.words
    targets = [doc_topics] if doc_topics else []
    if output:
        model.save(output)
        targets.append(Path(output) / "doc_topics.csv")
        write_topic_words(Path(output) / "topic_words.csv", model.beta, words,
                          None if all_words else top_n)
    if topic_words:
        write_topic_words(topic_words, model.beta, words, None if all_words else top_n)
    for target in targets:            # θ of every document, streamed in minibatches
        write_doc_topics_stream(target, model.k, model.transform_stream(open_docs()))


# ----------------------------------------------------------------- models you keep

#: Top words per topic for the coherence reported by ``fit``.
FIT_COHERENCE_TOP_N = 10


def _json_number(x: float) -> float | None:
    """A float for JSON: NaN and infinities become null."""
    x = float(x)
    return x if x == x and abs(x) != float("inf") else None


def _json_list(values) -> list:
    return [_json_number(v) for v in values]


def _num(x: float, spec: str) -> str:
    """``x`` formatted with ``spec``, or 'n/a' for NaN."""
    return "n/a" if x != x else format(x, spec)


def _coherence_record(scores: dict, top_n: int, reference: str) -> dict:
    return {"top_n": top_n, "reference": reference,
            "npmi_mean": _json_number(scores["npmi"].mean()),
            "umass_mean": _json_number(scores["umass"].mean()),
            "npmi": _json_list(scores["npmi"]), "umass": _json_list(scores["umass"])}


def _report_coherence(model: LDA, X_train) -> None:
    """Coherence of the top words over the training documents: stderr and run.json."""
    if len(model.vocab) < 2:
        return
    top_n = min(FIT_COHERENCE_TOP_N, len(model.vocab))
    scores = coherence(model, X_train, top_n)
    model.run_info["coherence"] = _coherence_record(scores, top_n, "training documents")
    click.echo(f"coherence of the top {top_n} words over the training documents "
               f"(mean over topics): NPMI {_num(scores['npmi'].mean(), '.4f')}, "
               f"UMass {_num(scores['umass'].mean(), '.2f')}", err=True)


def _heldout_lines(figures, n_oov: int, seed: int) -> list[str]:
    return [
        f"  {figures.documents} documents, {figures.tokens} tokens in the vocabulary "
        f"({n_oov} out of it, ignored)",
        f"  per-word bound          {_num(figures.bound_per_word, '.4f')} nats per word",
        f"  bound perplexity        {_num(figures.bound_perplexity, '.1f')}   "
        f"(= exp(-bound/N), N = {figures.tokens})",
        f"  completion perplexity   {_num(figures.completion_perplexity, '.1f')}   "
        f"({figures.completion_tokens} second-half tokens scored; halves drawn with "
        f"seed {seed})",
    ]


def _eval_progress(record: dict) -> None:
    click.echo(f"held-out at iter {record['iteration']:4d}  bound perplexity "
               f"{_num(record['bound_perplexity'], '.1f')}  completion perplexity "
               f"{_num(record['completion_perplexity'], '.1f')}", err=True)


def _report_heldout(model: LDA, split, X_test, test_ids, n_oov: int,
                    monitor: HeldoutMonitor | None) -> tuple[list[str], object]:
    """Score the held-out documents (stderr, run.json); θ of every input document."""
    inference = model.infer(X_test)                       # γ with λ fixed
    figures = evaluate_heldout(model, X_test, completion_rng(split.seed), inference=inference)
    model.run_info["heldout"] = {
        "fraction": split.fraction, "seed": split.seed,
        "units": "bound in nats; perplexity = exp(-bound/N); completion perplexity = "
                 "exp(-score of second halves / their tokens)",
        **{key: (_json_number(v) if isinstance(v, float) else v)
           for key, v in figures.to_dict().items()},
        "out_of_vocabulary_tokens": int(n_oov),
        "doc_ids": list(test_ids),
    }
    if monitor is not None:
        model.run_info["heldout"]["during_fit"] = [
            {key: _json_number(v) if isinstance(v, float) else v for key, v in record.items()}
            for record in monitor.records]
        model.run_info["heldout"]["during_fit_seconds"] = monitor.seconds
    click.echo("held-out documents:", err=True)
    for line in _heldout_lines(figures, n_oov, split.seed):
        click.echo(line, err=True)
    theta = merge_rows(split.train_idx, model.theta, split.test_idx, inference.theta)
    return split.doc_ids, theta


def _load(model_dir: str) -> LDA:
    """The model saved in ``model_dir``; a directory without model.json is named as such."""
    path = Path(model_dir)
    if path.is_dir() and not (path / "model.json").exists():
        raise ModelFileError(f"{path} is not an lda-vi model directory (it has no model.json); "
                             "save one with 'lda-vi fit CORPUS -o DIR'")
    return LDA.load(model_dir)


@cli.command()
@click.argument("model_dir", metavar="DIR")
@click.option("--top-n", type=int, default=10, show_default=True, help="Top words shown.")
@click.option("--topic", type=int, default=None,
              help="Show only this topic, its top words one per line with probabilities.")
@handle_errors
def show(model_dir, top_n, topic):
    """Print the topics of the model saved in DIR (by 'lda-vi fit -o DIR')."""
    if top_n < 1:
        raise InputError(f"--top-n must be at least 1 (got {top_n})")
    model = _load(model_dir)
    if topic is not None and not 0 <= topic < model.k:
        raise InputError(f"--topic must be between 0 and {model.k - 1} (got {topic})")
    topics, shares = model.topics(top_n), model.topic_shares()
    if topic is None:
        click.echo(format_topic_table(topics, shares))
        return
    click.echo(f"topic {topic}: {100 * shares[topic]:.1f}% of the training tokens")
    click.echo(f"{'rank':>4}  {'probability':>11}  word")
    for rank, (word, prob) in enumerate(topics[topic], start=1):
        click.echo(f"{rank:>4}  {prob:11.6f}  {word}")


@cli.command()
@click.argument("model_dir", metavar="DIR")
@click.argument("documents", metavar="DOCUMENTS")
@click.option("--doc-topics", type=click.Path(dir_okay=False), required=True,
              help="Write the document-topic matrix θ of the new documents as CSV.")
@click.option("--force", is_flag=True, help="Overwrite an existing output.")
@click.option("--encoding", default="utf-8", show_default=True,
              help="Text encoding of the input.")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@input_options
@handle_errors
def transform(model_dir, documents, doc_topics, force, encoding, quiet, **reader):
    """Topic proportions of new DOCUMENTS under the model saved in DIR.

    DOCUMENTS is read like fit's CORPUS (any --format; text is tokenized with the model's
    own settings, counted formats are matched to its vocabulary word by word); words
    outside its vocabulary are ignored. γ is inferred with the topics fixed,
    deterministically. The CSV has the layout of fit's: doc_id, topic_0..topic_{K-1}
    (θ = γ/Σγ).
    """
    reader = _pop_input_options(reader)
    check_writable(doc_topics, force=force)
    model = _load(model_dir)
    X, ids, n_oov = vectorize_input(documents, vocabulary=model.vocab,
                                    tokenizer=Tokenizer(model.tokenizer_config),
                                    encoding=encoding, **reader)
    inference = model.infer(X)
    if not quiet:
        known = int(round(float(inference.n_tokens.sum())))
        empty = int((inference.n_tokens == 0).sum())
        share = 100.0 * n_oov / (known + n_oov) if known + n_oov else 0.0
        click.echo(f"{len(ids)} documents: {known} tokens in the vocabulary, {n_oov} out of "
                   f"it ({share:.1f}%), ignored"
                   + (f"; {empty} documents with no known word (θ is the prior mean)"
                      if empty else ""), err=True)
    write_doc_topics(doc_topics, ids, inference.theta)
    if not quiet:
        click.echo(f"wrote {doc_topics}", err=True)


@cli.command()
@click.argument("model_dir", metavar="DIR")
@click.argument("documents", metavar="DOCUMENTS")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the random split of each document's tokens in halves "
                   "(document completion).")
@click.option("--top-n", type=int, default=10, show_default=True,
              help="Top words per topic for coherence.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None,
              help="Also write every figure (and per-topic coherence) as JSON.")
@click.option("--force", is_flag=True, help="Overwrite an existing --json file.")
@click.option("--encoding", default="utf-8", show_default=True,
              help="Text encoding of the input.")
@input_options
@handle_errors
def evaluate(model_dir, documents, seed, top_n, json_path, force, encoding, **reader):
    """Score the model saved in DIR on held-out DOCUMENTS (not used to fit it).

    \b
    Prints, with the topics fixed:
    - the per-word bound, in nats per word: the bound (ELBO without the topic
      terms) of each document at its optimal γ, summed, over N, the tokens in
      the vocabulary; and its perplexity = exp(-bound/N);
    - the document-completion perplexity: each document's tokens split in halves
      at random (--seed), γ inferred from the first half, the second scored by
      log Σ_k θ_k β_kw; perplexity = exp(-score / tokens scored);
    - the coherence (UMass, NPMI) of each topic's top --top-n words, with
      document frequencies counted over DOCUMENTS (a small set gives noisy values).
    Words outside the model's vocabulary are ignored (their count is shown).
    """
    if json_path:
        check_writable(json_path, force=force)
    model = _load(model_dir)
    X, ids, n_oov = vectorize_input(documents, vocabulary=model.vocab,
                                    tokenizer=Tokenizer(model.tokenizer_config),
                                    encoding=encoding, **_pop_input_options(reader))
    figures = evaluate_heldout(model, X, completion_rng(seed))
    if figures.tokens == 0:
        raise InputError(f"no word of the {len(ids)} documents of {documents} is in the "
                         "model's vocabulary; nothing to evaluate")
    top_n = min(top_n, len(model.vocab))
    scores = coherence(model, X, top_n)
    click.echo(f"held-out documents: {documents}")
    for line in _heldout_lines(figures, n_oov, seed):
        click.echo(line)
    click.echo(f"  coherence of the top {top_n} words, document frequencies counted over "
               "these documents:")
    click.echo(f"    mean over topics: NPMI {_num(scores['npmi'].mean(), '.4f')}, "
               f"UMass {_num(scores['umass'].mean(), '.2f')}")
    click.echo(f"    {'topic':>5}  {'NPMI':>7}  {'UMass':>8}")
    for k, (npmi, umass) in enumerate(zip(scores["npmi"], scores["umass"], strict=True)):
        click.echo(f"    {k:>5}  {npmi:7.4f}  {umass:8.2f}")
    if json_path:
        record = {
            "model_dir": str(model_dir), "documents_file": str(documents), "seed": seed,
            "units": "bound in nats; per-word bound in nats per word; perplexity = "
                     "exp(-bound/N); completion perplexity = exp(-score of second halves / "
                     "their tokens)",
            **{key: (_json_number(v) if isinstance(v, float) else v)
               for key, v in figures.to_dict().items()},
            "out_of_vocabulary_tokens": int(n_oov),
            "coherence": _coherence_record(scores, top_n, "these documents"),
        }
        atomic_write_text(json_path, json.dumps(record, indent=2) + "\n")


@cli.command()
@click.argument("corpus", metavar="CORPUS")
@click.option("-k", "--topics", "ks", required=True, metavar="K1,K2,...",
              help="The numbers of topics to try, e.g. 5,10,20,40.")
@click.option("--seeds", "n_seeds", type=int, default=3, show_default=True,
              help="Models fitted per K, with seeds --seed, --seed+1, ...")
@click.option("--seed", type=int, default=0, show_default=True,
              help="First seed; it also chooses the held-out documents and their halves.")
@click.option("--holdout", type=float, default=0.1, show_default=True, metavar="FRACTION",
              help="Fraction of the documents held out for completion perplexity.")
@click.option("--max-iter", type=int, default=200, show_default=True,
              help="EM iterations per model, at most.")
@click.option("--tol", type=float, default=1e-4, show_default=True,
              help="Stop a fit when the relative ELBO change is below this.")
@click.option("--threads", type=int, default=None, help="Threads (default: all cores).")
@click.option("--top-n", type=int, default=10, show_default=True,
              help="Top words per topic for coherence.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), default=None,
              help="Write one row per K and seed as CSV.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Draw each metric against K as a PNG (needs matplotlib).")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@input_options
@pipeline_options
@handle_errors
def sweep(corpus, ks, n_seeds, seed, holdout, max_iter, tol, threads, top_n, csv_path,
          plot_path, force, quiet, encoding, **pipeline):
    """Compare numbers of topics on CORPUS (read like fit's).

    The corpus is read and tokenized once; a fraction of its documents (--holdout,
    chosen with --seed) is set aside and the vocabulary built from the rest. For each
    K and each seed a model is fitted on the training documents and scored: held-out
    document-completion perplexity (lower is better), mean NPMI and UMass of the top
    words over the training documents (higher is better), fit time. Per K, the topic
    stability across seeds is the mean similarity (1 - Hellinger distance) of topics
    matched one to one between every two runs (1 = the same topics).
    """
    from lda_vi.evaluate import sweep as sweep_module

    k_values = sweep_module.parse_ks(ks)
    if n_seeds < 1:
        raise InputError(f"--seeds must be at least 1 (got {n_seeds})")
    if max_iter < 1:
        raise InputError("--max-iter must be >= 1")
    reader = _pop_input_options(pipeline)
    tokenizer_config, prune_config = _pipeline(**pipeline)
    for path in (csv_path, plot_path):
        if path:
            check_writable(path, force=force)
    if plot_path:
        sweep_module.require_matplotlib()
    split = split_documents(iter_documents(corpus, encoding=encoding, needed_by="sweep",
                                           **reader), holdout, seed)
    corpus_data = build_corpus(split.train, Tokenizer(tokenizer_config), prune_config)
    X_test, _, n_oov = vectorize(split.test, Tokenizer(tokenizer_config), corpus_data.vocab)
    if not quiet:
        click.echo(f"corpus: {split.n_docs} documents; {len(split.test)} held out (seed "
                   f"{seed}, {int(X_test.sum())} tokens in the vocabulary, {n_oov} out of it); "
                   f"training: {corpus_data.n_words} words, {corpus_data.n_tokens} tokens",
                   err=True)

    def progress(row: dict) -> None:
        if not quiet:
            click.echo(f"k={row['k']} seed={row['seed']}: completion perplexity "
                       f"{_num(row['completion_perplexity'], '.1f')}, NPMI "
                       f"{row['npmi']:.4f}, UMass {row['umass']:.2f}, {row['iterations']} "
                       f"iterations, {row['fit_seconds']:.1f}s", err=True)

    rows = sweep_module.run_sweep(
        corpus_data.counts, X_test, k_values, [seed + i for i in range(n_seeds)],
        split_seed=seed, top_n=top_n, vocab=corpus_data.vocab, progress=progress,
        max_iter=max_iter, tol=tol, threads=threads, tokenizer=tokenizer_config,
        prune=prune_config)
    summary = sweep_module.summarize(rows)

    def cell(entry: dict, metric: str, spec: str) -> str:
        sd = entry[f"{metric}_sd"]
        return _num(entry[metric], spec) + ("" if sd != sd else f" ± {sd:{spec}}")

    header = (f"{'K':>4}  {'completion perplexity':>22}  {'NPMI':>17}  {'UMass':>17}  "
              f"{'stability':>9}  {'fit s':>7}")
    click.echo(f"mean ± sd over {n_seeds} seed{'s' if n_seeds > 1 else ''}; perplexity on "
               f"{len(split.test)} held-out documents, coherence of the top {top_n} words "
               "over the training documents")
    click.echo(header)
    click.echo("-" * len(header))
    for e in summary:
        click.echo(f"{e['k']:>4}  {cell(e, 'completion_perplexity', '.1f'):>22}  "
                   f"{cell(e, 'npmi', '.4f'):>17}  {cell(e, 'umass', '.2f'):>17}  "
                   f"{_num(e['stability'], '.3f'):>9}  {e['fit_seconds']:7.1f}")
    if csv_path:
        sweep_module.write_sweep_csv(rows, csv_path)
        if not quiet:
            click.echo(f"wrote {csv_path}", err=True)
    if plot_path:
        sweep_module.plot_sweep(rows, plot_path)
        if not quiet:
            click.echo(f"wrote {plot_path}", err=True)


# ------------------------------------------------------------- report and plots
@cli.command("report")
@click.argument("model_dir", metavar="DIR")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="The HTML file to write.")
@click.option("--top-n", type=int, default=30, show_default=True,
              help="Terms shown per topic.")
@click.option("--docs", "docs_path", default=None, metavar="CORPUS",
              help="The corpus the model was fitted on (as given to fit), to show the start "
                   "of each representative document; without it, only their ids.")
@click.option("--encoding", default="utf-8", show_default=True,
              help="Text encoding of --docs.")
@click.option("--force", is_flag=True, help="Overwrite an existing output.")
@handle_errors
def report_command(model_dir, output, top_n, docs_path, encoding, force):
    """Write a self-contained HTML report of the model saved in DIR.

    One file, no network needed: the run summary, every topic with its share and top
    words, a map of the distances between topics, each topic's terms (re-ranked by
    a relevance slider) and representative documents, and the ELBO per iteration.
    """
    from lda_vi.report import html as report_module

    if top_n < 1:
        raise InputError(f"--top-n must be at least 1 (got {top_n})")
    check_writable(output, force=force)
    model = _load(model_dir)
    documents = read_documents(docs_path, encoding=encoding) if docs_path else None
    size = report_module.write_report(model, output, top_n=top_n, documents=documents,
                                      model_dir=model_dir, source=str(docs_path))
    click.echo(f"wrote {output} ({size / 1024:,.0f} KiB)", err=True)


@cli.command("plot")
@click.argument("model_dir", metavar="DIR", required=False)
@click.option("--elbo", "elbo_path", type=click.Path(dir_okay=False), default=None,
              help="Draw the ELBO per EM iteration (and its relative change) as a PNG.")
@click.option("--topics", "topics_path", type=click.Path(dir_okay=False), default=None,
              help="Draw every topic's top words as bars, as a PNG.")
@click.option("--top-n", type=int, default=10, show_default=True,
              help="--topics: words per topic.")
@click.option("--sweep", "sweep_csv", type=click.Path(dir_okay=False), default=None,
              metavar="SWEEP.csv", help="A CSV written by 'lda-vi sweep --csv' ...")
@click.option("--out", "sweep_out", type=click.Path(dir_okay=False), default=None,
              help="... and the PNG to draw its metrics against K in.")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@handle_errors
def plot_command(model_dir, elbo_path, topics_path, top_n, sweep_csv, sweep_out, force):
    """Draw PNG plots (needs matplotlib: pip install 'lda-vi[plot]').

    Of the model saved in DIR: --elbo FILE.png, --topics FILE.png. Of a sweep (no DIR
    needed): --sweep SWEEP.csv --out FILE.png.
    """
    from lda_vi.report import plots

    if not (elbo_path or topics_path or sweep_csv or sweep_out):
        raise InputError("nothing to plot: give --elbo FILE.png, --topics FILE.png or "
                         "--sweep SWEEP.csv --out FILE.png")
    if bool(sweep_csv) != bool(sweep_out):
        raise InputError("--sweep SWEEP.csv and --out FILE.png go together")
    if (elbo_path or topics_path) and not model_dir:
        raise InputError("--elbo and --topics plot a saved model: give its directory DIR")
    if top_n < 1:
        raise InputError(f"--top-n must be at least 1 (got {top_n})")
    for path in (elbo_path, topics_path, sweep_out):
        if path:
            check_writable(path, force=force)
    plots.require_matplotlib()
    rows = plots.read_sweep_csv(sweep_csv) if sweep_csv else None
    model = _load(model_dir) if (elbo_path or topics_path) else None
    if elbo_path:
        plots.plot_elbo(model.run_info, elbo_path)
        click.echo(f"wrote {elbo_path}", err=True)
    if topics_path:
        plots.plot_topics(model, topics_path, top_n=top_n)
        click.echo(f"wrote {topics_path}", err=True)
    if rows is not None:
        plots.plot_sweep(rows, sweep_out)
        click.echo(f"wrote {sweep_out}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``lda-vi`` console script."""
    cli.main(args=argv, prog_name="lda-vi")


if __name__ == "__main__":  # pragma: no cover
    main()
