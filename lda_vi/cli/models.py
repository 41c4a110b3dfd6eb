"""``lda-vi show``, ``transform`` and ``evaluate``: use a saved model."""

from __future__ import annotations

import functools

import click

from lda_vi.cli.common import (
    COHERENCE_LABELS,
    DEFAULT_COHERENCE,
    coherence_options,
    coherence_summary,
    handle_errors,
    heldout_lines,
    input_options,
    load_model,
    num,
    pop_input_options,
    table_width,
)
from lda_vi.cli.outputs import check_paths
from lda_vi.errors import InputError
from lda_vi.evaluate.coherence import model_coherence, needs_token_order, parse_measures
from lda_vi.evaluate.covariate_inputs import new_covariates
from lda_vi.evaluate.heldout import completion_rng, evaluate_heldout
from lda_vi.io.atomic import atomic_write_text
from lda_vi.io.corpus import vectorize
from lda_vi.io.export import format_topic_table, write_doc_topics
from lda_vi.io.load import vectorize_input
from lda_vi.io.text_readers import iter_documents
from lda_vi.model.record import Results, results_json
from lda_vi.model.validation import check_top_n
from lda_vi.text.tokenize import Tokenizer


def covariate_options(func):
    """``--covariates`` and ``--covariates-file``: the covariates of new documents, for a
    model fitted with them (transform and evaluate)."""
    func = click.option("--covariates-file", type=click.Path(dir_okay=False), default=None,
                        metavar="FILE",
                        help="... or from this CSV/TSV, one row per document.")(func)
    return click.option("--covariates", "use_covariates", is_flag=True,
                        help="A model fitted with --covariates: read them from DOCUMENTS' own "
                             "columns (CSV/TSV) or fields (JSONL), to give each document its "
                             "own prior.")(func)


@click.command()
@click.argument("model_dir", metavar="DIR")
@click.option("--top-n", type=int, default=10, show_default=True, help="Top words shown.")
@click.option("--topic", type=int, default=None,
              help="Show only this topic, its top words one per line with probabilities.")
@handle_errors
def show(model_dir, top_n, topic):
    """Print the topics of the model saved in DIR (by 'lda-vi fit -o DIR')."""
    check_top_n(top_n)
    model = load_model(model_dir)
    if topic is not None and not 0 <= topic < model.k:
        raise InputError(f"--topic must be between 0 and {model.k - 1} (got {topic})")
    topics, shares = model.topics(top_n), model.topic_shares()
    if topic is None:
        click.echo(format_topic_table(topics, shares, table_width(), labels=model.labels))
        return
    named = f" ({model.labels[topic]})" if model.labels[topic] else ""
    click.echo(f"topic {topic}{named}: {100 * shares[topic]:.1f}% of the training tokens")
    click.echo(f"{'rank':>4}  {'probability':>11}  word")
    for rank, (word, prob) in enumerate(topics[topic], start=1):
        click.echo(f"{rank:>4}  {prob:11.6f}  {word}")


@click.command()
@click.argument("model_dir", metavar="DIR")
@click.argument("documents", metavar="DOCUMENTS")
@click.option("--doc-topics", type=click.Path(dir_okay=False), required=True,
              help="Write the document-topic matrix θ of the new documents as CSV.")
@click.option("--force", is_flag=True, help="Overwrite an existing output.")
@click.option("--encoding", default="utf-8", show_default=True,
              help="Text encoding of the input.")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@covariate_options
@input_options
@handle_errors
def transform(model_dir, documents, doc_topics, force, encoding, quiet, use_covariates,
              covariates_file, **reader):
    """Topic proportions of new DOCUMENTS under the model saved in DIR.

    DOCUMENTS is read like fit's CORPUS (any --format; text is tokenized with the model's
    own settings, counted formats are matched to its vocabulary word by word); words
    outside its vocabulary are ignored. γ is inferred with the topics fixed,
    deterministically. The CSV has the layout of fit's: doc_id, then one column per
    topic named by its label, or topic_k when it has none (θ = γ/Σγ).
    """
    reader = pop_input_options(reader)
    check_paths([("--doc-topics", doc_topics)], force=force, model_dir=model_dir,
                inputs=[("DOCUMENTS", documents), ("--covariates-file", covariates_file)])
    model = load_model(model_dir)
    X, ids, n_oov = vectorize_input(documents, vocabulary=model.vocab,
                                    tokenizer=Tokenizer(model.tokenizer_config),
                                    encoding=encoding, **reader)
    values, where = new_covariates(model, documents, ids, columns=use_covariates,
                                   path=covariates_file, reader=reader, encoding=encoding)
    inference = model.infer(X, values, where)
    if not quiet:
        known = int(round(float(inference.n_tokens.sum())))
        empty = int((inference.n_tokens == 0).sum())
        share = 100.0 * n_oov / (known + n_oov) if known + n_oov else 0.0
        click.echo(f"{len(ids)} documents: {known} tokens in the vocabulary, {n_oov} out of "
                   f"it ({share:.1f}%), ignored"
                   + (f"; {empty} documents with no known word (θ is the prior mean)"
                      if empty else ""), err=True)
    write_doc_topics(doc_topics, ids, inference.theta, model.topic_names)
    if not quiet:
        click.echo(f"wrote {doc_topics}", err=True)


