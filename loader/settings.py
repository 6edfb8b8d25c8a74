"""One typed settings object, read with one precedence.

For each setting the first of these that gives it wins:

1. a command-line option (passed in as ``given``);
2. an environment variable (``NICIP_STORE``, ``NICIP_DB``, ``NICIP_QUERY_TIMEOUT``,
   ``NICIP_ROW_LIMIT``; ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``,
   ``NEO4J_DATABASE``);
3. a TOML file: ``$NICIP_CONFIG``, else ``./nicip.toml``, else ``nicip/config.toml`` in the
   user config folder (keys as the field names below, without secrets);
4. the default.

The store is Neo4j when ``NEO4J_URI`` is set and ``NICIP_STORE`` does not say otherwise; the
embedded store otherwise. The Neo4j password is a secret: it is read only from
``NEO4J_PASSWORD`` or from a file named by ``NEO4J_PASSWORD_FILE``, never from the TOML
file, and it is never shown (``repr`` and ``describe`` leave it out).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from loader.errors import SettingsError

__all__ = ["Settings"]

_ENV = {
    "store": "NICIP_STORE",
    "db": "NICIP_DB",
    "query_timeout_s": "NICIP_QUERY_TIMEOUT",
    "row_limit": "NICIP_ROW_LIMIT",
    "neo4j_uri": "NEO4J_URI",
    "neo4j_user": "NEO4J_USER",
    "neo4j_database": "NEO4J_DATABASE",
}


def _default_db() -> str:
    from platformdirs import user_data_dir

    return str(Path(user_data_dir("nicip-graph")) / "graph.db")


@dataclass
class Settings:
    """Where the graph lives and how queries are limited."""

    store: str = "embedded"
    db: str = field(default_factory=_default_db)
    query_timeout_s: float = 10.0
    row_limit: int = 1000
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_database: str | None = None
    neo4j_password: str | None = field(default=None, repr=False)
    sources: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def resolve(
        cls,
        given: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
        config_file: str | Path | None = None,
    ) -> Settings:
        env = dict(os.environ if env is None else env)
        given = {k: v for k, v in (given or {}).items() if v is not None}
        file_values, file_name = _read_config(config_file, env)
        s = cls()
        names = {f.name for f in fields(cls)} - {"sources", "neo4j_password"}
        unknown = sorted(set(file_values) - names)
        if unknown:
            raise SettingsError(
                f"{file_name}: unknown setting {', '.join(map(repr, unknown))}; the settings "
                f"are {', '.join(sorted(names))}"
            )
        for name in names:
            if name in given:
                value, source = given[name], "command line"
            elif name in _ENV and env.get(_ENV[name]):
                value, source = env[_ENV[name]], _ENV[name]
            elif name in file_values:
                value, source = file_values[name], file_name
            else:
                s.sources[name] = "default"
                continue
            setattr(s, name, _typed(name, value, source))
            s.sources[name] = source
        if s.sources["store"] == "default" and s.neo4j_uri:
            s.store, s.sources["store"] = "neo4j", "NEO4J_URI is set"
        if s.store not in ("embedded", "neo4j"):
            raise SettingsError(
                f"store must be 'embedded' or 'neo4j', got {s.store!r} (from {s.sources['store']})"
            )
        s.neo4j_password = _password(given, env)
        return s

    def require_neo4j(self) -> tuple[str, str, str]:
        """URI, user and password, or an error saying every place that was looked in."""
        missing = []
        if not self.neo4j_uri:
            missing.append("NEO4J_URI (or --neo4j-uri, or neo4j_uri in nicip.toml)")
        if self.neo4j_password is None:
            missing.append("NEO4J_PASSWORD (or a file named by NEO4J_PASSWORD_FILE)")
        if missing:
            raise SettingsError("the Neo4j store needs " + " and ".join(missing))
        assert self.neo4j_uri is not None and self.neo4j_password is not None
        return self.neo4j_uri, self.neo4j_user, self.neo4j_password


def _typed(name: str, value: Any, source: str) -> Any:
    try:
        if name == "query_timeout_s":
            v: Any = float(value)
        elif name == "row_limit":
            v = int(value)
        else:
            return str(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{name} must be a number, got {value!r} (from {source})") from None
    if not 0 < v < float("inf"):  # also nan
        raise SettingsError(f"{name} must be a number above 0, got {value!r} (from {source})")
    return v


def _read_config(config_file: str | Path | None, env: dict[str, str]) -> tuple[dict[str, Any], str]:
    candidates: list[Path] = []
    if config_file:
        candidates.append(Path(config_file))
    elif env.get("NICIP_CONFIG"):
        candidates.append(Path(env["NICIP_CONFIG"]))
    else:
        from platformdirs import user_config_dir

        candidates += [Path("nicip.toml"), Path(user_config_dir("nicip")) / "config.toml"]
    for path in candidates:
        if not path.is_file():
            if config_file or env.get("NICIP_CONFIG"):
                raise SettingsError(f"settings file {path} does not exist")
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise SettingsError(f"{path}: not valid TOML ({err})") from None
        if "neo4j_password" in data:
            raise SettingsError(
                f"{path}: neo4j_password does not belong in a settings file; "
                "set NEO4J_PASSWORD or NEO4J_PASSWORD_FILE"
            )
        return data, str(path)
    return {}, ""


def _password(given: dict[str, Any], env: dict[str, str]) -> str | None:
    file = given.get("neo4j_password_file") or env.get("NEO4J_PASSWORD_FILE")
    if file:
        try:
            return Path(file).read_text(encoding="utf-8").strip()
        except OSError as err:
            raise SettingsError(
                f"cannot read the Neo4j password file {file}: {err.strerror}"
            ) from None
    return env.get("NEO4J_PASSWORD")
