"""Reading an export XML file safely and in bounded memory: defusedxml refuses DTDs' entities and
external references (no billion laughs, no file or network reads), and elements are handed out
one record at a time and then dropped, so a 200 MB file never sits in memory whole."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse


class UnreadableFile(Exception):
    """The file is not well-formed XML, or is hostile; the message says where and why."""


def local_name(tag: str) -> str:
    """"{namespace}name" -> "name"."""
    return tag.rpartition("}")[2]


def namespace_of(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def stream_records(source: BinaryIO, is_record: Callable[[Element, int], bool]) -> Iterator[Element]:
    """Each element for which `is_record(element, depth)` holds, complete, in file order; after the
    caller is done with it, it is removed from its parent so memory stays flat. Top-level elements
    that are not records (a WXR channel's title, its authors) are handed out too, at their end."""
    stack: list[Element] = []
    try:
        for event, element in iterparse(source, events=("start", "end"), forbid_dtd=False):
            if event == "start":
                stack.append(element)
                continue
            stack.pop()
            depth = len(stack)
            if is_record(element, depth):
                yield element
                if stack:
                    stack[-1].remove(element)
                element.clear()
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise UnreadableFile(f"The file is not well-formed XML at line {line}, column {column + 1}: "
                             f"{str(error).split(':')[0]}.") from None
    except DefusedXmlException as error:
        raise UnreadableFile(f"The file was refused as unsafe: {error}. Exports never need entity "
                             "declarations or external references.") from None


def text_of(element: Element | None) -> str:
    return (element.text or "") if element is not None else ""
