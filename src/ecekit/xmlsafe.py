"""Safe parsing of untrusted XML and validation against the eGainBosh / eGainSurvey schemas.

A server's body is untrusted: it is parsed with no DTD loading, no entity expansion and no network or
file access, under a size cap, and a DOCTYPE anywhere in the prolog is itself a violation (no ECE
response or survey has one). The prolog is scanned before libxml2 sees the bytes, so an entity bomb
costs microseconds; the parsed tree's ``docinfo`` is checked too, for encodings the byte scan cannot
read.

Two validation paths over the same XSD files, built once per process and directory:

* **thorough** (xmlschema): every error, each with its XPath and reason, for reports people read;
* **fast** (lxml/libxml2): a verdict and libxml2's error log, for the checks under load.

``tests/test_xmlsafe.py`` proves that both give the same verdict on a corpus of valid and broken
documents.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from lxml import etree

from ecekit import resources
from ecekit.errors import SchemaError

DEFAULT_MAX_BODY = 1 << 20  # 1 MiB: a status answer is under 400 bytes, a survey a few KiB

BOSH_XSD = "eGainBosh.xsd"
SURVEY_XSD = "eGainSurvey.xsd"

# What may come before a DOCTYPE: BOM, XML declaration, PIs, comments, white space.
_PROLOG_DOCTYPE = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE", re.DOTALL)
_PROLOG_SCAN = 64 * 1024
# xmlschema names the attribute in its reason, not its path: "attribute available='yes': …",
# "'extra' attribute not allowed for element".
_ATTRIBUTE_REASON = re.compile(r"^(?:attribute (\w+)=|'(\w+)' attribute not allowed)")


class IssueKind(StrEnum):
    TOO_LARGE = "too_large"
    FORBIDDEN = "forbidden_markup"  # DOCTYPE, entity declarations
    NOT_WELL_FORMED = "not_well_formed"
    WRONG_ROOT = "wrong_root"
    SCHEMA = "schema"


@dataclass(frozen=True, slots=True)
class XmlIssue:
    """One thing wrong with a document, located as precisely as the parser or validator allows."""

    kind: IssueKind
    message: str
    xpath: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f" at {self.xpath}" if self.xpath else (f" on line {self.line}" if self.line else "")
        return f"{self.message}{where}"


@dataclass(frozen=True, slots=True)
class Parsed:
    root: etree._Element | None
    issues: tuple[XmlIssue, ...]

    @property
    def ok(self) -> bool:
        return self.root is not None and not self.issues


# libxml2 parsers are not thread-safe to share; one per thread keeps parsing allocation-free.
_local = threading.local()


def _parser() -> etree.XMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_blank_text=False,
        )
        _local.parser = parser
    return parser


def parse(body: bytes, *, max_bytes: int = DEFAULT_MAX_BODY) -> Parsed:
    """Parse ``body`` safely. Never raises for bad input: every problem comes back as an XmlIssue."""
    if len(body) > max_bytes:
        return Parsed(None, (XmlIssue(IssueKind.TOO_LARGE, f"body of {len(body)} bytes exceeds the "
                                      f"limit of {max_bytes} bytes; it was not parsed"),))
    if _PROLOG_DOCTYPE.match(body, 0, _PROLOG_SCAN):
        return Parsed(None, (_doctype_issue(),))
    if not body.strip():
        return Parsed(None, (XmlIssue(IssueKind.NOT_WELL_FORMED, "empty body where XML was expected"),))
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        message = exc.msg.split(", line ")[0] if exc.msg else "not well-formed XML"
        return Parsed(None, (XmlIssue(IssueKind.NOT_WELL_FORMED, f"not well-formed XML: {message}",
                                      line=line),))
    except ValueError as exc:  # e.g. an encoding declaration lxml refuses for bytes
        return Parsed(None, (XmlIssue(IssueKind.NOT_WELL_FORMED, f"not well-formed XML: {exc}"),))
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        return Parsed(None, (_doctype_issue(),))
    return Parsed(root, ())


def _doctype_issue() -> XmlIssue:
    return XmlIssue(
        IssueKind.FORBIDDEN,
        "document has a DOCTYPE (DTD or entity declarations); refused unparsed, nothing was expanded",
        line=1,
    )


def local_name(tag: str) -> tuple[str | None, str]:
    """Split a Clark-notation tag into (namespace URI, local name)."""
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return None, tag


def root_issue(root: etree._Element, expected: str, namespace: str | None = None) -> XmlIssue | None:
    """An issue when the root is not ``expected`` in ``namespace`` (compared by URI, never prefix)."""
    ns, name = local_name(root.tag) if isinstance(root.tag, str) else (None, "?")
    if (ns, name) == (namespace, expected):
        return None
    want = f"<{expected}> in namespace {namespace}" if namespace else f"<{expected}> with no namespace"
    got = f"<{name}> in namespace {ns}" if ns else f"<{name}> with no namespace"
    return XmlIssue(IssueKind.WRONG_ROOT, f"expected root {want}, got {got}", xpath="/" + name)


class Schema:
    """One XSD file compiled both ways. Build through :func:`schemas`, which caches per directory."""

    def __init__(self, path: Path) -> None:
        import xmlschema

        self.path = path
        if not path.is_file():
            raise SchemaError(
                f"no {path.name} in {path.parent}",
                remedy=f"point --xsd-dir at the directory holding {BOSH_XSD} and {SURVEY_XSD} "
                "(extracted from eService.ear), or leave it out to use ecekit's own schemas",
            )
        try:
            self._thorough = xmlschema.XMLSchema(str(path), base_url=str(path.parent), allow="sandbox")
            xsd_parser = etree.XMLParser(no_network=True, resolve_entities=False)
            self._fast = etree.XMLSchema(etree.parse(str(path), xsd_parser))
        except (xmlschema.XMLSchemaException, etree.LxmlError, OSError) as exc:
            raise SchemaError(
                f"cannot compile {path}: {exc}",
                remedy="check that the file and every schema it imports are in the same directory",
            ) from exc
        self._lock = threading.Lock()  # an lxml XMLSchema's error_log is per object

    def errors(self, root: etree._Element) -> list[XmlIssue]:
        """Every schema error, each with its XPath (and ``/@attribute`` where one is named)."""
        found = []
        for err in self._thorough.iter_errors(root):
            reason = err.reason or str(err.message).splitlines()[0]
            xpath = err.path
            match = _ATTRIBUTE_REASON.match(reason)
            if match and xpath:
                xpath = f"{xpath}/@{match.group(1) or match.group(2)}"
            found.append(XmlIssue(IssueKind.SCHEMA, reason, xpath=xpath))
        return found

    def is_valid(self, root: etree._Element) -> bool:
        """The fast verdict (libxml2)."""
        with self._lock:
            return bool(self._fast.validate(root))

    def fast_errors(self, root: etree._Element) -> list[XmlIssue]:
        """The fast path's own messages, for the rare invalid document under load."""
        with self._lock:
            if self._fast.validate(root):
                return []
            return [XmlIssue(IssueKind.SCHEMA, e.message, xpath=e.path, line=e.line)
                    for e in self._fast.error_log]


