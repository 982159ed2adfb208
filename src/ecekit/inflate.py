"""Reading an answer's body within a cap on the bytes received *and* on the bytes they inflate to.

A server's answer is untrusted. A body cap enforced on the bytes received does not bound memory when
the body is compressed: 1 MiB of gzip inflates to 1 GiB (a decompression bomb). Every path that
reads answers (``ecekit.client`` for check, fuzz, snapshot and the up-front probe; the load
generator's ``locust_user``) feeds the raw body here as it arrives, and decoding is streamed
(``zlib.decompressobj`` and brotli's ``Decompressor`` with an output limit): no call ever produces
more than the room left under the cap, and the answer is refused as too large as soon as the
received or the inflated size passes it. Nothing is decoded by the HTTP library itself, so the cap
does not depend on its version.

Codings: ``gzip`` (several members too), ``deflate`` (zlib-wrapped as RFC 9110 says, or raw as some
servers send it), and ``br`` only when the installed ``brotli`` can limit its output (Brotli 1.2 and
later); otherwise ``br`` is not advertised in :data:`ACCEPT_ENCODING` and an unasked-for ``br`` body is
left as it came (the checks then judge the bytes). A coding ecekit does not know is left as it came.
"""

from __future__ import annotations

import zlib
from typing import Any, Protocol


class TooLarge(Exception):
    """The body passed the cap, received or inflated; the rest was not read."""

    def __init__(self, cap: int, inflated: bool) -> None:
        self.cap, self.inflated = cap, inflated
        how = "once decompressed " if inflated else ""
        super().__init__(f"body larger {how}than the limit of {cap} bytes (set max_body_bytes to raise it); "
                         "the rest was not read")


class BadEncoding(Exception):
    """The body is not valid in the coding its Content-Encoding names."""


def _brotli() -> Any:
    """The brotli module when it can stream with an output limit, else None."""
    try:
        import brotli
    except ImportError:
        return None
    try:
        brotli.Decompressor().process(b"", output_buffer_limit=1)
    except (TypeError, AttributeError):
        return None  # too old to bound its output: a bomb would inflate whole
    except Exception:  # an empty input may be an error to some versions: the limit is still known
        pass
    return brotli


_BROTLI = _brotli()
BROTLI = _BROTLI is not None
ACCEPT_ENCODING = "gzip, deflate, br" if BROTLI else "gzip, deflate"
"""What ecekit asks servers for: exactly the codings it can inflate within the cap."""


class _Stage(Protocol):
    def feed(self, data: bytes, room: int) -> bytes: ...


class _Zlib:
    """gzip (all members) or deflate (zlib-wrapped, or raw if the first bytes are not zlib's)."""

    def __init__(self, gzip: bool) -> None:
        self.gzip = gzip
        self.obj = zlib.decompressobj(16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS)
        self.first: bytes | None = None if gzip else b""  # deflate: the bytes fed while the format is unknown
        self.members = 1
        self.done = False

    def feed(self, data: bytes, room: int) -> bytes:
        out = b""
        while data and not self.done:
            if self.obj.eof:  # gzip: another member follows (deflate: bytes after the stream are ignored)
                if not self.gzip:
                    self.done = True
                    break
                self.obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self.members += 1
            try:
                # never more than the room left (+1 to see it overflow): a bomb costs the cap, not its size
                part = self.obj.decompress(data, room - len(out) + 1)
            except zlib.error as exc:
                if self.first is not None:  # deflate's first bytes were not zlib's: raw deflate
                    data, self.first = self.first + data, None
                    self.obj = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                if self.members > 1:  # garbage after a complete gzip member is ignored, as browsers do
                    self.done = True
                    break
                raise BadEncoding(f"not valid {'gzip' if self.gzip else 'deflate'} data ({exc})") from None
            if self.first is not None:  # two bytes without an error: a zlib header, the format is known
                self.first = None if (part or len(self.first) + len(data) >= 2) else self.first + data
            out += part
            if len(out) > room:
                break  # over the cap: the caller refuses the body
            # below the limit all input was taken; what follows the end of a stream is looked at next
            data = self.obj.unused_data if self.obj.eof else b""
        return out


class _Brotli:
    def __init__(self) -> None:
        self.obj = _BROTLI.Decompressor()

    def feed(self, data: bytes, room: int) -> bytes:
        try:
            return bytes(self.obj.process(data, output_buffer_limit=room + 1))
        except _BROTLI.error as exc:
            raise BadEncoding(str(exc)) from None


def _stage(coding: str) -> _Stage | None:
    if coding in ("gzip", "x-gzip"):
        return _Zlib(gzip=True)
    if coding == "deflate":
        return _Zlib(gzip=False)
    if coding == "br" and BROTLI:
        return _Brotli()
    return None


class Inflater:
    """One body, fed as it arrives: ``feed`` each piece, ``finish`` at its end.

    Raises :class:`TooLarge` as soon as more than ``cap`` bytes were received or inflated (each
    coding of a stacked Content-Encoding is held to the cap too), :class:`BadEncoding` for a body
    that is not what its coding says. Holds at most ``cap`` bytes of output (plus one piece).
    """

    def __init__(self, content_encoding: str | None, cap: int) -> None:
        self.cap = cap
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        stages = [_stage(c) for c in reversed(codings)]  # the last coding applied is undone first
        # one coding we cannot undo: keep the bytes as they came (they are then judged as they are)
        self.stages: list[_Stage] = [s for s in stages if s is not None] if None not in stages else []
        self.sizes = [0] * len(self.stages)
        self.received = 0
        self.parts: list[bytes] = []

    def feed(self, data: bytes) -> None:
        if not data:
            return
        self.received += len(data)
        if self.received > self.cap:
            raise TooLarge(self.cap, inflated=False)
        for i, stage in enumerate(self.stages):
            data = stage.feed(data, self.cap - self.sizes[i])
            self.sizes[i] += len(data)
            if self.sizes[i] > self.cap:
                raise TooLarge(self.cap, inflated=True)
            if not data:
                return
        self.parts.append(data)

    def finish(self) -> bytes:
        """The whole body, decoded. (A truncated compressed stream gives what it inflated to.)"""
        return b"".join(self.parts)


def inflate(body: bytes | list[bytes], content_encoding: str | None, cap: int) -> bytes:
    """A body received whole (or its pieces), decoded within the cap (raises TooLarge, BadEncoding)."""
    inflater = Inflater(content_encoding, cap)
    for part in [body] if isinstance(body, bytes) else body:
        inflater.feed(part)
    return inflater.finish()
