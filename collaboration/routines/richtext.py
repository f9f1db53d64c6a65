"""Simple rich text for charters: a small Markdown-like subset or limited HTML, always
sanitised with nh3 (the Ammonia sanitiser) before it reaches a page.

The subset: blank lines separate paragraphs, single line breaks are kept, lines that
start with "- " or "* " make a bulleted list, "1. " a numbered list, **bold**,
*emphasis* and [text](https://link). Authors may also type the same few tags as HTML.
Whatever the input, only p, br, strong, em, ul, ol, li and a (href with http, https
or mailto; rel=noopener noreferrer added) survive.
"""

from __future__ import annotations

import re

import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_BLOCK_HTML = re.compile(r"<\s*(p|ul|ol|li)\b", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EM = re.compile(r"(?<![*\w])\*(?=\S)(.+?)(?<=\S)\*(?![*\w])")


def _inline(text: str) -> str:
    text = _LINK.sub(r'<a href="\2">\1</a>', text)
    text = _STRONG.sub(r"<strong>\1</strong>", text)
    return _EM.sub(r"<em>\1</em>", text)


def _block(lines: list[str]) -> str:
    if all(_BULLET.match(line) for line in lines):
        items = "".join(f"<li>{_inline(_BULLET.match(line)[1])}</li>" for line in lines)
        return f"<ul>{items}</ul>"
    if all(_NUMBERED.match(line) for line in lines):
        items = "".join(f"<li>{_inline(_NUMBERED.match(line)[1])}</li>" for line in lines)
        return f"<ol>{items}</ol>"
    joined = "<br>".join(_inline(line.strip()) for line in lines)
    if _BLOCK_HTML.search(joined):
        return joined  # the author wrote HTML blocks; do not wrap them again
    return f"<p>{joined}</p>"


def to_html(text: str) -> str:
    """The subset turned into HTML, not yet sanitised."""
    blocks: list[list[str]] = [[]]
    for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return "".join(_block(lines) for lines in blocks if lines)


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
        strip_comments=True,
        # Only absolute http, https and mailto links: no relative or scheme-less ones.
        url_relative="deny",
    )


def render(text: str) -> SafeString:
    """Safe HTML for a template: the only place user rich text becomes markup."""
    return mark_safe(sanitise(to_html(text)))  # sanitised by nh3 just above
