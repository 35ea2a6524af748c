"""``lscb``: the workbench's command line.

Exit codes:

0
    Success.
1
    A data problem: a report failed (the others still ran and the index says
    which), a return was rejected (nothing of it reached the store), or an
    input is missing or malformed (no returns, no store, a bad DfE file).
2
    Invalid arguments or parameters (a bad quarter, an unknown sub-group, an
    invalid file under ``parameters/``, a wrong ``--root``): nothing ran.

Every error the package raises on purpose is an
:class:`~lscb_analysis.errors.LscbError`; each command maps it to
``error: <message>`` on stderr and the error's ``exit_code``
(:func:`_reporting_errors`). Anything else is a bug and shows its traceback.

Commands import what they need when they run, so ``lscb --help`` and a refused argument stay fast.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lscb_analysis.errors import LscbError
from lscb_analysis.fork import fork_command
from lscb_analysis.periods import Quarter

if TYPE_CHECKING:
    from lscb_analysis.publish.kernels import KernelTemplate
    from lscb_analysis.publish.plan import ReportSpec

app = typer.Typer(
    help="LSCB workbench: ingest agency returns, run the quarterly board pack, fork deep dives.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

QuarterOpt = Annotated[str, typer.Option("--quarter", "-q", help="Quarter, e.g. '2026-27 Q2', or 'latest'.")]
RootOpt = Annotated[
    Path | None,
    typer.Option(
        "--root",
        help="Project folder (default: $LSCB_PROJECT_ROOT, else the project at or above the current folder).",
        hidden=True,
    ),
]


def fail(message: str, code: int) -> typer.Exit:
    """Print ``error: <message>`` on stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _reporting_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command so an LscbError ends it with ``error: <message>`` and the error's exit code."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except LscbError as exc:
            raise fail(str(exc), exc.exit_code) from None

    return run