@click.command()
@click.argument("model_dir", metavar="DIR")
@click.argument("documents", metavar="DOCUMENTS")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the random split of each document's tokens in halves "
                   "(document completion).")
@click.option("--top-n", type=int, default=10, show_default=True,
              help="Top words per topic for coherence (as --coherence-top-n).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, allow_dash=True),
              default=None, is_flag=False, flag_value="-", metavar="[FILE]",
              help="Also write every figure (and per-topic coherence) as JSON to FILE; "
                   "alone or as '--json -', to standard output (the table then goes to "
                   "stderr).")
@click.option("--force", is_flag=True, help="Overwrite an existing --json file.")
@click.option("--encoding", default="utf-8", show_default=True,
              help="Text encoding of the input.")
@covariate_options
@coherence_options
@input_options
@handle_errors
def evaluate(model_dir, documents, seed, top_n, json_path, force, encoding, use_covariates,
             covariates_file, coherence=DEFAULT_COHERENCE, coherence_top_n=None, **reader):
    """Score the model saved in DIR on held-out DOCUMENTS (not used to fit it).

    \b
    Prints, with the topics fixed:
    - the per-word bound, in nats per word: the bound (ELBO without the topic
      terms) of each document at its optimal γ, summed, over N, the tokens in
      the vocabulary; and its perplexity = exp(-bound/N);
    - the document-completion perplexity: each document's tokens split in halves
      at random (--seed), γ inferred from the first half, the second scored by
      log Σ_k θ_k β_kw; perplexity = exp(-score / tokens scored);
    - the coherence of each topic's top --coherence-top-n words (--coherence: by
      default lda-vi's NPMI and UMass; gensim's c_v, c_npmi, c_uci, u_mass too, see
      docs/coherence.md), counted over DOCUMENTS (a small set gives noisy values).
    Words outside the model's vocabulary are ignored (their count is shown).
    """
    check_top_n(top_n)
    check_paths([("--json", json_path)], force=force, model_dir=model_dir,
                inputs=[("DOCUMENTS", documents), ("--covariates-file", covariates_file)])
    measures = parse_measures(coherence)
    top_n = top_n if coherence_top_n is None else coherence_top_n
    if top_n < 2:
        raise InputError(f"--coherence-top-n must be at least 2 (got {top_n})")
    reader = pop_input_options(reader)
    model = load_model(model_dir)
    tokenizer = Tokenizer(model.tokenizer_config)
    texts = None
    if needs_token_order(measures, documents, reader["fmt"]):   # text: read it once, in order
        docs = list(iter_documents(documents, encoding=encoding, needed_by="--coherence",
                                   **reader))
        X, ids, n_oov = vectorize(docs, tokenizer, model.vocab)
        texts = [text for _, text in docs]
    else:
        X, ids, n_oov = vectorize_input(documents, vocabulary=model.vocab, tokenizer=tokenizer,
                                        encoding=encoding, **reader)
    values, where = new_covariates(model, documents, ids, columns=use_covariates,
                                   path=covariates_file, reader=reader, encoding=encoding)
    figures = evaluate_heldout(model, X, completion_rng(seed), covariates=values, where=where)
    if figures.tokens == 0:
        raise InputError(f"no word of the {len(ids)} documents of {documents} is in the "
                         "model's vocabulary; nothing to evaluate")
    top_n = min(top_n, len(model.vocab))
    scores = model_coherence(model, measures, top_n, X=X, texts=texts)
    # With the JSON on standard output, the table goes to stderr.
    echo = functools.partial(click.echo, err=json_path == "-")
    echo(f"held-out documents: {documents}")
    for line in heldout_lines(figures, n_oov, seed):
        echo(line)
    how = ("counted over these documents" if texts is not None else
           "document frequencies counted over these documents")
    echo(f"  coherence of the top {top_n} words, {how}:")
    echo(f"    mean over topics: {coherence_summary(scores)}")
    labels = [COHERENCE_LABELS.get(m, (m, ".4f")) for m in scores]
    widths = [{"NPMI": 7, "UMass": 8}.get(label, max(len(label), 8)) for label, _ in labels]
    echo(f"    {'topic':>5}" + "".join(f"  {label:>{w}}"
                                      for (label, _), w in zip(labels, widths, strict=True)))
    for k in range(model.k):
        echo(f"    {k:>5}" + "".join(
            f"  {num(float(column[k]), spec):>{w}}"
            for column, (_, spec), w in zip(scores.values(), labels, widths, strict=True)))
    if json_path:
        results = Results.of(figures, n_oov, scores, top_n, "these documents")
        atomic_write_text(json_path, results_json(results, model_dir=str(model_dir),
                                                  documents_file=str(documents), seed=seed))
