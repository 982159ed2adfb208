"""Where the files that travel with ecekit are: the XSDs, the contract suites, the locustfile.

They live at the top of the repository, where users look for them; a wheel carries them under
``ecekit/_bundled``. Looking in the package first and the checkout second makes a non-editable install
and an editable one behave the same, from any working directory.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent  # src/ecekit -> repository root


@cache
def bundled(name: str) -> Path:
    """The directory ``name`` (``xsd``, ``contracts`` or ``loadtests``) shipped with ecekit."""
    for candidate in (_PACKAGE / "_bundled" / name, _CHECKOUT / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"ecekit's {name}/ directory is missing from {_PACKAGE} and {_CHECKOUT}; reinstall ecekit"
    )


def xsd_dir() -> Path:
    return bundled("xsd")


def contracts_dir() -> Path:
    return bundled("contracts")


def loadtests_dir() -> Path:
    return bundled("loadtests")
