"""``lda-vi fit``: fit a model to a corpus, batch or online, locally or on Dask."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from lda_vi.cli.common import (
    DEFAULT_COHERENCE,
    FLAGS,
    coherence_options,
    coherence_summary,
    handle_errors,
    heldout_lines,
    input_options,
    num,
    number_or_auto,
    on_interrupt,
    pipeline_configs,
    pipeline_options,
    pop_input_options,
    table_width,
)
from lda_vi.cli.language_options import phrase_summary
from lda_vi.cli.option_checks import FIT_RULES, covariate_names, given, refuse_unused
from lda_vi.cli.outputs import check_paths
from lda_vi.cli.progress import (
    BatchProgress,
    OnlineProgress,
    ReadProgress,
    checkpoint_stamp,
    compile_notice,
    resume_hint,
)
from lda_vi.cli.streams import silence_loggers
from lda_vi.errors import InputError
from lda_vi.evaluate import workflow
from lda_vi.evaluate.coherence import parse_measures
from lda_vi.io.atomic import check_writable, is_special
from lda_vi.io.detect import COUNT_FORMATS, resolve_format
from lda_vi.io.export import format_topic_table
from lda_vi.io.lock import LOCK_NAME, directory_lock
from lda_vi.model import cvb0_fit, validation
from lda_vi.model.checkpoint import checkpoint_meta
from lda_vi.model.lda import LDA
from lda_vi.model.settings import SEED_STRENGTH
from lda_vi.model.validation import check_resumable, check_top_n
from lda_vi.text.seeds import load_seed_file


@click.command()
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
@click.option("--e-warmup", type=int, default=8, show_default=True, metavar="N",
              help="E-step warm-up: at most N iterations per document at the first EM "
                   "iteration, doubled at each one up to --e-max-iter (0: none).")
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
@click.option("--inference", type=click.Choice(["vb", "cvb0"]), default="vb", show_default=True,
              help="Mean-field VB, or collapsed VB (CVB0: better held-out fit; memory "
                   "8 × K bytes per non-zero of the count matrix, estimate printed; "
                   "docs/cvb0.md).")
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
@click.option("--covariates", default=None, metavar="NAMES",
              help="Fit topic prevalence on these comma-separated CSV/TSV columns or JSONL "
                   "fields: dates (a smooth trend), numbers, categories (see 'lda-vi trends').")
@click.option("--covariates-file", type=click.Path(dir_okay=False), default=None,
              metavar="FILE", help="The covariates in a CSV/TSV file of their own: a header, "
                                   "one row per document (in order, or by an 'id' column).")
@click.option("--covariate-prior", type=float, default=1.0, show_default=True,
              metavar="SIGMA", help="--covariates: prior standard deviation of their weights.")
@click.option("--time-bins", type=int, default=None, metavar="N",
              help="--covariates: a date as N equal bins instead of a smooth spline.")
@coherence_options
@click.option("--seed-words", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Guide the first topics with seed words: one topic per line, "
                   "'label: word word ...' ('#' comments). -k counts all topics.")
@click.option("--seed-strength", type=float, default=SEED_STRENGTH, show_default=True,
              help="--seed-words: the prior boost s of each seed word, η + s (docs/seeds.md).")
@input_options
@pipeline_options
@handle_errors
def fit(corpus, k, alpha, eta, max_iter, tol, e_tol, e_max_iter, e_warmup, seed, threads,
        top_n,
        doc_topics, topic_words, all_words, output, force, quiet, encoding, holdout=None,
        eval_every=None, method="batch", batch_size=256, passes=1, tau0=10.0, kappa=0.7,
        checkpoint_every=None, resume_dir=None, engine="local", scheduler=None, n_workers=None,
        connect_timeout=10.0, covariates=None, covariates_file=None, covariate_prior=1.0,
        time_bins=None, inference="vb", coherence=DEFAULT_COHERENCE, coherence_top_n=None,
        seed_words=None, seed_strength=SEED_STRENGTH,
        **pipeline):
    """Fit an LDA model to CORPUS: a text file (one document per line), '-' for
    stdin, a directory of .txt files (one document per file), a CSV/TSV or JSON Lines
    file, or word counts in lda-c, UCI bag-of-words or Matrix Market format (with
    --vocab). The format is guessed from the name (--format to choose it); .gz, .bz2
    and .xz files are read directly. See docs/inputs.md.

    Text is pruned with --min-df 2 --max-df 0.5 unless told otherwise. Count formats
    keep their vocabulary file as given, every word, even one with no count in CORPUS
    (its topic-word weights stay at the prior η), unless --min-df, --max-df or
    --max-vocab is given: then only the options given apply.

    At the end, the mean coherence of each topic's top words (--coherence-top-n, 10),
    counted over the training documents, is reported (per topic in run.json,
    "coherence"): by default lda-vi's NPMI and UMass; --coherence c_v,c_npmi,u_mass,...
    chooses gensim's measures too (docs/coherence.md; c_v, c_npmi and c_uci need text).

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

    --covariates date,section gives each document its own topic prior from its
    columns (Dirichlet-multinomial regression: dates as a smooth trend, numbers
    standardized, categories one-hot); 'lda-vi trends DIR --by date' then shows
    how each topic rises and falls. A missing value is an error. See docs/covariates.md.

    --seed-words FILE guides topics to themes known in advance: each line
    'label: word word ...' makes one seeded topic, first and in file order,
    labelled everywhere (the table, both CSVs, run.json, the report). Their prior
    is η + --seed-strength on their seed words; see docs/seeds.md.
    """
    run_settings: dict = {}
    if output or resume_dir:            # what an interrupt from here on leaves to resume
        where = Path(output or resume_dir)
        before = checkpoint_stamp(where)
        on_interrupt(lambda: resume_hint(corpus, where, before=before, resuming=bool(
            resume_dir), settings=run_settings.get("settings")))
    if eval_every is not None and (holdout is None or eval_every < 1):
        raise InputError("--eval-every N needs --holdout FRACTION and N >= 1")
    check_top_n(top_n)
    refuse_unused(FIT_RULES, dict(method=method, seed_words=seed_words, engine=engine,
                                  phrases=pipeline["phrases"], topic_words=topic_words,
                                  output=output or resume_dir))
    if checkpoint_every is not None and (checkpoint_every < 1 or not output):
        raise InputError("--checkpoint-every N needs N >= 1 and -o DIR to save into")
    if engine == "local" and (scheduler is not None or n_workers is not None):
        raise InputError("--scheduler and --workers need --engine dask")
    if resume_dir is not None:
        output = output or resume_dir
        force = True                       # the checkpoint's own directory is the output
    reader = pop_input_options(pipeline)
    counts = resolve_format(corpus, reader["fmt"]) in COUNT_FORMATS
    text_only = [flag for name, flag in TEXT_ONLY if given(name)]
    if counts and text_only:
        raise InputError(f"{' and '.join(text_only)} appl{'ies' if len(text_only) == 1 else 'y'}"
                         f" to text; {corpus} holds word counts, tokenized already, and its "
                         "vocabulary file is used as given: drop "
                         f"{'it' if len(text_only) == 1 else 'them'} (or leave words out with "
                         "--min-df, --max-df, --max-vocab)")
    tokenizer_config, prune_config = pipeline_configs(**pipeline, counts=counts)
    measures = parse_measures(coherence)
    coherence_top_n = workflow.FIT_COHERENCE_TOP_N if coherence_top_n is None else coherence_top_n
    if coherence_top_n < 2:
        raise InputError(f"--coherence-top-n must be at least 2 (got {coherence_top_n})")
    if method == "online" and given("coherence", "coherence_top_n"):
        raise InputError("--coherence and --coherence-top-n work with --method batch only: "
                         "online VB does not score coherence")
    if method == "online":
        if holdout is not None or checkpoint_every or resume_dir:
            raise InputError("--holdout, --checkpoint-every and --resume work with "
                             "--method batch only")
        if corpus == "-" or is_special(corpus):
            raise InputError("--method online reads its input more than once; give a regular "
                             "file instead of - (standard input) or a pipe")
    inputs = [("CORPUS", corpus), ("--vocab", reader["vocab"]), ("--seed-words", seed_words),
              ("--covariates-file", covariates_file), ("--stopwords", pipeline["stopwords_file"])]
    check_paths([("--doc-topics", doc_topics), ("--topic-words", topic_words)], force=force,
                inputs=inputs, output_dir=output)
    if output:
        out = Path(output)
        check_writable(out, force=True)
        click.get_current_context().with_resource(directory_lock(out))   # one writer
        if any(p.name != LOCK_NAME for p in out.iterdir()) and not force:
            raise InputError(f"{out} already exists and is not empty; pass --force to "
                             "overwrite it")
    make_engine = None
    if engine == "dask":
        make_engine = _dask_engine(scheduler, n_workers, threads, connect_timeout, quiet)
    model = LDA(k=k, alpha=number_or_auto(alpha), eta=number_or_auto(eta), max_iter=max_iter,
                tol=tol, e_tol=e_tol, e_max_iter=e_max_iter, e_warmup=e_warmup, seed=seed,
                threads=threads,
                tokenizer=tokenizer_config, prune=prune_config, method=method,
                batch_size=batch_size, passes=passes, tau0=tau0, kappa=kappa,
                covariate_prior=covariate_prior, time_bins=time_bins, inference=inference,
                seed_words=seed_mapping(seed_words), seed_strength=seed_strength)
    run_settings["settings"] = asdict(model.settings)
    names = covariate_names(covariates)
    if (names or covariates_file) and method == "online":
        raise InputError("--covariates work with --method batch only")
    unused = [flag for name, flag in COVARIATE_ONLY if given(name)]
    if unused and not (names or covariates_file):
        raise InputError(f"{' and '.join(unused)} appl{'ies' if len(unused) == 1 else 'y'} "
                         "to covariates: add --covariates NAMES (or --covariates-file FILE), "
                         f"or drop {'it' if len(unused) == 1 else 'them'}")
    if resume_dir is not None:                 # before reading the corpus
        check_resumable(checkpoint_meta(resume_dir), asdict(model.settings), resume_dir)
    reporter = _Reporter(quiet, max_iter, k if inference == "cvb0" else None)
    if method == "online":
        run = workflow.fit_stream_source(model, corpus, encoding=encoding, reader=reader,
                                         engine=make_engine, reporter=reporter)
    else:
        run = workflow.fit_source(model, corpus, encoding=encoding, reader=reader,
                                  holdout=holdout, eval_every=eval_every,
                                  checkpoint_dir=output if checkpoint_every else None,
                                  checkpoint_every=checkpoint_every or 0,
                                  resume_dir=resume_dir, engine=make_engine, reporter=reporter,
                                  covariates=names, covariates_file=covariates_file,
                                  coherence=measures, coherence_top_n=coherence_top_n)
    click.echo(format_topic_table(model.topics(top_n), model.topic_shares(), table_width(),
                                  labels=model.labels),
               err="-" in (doc_topics, topic_words))  # a CSV has stdout: table to stderr
    workflow.write_outputs(run, doc_topics=doc_topics, topic_words=topic_words,
                           all_words=all_words, top_n=top_n, output=output)
    if output and not quiet and method != "online":
        click.echo(f"saved the model, doc_topics.csv, topic_words.csv and run.json "
                   f"in {output}", err=True)


#: The options that shape a covariate prior, of no use without covariates: (parameter, flag).
COVARIATE_ONLY = tuple((name, FLAGS[name]) for name, _ in validation.COVARIATE_ONLY)

#: The tokenizer's options, which word counts have no use for: (parameter, flag).
TEXT_ONLY = (("language", "--language"), ("stem", "--stem"), ("stopwords_file", "--stopwords"),
             ("replace_stopwords", "--replace-stopwords"), ("no_stopwords", "--no-stopwords"),
             ("min_length", "--min-length"))


def seed_mapping(path: str | None) -> dict[str, list[str]] | None:
    """The seed file at ``path`` as {label: [words]} (None without one)."""
    if path is None:
        return None
    return {topic.label: list(topic.words) for topic in load_seed_file(path)}


class _Reporter(workflow.FitReporter):
    """Prints a fit's progress and results: stderr, one line each (``-q``: the results only)."""

    def __init__(self, quiet: bool, max_iter: int, cvb0_k: int | None = None) -> None:
        self.quiet, self.cvb0_k = quiet, cvb0_k
        if not quiet:
            self.iteration = BatchProgress(max_iter)
            self.minibatch = OnlineProgress()
            self.heldout_iteration = _eval_progress
            self.reading = ReadProgress()

    def split(self, split) -> None:
        if not self.quiet:
            click.echo(f"holdout: {len(split.test)} of {split.n_docs} documents set aside "
                       f"(seed {split.seed}); fitting on the other {len(split.train)}", err=True)

    def phrases(self, config) -> None:
        if not self.quiet:
            click.echo(phrase_summary(config), err=True)

    def corpus(self, corpus) -> None:
        if not self.quiet:
            click.echo(f"corpus: {corpus.n_docs} documents, {corpus.n_words} words, "
                       f"{corpus.n_tokens} tokens"
                       + (f", {corpus.n_empty} documents empty after pruning"
                          if corpus.n_empty else ""), err=True)
        if not self.quiet:
            compile_notice(cvb0=bool(self.cvb0_k))
        if not self.quiet and self.cvb0_k:
            X = corpus.counts
            need = cvb0_fit.memory_estimate(X.nnz, X.shape[0], X.shape[1], self.cvb0_k)
            click.echo(f"cvb0: φ holds {X.nnz:,} non-zeros × {self.cvb0_k} topics; the fit "
                       f"needs about {cvb0_fit.format_bytes(need)}", err=True)

    def fitted(self, model) -> None:
        if self.quiet:
            return
        r = model.record
        if r.method == "online":
            click.echo(f"online VB: {r.updates} minibatches, {r.documents_seen:,} "
                       f"documents seen, {r.fit_seconds:.2f}s", err=True)
            return
        trace = model.trace
        state = "converged" if trace.converged else "stopped"
        click.echo(f"{state} after {trace.n_iter} iterations ({trace.stop_reason}), "
                   f"{r.fit_seconds:.2f}s", err=True)

    def coherence(self, scores, top_n) -> None:
        click.echo(f"coherence of the top {top_n} words over the training documents "
                   f"(mean over topics): {coherence_summary(scores)}", err=True)

    def heldout(self, figures, oov_tokens, seed) -> None:
        click.echo("held-out documents:", err=True)
        for line in heldout_lines(figures, oov_tokens, seed):
            click.echo(line, err=True)


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
    def close() -> None:       # the command's end: the cluster's shutdown is not news
        silence_loggers("distributed", "tornado", "asyncio")
        cluster.close()

    click.get_current_context().call_on_close(close)
    if not quiet:
        click.echo(f"dask: {cluster.n_workers()} workers, scheduler {cluster.address}",
                   err=True)
    return cluster.engine_factory(threads=threads)


def _eval_progress(record: dict) -> None:
    click.echo(f"held-out at iter {record['iteration']:4d}  bound perplexity "
               f"{num(record['bound_perplexity'], '.1f')}  completion perplexity "
               f"{num(record['completion_perplexity'], '.1f')}", err=True)
