"""Turning an uploaded file into the plain text an article body is made of (no I/O, no network).

.txt is taken as it is; .md goes through markdown-it-py's parser and keeps the text of its blocks;
.html goes through trafilatura's main-text extraction (boilerplate, navigation and footers
dropped), offline; its title comes from trafilatura's metadata (the `<h1>`/`<title>`, without a
" | Site name" tail), and the headline is not left as the body's first line. Anything else, or bytes that are not UTF-8, is refused with a message that
says what to do. The result still goes through `article_import`, which normalises it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from apps.articles.services import ArticleError

TEXT_SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown"}
HTML_SUFFIXES = {".html": "html", ".htm": "html"}
FORMATS = {**TEXT_SUFFIXES, **HTML_SUFFIXES}


def upload_format(filename: str) -> str:
    suffix = PurePath(filename or "").suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        raise ArticleError(
            f"Cannot import {filename!r}: upload a .txt, .md or .html file.", field="file"
        ) from None


def decode_utf8(data: bytes, *, filename: str = "the file") -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Count lines so that the person can find the bad byte in an editor.
        line = data[: exc.start].count(b"\n") + 1
        raise ArticleError(
            f"{filename} is not valid UTF-8 (byte 0x{data[exc.start]:02x} on line {line}). "
            "Save it with UTF-8 encoding and upload it again.",
            field="file",
        ) from None


def markdown_to_text(source: str) -> str:
    """The text of each block (heading, paragraph, list item, quote, code) on its own,
    blocks separated by a blank line; emphasis, links and images reduced to their text."""
    from markdown_it import MarkdownIt

    blocks: list[str] = []
    for token in MarkdownIt("commonmark").parse(source):
        if token.type == "inline":
            parts: list[str] = []
            for child in token.children or []:
                if child.type in {"text", "code_inline", "html_inline"}:
                    parts.append(child.content)
                elif child.type == "softbreak":
                    parts.append(" ")
                elif child.type == "hardbreak":
                    parts.append("\n")
                elif child.type == "image":
                    parts.append(child.content)
            text = "".join(parts).strip()
            if text:
                blocks.append(text)
        elif token.type in {"fence", "code_block"}:
            text = token.content.rstrip("\n")
            if text.strip():
                blocks.append(text)
    return "\n\n".join(blocks)


def html_to_text(source: str) -> str:
    """The main text of an HTML page by trafilatura (paragraphs separated by a blank line)."""
    import trafilatura

    text = trafilatura.extract(
        source,
        output_format="txt",
        include_comments=False,
        include_tables=True,
        include_images=False,
        with_metadata=False,
        deduplicate=False,
    )
    if not text:
        # Very short pages have no "main" block for trafilatura; fall back to all visible text.
        text = trafilatura.html2txt(source) or ""
    paragraphs = [line.strip() for line in text.split("\n")]
    return "\n\n".join(p for p in paragraphs if p)


def html_title(source: str) -> str:
    """The page's headline by trafilatura's metadata (h1, og:title or <title>, site name cut)."""
    import trafilatura

    metadata = trafilatura.extract_metadata(source)
    return " ".join((metadata.title or "").split()) if metadata is not None else ""


def without_headline(text: str, title: str) -> str:
    """The text without its first paragraph when that is the headline (the title)."""
    if not title:
        return text
    first, _, rest = text.lstrip().partition("\n")
    if " ".join(first.split()).casefold() == title.casefold() and rest.strip():
        return rest.lstrip("\n")
    return text


@dataclass(frozen=True)
class UploadedArticle:
    text: str
    title: str = ""  # found in the file (HTML); empty when it has none


def article_from_upload(*, filename: str, data: bytes) -> UploadedArticle:
    kind = upload_format(filename)
    text = decode_utf8(data, filename=PurePath(filename).name)
    title = ""
    if kind == "markdown":
        text = markdown_to_text(text)
    elif kind == "html":
        title = html_title(text)
        text = without_headline(html_to_text(text), title)
    if not text.strip():
        raise ArticleError(f"{PurePath(filename).name} contains no article text.", field="file")
    return UploadedArticle(text=text, title=title)


def text_from_upload(*, filename: str, data: bytes) -> str:
    return article_from_upload(filename=filename, data=data).text
