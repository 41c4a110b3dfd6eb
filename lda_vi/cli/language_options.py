"""The options of the text's language and of phrases, shared by the commands that read raw
text (part of :func:`lda_vi.cli.common.pipeline_options`), and the line a fit prints on
the phrases it learned."""

from __future__ import annotations

import click

from lda_vi.text.languages import language_codes

__all__ = ["language_options", "phrase_summary"]


def language_options() -> list:
    """--language, --phrases, --phrase-scoring, --phrase-threshold, --phrase-min-count."""
    return [
        click.option("--language", default=None, metavar="CODE",
                     help="The language of the text, an ISO 639-1 code: "
                          f"{', '.join(language_codes())}. It picks the stopwords, the "
                          "stemmer and the word rules [default: English rules]. zh and ja "
                          "need pip install 'lda-vi[zh]' / 'lda-vi[ja]'."),
        click.option("--phrases", type=int, default=0, is_flag=False, flag_value=2,
                     metavar="[2|3]",
                     help="Learn phrases from the training text and join them into one word "
                          "(new_york); 3 adds a pass for longer ones (new_york_city). Put it "
                          "after CORPUS, or give the number."),
        click.option("--phrase-scoring", type=click.Choice(["npmi", "llr"]), default="npmi",
                     show_default=True,
                     help="Score phrases by normalized PMI or likelihood ratio."),
        click.option("--phrase-threshold", type=float, default=None,
                     help="Least score of a phrase [default: 0.5 for npmi, 10.83 for llr]."),
        click.option("--phrase-min-count", type=int, default=10, show_default=True,
                     help="Least number of times a phrase is seen in the training text."),
    ]


def phrase_summary(config) -> str:
    """One line on the phrases learned by ``fit --phrases``."""
    counts = [len(table) for table in config.phrase_table]
    longer = f" and {counts[1]} longer ones" if len(counts) > 1 else ""
    return (f"phrases: {counts[0]} pairs{longer} learned ({config.phrase_scoring} >= "
            f"{config.threshold:g}, seen >= {config.phrase_min_count} times; "
            "'lda-vi phrases' lists them)")
