"""A Markdown draft as blocks: the title, the introduction, then one block per level-2 section.

Pure. Revising or regenerating "section N" replaces that block in the current text and leaves
every other character as it is, so edits made elsewhere survive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from studio.errors import InputError

_H1 = re.compile(r"^#\s+\S")
_H2 = re.compile(r"^##\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Block:
    number: int  # 0 = the introduction (text before the first section heading), 1.. = sections
    heading: str  # "" for the introduction
    start: int  # where the block's text starts (after its heading line)
    end: int
    text: str


def split_blocks(body: str) -> tuple[str, list[Block]]:
    """(the title line, if any, with its newline; blocks in order)."""
    lines = body.splitlines(keepends=True)
    offset = 0
    title = ""
    if lines and _H1.match(lines[0]):
        title = lines[0]
        offset = len(lines[0])
        lines = lines[1:]
    heads: list[tuple[int, str, int]] = []  # (heading line start, heading, text start)
    pos = offset
    for line in lines:
        m = _H2.match(line.rstrip("\n"))
        if m:
            heads.append((pos, m.group(1).strip(), pos + len(line)))
        pos += len(line)
    blocks = [Block(0, "", offset, heads[0][0] if heads else len(body),
                    body[offset : heads[0][0] if heads else len(body)])]
    for n, (line_start, heading, text_start) in enumerate(heads, start=1):
        end = heads[n][0] if n < len(heads) else len(body)
        blocks.append(Block(n, heading, text_start, end, body[text_start:end]))
    return title, blocks


def block(body: str, number: int) -> Block:
    _, blocks = split_blocks(body)
    if not 0 <= number < len(blocks):
        raise InputError(
            f"The draft has no section {number}: it has an introduction (0) and sections 1–{len(blocks) - 1}."
            if len(blocks) > 1 else f"The draft has no section {number}: it has no level-2 headings."
        )
    return blocks[number]


def find_heading(body: str, heading: str) -> Block | None:
    key = heading.strip().casefold()
    return next((b for b in split_blocks(body)[1] if b.heading.casefold() == key), None)


def replace_block(body: str, number: int, new_text: str) -> str:
    """`body` with block `number`'s text replaced (its heading kept), spacing kept tidy."""
    b = block(body, number)
    text = strip_heading(new_text, b.heading).strip("\n")
    trailing = "\n\n" if b.end < len(body) else "\n"
    leading = "\n" if b.number else ("\n" if b.start else "")
    return body[: b.start] + leading + text + trailing + body[b.end :]


def strip_heading(text: str, heading: str) -> str:
    """A model's section text without a repeated heading line at its start."""
    lines = text.lstrip("\n").splitlines(keepends=True)
    if lines and re.match(r"^#{1,3}\s+", lines[0]):
        first = re.sub(r"^#{1,3}\s+", "", lines[0]).strip().casefold()
        if not heading or first == heading.strip().casefold() or first.startswith(heading.strip().casefold()[:20]):
            return "".join(lines[1:]).lstrip("\n")
    return text.lstrip("\n")


def title_line(body: str) -> str:
    return split_blocks(body)[0].lstrip("# ").strip()


def replace_title(body: str, title: str) -> str:
    old, _ = split_blocks(body)
    line = f"# {title.strip()}\n"
    return line + body[len(old):] if old else line + "\n" + body