def _command(name: str | None = None, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``app.command`` for a command whose LscbErrors become exit codes."""
    return lambda f: app.command(name, **kwargs)(_reporting_errors(f))


def resolve_quarter(text: str, root: Path | None) -> Quarter:
    """Parse a quarter or ``latest`` (the latest quarter with returns)."""
    if text.strip().lower() == "latest":
        from lscb_analysis.returns.folders import latest_quarter_with_returns  # noqa: PLC0415 - fast CLI start

        return latest_quarter_with_returns(root)
    return Quarter.parse(text)


@_command()
def init(
    folder: Annotated[Path, typer.Argument(help="The new project's folder.")],
    partnership: Annotated[str, typer.Option("--partnership", help="The partnership's name.")],
    authority: Annotated[
        str, typer.Option("--authority", help="Its local authority for benchmarking: name or DfE / GSS code.")
    ],
    preset: Annotated[
        str, typer.Option("--preset", help="Core data set: current (default), nelc or nyscb.")
    ] = "current",
    force: Annotated[bool, typer.Option("--force", help="Write over the files of an existing project.")] = False,
) -> None:
    """Start a project for a real partnership: parameters, child population, DfE files, notebooks."""
    from lscb_analysis.project import init_project  # noqa: PLC0415 - fast CLI start

    res = init_project(folder, partnership=partnership, authority=authority, preset=preset, force=force)
    typer.echo(
        f"created {res.root} for {res.name} ({len(res.files)} files, preset {preset}); "
        f"benchmarks: {res.authority}, its ten statistical neighbours (DfE {res.model} model) and England"
    )
    if res.model_note:
        typer.echo(f"note: {res.model_note}")
    typer.echo("fill in by hand: parameters/providers.yaml (contacts, deadlines), indicators.yaml targets, localities")
    typer.echo(f"next, in {res.root}:")
    for i, step in enumerate(res.next_steps, 1):
        typer.echo(f"  {i}. {step}")


benchmarks_app = typer.Typer(
    help="The published statistics the partnership is benchmarked against.", no_args_is_help=True
)
app.add_typer(benchmarks_app, name="benchmarks")


@benchmarks_app.command("update")
@_reporting_errors
def benchmarks_update(
    folder: Annotated[Path, typer.Argument(help="Folder of downloaded DfE (EES) or Fingertips CSV files.")],
    root: RootOpt = None,
) -> None:
    """Check and install newer DfE / Fingertips releases into data/raw/dfe/, keeping the files they replace."""
    from lscb_analysis.project.releases import update_benchmarks  # noqa: PLC0415 - fast CLI start

    res = update_benchmarks(folder, root)
    for new, name in res.installed.items():
        typer.echo(f"installed {new}" + (f" as {name}" if name != new else ""))
    if res.archived is not None:
        typer.echo(f"the files replaced are kept in {res.archived}")
    for line in res.changes or ["no benchmark's figures changed"]:
        typer.echo(f"  {line}")


@_command()
def demo(root: RootOpt = None) -> None:
    """Write the fictional demo partnership's returns into data/raw/ (deterministic)."""
    from lscb_analysis.demo import generate_demo  # noqa: PLC0415 - fast CLI start

    files = generate_demo(root)
    typer.echo(f"wrote {len(files)} demo files under {files[0].parents[1]}")


@_command()
def ingest(
    quarter: Annotated[str, typer.Option("--quarter", "-q", help="Quarter, 'latest' or 'all'.")] = "latest",
    root: RootOpt = None,
) -> None:
    """Validate the agency returns of a quarter and add the accepted ones to the store.

    Prints a summary and every error, writes reports/<quarter>/data_quality.html
    and .csv, and exits 1 when any return was rejected (warnings do not block).
    """
    from lscb_analysis.ingest import ingest_quarters  # noqa: PLC0415 - fast CLI start
    from lscb_analysis.paths import paths  # noqa: PLC0415 - fast CLI start
    from lscb_analysis.publish.quality_pages import REPORT_HTML, write_quality_pages  # noqa: PLC0415 - fast CLI
    from lscb_analysis.returns.folders import no_returns_error, return_folders  # noqa: PLC0415 - fast CLI start

    if quarter.strip().lower() == "all":
        quarters = list(return_folders(root))
        if not quarters:
            raise no_returns_error(root)
    else:
        quarters = [resolve_quarter(quarter, root)]
    t = time.perf_counter()
    res = ingest_quarters(quarters, root)
    span = f"{quarters[0].code}{' to ' + quarters[-1].code if len(quarters) > 1 else ''}"
    typer.echo(
        f"ingested {span}: {len(res.files)} files, {len(res.accepted)} accepted, {len(res.rejected)} rejected; "
        f"{res.rows} figures, {res.changed} new or revised ({res.restated} restated); "
        f"{len(res.errors)} error(s), {len(res.warnings)} warning(s) in {time.perf_counter() - t:.1f}s"
    )
    limit = 50
    for f in res.errors[:limit]:
        typer.echo(f"  {f.quarter} {f}", err=True)
    if len(res.errors) > limit:
        typer.echo(f"  ... and {len(res.errors) - limit} more errors (see the data-quality reports)", err=True)
    pages = write_quality_pages(res.quarters, root)
    _echo_warnings(res.warnings, paths(root).reports / "<quarter>" / REPORT_HTML)
    more = f" (and {len(pages) - 1} other quarters)" if len(pages) > 1 else ""
    typer.echo(f"data-quality report: {pages[res.quarters[-1]][0]}{more}")
    if res.blocked:
        typer.echo(
            f"blocked: {len(res.rejected)} return(s) rejected in {', '.join(res.blocked_quarters())}; "
            "nothing from a rejected file reached the store. Correct them and ingest again.",
            err=True,
        )
        raise typer.Exit(1)


def _echo_warnings(warnings: list[Any], page: Path, limit: int = 20) -> None:
    """Each warning of an ingest and where it is (quarter, rule, file, row, column); past ``limit``, counts per rule."""
    if not warnings:
        return
    typer.echo(f"to confirm ({len(warnings)}; the returns were accepted; each is also listed on {page}):")
    for f in warnings[:limit]:
        typer.echo(f"  {f.quarter} {f.rule} [{f.where}] {f.message}")
    if len(warnings) > limit:
        counts: dict[str, int] = {}
        for f in warnings[limit:]:
            counts[f.rule] = counts.get(f.rule, 0) + 1
        typer.echo(
            f"  ... and {len(warnings) - limit} more: " + ", ".join(f"{r} x{n}" for r, n in sorted(counts.items()))
        )


@_command()
def templates(
    quarter: QuarterOpt = "latest",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder (default: reports/<quarter>/templates/).")
    ] = None,
    provider: Annotated[
        list[str] | None, typer.Option("--provider", "-p", help="Only this provider (repeatable).")
    ] = None,
    root: RootOpt = None,
) -> None:
    """Write one Excel return template per data provider for a quarter, and the quality files' (in quality/)."""
    from lscb_analysis.qa.templates import write_quarter_templates  # noqa: PLC0415 - fast CLI start

    q = resolve_quarter(quarter, root)
    files = write_quarter_templates(q, root, out=out, providers=provider)
    for f in files:
        typer.echo(str(f))
    typer.echo(f"wrote {len(files)} templates for {q.label}", err=True)


