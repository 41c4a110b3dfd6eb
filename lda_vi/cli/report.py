"""``lda-vi report`` and ``lda-vi plot``: HTML and PNG views of a saved model."""

from __future__ import annotations

import click

from lda_vi.cli.common import handle_errors, input_options, load_model, pop_input_options
from lda_vi.cli.outputs import check_paths
from lda_vi.errors import InputError
from lda_vi.io.text_readers import iter_documents


@click.command("report")
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
@click.option("--coherence", default=None, metavar="M1,M2,...",
              help="The coherence measures shown (default: those in run.json); any that "
                   "run.json lacks are scored over --docs (docs/coherence.md).")
@click.option("--coherence-top-n", type=int, default=None, metavar="N",
              help="Top words per topic for coherence (default: as in run.json; another N "
                   "is scored over --docs).")
@input_options
@click.option("--force", is_flag=True, help="Overwrite an existing output.")
@handle_errors
def report_command(model_dir, output, top_n, docs_path, encoding, force, coherence=None,
                   coherence_top_n=None, **reader):
    """Write a self-contained HTML report of the model saved in DIR.

    One file, no network needed: the run summary, every topic with its share and top
    words, a map of the distances between topics, each topic's terms (re-ranked by
    a relevance slider) and representative documents, and the ELBO per iteration.
    """
    from lda_vi.report import html as report_module

    if top_n < 1:
        raise InputError(f"--top-n must be at least 1 (got {top_n})")
    reader = pop_input_options(reader)
    if not docs_path and any(value is not None for value in reader.values()):
        raise InputError("--format, --glob, --text-column, --id-column, --text-field and "
                         "--id-field say how to read --docs; give --docs CORPUS too")
    check_paths([("-o", output)], force=force, inputs=[("--docs", docs_path)],
                model_dir=model_dir)
    model = load_model(model_dir)
    documents = None
    if docs_path:  # read as fit read it: the one document reader, every text format
        documents = iter_documents(docs_path, encoding=encoding, needed_by="report --docs",
                                   **reader)
    if coherence_top_n is not None and coherence_top_n < 2:
        raise InputError(f"--coherence-top-n must be at least 2 (got {coherence_top_n})")
    size = report_module.write_report(model, output, top_n=top_n, documents=documents,
                                      model_dir=model_dir, source=str(docs_path),
                                      coherence=coherence, coherence_top_n=coherence_top_n)
    click.echo(f"wrote {output} ({size / 1024:,.0f} KiB)", err=True)


@click.command("plot")
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
    check_paths([("--elbo", elbo_path), ("--topics", topics_path), ("--out", sweep_out)],
                force=force, inputs=[("--sweep", sweep_csv)], model_dir=model_dir)
    plots.require_matplotlib()
    rows = plots.read_sweep_csv(sweep_csv) if sweep_csv else None
    model = load_model(model_dir) if (elbo_path or topics_path) else None
    if elbo_path:
        plots.plot_elbo(model.record, elbo_path)
        click.echo(f"wrote {elbo_path}", err=True)
    if topics_path:
        plots.plot_topics(model, topics_path, top_n=top_n)
        click.echo(f"wrote {topics_path}", err=True)
    if rows is not None:
        plots.plot_sweep(rows, sweep_out)
        click.echo(f"wrote {sweep_out}", err=True)
