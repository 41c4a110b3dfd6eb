"""``lda-vi phrases``: list the phrases that ``fit --phrases`` would learn, with scores."""

from __future__ import annotations

import dataclasses

import click

from lda_vi.cli.common import (
    handle_errors,
    input_options,
    pipeline_configs,
    pipeline_options,
    pop_input_options,
)
from lda_vi.errors import InputError
from lda_vi.evaluate.training_phrases import DocumentTexts
from lda_vi.text.tokenize import learn_phrases


@click.command("phrases")
@click.argument("corpus", metavar="CORPUS")
@click.option("--top", "top", type=int, default=50, show_default=True,
              help="Phrases listed per pass, best first (0: all).")
@input_options
@pipeline_options
@handle_errors
def phrases_command(corpus, top, encoding, **pipeline):
    """List the phrases of CORPUS (read like fit's), as 'fit --phrases' learns them:
    per pass, each phrase with its score and its number of occurrences, best first.

    Tune them with --phrase-scoring, --phrase-threshold and --phrase-min-count, and
    --phrases 3 for a second pass that finds longer phrases (new_york_city); then
    give the same options to fit. The tokenizer options (--language, --stopwords)
    apply as in fit; the pruning options (--min-df, ...) play no part here.
    """
    if top < 0:
        raise InputError(f"--top must be 0 (all) or more (got {top})")
    reader = pop_input_options(pipeline)
    config, _ = pipeline_configs(**pipeline)
    config = dataclasses.replace(config, phrases=config.phrases or 2)
    config = learn_phrases(DocumentTexts(corpus, encoding, reader,
                                                 needed_by="the phrases command"), config)
    for npass, table in enumerate(config.phrase_table, 1):
        shown = table if top == 0 else table[:top]
        click.echo(f"pass {npass}: {len(table)} phrases ({config.phrase_scoring} >= "
                   f"{config.threshold:g}, seen >= {config.phrase_min_count} times)"
                   + (f", the best {len(shown)}:" if len(shown) < len(table) else ":"))
        width = max([10, *(len(f"{score:.4f}") for _, score, _ in shown)])
        click.echo(f"  {'score':>{width}}  {'count':>7}  phrase")
        for words, score, count in shown:
            click.echo(f"  {score:>{width}.4f}  {count:>7d}  {'_'.join(words)}")
