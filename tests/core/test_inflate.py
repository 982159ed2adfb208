"""ecekit.inflate: every coding decoded as servers send it, and no body inflated past the cap."""

from __future__ import annotations

import gzip
import zlib

import pytest

from ecekit import inflate
from ecekit.inflate import BadEncoding, Inflater, TooLarge
from tests.hostile import BOMBS, ENCODING, MIB, bomb

DOC = b'<?xml version="1.0"?><chatAllowed allowed="true"/>' * 20


def _raw_deflate(data: bytes) -> bytes:
    co = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return co.compress(data) + co.flush()


def _br(data: bytes) -> bytes:
    brotli = pytest.importorskip("brotli")
    return bytes(brotli.compress(data))


ENCODED = {
    "gzip": lambda d: gzip.compress(d),
    "deflate": lambda d: zlib.compress(d),  # zlib-wrapped, as RFC 9110 says
    "deflate ": _raw_deflate,  # raw, as some servers send it
    "br": _br,
}


@pytest.mark.parametrize("coding", list(ENCODED))
def test_each_coding_decodes_whole_and_byte_by_byte(coding: str) -> None:
    data = ENCODED[coding](DOC)
    assert inflate.inflate(data, coding, MIB) == DOC
    inflater = Inflater(coding.upper(), MIB)  # coding names are case-insensitive
    for byte in data:
        inflater.feed(bytes([byte]))
    assert inflater.finish() == DOC


def test_gzip_members_stacked_codings_identity_and_unknown() -> None:
    assert inflate.inflate(gzip.compress(DOC) + gzip.compress(DOC), "gzip", MIB) == DOC + DOC
    assert inflate.inflate(gzip.compress(DOC) + b"trailing junk", "gzip", MIB) == DOC
    assert inflate.inflate(gzip.compress(zlib.compress(DOC)), "deflate, gzip", MIB) == DOC
    assert inflate.inflate(DOC, "identity", MIB) == DOC
    assert inflate.inflate(DOC, "zstd", MIB) == DOC  # not asked for, not undone: judged as it came


def test_a_body_not_in_its_coding_is_bad_encoding() -> None:
    for coding in ("gzip", "deflate"):
        with pytest.raises(BadEncoding):
            inflate.inflate(b"<not compressed at all/>", coding, MIB)


@pytest.mark.parametrize("mode", BOMBS)
def test_a_bomb_stops_at_the_cap(mode: str) -> None:
    if mode == "br-bomb" and not inflate.BROTLI:
        pytest.skip("no brotli that can limit its output")
    body = bomb(mode, 64 * MIB)
    with pytest.raises(TooLarge) as caught:
        inflate.inflate(body, ENCODING[mode], MIB)
    assert caught.value.inflated and "once decompressed than the limit of 1048576 bytes" in str(caught.value)


def test_a_bomb_fed_in_pieces_stops_before_holding_more_than_the_cap() -> None:
    inflater = Inflater("gzip", MIB)
    body = bomb("gzip-bomb", 64 * MIB)
    pieces = iter([body[i:i + 4096] for i in range(0, len(body), 4096)])

    def feed_all() -> None:
        for piece in pieces:
            inflater.feed(piece)
            assert sum(map(len, inflater.parts)) <= MIB

    with pytest.raises(TooLarge):
        feed_all()


def test_the_exact_cap_fits_and_one_more_byte_does_not() -> None:
    assert len(inflate.inflate(gzip.compress(bytes(MIB)), "gzip", MIB)) == MIB
    with pytest.raises(TooLarge):
        inflate.inflate(gzip.compress(bytes(MIB + 1)), "gzip", MIB)


def test_the_bytes_received_are_capped_too() -> None:
    # an endless stream of empty gzip members inflates to nothing: the received bytes bound it
    empty = gzip.compress(b"")
    with pytest.raises(TooLarge) as caught:
        inflate.inflate(empty * (MIB // len(empty) + 1), "gzip", MIB)
    assert not caught.value.inflated
    with pytest.raises(TooLarge):
        inflate.inflate(bytes(MIB + 1), None, MIB)


def test_accept_encoding_names_only_what_is_inflated_within_the_cap() -> None:
    expected = "gzip, deflate, br" if inflate.BROTLI else "gzip, deflate"
    assert expected == inflate.ACCEPT_ENCODING


@pytest.mark.parametrize("mode", BOMBS)
def test_a_bomb_never_costs_much_more_than_the_cap(mode: str) -> None:
    """No decompress call may produce more than the room left: the peak of Python's allocations while
    refusing a 64 MiB bomb stays near the 1 MiB cap (tracemalloc counts the bytes objects made)."""
    import tracemalloc

    if mode == "br-bomb" and not inflate.BROTLI:
        pytest.skip("no brotli that can limit its output")
    body = bomb(mode, 64 * MIB)
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge):
            inflate.inflate(body, ENCODING[mode], MIB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * MIB, peak
