"""Run the app on gunicorn from Python, so ``branchwise serve`` needs no extra files."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Each worker builds its own app after the fork (no shared connections).
        from lti_tool import create_app

        app = create_app()
        warm_templates(app)
        return app


#: The pages a learner's launch and answers render: compiled when a worker starts, not
#: inside the first learner's request (about half a second).
WARM_TEMPLATES = ("runner/activity.html", "runner/progress.html", "errors/launch.html",
                  "errors/http.html")


def warm_templates(app) -> None:
    for name in WARM_TEMPLATES:
        app.jinja_env.get_template(name)


def prepare_master() -> None:
    """Work done once in gunicorn's master, before it forks its workers: import the app
    and parse the sample modules (``library.warm_samples``), so every worker, also one
    started again after a crash, serves its first launch warm."""
    from lti_tool.modules.library import warm_samples

    warm_samples()


#: gunicorn's default access line with the path only (``%(U)s``) instead of the request
#: line (``%(r)s``), and no Referer: launch tokens travel as ``?t=`` on GET links, and an
#: access log (often shipped to a log service) must not collect working session tokens.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(L)s'


def run_gunicorn(host: str, port: int, workers: int) -> None:
    prepare_master()
    _Gunicorn({"bind": f"{host}:{port}", "workers": workers, "accesslog": "-",
               "access_log_format": ACCESS_LOG_FORMAT, "timeout": 60}).run()
