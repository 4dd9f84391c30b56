"""``leadscore import FILE [--mapping MAP.yml] [--alert]``: backfill from a CSV export."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from bot.cli.common import BadInput, command, console, errors, services_for_command
from bot.importer import (
    ImportSummary,
    MappingError,
    UnreadableFile,
    import_rows,
    load_mapping,
    open_import,
)


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="YAML column mapping (docs/import-mapping.md); default: contract-named columns.",
)
@click.option("--alert", is_flag=True, help="Alert on leads that turn hot (default: no alerts).")
@command
def import_command(file: Path, mapping_file: Path | None, alert: bool) -> None:
    """Import leads, activities or deal outcomes from a CSV FILE.

    Bad rows are reported with their line numbers and kept as dead letters;
    good rows go in. Importing the same file again counts its rows as duplicates.
    """
    try:
        mapping = load_mapping(mapping_file) if mapping_file else None
        with open_import(file, mapping) as (source, mapper):
            services = services_for_command()
            with _progress_bar() as bar:
                task = bar.add_task(file.name, total=source.size)
                summary = import_rows(
                    source,
                    mapper,
                    ingestor=services.ingestor,
                    alert=alert,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
    except MappingError as exc:
        where = mapping_file or "the default mapping"
        problems = "\n".join(f"  - {error}" for error in exc.errors)
        message = f"{where}: the mapping does not fit, nothing imported:\n{problems}"
        raise BadInput(message) from None
    except UnreadableFile as exc:
        raise BadInput(str(exc)) from None
    _report(file, summary, alert)
    if summary.stopped:
        raise BadInput(f"import stopped: {summary.stopped} (the rows before it were imported)")


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("importing {task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
        disable=not errors.is_terminal,
    )


def _report(file: Path, summary: ImportSummary, alert: bool) -> None:
    console.print(
        f"Imported {file.name}: {summary.rows:,} rows, {summary.accepted:,} events accepted, "
        f"{summary.duplicates:,} duplicates, {summary.rejected_rows:,} rows rejected."
    )
    if summary.rows_without_events:
        console.print(f"{summary.rows_without_events:,} rows produced no event (their `when`).")
    if alert:
        plural = "" if summary.alerts == 1 else "s"
        console.print(f"{summary.alerts:,} hot-lead alert{plural} queued.")
    if not summary.bad_rows:
        return
    console.print("Rejected rows:")
    for bad in summary.bad_rows:
        console.print(f"  {bad}", markup=False)
    hidden = summary.rejected_rows - len(summary.bad_rows)
    if hidden:
        console.print(f"  ... and {hidden:,} more, all kept in dead letters")
    else:
        console.print("  (all kept in dead letters)")
