"""Preconditions for checks, so that each check states only what it asserts."""

from __future__ import annotations

from ecekit.checks.base import Observation


def answered(obs: Observation) -> bool:
    """A complete HTTP response arrived (no timeout, reset or oversized body)."""
    return obs.exchange.error is None and obs.exchange.status is not None


def success(obs: Observation) -> bool:
    """The server says it succeeded: the body must then be the documented document."""
    return answered(obs) and obs.exchange.status is not None and 200 <= obs.exchange.status < 300


def status_operation(obs: Observation) -> bool:
    return obs.operation.is_status


def well_formed(obs: Observation) -> bool:
    return success(obs) and obs.parsed.ok
