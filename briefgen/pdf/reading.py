"""Right-to-left text written so that text extraction reads it in logical order.

WeasyPrint (like most PDF writers) shows each line's glyphs in visual order, left to right. Extractors that
read content streams (pypdf) then reverse what they take for right-to-left stretches, string by string: a
pure Arabic line comes out right, but an Arabic line with a number or a Latin word comes out with its
directional runs in visual order ("2026 أبريل 8 :الإصدار" for "الإصدار: 8 أبريل 2026"). Layout-based
extractors (poppler's pdftotext) place characters by position and apply the bidi algorithm themselves.

So each text box that has right-to-left text is rewritten from what WeasyPrint laid out (its logical text and
direction, collected while the structure tree is built, see `tagging`), with the same glyphs at the same
places: the Unicode bidi algorithm (FriBidi, the library Pango lays text out with) gives each character of
the box its level and visual place, each glyph is matched to its characters, and the glyphs are shown in
logical order of their directional runs, each right-to-left run as one string in visual order (what an
extractor reverses), every string positioned where it was. A stretch an extractor would read in the wrong
order on its own (neutral characters between runs) is split so that it cannot be, which is checked against
the model of the extractor (`extractor_reads`), not assumed.

A ligature of several right-to-left letters (lam-alef: one glyph for "لا") has its characters left to right
under its glyph for an extractor that places characters (poppler splits the glyph's box among them), which
then reverses them with the rest of the run. Such a glyph is shown in a copy of its font whose /ToUnicode
gives the first letter only, and each other letter is carried by an invisible copy of the glyph (text
rendering mode 3, no mark on the page; a twentieth of an em wide by horizontal scaling, at the same font
size so that it stays on the line) just to its left, in a font whose /ToUnicode gives that letter: one
character per glyph, in the order every extractor reads. A mirrored glyph ("(" shown right to left with the
glyph of ")") likewise takes the copy whose /ToUnicode gives the character it stands for. No glyph, width
or font program changes, so PDF/A's and PDF/UA's font rules hold.

Between two text objects on one line, the second to the left of the first (right-to-left progress), a
space glyph is shown: an extractor that expects left-to-right progress sees no gap there (label and value,
two table cells) and would run the words together.

A box whose glyphs cannot be matched to its text (a font that maps one glyph to two texts) is left as
WeasyPrint wrote it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pikepdf

from briefgen.pdf.bidi import extractor_reads, has_rtl, mirror, reading_class, visual_order
from briefgen.pdf.glyphs import FontCache, FontMap, Glyph, Instruction, glyphs_of, show


@dataclass(frozen=True)
class TextRun:
    """What one WeasyPrint text box holds: its logical text and whether its direction is right-to-left."""

    text: str
    rtl: bool


Runs = dict[tuple[int, int], TextRun]  # (page index, MCID of the box's marked content) -> the box's text


NO_GLYPH = {"Mn", "Me", "Cf"}  # marks (their glyphs' texts are not to be trusted) and format characters


def _letters(text: str) -> str:
    return "".join(c for c in text if unicodedata.category(c) not in NO_GLYPH)


def _match(glyphs: list[Glyph], run: TextRun) -> bool:
    """Give each glyph its logical place and level from the box's text; False if they do not match.

    Glyphs are matched by their letters (not marks or format characters such as the isolates, which have
    no glyph of their own); a glyph of marks only goes with the letter it is drawn on (in a right-to-left
    run, the glyph after it), a glyph with no text with the glyph before it (its cluster's)."""
    order = visual_order(run.text, run.rtl)
    if order is None:
        return False
    visual_to_logical, levels = order
    places = [p for p in visual_to_logical if unicodedata.category(run.text[p]) not in NO_GLYPH]
    position = 0
    matched: list[Glyph] = []
    for index, glyph in enumerate(glyphs):
        glyph.visual = index
        letters = _letters(glyph.text)
        if not letters:
            continue
        while True:
            taken = places[position : position + len(letters)]
            if sorted(run.text[p] for p in taken) == sorted(letters):
                break
            if len(taken) == 1 == len(letters) and levels[taken[0]] % 2 and mirror(letters) == run.text[taken[0]]:
                glyph.truth = run.text[taken[0]]  # "(" shown right-to-left with the glyph of ")"
                break
            if position < len(places) and run.text[places[position]].isspace():
                position += 1  # a space that was not drawn
                continue
            return False
        glyph.logical, glyph.level = float(min(taken)), levels[min(taken)]
        position += len(letters)
        matched.append(glyph)
    if not matched or any(not run.text[p].isspace() for p in places[position:]):
        return False
    for index, glyph in enumerate(glyphs):
        if _letters(glyph.text):
            continue
        before = next((g for g in reversed(glyphs[:index]) if _letters(g.text)), None)
        after = next((g for g in glyphs[index + 1 :] if _letters(g.text)), None)
        base = before if glyph.text == "" or after is None else after if after.level % 2 else before
        base = base or after
        assert base is not None
        step = 0.001 * (index - base.visual)  # its place next to its letter's, in visual order
        glyph.level = base.level
        glyph.logical = base.logical + (-step if base.level % 2 else step)
    return True


def _split_ligatures(glyphs: list[Glyph], roles: set[str]) -> list[Glyph]:
    """Right-to-left glyphs of several letters (lam-alef) become their first letter plus, for each further
    letter, an invisible copy of the glyph just to its left that carries it (see the module docstring); a
    mirrored glyph takes the font copy that gives the character it stands for."""
    result: list[Glyph] = []
    for glyph in glyphs:
        if glyph.truth:
            result.append(replace(glyph, font=f"{glyph.font}:logical", text=glyph.truth))
            roles.add("logical")
            continue
        letters = glyph.text
        if glyph.level % 2 == 0 or len(letters) < 2 or glyph.advance <= 0:
            result.append(glyph)
            continue
        if not all(unicodedata.category(letter) == "Lo" for letter in letters):
            result.append(glyph)
            continue
        result.append(replace(glyph, font=f"{glyph.font}:logical", text=letters[0]))
        roles.add("logical")
        # Each carrier a twentieth of an em wide (horizontal scaling: the font size stays, so that a layout
        # extractor keeps it on the line), just left of the glyph.
        step = float(glyph.size) / 20
        for index, letter in enumerate(letters[1:], start=1):
            roles.add(f"letter{index}")
            result.append(
                replace(
                    glyph,
                    font=f"{glyph.font}:letter{index}",
                    scaling=Decimal(str(round(100 * step / glyph.advance, 3))),
                    x=glyph.x - step * index,
                    advance=step,
                    text=letter,
                    logical=glyph.logical + 0.0001 * index,
                    invisible=True,
                    visual=-1,
                )
            )
    return result


def _groups(logical: list[Glyph]) -> list[list[Glyph]]:
    """The glyphs in logical order cut into strings an extractor reads in that order: runs of one font,
    each then shown in visual order if right-to-left; a run that would be misread is split further."""
    runs: list[list[Glyph]] = []
    for glyph in logical:
        if runs and runs[-1][-1].font == glyph.font and runs[-1][-1].size == glyph.size:
            runs[-1].append(glyph)
        else:
            runs.append([glyph])
    strings: list[list[Glyph]] = []
    mode: str | None = None

    def place(candidate: list[Glyph]) -> bool:
        nonlocal mode
        wanted = "".join(g.text for g in candidate)
        for shown in (candidate[::-1], candidate):
            text, after = extractor_reads([[g.text for g in shown]], mode)
            if text == wanted:
                strings.append(shown)
                mode = after
                return True
        return False

    for run in runs:
        if place(run):
            continue
        # By directional stretch, then glyph by glyph (one glyph always reads as itself).
        pieces: list[list[Glyph]] = []
        for glyph in run:
            kind = reading_class(glyph.text)
            if pieces and (kind == "N" or reading_class(pieces[-1][-1].text) in ("N", kind)):
                pieces[-1].append(glyph)
            else:
                pieces.append([glyph])
        for piece in pieces:
            if not place(piece):
                for glyph in piece:
                    place([glyph])
    return strings


def _in_logical_order(
    matrix: list[Any], glyphs: list[Glyph], run: TextRun, fonts: dict[str, FontMap]
) -> list[Instruction] | None:
    """The text object shown in logical order, or None if it need not or cannot be."""
    if not run.rtl and not has_rtl(run.text):
        return None  # left-to-right text with no right-to-left letter: every level is even
    if not _match(glyphs, run) or not any(g.level % 2 for g in glyphs):
        return None
    glyphs = _split_ligatures(glyphs, set())
    logical = sorted(glyphs, key=lambda g: g.logical)
    strings = _groups(logical)
    if extractor_reads([[g.text for g in s] for s in strings], None)[0] != "".join(g.text for g in logical):
        return None
    for glyph in glyphs:
        base, _, role = glyph.font.partition(":")
        if role:
            fonts[base].variants.setdefault(role, "")
    return show(strings, matrix)


def _space(fonts: dict[str, FontMap], preferred: str) -> tuple[str, int, float] | None:
    """A font resource with a space glyph (the preferred one if it has one): name, code, width."""
    for name in sorted(fonts, key=lambda n: n != preferred):
        font = fonts[name]
        code = next((c for c, t in font.texts.items() if t == " "), None)
        if code is not None:
            return name, code, font.widths.get(code, font.default_width)
    return None


def _word_space(matrix: list[Any], glyphs: list[Glyph], fonts: dict[str, FontMap]) -> list[Instruction]:
    """A text object showing a space at the right edge of the glyphs: the word space between this text and
    the text shown before it to its right, which an extractor that expects left-to-right progress would
    not see."""
    found = _space(fonts, glyphs[0].font)
    if found is None:
        return []
    name, code, width = found
    size = glyphs[0].size
    right = max(g.x + g.advance for g in glyphs)
    space = Glyph(name, size, code.to_bytes(2, "big"), right, width * float(size) / 1000, Decimal(0), " ")
    return show([[space]], matrix)


def reorder_page(
    instructions: list[Any], runs: Callable[[int], TextRun | None], fonts: dict[str, FontMap]
) -> list[Any]:
    """A page's instructions with each text object of a right-to-left text box (by the MCID of the marked
    content it is in) shown in logical order; `runs(mcid)` gives the box's text. Where a text object
    follows, on the same line, one to its right, a space between them is shown too (see `_word_space`)."""
    out: list[Any] = []
    marked: list[int | None] = []
    last: tuple[float, float, str] | None = None  # the last text object's baseline, left edge and last text
    index = 0
    while index < len(instructions):
        instruction = instructions[index]
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            out.append(instruction)
            index += 1
            continue
        operator = str(instruction.operator)
        if operator in ("BDC", "BMC"):
            operands = instruction.operands
            properties = operands[1] if operator == "BDC" and len(operands) == 2 else None
            number = properties.get("/MCID") if isinstance(properties, pikepdf.Dictionary) else None
            marked.append(int(number) if number is not None else None)
        elif operator == "EMC" and marked:
            marked.pop()
        elif operator == "BT":
            end = index + 1
            while end < len(instructions) and not (
                isinstance(instructions[end], Instruction) and str(instructions[end].operator) == "ET"
            ):
                end += 1
            found = glyphs_of(instructions[index + 1 : end], fonts)
            if found is None:
                last = None if end > index + 1 else last  # an empty text object changes nothing
                out.append(instruction)
                index += 1
                continue
            matrix, glyphs = found
            baseline = float(matrix[5])
            right = max(g.x + g.advance for g in glyphs)
            size = float(glyphs[0].size)
            follows = last is not None and abs(last[0] - baseline) < 0.01 and last[1] - right > 0.1 * size
            if follows and last is not None and not last[2].startswith(" ") and not glyphs[-1].text.endswith(" "):
                out.extend(_word_space(matrix, glyphs, fonts))
            mcid = next((m for m in reversed(marked) if m is not None), None)
            run = runs(mcid) if mcid is not None else None
            rewritten = _in_logical_order(matrix, glyphs, run, fonts) if run is not None else None
            last = (baseline, min(g.x for g in glyphs), "".join(g.text for g in glyphs))
            if rewritten is not None:
                out.extend(rewritten)
                index = end + 1
                continue
        out.append(instruction)
        index += 1
    return out


__all__ = ["FontCache", "Runs", "TextRun", "has_rtl", "reorder_page"]
