"""``lda-vi sweep``: compare numbers of topics on one corpus."""

from __future__ import annotations

import functools

import click

from lda_vi.cli.common import (
    COHERENCE_LABELS,
    DEFAULT_COHERENCE,
    coherence_options,
    handle_errors,
    input_options,
    num,
    pipeline_configs,
    pipeline_options,
    pop_input_options,
)
from lda_vi.cli.language_options import phrase_summary
from lda_vi.cli.outputs import check_paths
from lda_vi.cli.progress import compile_notice
from lda_vi.errors import InputError
from lda_vi.evaluate.heldout import split_documents
from lda_vi.io.atomic import atomic_write_text
from lda_vi.io.corpus import build_corpus, vectorize
from lda_vi.io.text_readers import iter_documents
from lda_vi.model.settings import FitSettings
from lda_vi.model.validation import check_top_n
from lda_vi.text.tokenize import Tokenizer, learn_phrases


@click.command()
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
@click.option("--inference", type=click.Choice(["vb", "cvb0"]), default="vb", show_default=True,
              help="How each model is fitted: mean-field VB or collapsed VB (CVB0, "
                   "8 × K bytes per non-zero; docs/cvb0.md).")
@click.option("--top-n", type=int, default=10, show_default=True,
              help="Top words per topic for coherence (as --coherence-top-n).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), default=None,
              help="Write one row per K and seed as CSV.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Draw each metric against K as a PNG (needs matplotlib).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, allow_dash=True),
              default=None, is_flag=False, flag_value="-", metavar="[FILE]",
              help="Write every model's held-out figures and coherence as JSON "
                   "(docs/results.md); alone or as '--json -', to standard output.")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@coherence_options
