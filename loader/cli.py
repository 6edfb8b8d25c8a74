"""The ``nicip`` command: a thin client of the library, verbs in life-cycle order.

``list`` (how files are understood), ``load``, ``status``, ``query`` (named queries),
``cypher`` (ad-hoc, read-only), ``demo``. Output for machines is ``--format json``: stable
keys, one document on stdout; progress and messages go to stderr. An error a user can act
on prints one ``Error:`` line and exits 1.
"""

from __future__ import annotations

import contextlib
import csv
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import click

from loader import pipeline, queries
from loader.discover import discover
from loader.errors import NicipError
from loader.settings import Settings
from loader.stores import GraphStore, open_store
from loader.stores.base import QueryResult

__all__ = ["main"]

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "sample-release"
FORMATS = click.Choice(["table", "csv", "json"])


class _Seconds(click.FloatRange):
    """Seconds, more than 0 and at most an hour; ``nan`` and ``inf`` are refused too."""

    name = "seconds"

    def __init__(self) -> None:
        super().__init__(min=0, max=3600, min_open=True)

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        seconds = super().convert(value, param, ctx)
        if seconds != seconds:  # nan passes every range check
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return seconds


TIMEOUT = _Seconds()
ROWS = click.IntRange(min=1)


class _Group(click.Group):
    """Turns the errors a user can act on into one line, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NicipError as err:
            click.echo(f"Error: {err}", err=True)
            ctx.exit(1)


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    out = {}
    for v in values:
        key, sep, value = v.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{v!r} is not {what}=VALUE")
        out[key.strip()] = value
    return out


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    type=click.Choice(["embedded", "neo4j"]),
    default=None,
    help="Which store (default: embedded, or neo4j when NEO4J_URI is set).",
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="The embedded store's file (default: graph.db in the user data folder).",
)
@click.option("--neo4j-uri", default=None, help="Neo4j address (or NEO4J_URI).")
@click.option("--neo4j-user", default=None, help="Neo4j user (or NEO4J_USER).")
@click.option(
    "--neo4j-password-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="A file holding the Neo4j password (or NEO4J_PASSWORD).",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    default=None,
    help="A TOML settings file (default: ./nicip.toml).",
)
@click.version_option(package_name="nicip-graph")
@click.pass_context
def cli(ctx: click.Context, config: str | None, **given: Any) -> None:
    """NICIP codes, their SNOMED CT concepts and OPCS-4 codes, as one graph."""
    given = {k: v for k, v in given.items() if v is not None}
    ctx.obj = {"given": given, "config": config}


def _settings(ctx: click.Context) -> Settings:
    return Settings.resolve(ctx.obj["given"], config_file=ctx.obj["config"])


@contextmanager
def _store(ctx: click.Context) -> Iterator[GraphStore]:
    store = open_store(_settings(ctx))
    try:
        yield store
    finally:
        store.close()


# -- list -----------------------------------------------------------------------------------


@cli.command("list")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=HEADER",
    help="Name the column holding a NICIP field (repeatable).",
)
def list_files(paths: tuple[str, ...], columns: tuple[str, ...]) -> None:
    """Show how every file under PATHS is understood, before loading anything."""
    overrides = _pairs(columns, "FIELD")
    failed = False
    for path in paths:  # one at a time, so a bad file does not hide the others
        try:
            found = discover([path], overrides)
        except NicipError as err:
            click.echo(f"error {path}\n      {err}")
            failed = True
            continue
        if not found:
            click.echo(f"none  {path}\n      no files in this folder")
        for f in found:
            mark = "load" if f.loadable else "skip"
            click.echo(f"{mark}  {f.path}\n      {f.detail}")
    if failed:
        raise SystemExit(1)


# -- load -----------------------------------------------------------------------------------


def _progress_bar() -> tuple[Any, Callable[[str, int, int], None]]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description:<32}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    task = bar.add_task("starting", total=None)

    def update(phase: str, done: int, total: int) -> None:
        bar.update(task, description=phase, completed=done, total=total or None)

    return bar, update


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=HEADER",
    help="Name the column holding a NICIP field, e.g. snomed_id='Concept Id'.",
)
@click.option(
    "--refset",
    "refsets",
    multiple=True,
    type=int,
    help="Simple refsets whose members to load (default: 999001111000000105).",
)
@click.option(
    "--opcs-map-refset",
    type=int,
    default=None,
    help="The SNOMED CT to OPCS-4 extended map refset, if it cannot be told from the files.",
)
@click.option(
    "--release",
    default=None,
    help="Name this release (default: a date in the file names, else checksums).",
)
@click.option(
    "--release-date",
    default=None,
    metavar="YYYY-MM-DD",
    help="The release's date, which orders releases (default: the name's date).",
)
@click.option("--replace", is_flag=True, help="Empty the graph first.")
@click.option("--format", "fmt", type=FORMATS, default="table")
@click.pass_context
def load(
    ctx: click.Context,
    paths: tuple[str, ...],
    columns: tuple[str, ...],
    refsets: tuple[int, ...],
    opcs_map_refset: int | None,
    release: str | None,
    release_date: str | None,
    replace: bool,
    fmt: str,
) -> None:
    """Read, check and load release files: all of them, or nothing."""
    if release is not None and not release.strip():
        raise click.BadParameter("the release name is blank", param_hint="--release")
    overrides = _pairs(columns, "FIELD")
    with _store(ctx) as store:
        bar, update = _progress_bar()
        with bar:
            if replace:
                update("emptying the graph", 0, 0)
                store.clear()
            report = pipeline.load(
                paths,
                store,
                overrides=overrides,
                refsets=refsets or (pipeline.IMAGING_REFSET,),
                opcs_map_refset=opcs_map_refset,
                release=release,
                release_date=release_date,
                progress=update,
            )
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "files": [
                        {
                            "file": f.path,
                            "kind": f.kind,
                            "rows": f.rows,
                            "release": report.releases.get(f.family),
                        }
                        for f in report.files
                    ],
                    "skipped": [{"file": str(f.path), "reason": f.detail} for f in report.skipped],
                    "notes": report.notes,
                    "opcs_map_refsets": report.opcs_map_refsets,
                    "counts": report.counts,
                },
                indent=2,
            )
        )
        return
    for f in report.files:
        click.echo(f"loaded  {f.name}: {f.kind}, {f.rows:,} rows")
    for skipped in report.skipped:
        click.echo(f"skipped {skipped.path.name}: {skipped.detail}")
    for note in report.notes:
        click.echo(f"note    {note}")
    click.echo("graph   " + ", ".join(f"{k} {v:,}" for k, v in report.counts.items()))


# -- status ---------------------------------------------------------------------------------


@cli.command()
@click.option("--format", "fmt", type=FORMATS, default="table")
@click.pass_context
def status(ctx: click.Context, fmt: str) -> None:
    """Counts by node label and relationship type, and the releases loaded."""
    with _store(ctx) as store:
        nodes = queries.node_counts(store)
        rels = queries.relationship_counts(store)
        releases = queries.run(store, "releases").records()
        where = store.describe()
    if fmt == "json":
        click.echo(
            json.dumps(
                {"store": where, "nodes": nodes, "relationships": rels, "releases": releases},
                indent=2,
            )
        )
        return
    if fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(["kind", "name", "count"])
        w.writerows([("node", k, v) for k, v in nodes.items()])
        w.writerows([("relationship", k, v) for k, v in rels.items()])
        return
    click.echo(where)
    if not nodes:
        click.echo("The graph is empty: load a release with  nicip load PATH")
        return
    _table(QueryResult(["label", "nodes"], [list(x) for x in nodes.items()]))
    _table(QueryResult(["type", "relationships"], [list(x) for x in rels.items()]))
    _table(
        QueryResult(
            ["release", "date", "files", "rows"],
            [[r["release"], r["date"], r["files"], r["rows"]] for r in releases],
        )
    )


# -- query and cypher -----------------------------------------------------------------------


@cli.command()
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE")
@click.option("--format", "fmt", type=FORMATS, default="table")
@click.option("--limit", type=ROWS, default=None, help="Row limit (default: no limit).")
@click.pass_context
def query(
    ctx: click.Context, name: str | None, params: tuple[str, ...], fmt: str, limit: int | None
) -> None:
    """Run the named query NAME (from cypher/); without NAME, list them."""
    if name is None:
        for q in queries.all_queries().values():
            ps = " ".join(
                f"--param {p.name}=<{p.type}>" + ("" if p.required else "?") for p in q.params
            )
            click.echo(f"{q.name:32} {q.title}" + (f"  [{ps}]" if ps else ""))
        return
    given = _pairs(params, "KEY")
    settings = _settings(ctx)
    with _store(ctx) as store:
        q = queries.get(name)
        bound = q.bind(given)
        result = store.read(q.text, bound, timeout_s=settings.query_timeout_s, row_limit=limit)
    _output(result, fmt, {"query": name, "params": bound})


@cli.command()
@click.argument("text")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A query parameter (the value is passed as text).",
)
@click.option("--format", "fmt", type=FORMATS, default="table")
@click.option(
    "--timeout",
    type=TIMEOUT,
    default=None,
    help="Seconds, more than 0 and at most 3600 (default from settings: 10).",
)
@click.option("--limit", type=ROWS, default=None, help="Rows (default from settings: 1000).")
@click.pass_context
def cypher(
    ctx: click.Context,
    text: str,
    params: tuple[str, ...],
    fmt: str,
    timeout: float | None,
    limit: int | None,
) -> None:
    """Run one ad-hoc Cypher query, read-only, with a time and a row limit."""
    settings = _settings(ctx)
    with _store(ctx) as store:
        result = queries.ad_hoc(
            store,
            text,
            _pairs(params, "KEY"),
            timeout_s=timeout or settings.query_timeout_s,
            row_limit=limit or settings.row_limit,
        )
    _output(result, fmt, {"query": text})
    if result.truncated and fmt == "table":
        click.echo(f"(stopped at the row limit of {limit or settings.row_limit})", err=True)


def _output(result: QueryResult, fmt: str, meta: dict[str, Any]) -> None:
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    **meta,
                    "columns": result.columns,
                    "rows": result.records(),
                    "truncated": result.truncated,
                },
                indent=2,
                default=str,
            )
        )
    elif fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(result.columns)
        w.writerows([[_cell(v) for v in row] for row in result.rows])
    else:
        _table(result)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        if value.get("_kind") == "node":
            return f"({':'.join(value['_labels'])} {_node_key(value)})"
        if value.get("_kind") == "relationship":
            return f"[:{value['_type']}]"
        return json.dumps(value, default=str)
    return str(value)


def _node_key(node: dict[str, Any]) -> str:
    for key in ("code", "id", "name", "key"):
        if key in node:
            return f"{key}={node[key]}"
    return node["_id"]


def _table(result: QueryResult) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not result.rows:
        click.echo("(no rows)")
        return
    if len(result.columns) > 6 and len(result.rows) <= 3:
        # Few wide rows read better as one block of "column: value" lines per row.
        for row in result.rows:
            table = Table("column", "value", show_header=False)
            for col, value in zip(result.columns, row, strict=True):
                table.add_row(col, _cell(value))
            console.print(table)
        return
    table = Table(*result.columns, show_lines=False)
    for row in result.rows:
        table.add_row(*[_cell(v) for v in row])
    console.print(table)


# -- migration ------------------------------------------------------------------------------


def _records(rows: list[dict[str, Any]], fmt: str, meta: dict[str, Any]) -> None:
    columns = list(rows[0]) if rows else []
    _output(QueryResult(columns, [list(r.values()) for r in rows]), fmt, meta)


@cli.command()
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=FORMATS, default="table")
@click.pass_context
def diff(ctx: click.Context, old: str, new: str, fmt: str) -> None:
    """What changed between NICIP releases OLD and NEW (ids or labels, see nicip status)."""
    from loader.diff import diff as release_diff

    with _store(ctx) as store:
        d = release_diff(store, old, new)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "old": d.old["release"],
                    "new": d.new["release"],
                    "counts": d.counts(),
                    "by_modality": d.by_modality(),
                    "changes": d.changes,
                    "concepts": d.concepts,
                },
                indent=2,
                default=str,
            )
        )
        return
    _records(d.changes, fmt, {"old": d.old["release"], "new": d.new["release"]})
    if fmt == "table":
        click.echo(", ".join(f"{k} {v}" for k, v in d.counts().items()) or "no changes")
        if d.concepts:
            click.echo(f"SNOMED CT concepts changed between the two dates: {len(d.concepts)}")


@cli.command()
@click.argument("code")
@click.option("--on", "on", default=None, metavar="YYYY-MM-DD", help="The date (default: today).")
@click.option("--format", "fmt", type=FORMATS, default="table")
@click.pass_context
def valid(ctx: click.Context, code: str, on: str | None, fmt: str) -> None:
    """Would the imaging data set accept CODE (a NICIP code or SNOMED CT id) on a date?"""
    from datetime import date

    from loader import migration

    try:
        day = date.fromisoformat(on) if on else date.today()
    except ValueError:
        raise NicipError(f"--on must be a date as YYYY-MM-DD, got {on!r}") from None
    if not code.strip():
        raise click.BadParameter("give a NICIP code or a SNOMED CT id", param_hint="CODE")
    with _store(ctx) as store:
        if code.strip().isdigit():
            result = migration.valid_snomed(store, int(code), day)
        else:
            result = migration.valid_nicip(store, code.strip().upper(), day)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "code": code,
                    "date": day.isoformat(),
                    "valid": result.valid,
                    "reason": result.reason,
                },
                indent=2,
            )
        )
        return
    verdict = {True: "valid", False: "not valid", None: "cannot tell"}[result.valid]
    click.echo(f"{code} on {day.isoformat()}: {verdict}: {result.reason}")


@cli.command()
@click.option(
    "--exams",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Your exam list (CSV or XLSX: local code, NICIP code, activity).",
)
@click.option("--format", "fmt", type=FORMATS, default="table")
@click.pass_context
def plan(ctx: click.Context, exams: str | None, fmt: str) -> None:
    """Migration readiness of every NICIP code, or of the exams in your list."""
    from loader import migration

    with _store(ctx) as store:
        rows = migration.readiness(store)
    if exams:
        joined = migration.join_exams(migration.read_exams(exams), rows)
        summary = migration.exam_summary(joined)
        if fmt == "json":
            click.echo(json.dumps({"summary": summary, "exams": joined}, indent=2))
            return
        _records(joined, fmt, {})
        if fmt == "table":
            click.echo(", ".join(f"{k} {v}" for k, v in summary.items()))
        return
    shown = [
        {k: r[k] for k in ("code", "description", "modality", "readiness", "reason")} for r in rows
    ]
    if fmt == "json":
        counts: dict[str, int] = {}
        for r in rows:
            counts[r["readiness"]] = counts.get(r["readiness"], 0) + 1
        click.echo(json.dumps({"counts": counts, "codes": shown}, indent=2))
        return
    _records(shown, fmt, {})


@cli.command()
@click.argument("kind", type=click.Choice(["worklist-csv", "worklist-xlsx", "conceptmap", "sssom"]))
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True),
    required=True,
    help="The file to write.",
)
@click.option(
    "--mapping-set-id",
    default="urn:nicip-graph:mapping-set:nicip-to-snomed-ct",
    show_default=True,
    help="SSSOM: the mapping set's identifier (an absolute URI).",
)
@click.pass_context
def export(ctx: click.Context, kind: str, out: str, mapping_set_id: str) -> None:
    """Write the migration worklist (CSV, XLSX), a FHIR R4 ConceptMap or SSSOM TSV."""
    from datetime import date

    from rich.console import Console

    from loader import exports, migration

    folder = Path(out).resolve().parent
    if not folder.is_dir():
        raise click.BadParameter(f"the folder {folder} does not exist", param_hint="--out")
    if kind == "sssom" and not exports.is_absolute_uri(mapping_set_id):
        raise click.BadParameter(
            f"{mapping_set_id!r} is not an absolute URI (e.g. https://example.org/set or "
            "urn:example:set)",
            param_hint="--mapping-set-id",
        )
    if kind == "worklist-xlsx" and not out.lower().endswith((".xlsx", ".xlsm")):
        raise click.BadParameter("a workbook needs an .xlsx name", param_hint="--out")
    with (
        Console(stderr=True).status(f"Exporting {kind} to {out}"),
        _store(ctx) as store,
        _writing(out),
    ):
        rows = migration.readiness(store)
        releases = queries.run(store, "nicip-releases").records()
        version = releases[0]["label"] if releases else None
        if kind == "worklist-csv":
            written = exports.worklist_csv(rows, out)
        elif kind == "worklist-xlsx":
            written = exports.worklist_xlsx(rows, out)
        elif kind == "conceptmap":
            doc = exports.concept_map(rows, version=version, date=date.today().isoformat())
            Path(out).write_text(json.dumps(doc, indent=2), encoding="utf-8")
            written = len(doc["group"][0]["element"]) if doc.get("group") else 0
        else:
            written = exports.sssom_tsv(
                rows,
                out,
                mapping_set_id=mapping_set_id,
                version=version,
                date=date.today().isoformat(),
            )
    click.echo(f"wrote {out}: {written:,} rows", err=True)


@contextlib.contextmanager
def _writing(out: str) -> Iterator[None]:
    """A file that cannot be written is one line, not a traceback."""
    try:
        yield
    except OSError as err:
        raise NicipError(f"could not write {out}: {err.strerror or err}") from None


# -- serve ----------------------------------------------------------------------------------

EXPLORER = Path(__file__).resolve().parent.parent / "explorer" / "app.py"


def _serve(ctx: click.Context, host: str, port: int) -> None:
    """Run the Streamlit explorer on this store until interrupted."""
    import os
    import subprocess

    settings = _settings(ctx)
    env = dict(os.environ)
    env.update({"NICIP_STORE": settings.store, "NICIP_DB": settings.db})
    if settings.neo4j_uri:
        env["NEO4J_URI"] = settings.neo4j_uri
        env["NEO4J_USER"] = settings.neo4j_user
    if ctx.obj["given"].get("neo4j_password_file"):
        env["NEO4J_PASSWORD_FILE"] = ctx.obj["given"]["neo4j_password_file"]
    if ctx.obj["config"]:
        env["NICIP_CONFIG"] = ctx.obj["config"]
    if not EXPLORER.is_file():
        raise NicipError(f"the explorer is not at {EXPLORER}; install the project from a checkout")
    click.echo(
        f"Explorer on http://{host}:{port}  ({settings.store} store; Ctrl+C stops)", err=True
    )
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(EXPLORER),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]
    with suppress(KeyboardInterrupt):
        subprocess.run(cmd, env=env, check=False)


HOST = click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; another value exposes the explorer on purpose.",
)
PORT = click.option("--port", type=int, default=8501, show_default=True, envvar="NICIP_PORT")


@cli.command()
@HOST
@PORT
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Open the explorer (a Streamlit web app) on the store."""
    _serve(ctx, host, port)


# -- demo -----------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--sample",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="The release folder to load (default: the bundled sample).",
)
@click.option("--no-serve", is_flag=True, help="Load and summarise only; do not open the explorer.")
@HOST
@PORT
@click.pass_context
def demo(ctx: click.Context, sample: str | None, no_serve: bool, host: str, port: int) -> None:
    """Load the bundled sample, answer the three questions, then open the explorer."""
    folder = Path(sample) if sample else SAMPLE
    if not folder.is_dir():
        raise NicipError(f"the bundled sample is not at {folder}; pass --sample FOLDER")
    with _store(ctx) as store:
        bar, update = _progress_bar()
        with bar:
            store.clear()
            pipeline.load([folder], store, progress=update)
        click.echo(f"Loaded {folder} into {store.describe()}\n")
        click.echo("1. Mapping path of XWRIB")
        _table(queries.run(store, "mapping-path", {"code": "XWRIB"}))
        click.echo("2. Orphans")
        _table(queries.run(store, "orphan-counts"))
        click.echo("3. Many-to-one groups")
        _table(queries.run(store, "many-to-one"))
    if not no_serve:
        _serve(ctx, host, port)


def main() -> None:
    cli(prog_name="nicip")


if __name__ == "__main__":
    main()
