"""What is secret in a run and how it is shown: the one rule every file and terminal line follows.

Secret, and shown as ``<redacted>``:

- the password of a URL (``https://alice:pw@host/system`` -> ``https://alice:<redacted>@host/system``):
  base URLs, proxy URLs, any URL inside a message. The user name stays: on its own it opens nothing,
  and it tells a reader which account a run used. A URL with a user and no password
  (``https://TOKEN@host``) is how tokens ride in URLs, so there the whole user part is hidden;
- the value of every header the user adds (``--header``, ``[headers]`` of the target file), whatever
  its name: it was given because the server wants it, which is what credentials are;
- the value of ``Authorization``, ``Proxy-Authorization``, ``Cookie`` and ``Set-Cookie`` wherever
  they appear, in requests and in answers (a load balancer's session cookie is a credential too).

Shell lines that reproduce a request (curl, a re-run command) name environment variables instead:
``$ECE_AUTHORIZATION`` for a header, ``$ECE_PASSWORD`` for the URL's password as written in the base
URL (``$ECE_USER`` for a lone user part), so they still run once the variables are set.

Free text (an exception's message, a log line) is passed through :func:`text`: every URL in it loses
its password, and the secret values it is given are replaced.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from urllib.parse import unquote, urlsplit, urlunsplit

REDACTED = "<redacted>"
ALWAYS_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
PASSWORD_ENV = "ECE_PASSWORD"
USER_ENV = "ECE_USER"

# scheme://userinfo@ : the user info ends at the last '@' before the host's '/', '?', '#' or a space
# (as urlsplit reads it: a password with a raw '@' is hidden whole)
_URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#\s'\"<>]+)@")


def is_secret_header(name: str, added: Iterable[str] = ()) -> bool:
    """Whether a header's value is hidden: one of the always-secret names, or one the user added."""
    lowered = name.lower()
    return lowered in ALWAYS_SECRET_HEADERS or lowered in {a.lower() for a in added}


def headers(values: Mapping[str, str | bytes], added: Iterable[str] = ()) -> dict[str, str]:
    """Headers as they may be shown: every secret value (see :func:`is_secret_header`) hidden."""
    secret = ALWAYS_SECRET_HEADERS | {a.lower() for a in added}
    return {k: (REDACTED if k.lower() in secret else v.decode("latin-1") if isinstance(v, bytes) else v)
            for k, v in values.items()}


def _userinfo(userinfo: str) -> str:
    user, sep, _ = userinfo.partition(":")
    return f"{user}:{REDACTED}" if sep else REDACTED


def url(value: str) -> str:
    """A URL as it may be shown: the password (or a lone user part) replaced by ``<redacted>``."""
    if "@" not in value:  # the common case, on every recorded exchange of a load run
        return value
    parts = urlsplit(value)
    if "@" not in parts.netloc:
        return value
    userinfo, host = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=f"{_userinfo(userinfo)}@{host}"))


def optional_url(value: str | None) -> str | None:
    return None if value is None else url(value)


def split_credentials(value: str) -> tuple[str, str | None]:
    """``http://alice:pw@host/x`` -> (``http://host/x``, ``alice:pw``); no user info -> (value, None)."""
    parts = urlsplit(value)
    if "@" not in parts.netloc:
        return value, None
    userinfo, host = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=host)), userinfo


def with_credentials(value: str, credentials: str | None) -> str:
    """The inverse of :func:`split_credentials` (a URL that has user info already is left alone)."""
    parts = urlsplit(value)
    if not credentials or "@" in parts.netloc:
        return value
    return urlunsplit(parts._replace(netloc=f"{credentials}@{parts.netloc}"))


def secret_values(base_url: str | None, header_values: Mapping[str, str] = {}) -> tuple[str, ...]:
    """The secret strings a target carries (the URL's password as written and decoded, every added
    header's value), for :func:`text` to replace in free text."""
    found: list[str] = []
    if base_url:
        _, userinfo = split_credentials(base_url)
        if userinfo:
            user, sep, password = userinfo.partition(":")
            secret = password if sep else user
            found += [secret, unquote(secret)]
    found += list(header_values.values())
    return tuple(dict.fromkeys(s for s in found if s.strip()))


def text(value: str, secrets: Iterable[str] = ()) -> str:
    """Free text as it may be shown: the password of every URL in it hidden, and every given secret."""
    shown = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{_userinfo(m['userinfo'])}@", value)
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret.strip():
            shown = shown.replace(secret, REDACTED)
    return shown


def env_name(header: str) -> str:
    """The environment variable a shell line names for a hidden header: ``ECE_AUTHORIZATION``."""
    return "ECE_" + re.sub(r"[^A-Za-z0-9]", "_", header).upper()


def _double_quoted(value: str) -> str:
    return re.sub(r'([\\"$`])', r"\\\1", value)


def shell_url(value: str) -> str:
    """A URL as one shell word that sends what the real one does: a hidden password becomes
    ``$ECE_PASSWORD`` (a lone hidden user part ``$ECE_USER``) inside double quotes."""
    shown = url(value)
    parts = urlsplit(shown)
    if "@" not in parts.netloc:
        return shlex.quote(shown)
    userinfo, host = parts.netloc.rsplit("@", 1)
    user, sep, _ = userinfo.partition(":")
    secret = f"{_double_quoted(user)}:${PASSWORD_ENV}" if sep else f"${USER_ENV}"
    rest = shown[len(f"{parts.scheme}://{parts.netloc}"):]
    return f'"{parts.scheme}://{secret}@{_double_quoted(host + rest)}"'


def shell_header(name: str, value: str) -> str:
    """``-H`` and its argument for a curl line: a hidden value becomes ``$ECE_<NAME>``."""
    if value == REDACTED:
        return f'-H "{_double_quoted(name)}: ${env_name(name)}"'
    return "-H " + shlex.quote(f"{name}: {value}")