@dataclass(frozen=True, slots=True)
class Schemas:
    bosh: Schema
    survey: Schema
    directory: Path


@cache
def _schemas(directory: Path) -> Schemas:
    return Schemas(Schema(directory / BOSH_XSD), Schema(directory / SURVEY_XSD), directory)


def schemas(directory: str | Path | None = None) -> Schemas:
    """The schemas of ``directory`` (default: ecekit's own ``xsd/``), compiled once per process."""
    path = Path(directory).expanduser().resolve() if directory else resources.xsd_dir()
    if not path.is_dir():
        raise SchemaError(f"XSD directory {path} does not exist",
                          remedy="pass the directory that holds eGainBosh.xsd and eGainSurvey.xsd")
    return _schemas(path)


def validate(
    body: bytes,
    schema: Schema,
    *,
    expected_root: str | None = None,
    namespace: str | None = None,
    max_bytes: int = DEFAULT_MAX_BODY,
    fast: bool = False,
) -> tuple[etree._Element | None, list[XmlIssue]]:
    """Parse and validate in one go: (root or None, every issue found)."""
    parsed = parse(body, max_bytes=max_bytes)
    if parsed.root is None:
        return None, list(parsed.issues)
    issues: list[XmlIssue] = []
    if expected_root is not None:
        wrong = root_issue(parsed.root, expected_root, namespace)
        if wrong is not None:
            issues.append(wrong)
    if fast:
        issues.extend(schema.fast_errors(parsed.root))
    else:
        issues.extend(schema.errors(parsed.root))
    return parsed.root, issues
