"""``branchwise assistant model``: the assistant's language model per course."""

from __future__ import annotations

import sys
from dataclasses import asdict

import click


def register(main: click.Group) -> None:
    """Add the ``assistant`` group to the ``branchwise`` CLI."""
    from lti_tool.cli_support import build_app as _app
    from lti_tool.cli_support import echo_rows

    @main.group()
    def assistant() -> None:
        """The learning assistant (docs/assistant.md)."""

    @assistant.group("model")
    def model() -> None:
        """An OpenAI-compatible model for one course, overriding the deployment's."""

    @model.command("set")
    @click.option("--issuer", required=True, help="The platform's issuer.")
    @click.option("--context-id", required=True, help="The course's LMS context id.")
    @click.option("--client-id", default=None, help="Only when the issuer has several.")
    @click.option("--base-url", required=True, help="e.g. https://llm.example.edu/v1")
    @click.option("--model", "model_name", required=True)
    @click.option("--key-stdin", is_flag=True,
                  help="Read the API key from standard input (never from the command line, "
                       "where other users could see it).")
    @click.option("--clear-key", is_flag=True, help="Remove the stored key.")
    @click.option("--timeout", type=float, default=None, help="Seconds (default: the "
                  "deployment's assistant_llm_timeout).")
    def model_set(issuer: str, context_id: str, client_id: str | None, base_url: str,
                  model_name: str, key_stdin: bool, clear_key: bool,
                  timeout: float | None) -> None:
        """Give one course its own language model."""
        from lti_tool.assistant.course_models import CourseModelError, set_course_model

        key: str | None = None
        if key_stdin:
            key = sys.stdin.readline().strip()
        elif clear_key:
            key = ""
        app = _app()
        with app.app_context():
            try:
                set_course_model(app.config["BRANCHWISE"], issuer=issuer,
                                 context_id=context_id, client_id=client_id,
                                 base_url=base_url, model=model_name, api_key=key,
                                 timeout=timeout, by="cli")
            except CourseModelError as exc:
                raise click.UsageError(str(exc)) from exc
        click.echo(f"course {context_id} of {issuer}: the assistant uses {model_name} at "
                   f"{base_url.rstrip('/')}")

    @model.command("clear")
    @click.option("--issuer", required=True)
    @click.option("--context-id", required=True)
    @click.option("--client-id", default=None)
    def model_clear(issuer: str, context_id: str, client_id: str | None) -> None:
        """The course uses the deployment's model (or none) again."""
        from lti_tool.assistant.course_models import CourseModelError, clear_course_model

        with _app().app_context():
            try:
                removed = clear_course_model(issuer=issuer, context_id=context_id,
                                             client_id=client_id)
            except CourseModelError as exc:
                raise click.UsageError(str(exc)) from exc
        click.echo("removed" if removed else "that course had no model of its own")

    @model.command("list")
    @click.option("--json", "as_json", is_flag=True)
    def model_list(as_json: bool) -> None:
        """Courses with their own model (keys are never shown)."""
        from lti_tool.assistant.course_models import list_course_models

        with _app().app_context():
            rows = [asdict(r) for r in list_course_models()]
        echo_rows(rows, as_json, "no course has a model of its own",
                  lambda r: f"{r['issuer']}  {r['context_id']}  {r['model']}  {r['base_url']}"
                            f"  key: {'set' if r['has_key'] else 'none'}")
