"""Small helpers shared by the server tests."""

from __future__ import annotations

from ecekit import operations as ops
from ecekit.server.embedded import ServerHandle


def url(handle: ServerHandle, op: ops.Operation, ep: object = None, *, alternate: bool = False) -> str:
    template = op.alternate_paths[0] if alternate else op.path
    return handle.base_url + op.url_path(ep, template)


SURVEY_TYPE = {"Content-Type": "application/xml"}


def survey_xml(sid: str = "1000_d15c6659", pairs: int = 3, answer: str = "Answer") -> bytes:
    items = "".join(f"<survey><question>Question {i}</question><answer>{answer} {i}</answer></survey>"
                    for i in range(1, pairs + 1))
    return f'<egainSurvey sid="{sid}" xmlns="{ops.CHAT_NS}">{items}</egainSurvey>'.encode()
