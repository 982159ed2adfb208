"""Where and what to test: the base URL, entry points by role, limits, headers.

A target comes from a TOML file (``ecekit.toml``) and from flags; flags win. Errors in the file name
the file, the key and what is expected, with a close match for a misspelt key::

    base_url = "https://ece.example.com/system"     # includes the context root
    entry_points = [1001, 1002]                     # state unknown: only always-true checks
    inactive_entry_points = [1003]                  # chatAllowed must say entry_point_inactive
    invalid_entry_point = 999999                    # chatAllowed must say invalid_entry_point
    agents_required = true                          # entry points need an agent to take chats
    connect_timeout = 3.0                           # seconds
    read_timeout = 10.0                             # seconds, also the cap on a whole response
    max_response_time = 2.0                         # seconds; slower is a contract failure
    max_body_bytes = 1048576
    xsd_dir = "/path/to/vendor/xsd"                 # the vendor's eGainBosh.xsd / eGainSurvey.xsd
    sid = "1000_d15c6659-..."                       # a real chat session for the survey's 204 path
    widget = "eligibility"                          # judge what this chat widget would show
    origin = "https://www.example.com"              # the site's origin: answers must be readable by it
    strict_surveys = true                           # a lenient survey acceptance fails the run
    canary_url = "http://10.0.0.5:8765"             # where a remote server reaches ecekit's XXE canary
    ca_bundle = "company-ca.pem"                    # CA(s) to trust for https (relative to this file)
    insecure = false                                # true: no certificate verification (flagged loudly)
    client_cert = "client.pem"                      # for a load balancer that asks for one
    client_key = "client.key"                       # its key, if not in client_cert
    json = true                                     # also ask for JSON and compare it with the XML
    checks = ["mycompany.ece_checks"]               # modules of checks of one's own (docs/api.md)
    [headers]                                       # sent on every request, redacted in reports
    Authorization = "Basic ..."
    [paths]                                         # override an operation's path template
    checkEligibility = "/egain/chat/entrypoint/checkEligibility/{id}"
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ecekit import operations, redaction
from ecekit.canary import canary_url
from ecekit.errors import ConfigError, did_you_mean
from ecekit.redaction import REDACTED
from ecekit.xmlsafe import DEFAULT_MAX_BODY

DEFAULT_TARGET_FILE = "ecekit.toml"


@dataclass(frozen=True)
class Target:
    """Everything a run needs to know about the server under test. Immutable; use ``replace``."""

    base_url: str | None = None  # None: the embedded reference server
    entry_points: tuple[str, ...] = ()
    inactive_entry_points: tuple[str, ...] = ()
    invalid_entry_points: tuple[str, ...] = ()
    agents_required: bool = True
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    max_response_time: float = 2.0
    max_body_bytes: int = DEFAULT_MAX_BODY
    headers: Mapping[str, str] = field(default_factory=dict)
    paths: Mapping[str, str] = field(default_factory=dict)
    xsd_dir: str | None = None
    sid: str | None = None
    widget: str | None = None  # the name of the chat widget whose states are judged (``check --widget``)
    custom_widgets: Mapping[str, Any] = field(default_factory=dict)  # name -> widgets.Widget
    origin: str | None = None  # the origin of the site's pages (``--origin``): CORS is checked
    lenient_surveys_fail: bool | None = None  # --strict-surveys / key strict_surveys; None: the default
    canary_url: str | None = None  # the XXE canary's URL as the server reaches it (``--canary-url``)
    ca_bundle: str | None = None  # PEM CA file to trust instead of the system's (https only)
    insecure: bool = False  # no certificate verification at all: every report says so
    client_cert: str | None = None  # PEM client certificate (and key, unless client_key)
    client_key: str | None = None
    json_parity: bool = False  # also ask each status operation for JSON and compare with the XML
    checks: tuple[str, ...] = ()  # modules of the user's own checks (ecekit.checks.user)
    source: str | None = None  # the file it came from, for messages

    def __post_init__(self) -> None:
        """Entry points given as a list or as numbers (``Target(entry_points=[1001])`` from Python) are
        the tuple of strings every run expects."""
        for name in ("entry_points", "inactive_entry_points", "invalid_entry_points", "checks"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
                object.__setattr__(self, name, tuple(str(v) for v in value))

    def __repr__(self) -> str:
        """Secrets hidden: a traceback or a log line may show a target."""
        shown = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        shown.update(base_url=self.shown_base_url, headers=self.redacted_headers())
        return f"Target({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    @property
    def is_embedded(self) -> bool:
        return self.base_url is None

    def path_for(self, op: operations.Operation) -> str:
        return self.paths.get(op.name, op.path)

    def url(self, op: operations.Operation, entry_point: str | int | None = None) -> str:
        if self.base_url is None:
            raise ConfigError("no base URL: the embedded server has not been started",
                              remedy="pass --base-url, or run through a command that starts it")
        return self.base_url + op.url_path(entry_point, self.path_for(op))

    def redacted_headers(self) -> dict[str, str]:
        """The extra headers as reports show them: names only, every value hidden."""
        return dict.fromkeys(self.headers, REDACTED)

    @property
    def shown_base_url(self) -> str | None:
        """The base URL as reports and messages show it: its password hidden (see ecekit.redaction)."""
        return redaction.optional_url(self.base_url)

    def secrets(self) -> tuple[str, ...]:
        """The secret strings this target carries, to hide in free text (see ecekit.redaction.text)."""
        return redaction.secret_values(self.base_url, self.headers)

    def replace(self, **changes: Any) -> Target:
        return dataclasses.replace(self, **changes)

    def chosen_widget(self) -> Any:
        """The widget whose states are judged (a ``widgets.Widget``), or None."""
        if self.widget is None:
            return None
        from ecekit import widgets

        return widgets.get(self.widget, self.custom_widgets)

    @property
    def valid_needs_204(self) -> bool:
        """A valid survey must get exactly 204: on the embedded server, or when the user names a real
        session id; otherwise a 4xx for a made-up sid is tolerated (ECE_NOTES)."""
        return self.is_embedded or self.sid is not None

    @property
    def lenient_acceptance_fails(self) -> bool:
        """Whether a survey only a lenient server accepts fails the run (see checks.survey)."""
        return self.is_embedded if self.lenient_surveys_fail is None else self.lenient_surveys_fail

    def all_entry_points(self) -> tuple[str, ...]:
        return self.entry_points + self.inactive_entry_points + self.invalid_entry_points


# key -> (expected, converter). Converters raise ValueError with what was wrong.
def _entry_point(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str) or str(value).strip() == "":
        raise ValueError("an entry point id (an integer such as 1001, or a string)")
    return str(value).strip()


_LIST_SEPARATORS = re.compile(r"[\s,]+")


def split_entry_points(value: Any) -> tuple[str, ...]:
    """The one rule for entry-point lists, in every command and the target file: a list, or text
    split on commas and white space (``"1001, 1002"``, ``--entry-point 1001,1002``)."""
    if isinstance(value, int | str) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ValueError("a list of entry point ids, e.g. [1001, 1002]")
    out: list[str] = []
    for item in value:
        if isinstance(item, str):
            parts = [p for p in _LIST_SEPARATORS.split(item) if p]
            if not parts:
                raise ValueError("an entry point id (an integer such as 1001, or a string)")
            out += [_entry_point(p) for p in parts]
        else:
            out.append(_entry_point(item))
    return tuple(out)


_entry_points = split_entry_points


def _positive_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError("a positive number of seconds, e.g. 2.5")
    return float(value)


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError("a positive integer")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a non-empty string")
    return value


def _modules(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError('a list of modules: dotted names or .py paths, e.g. ["mycompany.ece_checks"]')
    return tuple(v.strip() for v in value)


def _string_table(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError('a table of strings, e.g. { Authorization = "Basic ..." }')
    return dict(value)


class _UnknownName(ValueError):
    """A key of a table that names nothing (the message is the headline, ``remedy`` the fix)."""

    def __init__(self, message: str, remedy: str) -> None:
        super().__init__(message)
        self.remedy = remedy


def _headers(value: Any) -> dict[str, str]:
    """Header values go on the wire as ISO-8859-1 (HTTP/1.1); anything else would crash the client."""
    table = _string_table(value)
    for name, text in table.items():
        if not name.isascii() or not name.strip() or any(c in name for c in " :\r\n"):
            raise ValueError(f"a header name of ASCII letters, digits and '-', not {name!r}")
        try:
            text.encode("latin-1")
        except UnicodeEncodeError as exc:  # the value itself is secret: only the character is named
            raise ValueError(f"header {name}: a value of plain text (ASCII or ISO-8859-1); "
                             f"{text[exc.start]!r} is a character HTTP cannot carry") from None
        if "\r" in text or "\n" in text:
            raise ValueError(f"header {name}: a value on one line") from None
    return table


def _paths(value: Any) -> dict[str, str]:
    table = _string_table(value)
    for name, template in table.items():
        if name not in operations.BY_NAME:
            raise _UnknownName(f"unknown operation {name!r} in [paths]",
                               f"{did_you_mean(name, operations.BY_NAME)}operations: "
                               f"{', '.join(operations.BY_NAME)}")
        op = operations.get(name)
        if op.takes_entry_point and "{id}" not in template:
            raise ValueError(f"the path of {name} must contain {{id}}, e.g. {op.path}")
        if not template.startswith("/"):
            raise ValueError(f"a path relative to the context root, starting with '/', e.g. {op.path}")
    return table


def _origin(value: Any) -> str:
    url = _str(value).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
        raise ValueError("an origin: scheme://host[:port], e.g. https://www.example.com")
    return url


def _widget(value: Any) -> Any:
    """A widget name (bundled) or a [widget] table (a widget of one's own): (name, custom or None)."""
    from ecekit import widgets

    if isinstance(value, str) and value.strip():
        widgets.get(value.strip())  # ConfigError with a close match
        return value.strip(), None
    if isinstance(value, dict):
        custom = widgets.from_mapping(value, "[widget]")
        return custom.name, custom
    raise ValueError('a widget name such as "eligibility", or a [widget] table')


def base_url(value: Any) -> str:
    """Normalise a base URL; it includes the context root, e.g. ``https://host/system``."""
    url = _str(value).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("an http(s) URL including the context root, e.g. https://ece.example.com/system")
    if parts.query or parts.fragment:
        raise ValueError("a URL with no query or fragment")
    return url


_KEYS: dict[str, tuple[str, Any]] = {
    "base_url": ("base_url", base_url),
    "entry_points": ("entry_points", _entry_points),
    "inactive_entry_points": ("inactive_entry_points", _entry_points),
    "invalid_entry_point": ("invalid_entry_points", _entry_points),
    "invalid_entry_points": ("invalid_entry_points", _entry_points),
    "agents_required": ("agents_required", _bool),
    "connect_timeout": ("connect_timeout", _positive_float),
    "read_timeout": ("read_timeout", _positive_float),
    "timeout": ("read_timeout", _positive_float),
    "max_response_time": ("max_response_time", _positive_float),
    "max_body_bytes": ("max_body_bytes", _positive_int),
    "headers": ("headers", _headers),
    "paths": ("paths", _paths),
    "xsd_dir": ("xsd_dir", _str),
    "sid": ("sid", _str),
    "widget": ("widget", _widget),
    "origin": ("origin", _origin),
    "strict_surveys": ("lenient_surveys_fail", _bool),
    "canary_url": ("canary_url", canary_url),
    "ca_bundle": ("ca_bundle", _str),
    "insecure": ("insecure", _bool),
    "client_cert": ("client_cert", _str),
    "client_key": ("client_key", _str),
    "json": ("json_parity", _bool),
    "checks": ("checks", _modules),
}
_FILES = {"ca_bundle": "--ca-bundle", "client_cert": "--client-cert", "client_key": "--client-key"}


def from_mapping(data: Mapping[str, Any], source: str = "<flags>") -> dict[str, Any]:
    """Validated Target fields from a mapping; raises ConfigError naming source, key and expectation."""
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _KEYS:
            hint = did_you_mean(key, _KEYS)
            raise ConfigError(f"{source}: unknown key {key!r}",
                              remedy=f"{hint}valid keys: {', '.join(sorted(_KEYS))}")
        name, convert = _KEYS[key]
        try:
            fields[name] = convert(value)
            if name == "widget":
                fields["widget"], custom = fields["widget"]
                if custom is not None:
                    fields["custom_widgets"] = {custom.name: custom}
        except _UnknownName as exc:
            raise ConfigError(f"{source}: {exc}", remedy=exc.remedy) from None
        except ConfigError as exc:  # a converter that explains itself (widgets)
            raise ConfigError(f"{source}: {key}: {exc.message}", remedy=exc.remedy) from None
        except (ValueError, KeyError) as exc:
            expected = exc.args[0] if exc.args else "a different value"
            raise ConfigError(f"{source}: {key} = {_shown(key, value)} is not valid",
                              remedy=f"expected {expected}") from None
    return fields


def _shown(key: str, value: Any) -> str:
    """A value in an error message: a header table by its names only, a URL without its password."""
    if key == "headers" and isinstance(value, dict):
        return repr(dict.fromkeys(value, REDACTED))
    return redaction.text(repr(value))


def load_file(path: str | Path) -> dict[str, Any]:
    """Read a target file into validated Target fields."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"target file {path} not found",
                          remedy="check the path, or run without --target") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}",
                          remedy="see the example at the top of `ecekit check --help`") from None
    fields = from_mapping(raw, str(path))
    for name in _FILES:  # relative to the target file, so a checked-in file works from any directory
        if name in fields:
            fields[name] = str(path.parent / Path(fields[name]).expanduser())
    if "checks" in fields:  # a .py path relative to the target file, as the TLS files are
        fields["checks"] = tuple(str(path.parent / c) if c.endswith(".py") and not Path(c).is_absolute() else c
                                 for c in fields["checks"])
    fields["source"] = str(path)
    return fields


def _check_files(fields: Mapping[str, Any]) -> None:
    """The TLS files exist and go together: a typo is a usage error now, not a handshake error later."""
    for name, flag in _FILES.items():
        value = fields.get(name)
        if value is not None and not Path(value).is_file():
            raise ConfigError(f"{flag} {value}: no such file",
                              remedy=f"give the path of a PEM file ({name} in a target file is relative "
                              "to that file)")
    if fields.get("client_key") and not fields.get("client_cert"):
        raise ConfigError("--client-key without --client-cert",
                          remedy="pass the certificate too: --client-cert FILE --client-key FILE")


def resolve(file: str | Path | None = None, **flags: Any) -> Target:
    """The target of a run: the file (or ./ecekit.toml if present), overridden by every flag given.

    Flags that were not given are ``None`` or empty and do not override the file.
    """
    fields: dict[str, Any] = {}
    if file is None and Path(DEFAULT_TARGET_FILE).is_file():
        file = DEFAULT_TARGET_FILE
    if file is not None:
        fields.update(load_file(file))
    given = {k: v for k, v in flags.items() if v not in (None, (), [], {})}
    fields.update(from_mapping(given))
    _check_files(fields)
    return Target(**fields)