@input_options
@pipeline_options
@handle_errors
def sweep(corpus, ks, n_seeds, seed, holdout, max_iter, tol, threads, top_n, csv_path,
          plot_path, force, quiet, encoding, json_path=None, inference="vb",
          coherence=DEFAULT_COHERENCE, coherence_top_n=None, **pipeline):
    """Compare numbers of topics on CORPUS (read like fit's).

    The corpus is read and tokenized once; a fraction of its documents (--holdout,
    chosen with --seed) is set aside and the vocabulary built from the rest. For each
    K and each seed a model is fitted on the training documents and scored: held-out
    document-completion perplexity (lower is better), the mean coherence of the top
    words over the training documents (higher is better; --coherence: NPMI and UMass
    unless others are chosen, docs/coherence.md), fit time. Per K, the topic
    stability across seeds is the mean similarity (1 - Hellinger distance) of topics
    matched one to one between every two runs (1 = the same topics).
    """
    from lda_vi.evaluate import sweep as sweep_module
    from lda_vi.evaluate.coherence import needs_token_order, parse_measures, token_sequences

    k_values = sweep_module.parse_ks(ks)
    check_top_n(top_n)
    if n_seeds < 1:
        raise InputError(f"--seeds must be at least 1 (got {n_seeds})")
    if max_iter < 1:
        raise InputError("--max-iter must be >= 1")
    for k in k_values:                 # every setting checked before the corpus is read
        FitSettings(k=k, max_iter=max_iter, tol=tol, seed=seed, threads=threads,
                    inference=inference)
    measures = parse_measures(coherence)
    top_n = top_n if coherence_top_n is None else coherence_top_n
    if top_n < 2:
        raise InputError(f"--coherence-top-n must be at least 2 (got {top_n})")
    reader = pop_input_options(pipeline)
    windowed = needs_token_order(measures, corpus, reader["fmt"])
    tokenizer_config, prune_config = pipeline_configs(**pipeline)
    check_paths([("--csv", csv_path), ("--plot", plot_path), ("--json", json_path)],
                force=force, inputs=[("CORPUS", corpus),
                                     ("--stopwords", pipeline.get("stopwords_file"))])
    if plot_path:
        sweep_module.require_matplotlib()
    split = split_documents(iter_documents(corpus, encoding=encoding, needed_by="sweep",
                                           **reader), holdout, seed)
    if tokenizer_config.phrases:
        tokenizer_config = learn_phrases([text for _, text in split.train], tokenizer_config)
        if not quiet:
            click.echo(phrase_summary(tokenizer_config), err=True)
    corpus_data = build_corpus(split.train, Tokenizer(tokenizer_config), prune_config)
    X_test, _, n_oov = vectorize(split.test, Tokenizer(tokenizer_config), corpus_data.vocab)
    sequences = (token_sequences((text for _, text in split.train), Tokenizer(tokenizer_config),
                                 corpus_data.vocab) if windowed else None)
    if not quiet:
        click.echo(f"corpus: {split.n_docs} documents; {len(split.test)} held out (seed "
                   f"{seed}, {int(X_test.sum())} tokens in the vocabulary, {n_oov} out of it); "
                   f"training: {corpus_data.n_words} words, {corpus_data.n_tokens} tokens",
                   err=True)
        compile_notice(cvb0=inference == "cvb0")

    def progress(row: dict) -> None:
        if not quiet:
            scores = ", ".join(f"{COHERENCE_LABELS[m][0]} {num(row[m], COHERENCE_LABELS[m][1])}"
                               for m in measures)
            click.echo(f"k={row['k']} seed={row['seed']}: completion perplexity "
                       f"{num(row['completion_perplexity'], '.1f')}, {scores}, "
                       f"{row['iterations']} iterations, {row['fit_seconds']:.1f}s", err=True)

    rows = sweep_module.run_sweep(
        corpus_data.counts, X_test, k_values, [seed + i for i in range(n_seeds)],
        split_seed=seed, top_n=top_n, vocab=corpus_data.vocab, progress=progress,
        results=bool(json_path), oov_tokens=n_oov, coherence=measures,
        sequences=sequences, max_iter=max_iter, tol=tol, threads=threads,
        tokenizer=tokenizer_config, prune=prune_config, inference=inference)
    summary = sweep_module.summarize(rows)

    def cell(entry: dict, metric: str, spec: str) -> str:
        sd = entry[f"{metric}_sd"]
        return num(entry[metric], spec) + ("" if sd != sd else f" ± {sd:{spec}}")

    # With the CSV or the JSON on standard output ('-'), the table goes to stderr.
    echo = functools.partial(click.echo, err="-" in (csv_path, json_path))
    header = (f"{'K':>4}  {'completion perplexity':>22}  "
              + "".join(f"{COHERENCE_LABELS[m][0]:>17}  " for m in measures)
              + f"{'stability':>9}  {'fit s':>7}")
    echo(f"mean ± sd over {n_seeds} seed{'s' if n_seeds > 1 else ''}; perplexity on "
         f"{len(split.test)} held-out documents, coherence of the top {top_n} words "
         "over the training documents")
    echo(header)
    echo("-" * len(header))
    for e in summary:
        echo(f"{e['k']:>4}  {cell(e, 'completion_perplexity', '.1f'):>22}  "
             + "".join(f"{cell(e, m, COHERENCE_LABELS[m][1]):>17}  " for m in measures)
             + f"{num(e['stability'], '.3f'):>9}  {e['fit_seconds']:7.1f}")
    if csv_path:
        sweep_module.write_sweep_csv(rows, csv_path)
        if not quiet:
            click.echo(f"wrote {csv_path}", err=True)
    if plot_path:
        sweep_module.plot_sweep(rows, plot_path)
        if not quiet:
            click.echo(f"wrote {plot_path}", err=True)
    if json_path:
        atomic_write_text(json_path, sweep_module.sweep_json(
            rows, holdout=holdout, seed=seed,
            corpus={"documents": split.n_docs, "held_out": len(split.test),
                    "words": corpus_data.n_words, "tokens": int(corpus_data.n_tokens)}))
        if not quiet:
            click.echo(f"wrote {json_path}", err=True)