@_command()
def run(
    quarter: QuarterOpt = "latest",
    subgroup: Annotated[
        list[str] | None,
        typer.Option("--subgroup", "-s", help="Only these sub-groups (repeatable). Default: the whole pack."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", "-j", min=1, help="Notebooks at once (default: cores).")
    ] = None,
    kernel_template: Annotated[
        bool,
        typer.Option(
            help="Fork each notebook's fresh kernel from a process that has already imported the report modules "
            "(faster); --no-kernel-template starts every kernel from scratch.",
        ),
    ] = True,
    pdf: Annotated[
        bool,
        typer.Option(help="Also print the pack to board_pack.pdf (needs Chromium and the `pdf` extra)."),
    ] = True,
    force: Annotated[
        bool,
        typer.Option("--force", help="Rebuild every report, even those whose inputs are unchanged since their build."),
    ] = False,
    root: RootOpt = None,
) -> None:
    """Execute the report notebooks whose inputs changed and publish the HTML board pack (and its PDF)."""
    from lscb_analysis.paths import paths  # noqa: PLC0415 - fast CLI start
    from lscb_analysis.publish.buildrecord import authority_checked  # noqa: PLC0415 - fast CLI start
    from lscb_analysis.publish.plan import plan_reports  # noqa: PLC0415 - fast CLI start
    from lscb_analysis.publish.prepare import warm_up  # noqa: PLC0415 - fast CLI start
    from lscb_analysis.publish.runner import run_log  # noqa: PLC0415 - fast CLI start
    from lscb_analysis.summary.context import stored_quarter  # noqa: PLC0415 - fast CLI start

    # A run that is refused creates nothing: invalid arguments (exit 2), then a quarter the store lacks (exit 1).
    q = resolve_quarter(quarter, root)
    out = paths(root).reports / q.slug
    # The kernel template imports the reports' modules on another core while the run is checked and planned; it
    # writes nothing, and is closed if the run is refused or has nothing to run.
    with warm_up(kernel_template=kernel_template) or contextlib.nullcontext() as kernels:
        # The benchmark authority's check costs seconds: an earlier run from the same inputs passed it. --force
        # rebuilds every report, but the check reads only those inputs, so its answer would be the same.
        specs = plan_reports(q, subgroups=subgroup, root=root, authority_checked=authority_checked(out, root))
        stored_quarter(q, root)
        out.mkdir(parents=True, exist_ok=True)
        _run_planned(q, specs, workers, root, out, run_log(out / "run.log"), pdf=pdf, template=kernels, force=force)


@_command()
def annual(year: Annotated[str, typer.Option("--year", "-y", help="e.g. 2026-27")], root: RootOpt = None) -> None:
    """Publish the yearly report from the year's quarters in the store (reports/<year>-annual/)."""
    from lscb_analysis.publish.annual import plan_annual  # noqa: PLC0415 - fast CLI start
    from lscb_analysis.publish.runner import run_log  # noqa: PLC0415 - fast CLI start

    last, specs, out = plan_annual(year, root)  # refused before anything is created (a bad year: 2; none stored: 1)
    _run_planned(last, specs, 1, root, out, run_log(out / "run.log"), pdf=False, template=None, yearly=True)


def _run_planned(
    q: Quarter,
    specs: list[ReportSpec],
    workers: int | None,
    root: Path | None,
    out: Path,
    logger: logging.Logger,
    *,
    pdf: bool,
    template: KernelTemplate | None,
    force: bool = False,
    yearly: bool = False,
) -> None:
    """The rest of `lscb run` (and of `lscb annual`: ``yearly``) once the reports are planned: build what changed,
    reading one store generation, and say which failed.

    ``template``: the kernel template :func:`~lscb_analysis.publish.prepare.warm_up` started (the caller closes it).
    """
    from lscb_analysis.parameters.catalogue import load_catalogue  # noqa: PLC0415 - fast CLI start
    from lscb_analysis.paths import paths  # noqa: PLC0415 - fast CLI start
    from lscb_analysis.publish.pdf import page_printer  # noqa: PLC0415 - fast CLI start
    from lscb_analysis.publish.preflight import scan_free_text  # noqa: PLC0415 - only once the run is planned
    from lscb_analysis.publish.prepare import prepare_shared  # noqa: PLC0415 - fast CLI start
    from lscb_analysis.publish.runner import build_plan, run_reports  # noqa: PLC0415 - fast CLI start
    from lscb_analysis.store import pinned_generation  # noqa: PLC0415 - fast CLI start

    # One store generation for the whole run: every notebook's kernel inherits it, so an ingest
    # meanwhile does not mix two versions of the store in one pack.
    with pinned_generation(root) as generation:
        logger.info("run %s: store generation %s", q.code, generation.name)
        builds = build_plan(specs, q, root=root, kernel_template=template is not None, force=force, folder=out)
        if template and not builds.run:
            template.close()  # nothing to run: its imports are not waited for
            template = None
        if template:
            template.log_file = str(out / "run.log")  # the kernels' output joins the run's log
        # Free text is checked before anything runs: one line per problem (file, line, what was found).
        problems = scan_free_text(q, load_catalogue(paths(root).parameters), root)
        for pr in problems:
            line = f"{'personal data' if pr.holds_back else 'check'}: {pr}"
            typer.echo(line, err=True)
            logger.warning("%s", line)

        logger.info("run %s: %d reports, %d to run", q.code, len(specs), len(builds.run))
        done = 0
        at_once = f"{workers or 'one per core'} at once"
        typer.echo(
            f"{len(specs)} reports for {q.label}: running {len(builds.run)} ({at_once})"
            + (f", refreshing {len(builds.refresh)}" if builds.refresh else "")
            + f"; log: {out / 'run.log'}",
            err=True,
        )

        printer = page_printer(out, force=builds.force) if pdf and (builds.run or builds.refresh) else None

        def progress(r) -> None:  # noqa: ANN001
            nonlocal done
            done += 1
            if printer and r.ok and r.html and not r.reused:
                printer.submit(r.html)  # printed while the other notebooks run
            status = "ok" if r.ok else f"FAILED (cell {r.cell}: {r.error})"
            if r.ok and r.problems:
                status = f"ok, but {len(r.problems)} problem(s): a section could not be built"
            line = (
                f"{r.name}: reused, {r.why}"
                if r.reused
                else f"{r.name}: {status} in {r.seconds:.1f}s; rebuilt: {r.why}"
            )
            typer.echo(f"[{done}/{len(specs)}] {line}", err=True)
            logger.info("%s", line)
            for line in r.problems:
                logger.error("%s: section not built: %s", r.name, line)

        # prepared while the workers start; current after a narrative or action edit (the front page: a narrative's)
        shared = {"statistics": not builds.shared_unchanged, "template": template, "front_page": bool(builds.run)}
        t = time.perf_counter()
        try:
            results = run_reports(
                specs,
                q,
                root=root,
                max_workers=workers,
                on_done=progress,
                prepare=lambda: prepare_shared(q, root, **shared),
                kernel_template=template or False,
                text_problems=problems,
                folder=out,
                builds=builds,
                yearly=yearly,
            )
            if pdf:
                from lscb_analysis.publish.pdf import print_board_pack  # noqa: PLC0415 - fast CLI start

                printed = print_board_pack(out, force=builds.force, printer=printer)
        finally:
            if printer:
                printer.close()
        failed = [r for r in results if not r.ok]
        partial = [r for r in results if r.ok and r.problems]
        logger.info(
            "finished in %.1fs, %d failed, %d with sections not built",
            time.perf_counter() - t,
            len(failed),
            len(partial),
        )
        for r in failed:
            typer.echo(f"failed: {r.name}: cell {r.cell}: {r.error}", err=True)
        for r in partial:
            for line in r.problems:
                typer.echo(f"to fix: {r.name}: {line}", err=True)
        if pdf:
            typer.echo(printed, err=True)
            logger.info("%s", printed)
        typer.echo(str(out / "index.html"))
        if failed or partial:
            raise typer.Exit(1)


_command("fork", help="Fork a report notebook into notebooks/deep_dives/ with its parameters preset.")(fork_command)


@_command()
def share(
    quarter: QuarterOpt = "latest",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder (default: reports/share/<quarter>/).")] = None,
    root: RootOpt = None,
) -> None:
    """Write the quarter's file for the region: the agreed indicators, disclosure control applied, and its manifest."""
    from lscb_analysis.region.share import share_quarter  # noqa: PLC0415 - fast CLI start

    csv_file, manifest = share_quarter(resolve_quarter(quarter, root), root, out)
    typer.echo(str(csv_file))
    typer.echo(str(manifest))


region_app = typer.Typer(
    help="A region's shared data set: ingest the partnerships' shared files, publish the regional pack.",
    no_args_is_help=True,
)
app.add_typer(region_app, name="region")


@region_app.command("ingest")
@_reporting_errors
def region_ingest(
    quarter: Annotated[str, typer.Option("--quarter", "-q", help="Quarter, 'latest' or 'all'.")] = "latest",
    root: RootOpt = None,
) -> None:
    """Check the partnerships' shared files and add the accepted ones to the region's store (exit 1 if any rejected)."""
    from lscb_analysis.region.collect import ingest_region, quarters_asked  # noqa: PLC0415 - fast CLI start

    res = ingest_region(quarters_asked(quarter, root), root)
    typer.echo(
        f"ingested {len(res.files)} shared files, {len(res.accepted)} accepted, {len(res.rejected)} rejected; "
        f"{res.rows} figures, {res.changed} new or revised ({res.restated} restated); "
        f"{len(res.errors)} error(s), {len(res.warnings)} warning(s)"
    )
    for f in res.findings:
        if f.severity == "error" or f.rule in ("X022-partnership-missing", "X023-restatement"):
            typer.echo(f"  {f.quarter} {f}", err=True)
    if res.blocked:
        typer.echo("blocked: nothing from a rejected file reached the store; ask for corrected files.", err=True)
        raise typer.Exit(1)


@region_app.command("run")
@_reporting_errors
def region_run(
    quarter: QuarterOpt = "latest",
    force: Annotated[bool, typer.Option("--force", help="Rebuild every page, even unchanged ones.")] = False,
    root: RootOpt = None,
) -> None:
    """Publish the regional pack of a quarter into reports/region/<quarter>/ (the pages whose inputs changed)."""
    from lscb_analysis.publish.region_pack import write_region_pack  # noqa: PLC0415 - fast CLI start
    from lscb_analysis.region.collect import quarters_asked  # noqa: PLC0415 - fast CLI start

    pack = write_region_pack(quarters_asked(quarter, root)[-1], root, force=force)
    for n, f in enumerate(pack.files, 1):
        typer.echo(f"[{n}/{len(pack.files)}] {f.line()}", err=True)
    typer.echo(str(pack.index))


@region_app.command("demo")
@_reporting_errors
def region_demo(root: RootOpt = None) -> None:
    """Write the fictional region's shared files into data/raw/shared/ (deterministic)."""
    from lscb_analysis.region.demo import generate_region_demo  # noqa: PLC0415 - fast CLI start

    files = generate_region_demo(root)
    typer.echo(f"wrote {len(files)} shared files under {files[0].parents[1]}")


def main() -> None:  # pragma: no cover
    try:
        app()
    finally:
        gc.freeze()  # Python's exit then skips a full collection of every object imported (about 1 s)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
