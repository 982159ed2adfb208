"""One contract run (one pytest session), composed of one collaborator per concern.

Built from the pytest options once per session (:meth:`Suite.from_options`), or from a Target and
:class:`~ecekit.suite.options.Options` by a library call (:meth:`Suite.build`); both check everything
that can be checked before pytest starts. Everything expensive is lazy: the connection opens on the
first answer a test needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecekit.report.har import ExchangeLog
from ecekit.suite.connection import Connection
from ecekit.suite.contexts import Contexts
from ecekit.suite.exchanges import Exchanges
from ecekit.suite.options import Options, checked, from_options
from ecekit.suite.record import RunRecord
from ecekit.suite.repeated_reads import RepeatedReads
from ecekit.target import Target


class Suite:
    """The run's target and options; its exchanges, contexts, repeated reads and record."""

    def __init__(self, target: Target, options: Options | None = None) -> None:
        self.target = target
        self.options = options or Options()
        log = ExchangeLog()
        connection = Connection(target, self.options.faults, on_exchange=log.keep if self.options.out else None)
        self.exchanges = Exchanges(connection, log)
        self.contexts = Contexts(connection, valid_needs_204=target.is_embedded)
        self.reads = RepeatedReads(self.exchanges, self.options.consistency_reads)
        self.record = RunRecord()

    @classmethod
    def from_options(cls, values: Mapping[str, Any]) -> Suite:
        """The run of the option values (keyed by ``dest``), checked.

        Raises a ToolkitError (ConfigError, UsageError, SchemaError) for anything the user must fix.
        """
        return cls.build(*from_options(values))

    @classmethod
    def build(cls, target: Target, options: Options | None = None) -> Suite:
        """The run of ``target`` (no base URL: the embedded reference server) with ``options``, checked.

        Raises a ToolkitError (ConfigError, UsageError, SchemaError) for anything the user must fix.
        """
        options = options or Options()
        return cls(checked(target, options), options)

    @property
    def connection(self) -> Connection:
        return self.exchanges.connection

    def started(self) -> Target:
        """The target with a base URL: starts the embedded server on first use, or checks reachability."""
        return self.connection.started()

    def close(self) -> None:
        self.connection.close()
