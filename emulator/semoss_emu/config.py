"""Emulator configuration: users, bearer tokens, engines and server settings."""

import json
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional

PERMISSION_LEVELS = ("edit", "view", "none")


class ConfigError(ValueError):
    """The configuration file is missing a field or has a wrong value."""


@dataclass
class UserConfig:
    """A SEMOSS user with an access/secret key pair and per-engine permissions."""

    id: str
    name: str
    provider: str
    access_key: Optional[str]
    secret_key: Optional[str]
    permissions: Dict[str, str]

    def permission(self, engine_id):
        """Return "edit", "view" or "none" for engine_id (falling back to "default")."""
        return self.permissions.get(engine_id, self.permissions.get("default", "none"))

    def can_view(self, engine_id):
        """True when the user may query the engine (view or edit)."""
        return self.permission(engine_id) in ("view", "edit")

    def can_edit(self, engine_id):
        """True when the user may run ExecQuery on the engine."""
        return self.permission(engine_id) == "edit"


@dataclass
class BearerTokenConfig:
    """A bearer token accepted for a provider, logging in as a configured user."""

    token: str
    provider: str
    user: str


@dataclass
class EngineConfig:
    """A database engine backed by a real PostgreSQL database."""

    id: str
    name: str
    subtype: str
    dsn: str
    query_timeout_seconds: int
    pool_max_size: int
    pool_timeout_seconds: float
    description: Optional[str]
    tags: List[str]
    date_created: str
    deny_catalog: bool = False


@dataclass
class TlsConfig:
    """The optional HTTPS listener: certificate chain, private key, port."""

    cert_file: str
    key_file: Optional[str]
    port: int


@dataclass
class EmulatorConfig:
    """Everything read from the JSON configuration file."""

    session_cookie_name: str
    session_timeout_minutes: float
    csrf: bool
    jvm_timezone: str
    users: List[UserConfig]
    bearer_tokens: List[BearerTokenConfig]
    engines: List[EngineConfig]
    version: Dict[str, str] = field(default_factory=dict)
    tls: Optional[TlsConfig] = None

    def user_by_id(self, user_id):
        """Return the user with this id, or None."""
        for user in self.users:
            if user.id == user_id:
                return user
        return None

    @property
    def session_timeout_seconds(self):
        """Tomcat keeps the max inactive interval as whole seconds."""
        return max(1, int(round(self.session_timeout_minutes * 60)))


def load_config(path):
    """Read and validate the JSON configuration at path."""
    try:
        with open(path, encoding="utf-8") as handle:
            raw = json.load(handle)
    except (OSError, json.JSONDecodeError) as error:
        raise ConfigError("cannot read config %s: %s" % (path, error)) from None
    return parse_config(raw, os.path.dirname(os.path.abspath(path)))


def parse_config(raw, base_directory=None):
    """Validate a configuration dict and return an EmulatorConfig.

    Relative file names (the TLS certificate and key) are taken relative to
    base_directory, the configuration file's directory.
    """
    if not isinstance(raw, dict):
        raise ConfigError("the configuration must be a JSON object")
    users = [_parse_user(item) for item in _list(raw, "users")]
    config = EmulatorConfig(
        session_cookie_name=_string(raw, "session_cookie_name", "monolith"),
        session_timeout_minutes=_number(raw, "session_timeout_minutes", 120),
        csrf=_boolean(raw, "csrf", False),
        jvm_timezone=_string(raw, "jvm_timezone", "America/New_York"),
        users=users,
        bearer_tokens=[_parse_bearer(item) for item in _list(raw, "bearer_tokens")],
        engines=[_parse_engine(item) for item in _list(raw, "engines")],
        version=raw.get("version") or {"version": "5.0.0-emulator",
                                       "datetime": "2024-10-24 11:15:16"},
        tls=_parse_tls(raw.get("tls"), base_directory),
    )
    if config.session_timeout_minutes <= 0:
        raise ConfigError("session_timeout_minutes must be positive")
    for token in config.bearer_tokens:
        if config.user_by_id(token.user) is None:
            raise ConfigError("bearer token refers to unknown user %r" % token.user)
    _check_unique([user.id for user in users], "user id")
    _check_unique([engine.id for engine in config.engines], "engine id")
    return config


