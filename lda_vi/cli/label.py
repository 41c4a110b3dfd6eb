"""``lda-vi label``: name the topics of a saved model, one by hand or every unlabelled one."""

from __future__ import annotations

import re
from pathlib import Path

import click

from lda_vi.cli.common import handle_errors, load_model
from lda_vi.errors import InputError
from lda_vi.io.lock import directory_lock
from lda_vi.model.labels import auto_labels, with_label
from lda_vi.model.persistence import save_labels
from lda_vi.text.seeds import DEFAULT_NAME

_NUMBER = re.compile(r"[+-]?\d+")    # what int() reads, '_' between digits aside


def _topic_index(model, topic: str) -> int:
    """TOPIC as a number (0..K-1), as ``topic_N`` (topic N, the name it goes by while
    unlabelled) or as a topic's current label. A number is always a topic number, even
    where a model saved before such labels were refused has a label of only digits."""
    text = topic.strip()
    if _NUMBER.fullmatch(text):
        index = int(text)
    elif DEFAULT_NAME.fullmatch(text):
        index = int(text.removeprefix("topic_"))
    elif text in model.topic_names:
        return model.topic_names.index(text)
    else:
        raise InputError(f"TOPIC must be a topic number (0 to {model.k - 1}) or a topic's "
                         f"name; {topic!r} is neither (see 'lda-vi show')")
    if not 0 <= index < model.k:
        raise InputError(f"TOPIC must be between 0 and {model.k - 1} (got {text})")
    return index


@click.command()
@click.argument("model_dir", metavar="DIR")
@click.argument("topic", metavar="[TOPIC", required=False)
@click.argument("name", metavar="NAME]", required=False)
@click.option("--auto", is_flag=True,
              help="Name every unlabelled topic from its most relevant words (or phrase).")
@handle_errors
def label(model_dir, topic, name, auto):
    """Set the label of topic TOPIC (its number, topic_N, or its current label) of the
    model saved in DIR to NAME, or with --auto name every topic that has no label yet.

    Labels follow a topic everywhere: 'lda-vi show', the CSV files, the report. NAME is
    1 to 40 letters, digits, '_', '-' or '.', not only digits; '' removes the label. The
    model's model.json and run.json are rewritten atomically.
    """
    if auto == (topic is not None):
        raise InputError("give either TOPIC NAME or --auto (e.g. 'lda-vi label DIR 3 "
                         "gulf_war', or 'lda-vi label DIR --auto')")
    if Path(model_dir).is_dir():        # one writer: not while a fit writes the directory
        click.get_current_context().with_resource(directory_lock(model_dir))
    model = load_model(model_dir)
    old = model.topic_names
    if auto:
        labels = auto_labels(model.labels, model.beta, model.topic_shares(), model.vocab.words)
    else:
        if name is None:
            raise InputError("give the new NAME after TOPIC ('' removes the label)")
        labels = with_label(model.labels, _topic_index(model, topic), name)
    save_labels(model_dir, labels)
    model.labels = labels
    for k, (before, after) in enumerate(zip(old, model.topic_names, strict=True)):
        if before != after:
            click.echo(f"topic {k}: {before} -> {after}")
