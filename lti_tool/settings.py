"""Settings: config/defaults.toml < BRANCHWISE_* environment < explicit overrides.

Every setting is read here once (never ``os.environ`` elsewhere) so the README
table, the defaults file and the code cannot drift apart silently.
"""

from __future__ import annotations

import os
import secrets
import time
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

PACKAGE_ROOT = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_ROOT.parent
# In a checkout these are symlinks to the top-level folders; in a wheel, copies.
ASSETS = PACKAGE_ROOT / "_assets"
DEFAULTS_FILE = ASSETS / "config" / "defaults.toml"
TEMPLATES_DIR = ASSETS / "templates"
STATIC_DIR = ASSETS / "static"

ENV_PREFIX = "BRANCHWISE_"


@dataclass(frozen=True)
class Settings:
    base_url: str
    database_url: str
    instance_path: str
    redis_url: str
    database_ping_idle_seconds: float
    secret_key: str
    launch_token_ttl: int
    launch_session_max_age: int
    launch_retention_days: int
    login_rate_limit: int
    clock_skew_leeway: int
    login_state_ttl: int
    max_id_token_bytes: int
    max_module_bytes: int
    jwks_cache_seconds: int
    http_timeout: float
    outbound_allow_private: bool
    require_registration_approval: bool
    proxy_count: int
    log_level: str
    queue_path: str
    queue_immediate: bool
    grade_retry_max: int
    grade_retry_base_seconds: float
    grade_retry_cap_seconds: float
    xapi_retry_base_seconds: float
    xapi_retry_cap_seconds: float
    assistant_embeddings: bool
    assistant_llm_url: str
    assistant_llm_model: str
    assistant_llm_key: str
    assistant_llm_timeout: float

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{Path(self.instance_path) / 'branchwise.sqlite3'}"

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")


def read_defaults() -> dict[str, Any]:
    with DEFAULTS_FILE.open("rb") as fh:
        return tomllib.load(fh)


def _coerce(name: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"{ENV_PREFIX}{name.upper()} must be true or false, got {raw!r}")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def load_settings(
    overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Build the settings; creates the instance folder and a persistent secret if needed."""
    env = os.environ if environ is None else environ
    values = read_defaults()
    for name, default in list(values.items()):
        key = ENV_PREFIX + name.upper()
        if key in env:
            values[name] = _coerce(name, env[key], default)
    for name, value in (overrides or {}).items():
        if name not in values:
            raise KeyError(f"unknown setting {name!r}")
        values[name] = value
    known = {f.name for f in fields(Settings)}
    unknown = set(values) - known
    if unknown:
        raise KeyError(f"defaults.toml has settings the code does not know: {sorted(unknown)}")
    instance = Path(values["instance_path"] or Path.cwd() / "instance").resolve()
    instance.mkdir(parents=True, exist_ok=True)
    values["instance_path"] = str(instance)
    values["base_url"] = values["base_url"].rstrip("/")
    values["http_timeout"] = float(values["http_timeout"])
    if not values["secret_key"]:
        values["secret_key"] = _instance_secret(instance)
    return Settings(**values)


def _instance_secret(instance: Path) -> str:
    """A secret generated once and shared by every worker through the instance folder.

    O_EXCL makes the first writer win when several gunicorn workers start at once.
    """
    path = instance / "secret_key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
    for _ in range(50):  # another worker may be between create and write
        text = path.read_text().strip()
        if text:
            return text
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty")
