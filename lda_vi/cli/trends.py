"""``lda-vi trends``: how each topic rises and falls over time, or differs by group."""

from __future__ import annotations

import functools

import click

from lda_vi.cli.common import handle_errors, input_options, load_model, pop_input_options
from lda_vi.cli.outputs import check_paths
from lda_vi.errors import InputError
from lda_vi.evaluate import trends_run
from lda_vi.evaluate.trends import FREQS


def _topic_list(text: str | None, k: int) -> list[int]:
    if not text:
        return list(range(k))
    try:
        topics = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise InputError(f"--topics takes topic numbers separated by commas, like 3,7 "
                         f"(got {text!r})") from None
    bad = [t for t in topics if not 0 <= t < k]
    if bad or not topics:
        raise InputError(f"--topics: topics are numbered 0 to {k - 1} (got {text!r})")
    return topics


@click.command("trends")
@click.argument("model_dir", metavar="DIR")
@click.option("--by", required=True, metavar="COLUMN",
              help="The covariate to group by: a date (periods), a category or a number.")
@click.option("--freq", type=click.Choice(("auto",) + FREQS), default="auto",
              show_default=True, help="Dates: the length of a period.")
@click.option("--docs", "docs_path", default=None, metavar="CORPUS",
              help="Read --by from this corpus's column or field (the one the model was "
                   "fitted on), for a model fitted without it.")
@click.option("--covariates-file", type=click.Path(dir_okay=False), default=None,
              metavar="FILE", help="... or from this CSV/TSV, one row per document.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), default=None,
              help="Write period,topic,label,prevalence,lower,upper,documents,model as CSV.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Draw one panel per topic, with its 95% band, as a PNG.")
@click.option("--topics", "topics_text", default=None, metavar="LIST",
              help="Only these topics, e.g. 3,7.")
@click.option("--compare", nargs=2, default=None, metavar="A B",
              help="Categories: each topic's prevalence in group A minus group B, with its "
                   "95% interval.")
@click.option("--draws", type=int, default=200, show_default=True,
              help="Posterior and bootstrap draws for the intervals.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the draws.")
@click.option("--encoding", default="utf-8", show_default=True,
              help="Text encoding of --docs or --covariates-file.")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@input_options
@handle_errors
def trends(model_dir, by, freq, docs_path, covariates_file, csv_path, plot_path, topics_text,
           compare, draws, seed, force, encoding, **reader):
    """Prevalence of each topic of the model in DIR by a covariate.

    For a date: one row per period (--freq), the mean θ of its documents with a 95%
    interval (θ drawn from each document's posterior, documents resampled: stm's
    "method of composition"), and, for a model fitted with --covariates, the model's
    own curve E[θ | date]. For a category: one row per group; --compare A B gives the
    differences. The table shows each topic's course as a sparkline.
    """
    reader = pop_input_options(reader)
    check_paths([("--csv", csv_path), ("--plot", plot_path)], force=force, model_dir=model_dir,
                inputs=[("--docs", docs_path), ("--covariates-file", covariates_file)])
    model = load_model(model_dir)
    topics = _topic_list(topics_text, model.k)
    report = trends_run.trends_of_model(model, by, docs=docs_path, docs_file=covariates_file,
                                        reader=reader, encoding=encoding, freq=freq,
                                        seed=seed, n_draws=draws)
    titles = trends_run.topic_titles(model)
    result = report.trends
    echo = functools.partial(click.echo, err=csv_path == "-")  # the CSV has stdout
    if compare:
        rows = trends_run.comparison(report, compare[0], compare[1], topics)
        echo(f"prevalence in {compare[0]!r} minus {compare[1]!r} (95% interval):")
        for k, diff, lo, hi in sorted(rows, key=lambda r: -abs(r[1])):
            mark = "*" if lo > 0 or hi < 0 else " "
            echo(f"  {diff:+8.4f}  [{lo:+.4f}, {hi:+.4f}] {mark} {titles[k]}")
    else:
        first, last = result.periods[0], result.periods[-1]
        echo(f"{by}: {len(result.periods)} {'periods' if report.kind == 'date' else 'groups'}"
             f" ({first} … {last}), {int(result.documents.sum())} documents")
        for k in topics:
            spark = trends_run.sparkline(result.prevalence[:, k])
            echo(f"  {spark}  peak {trends_run.peak(result, k):>10}  {titles[k]}")
    if csv_path:
        trends_run.write_trends_csv(csv_path, report, model.topic_names, topics)
        click.echo(f"wrote {csv_path}", err=True)
    if plot_path:
        from lda_vi.report.trends_plot import plot_trends

        plot_trends(result, titles, topics, plot_path,
                    dates=report.mids if report.kind == "date" else None)
        click.echo(f"wrote {plot_path}", err=True)