def _parse_user(raw):
    """Validate one user entry."""
    permissions = raw.get("permissions") or {"default": "edit"}
    if not isinstance(permissions, dict):
        raise ConfigError("user permissions must be an object")
    for engine_id, level in permissions.items():
        if level not in PERMISSION_LEVELS:
            raise ConfigError("permission for %r must be one of %s" % (engine_id, PERMISSION_LEVELS))
    return UserConfig(
        id=_required_string(raw, "id"),
        name=_string(raw, "name", raw.get("id", "")),
        provider=_string(raw, "provider", "NATIVE").upper(),
        access_key=raw.get("access_key"),
        secret_key=raw.get("secret_key"),
        permissions=dict(permissions),
    )


def _parse_bearer(raw):
    """Validate one bearer token entry."""
    return BearerTokenConfig(
        token=_required_string(raw, "token"),
        provider=_required_string(raw, "provider"),
        user=_required_string(raw, "user"),
    )


def _parse_engine(raw):
    """Validate one engine entry."""
    tags = raw.get("tags") or []
    if not isinstance(tags, list):
        raise ConfigError("engine tags must be a list")
    return EngineConfig(
        id=_required_string(raw, "id"),
        name=_string(raw, "name", raw.get("id", "")),
        subtype=_string(raw, "subtype", "POSTGRES"),
        dsn=_required_string(raw, "dsn"),
        query_timeout_seconds=int(_number(raw, "query_timeout_seconds", 0)),
        pool_max_size=int(_number(raw, "pool_max_size", 16)),
        pool_timeout_seconds=_number(raw, "pool_timeout_seconds", 30),
        description=raw.get("description"),
        tags=[str(tag) for tag in tags],
        date_created=_string(raw, "date_created", "2024-01-01 00:00:00"),
        deny_catalog=_boolean(raw, "deny_catalog", False),
    )


def _parse_tls(raw, base_directory):
    """Validate the optional "tls" object (absent or null: no HTTPS listener)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ConfigError("tls must be an object")
    unknown = sorted(set(raw) - {"cert_file", "key_file", "port"})
    if unknown:
        raise ConfigError("unknown tls key(s): %s" % ", ".join(unknown))
    cert_file = _required_string(raw, "cert_file")
    key_file = raw.get("key_file")
    if key_file is not None and (not isinstance(key_file, str) or not key_file):
        raise ConfigError("tls key_file must be a non-empty string")
    port = _number(raw, "port", 0)
    if not isinstance(port, int) or not 0 <= port <= 65535:
        raise ConfigError("tls port must be an integer from 0 to 65535")

    def resolve(name):
        if name is None or base_directory is None:
            return name
        return os.path.join(base_directory, name)

    return TlsConfig(cert_file=resolve(cert_file), key_file=resolve(key_file), port=port)


def _list(raw, key):
    """Return raw[key] as a list of objects (missing means empty)."""
    value = raw.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ConfigError("%s must be a list of objects" % key)
    return value


def _required_string(raw, key):
    """Return a mandatory non-empty string field."""
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise ConfigError("%s is required and must be a non-empty string" % key)
    return value


def _string(raw, key, default):
    """Return an optional string field."""
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise ConfigError("%s must be a string" % key)
    return value


def _number(raw, key, default):
    """Return an optional numeric field."""
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError("%s must be a number" % key)
    return value


def _boolean(raw, key, default):
    """Return an optional boolean field."""
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError("%s must be true or false" % key)
    return value


def _check_unique(values, what):
    """Fail when a value appears twice."""
    seen = set()
    for value in values:
        if value in seen:
            raise ConfigError("duplicate %s %r" % (what, value))
        seen.add(value)
