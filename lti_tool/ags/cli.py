"""``branchwise grades ...`` and ``branchwise worker``: see and replay grade passback.

``register(main)`` adds the commands to the ``branchwise`` click group.
"""

from __future__ import annotations

import sys

import click


def _app():
    from lti_tool.cli_support import build_app

    return build_app()


@click.group()
def grades() -> None:
    """Scores sent to LMS gradebooks (AGS): list, and replay failed ones."""


@grades.command("list")
@click.option("--failed", "failed_only", is_flag=True, help="Only scores that failed.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--limit", default=200, show_default=True)
def grades_list(failed_only: bool, as_json: bool, limit: int) -> None:
    """Newest scores first, with their delivery status and last error."""
    from lti_tool.ags.delivery import list_submissions
    from lti_tool.cli_support import echo_rows

    with _app().app_context():
        rows = list_submissions(failed_only=failed_only, limit=limit)
    echo_rows(rows, as_json, "no failed scores" if failed_only else "no scores", _submission_line)


def _submission_line(r: dict) -> str:
    given = "-" if r["score_given"] is None else f"{r['score_given']:g}/{r['score_maximum']:g}"
    line = (f"{r['id']:>6}  {r['status']:10} {r['user']:20} {r['resource_link']:20} "
            f"{r['activity_progress']:10} {given:>9}  tries={r['tries']}")
    if r["last_error"] and r["status"] != "sent":
        line += f"  error: {r['last_error']}"
    return line


@grades.command("replay")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all-failed", is_flag=True, help="Replay every failed score.")
def grades_replay(ids: tuple[int, ...], all_failed: bool) -> None:
    """Queue failed scores again (after fixing the cause); a running worker sends them."""
    from lti_tool.ags.delivery import replay, statuses

    if not ids and not all_failed:
        raise click.UsageError("give score IDs or --all-failed")
    with _app().app_context():
        known = statuses(ids)
        replayed = replay(ids, all_failed=all_failed)
    click.echo(f"queued {len(replayed)} score(s)" + (f": {replayed}" if replayed else ""))
    # An id typed wrong must not look like success: say which ids were not replayed and why.
    unknown = [i for i in ids if i not in known]
    for i in ids:
        if known.get(i) == "sent":
            click.echo(f"score {i} is already in the gradebook (sent); not replayed: sending "
                       "it again could only move the grade back", err=True)
    if unknown:
        click.echo(f"no score with id {', '.join(map(str, unknown))} "
                   "(see `branchwise grades list`)", err=True)
        sys.exit(1)


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
@click.option("--max-delay", default=10.0, show_default=True,
              help="Longest pause in seconds between polls of an empty queue.")
def worker(workers: int, max_delay: float) -> None:
    """Run the job queue (grade passback); pending scores are picked up at start."""
    from lti_tool.jobs.worker import run_worker

    run_worker(_app(), workers=workers, max_delay=max_delay)


def register(main: click.Group) -> None:
    """Add ``grades`` and ``worker`` to the ``branchwise`` command group."""
    main.add_command(grades)
    main.add_command(worker)
