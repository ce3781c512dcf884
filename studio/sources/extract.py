"""Text out of the files people bring: .txt, .md, .pdf, .docx and .html (pure: bytes in, text out).

The same extraction serves knowledge sources and brand-voice samples. What comes out is what the
studio keeps and shows ("the text that was extracted"), so a person can see exactly what the
writer will read. A file that yields no text is refused with the reason, never stored empty.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePath

from studio.errors import InputError

#: file suffix → kind
SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown", ".pdf": "pdf",
            ".docx": "docx", ".html": "html", ".htm": "html"}  # fmt: skip
#: media type (as a server sends it) → kind
MEDIA_TYPES = {
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/html": "html",
    "application/xhtml+xml": "html",
}
ACCEPTED = "a .txt, .md, .pdf, .docx or .html file"
MAX_TEXT_CHARS = 2_000_000


class ExtractionError(InputError):
    """The file cannot be read as text; the message says why and what to do."""


@dataclass(frozen=True)
class Extracted:
    text: str
    kind: str
    title: str = ""


def kind_for(filename: str = "", media_type: str = "") -> str:
    """The kind of a file from its name, else its media type; ExtractionError when neither is
    one the studio reads."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    base = (media_type or "").split(";")[0].strip().lower()
    if base in MEDIA_TYPES:
        return MEDIA_TYPES[base]
    what = f"“{filename}”" if filename else f"content of type {base or 'unknown'}"
    raise ExtractionError(f"The studio cannot read {what}: upload {ACCEPTED}.")


def extract(data: bytes, *, filename: str = "", media_type: str = "") -> Extracted:
    """The text of one file (see the module docstring)."""
    kind = kind_for(filename, media_type)
    name = filename or "the file"
    try:
        if kind in ("text", "markdown"):
            result = Extracted(decode(data, media_type), kind)
        elif kind == "pdf":
            result = _pdf(data)
        elif kind == "docx":
            result = _docx(data)
        else:
            result = html_text(decode(data, media_type))
    except ExtractionError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken file is bad input, said in words
        raise ExtractionError(f"{name} could not be read as {kind.upper()} ({type(exc).__name__}). "
                              "Check that it opens, or paste its text instead.") from exc
    text = tidy(result.text)
    if not text.strip():
        hint = " (a scanned PDF has images, not text: paste the text instead)" if kind == "pdf" else ""
        raise ExtractionError(f"{name} has no text the studio can read{hint}.")
    if len(text) > MAX_TEXT_CHARS:
        raise ExtractionError(f"{name} has {len(text):,} characters of text; the limit is {MAX_TEXT_CHARS:,}.")
    return Extracted(text, result.kind, result.title)


def decode(data: bytes, media_type: str = "") -> str:
    """Bytes as text: the charset the server named, else UTF-8 (with or without a BOM), else
    Windows-1252 (which maps every byte)."""
    match = re.search(r"charset=([\w.-]+)", media_type or "", re.I)
    if match:
        try:
            return data.decode(match.group(1))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def tidy(text: str) -> str:
    """NFC, no control characters but newlines and tabs, no trailing spaces, at most one blank
    line in a row."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception as exc:  # noqa: BLE001
            raise ExtractionError("The PDF is password-protected: save an unprotected copy or paste its text.") from exc
    pages = [(page.extract_text() or "").strip() for page in reader.pages]
    title = ""
    try:
        title = str((reader.metadata or {}).get("/Title") or "").strip()
    except Exception:  # noqa: BLE001 - a broken info dictionary costs the title only
        title = ""
    return Extracted("\n\n".join(p for p in pages if p), "pdf", title)


def _docx(data: bytes) -> Extracted:
    import docx

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if text and style.lower().startswith("heading"):
            level = "".join(ch for ch in style if ch.isdigit()) or "2"
            text = "#" * min(int(level), 6) + " " + text
        lines.append(text)
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells]
            if any(cells):
                lines.append(" | ".join(cells))
    title = (document.core_properties.title or "").strip()
    return Extracted("\n\n".join(line for line in lines if line), "docx", title)


_BLOCK = {"p", "div", "section", "article", "main", "header", "footer", "li", "ul", "ol", "table", "tr",
          "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "br", "hr", "figure", "figcaption", "dd", "dt"}
_SKIP = {"script", "style", "noscript", "template", "svg", "nav", "aside", "form", "button", "iframe", "head"}


class _TextParser(HTMLParser):
    """Visible text of an HTML page, headings as Markdown; navigation, scripts and forms left out.
    When the page has an <article> or <main>, only that is kept (the page's own content, not
    its menus and footers)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.main_parts: list[str] = []
        self.skip = 0
        self.main_depth = 0
        self.title = ""
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if tag in _SKIP:
            self.skip += 1
            return
        if tag in ("article", "main"):
            self.main_depth += 1
        if tag in _BLOCK:
            self._add("\n\n")
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6") and not self.skip:
            self._add("#" * int(tag[1]) + " ")
        if tag == "li" and not self.skip:
            self._add("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag in ("article", "main"):
            self.main_depth = max(0, self.main_depth - 1)
        if tag in _BLOCK:
            self._add("\n\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
            return
        if self.skip:
            return
        self._add(re.sub(r"\s+", " ", data))

    def _add(self, text: str) -> None:
        self.parts.append(text)
        if self.main_depth:
            self.main_parts.append(text)


def html_text(markup: str) -> Extracted:
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    chosen = parser.main_parts if "".join(parser.main_parts).strip() else parser.parts
    text = "".join(chosen)
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    text = re.sub(r"^(#{1,6}|-) *\n+", r"\1 ", text, flags=re.M)
    return Extracted(text, "html", " ".join(parser.title.split()))
