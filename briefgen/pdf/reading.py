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
rendering mode 3, no mark on the page) just to its left, in a font whose /ToUnicode gives that letter: one
character per glyph, in the order every extractor reads. No glyph, width or font program changes, so
PDF/A's and PDF/UA's font rules hold.

A box whose glyphs cannot be matched to its text (a font that maps one glyph to two texts) is left as
WeasyPrint wrote it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import pikepdf


@dataclass(frozen=True)
class TextRun:
    """What one WeasyPrint text box holds: its logical text and whether its direction is right-to-left."""

    text: str
    rtl: bool


Runs = dict[tuple[int, int], TextRun]  # (page index, MCID of the box's marked content) -> the box's text


# ---------------------------------------------------------------------------------------------- bidi levels


@functools.cache
def _fribidi() -> Any:
    name = ctypes.util.find_library("fribidi") or "libfribidi.so.0"
    try:
        library = ctypes.CDLL(name)
    except OSError:
        return None
    library.fribidi_log2vis.restype = ctypes.c_byte
    library.fribidi_get_mirror_char.restype = ctypes.c_int
    return library


@functools.cache
def mirror(character: str) -> str:
    """The character's bidi mirror ("(" for ")"), or the character itself (FriBidi's table)."""
    library = _fribidi()
    mirrored = ctypes.c_uint32(0)
    if library is None or not library.fribidi_get_mirror_char(ord(character), ctypes.byref(mirrored)):
        return character
    return chr(mirrored.value)


PAR_LTR, PAR_RTL = 0x110, 0x111  # FriBidiParType values (fribidi-bidi-types.h)


def visual_order(text: str, rtl: bool) -> tuple[list[int], list[int]] | None:
    """Per visual position, the logical index of its character; and per logical index, its bidi level.
    None without FriBidi."""
    library = _fribidi()
    if library is None:
        return None
    size = len(text)
    characters = (ctypes.c_uint32 * size)(*map(ord, text))
    base = ctypes.c_uint32(PAR_RTL if rtl else PAR_LTR)
    visual_to_logical = (ctypes.c_int * size)()
    levels = (ctypes.c_byte * size)()
    library.fribidi_log2vis(characters, size, ctypes.byref(base), None, None, visual_to_logical, levels)
    return list(visual_to_logical), list(levels)


# ----------------------------------------------------------------------------------- how extractors read


RIGHT_TO_LEFT = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))
NEUTRAL = ((0x00, 0x2F), (0x3A, 0x40), (0x0660, 0x066D), (0x06F0, 0x06F9), (0x2000, 0x206F), (0x20A0, 0x21FF))


def _reading_class(text: str) -> str:
    """How a content-stream extractor (pypdf's rule) takes one glyph's text: "R", "L" or neutral "N"
    (neutral too: a glyph of several characters)."""
    if len(text) != 1:
        return "N"
    code = ord(text)
    if any(low <= code <= high for low, high in NEUTRAL):
        return "N"
    return "R" if any(low <= code <= high for low, high in RIGHT_TO_LEFT) else "L"


def extractor_reads(strings: Iterable[Sequence[str]], mode: str | None) -> tuple[str, str | None]:
    """The text a content-stream extractor reads from strings shown one after the other, each string given
    as its glyphs' texts, each string starting fresh (a font is set before it), with `mode` the direction
    it is in ("R", "L", or None for either). Right-to-left stretches are reversed, neutral glyphs go the way
    of the stretch they are in. Returns the text and the mode after. With mode None the text is returned
    only if it is the same either way (else "\\0")."""
    if mode is None:
        left, after_left = extractor_reads(strings, "L")
        right, after_right = extractor_reads(strings, "R")
        return (left, after_left if after_left == after_right else None) if left == right else ("\0", None)
    out: list[str] = []
    for string in strings:
        run: list[str] = []
        for text in string:
            kind = _reading_class(text)
            if kind != "N" and kind != mode:
                out.append("".join(reversed(run)) if mode == "R" else "".join(run))
                run, mode = [], kind
            run.append(text)
        out.append("".join(reversed(run)) if mode == "R" else "".join(run))
    return "".join(out), mode


# ------------------------------------------------------------------------------------------ glyph units


@dataclass
class Glyph:
    """One glyph as shown: its font resource and size, code bytes, pen position (text space), advance, rise,
    and the text its /ToUnicode gives."""

    font: str
    size: Decimal
    code: bytes
    x: float
    advance: float
    rise: Decimal
    text: str
    visual: int = 0  # index in visual (shown) order
    logical: float = 0.0  # place in logical order
    level: int = 0
    invisible: bool = False
    truth: str = ""  # the character it stands for here, when that is not its text (a mirrored glyph)
    scaling: Decimal = Decimal(100)  # horizontal scaling (Tz) it is shown with


@dataclass
class FontMap:
    """What a Type0 font tells about its glyphs: texts (/ToUnicode) and widths (/W, /DW), per code."""

    texts: dict[int, str]
    widths: dict[int, float]
    default_width: float
    resource: pikepdf.Object
    variants: dict[str, str] = field(default_factory=dict)  # role -> resource name on the page


HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


def _unicode_map(stream: pikepdf.Object) -> dict[int, str]:
    data = stream.read_bytes()
    texts: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        values = HEX.findall(block)
        for source, target in zip(values[::2], values[1::2], strict=False):
            texts[int(source, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, target in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])", block
        ):
            start, end = int(low, 16), int(high, 16)
            if target.startswith(b"["):
                for offset, value in enumerate(HEX.findall(target)):
                    texts[start + offset] = bytes.fromhex(value.decode()).decode("utf-16-be", "replace")
            else:
                first = bytes.fromhex(target[1:-1].decode()).decode("utf-16-be", "replace")
                for offset in range(end - start + 1):
                    texts[start + offset] = first[:-1] + chr(ord(first[-1]) + offset) if first else ""
    return texts


def _widths(descendant: pikepdf.Object) -> tuple[dict[int, float], float]:
    widths: dict[int, float] = {}
    array = list(descendant.get("/W", pikepdf.Array()))
    index = 0
    while index < len(array):
        first = int(array[index])
        following = array[index + 1]
        if isinstance(following, pikepdf.Array):
            for offset, width in enumerate(following):
                widths[first + offset] = float(width)
            index += 2
        else:
            for code in range(first, int(following) + 1):
                widths[code] = float(array[index + 2])
            index += 3
    return widths, float(descendant.get("/DW", 1000))


def font_map(resource: pikepdf.Object) -> FontMap | None:
    """The map of a two-byte Type0 font with a /ToUnicode (what WeasyPrint writes), else None."""
    if resource.get("/Subtype") != "/Type0" or "/ToUnicode" not in resource:
        return None
    widths, default = _widths(resource.DescendantFonts[0])
    return FontMap(_unicode_map(resource.ToUnicode), widths, default, resource)


# ------------------------------------------------------------------------------------------- a text box


Instruction = pikepdf.ContentStreamInstruction


def _glyphs(block: Sequence[Instruction], fonts: dict[str, FontMap]) -> tuple[list[Any], list[Glyph]] | None:
    """A text object's text matrix and glyphs, if it holds only what WeasyPrint writes (Tm, Tf, TJ, Ts)."""
    matrix: list[Any] | None = None
    font: FontMap | None = None
    name, size, rise, x = "", Decimal(0), Decimal(0), 0.0
    glyphs: list[Glyph] = []
    for instruction in block:
        operator, operands = str(instruction.operator), list(instruction.operands)
        if operator == "Tm" and matrix is None and not glyphs:
            matrix = operands
            if float(matrix[0]) != 1 or float(matrix[1]) != 0:
                return None
            x = float(matrix[4])
        elif operator == "Tf":
            name, size = str(operands[0]), Decimal(str(operands[1]))
            font = fonts.get(name)
            if font is None:
                return None
        elif operator == "Ts":
            rise = Decimal(str(operands[0]))
        elif operator == "TJ" and font is not None and matrix is not None:
            for item in operands[0]:
                if isinstance(item, pikepdf.String):
                    data = bytes(item)
                    for start in range(0, len(data) - 1, 2):
                        code = int.from_bytes(data[start : start + 2], "big")
                        advance = font.widths.get(code, font.default_width) * float(size) / 1000
                        text = font.texts.get(code, "")
                        glyphs.append(Glyph(name, size, data[start : start + 2], x, advance, rise, text))
                        x += advance
                else:
                    x -= float(item) * float(size) / 1000
        else:
            return None
    return (matrix, glyphs) if matrix is not None and glyphs else None


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
            kind = _reading_class(glyph.text)
            if pieces and (kind == "N" or _reading_class(pieces[-1][-1].text) in ("N", kind)):
                pieces[-1].append(glyph)
            else:
                pieces.append([glyph])
        for piece in pieces:
            if not place(piece):
                for glyph in piece:
                    place([glyph])
    return strings


def _number(value: float) -> Decimal | int:
    rounded = Decimal(str(round(value, 3)))
    return int(rounded) if rounded == rounded.to_integral_value() else rounded.normalize()


def _array(piece: list[Glyph]) -> pikepdf.Array:
    """The TJ operand of glyphs shown one after the other, with the adjustments that put each where it was."""
    items: list[Any] = []
    code = b""
    for previous, glyph in zip([None, *piece[:-1]], piece, strict=True):
        if previous is not None:
            adjustment = _number((previous.x + previous.advance - glyph.x) * 1000 / float(glyph.size))
            if adjustment:
                items.extend([pikepdf.String(code), adjustment])
                code = b""
        code += glyph.code
    items.append(pikepdf.String(code))
    return pikepdf.Array(items)


def _show(strings: list[list[Glyph]], matrix: list[Any]) -> list[Instruction]:
    """BT ... ET showing each string from where its glyphs were, with its font set before it."""
    out = [Instruction([], pikepdf.Operator("BT"))]
    rise = Decimal(0)
    for string in strings:
        first = string[0]
        out.append(Instruction([pikepdf.Name(first.font), first.size], pikepdf.Operator("Tf")))
        if first.invisible:
            out.append(Instruction([3], pikepdf.Operator("Tr")))
            out.append(Instruction([first.scaling], pikepdf.Operator("Tz")))
        pieces: list[list[Glyph]] = []
        for glyph in string:  # glyphs next to each other in the shown order go in one string
            if pieces and glyph.visual == pieces[-1][-1].visual + 1 and glyph.rise == pieces[-1][-1].rise:
                pieces[-1].append(glyph)
            else:
                pieces.append([glyph])
        for piece in pieces:
            out.append(Instruction([*matrix[:4], _number(piece[0].x), matrix[5]], pikepdf.Operator("Tm")))
            if piece[0].rise != rise:
                rise = piece[0].rise
                out.append(Instruction([rise], pikepdf.Operator("Ts")))
            out.append(Instruction([_array(piece)], pikepdf.Operator("TJ")))
        if first.invisible:
            out.append(Instruction([0], pikepdf.Operator("Tr")))
            out.append(Instruction([100], pikepdf.Operator("Tz")))
    if rise:
        out.append(Instruction([0], pikepdf.Operator("Ts")))
    out.append(Instruction([], pikepdf.Operator("ET")))
    return out


def _in_logical_order(
    matrix: list[Any], glyphs: list[Glyph], run: TextRun, fonts: dict[str, FontMap]
) -> list[Instruction] | None:
    """The text object shown in logical order, or None if it need not or cannot be."""
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
    return _show(strings, matrix)


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
    return _show([[space]], matrix)


# ------------------------------------------------------------------------------------------------ a page


def _variant(pdf: pikepdf.Pdf, font: FontMap, role: str) -> pikepdf.Object:
    """A copy of the font (same descendant font, program and widths) whose /ToUnicode gives, for each
    glyph of several right-to-left letters, its first letter ("logical", with the mirror of each mirrored
    character) or its n-th ("letterN")."""
    texts = dict(font.texts)
    for code, text in font.texts.items():
        if len(text) > 1 and all(unicodedata.category(c) == "Lo" for c in text):
            if role == "logical":
                texts[code] = text[0]
            else:
                index = int(role.removeprefix("letter"))
                texts[code] = text[index] if index < len(text) else ""
        elif role == "logical" and len(text) == 1:
            texts[code] = mirror(text)
    lines = [f"<{code:04x}> <{text.encode('utf-16-be').hex()}>" for code, text in sorted(texts.items())]
    chunks = [lines[i : i + 100] for i in range(0, len(lines), 100)]
    body = "\n".join(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar" for chunk in chunks)
    cmap = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo\n<< /Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n"
        f"{body}\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )
    copy = pikepdf.Dictionary({key: font.resource[key] for key in font.resource.keys()})  # noqa: SIM118
    copy.ToUnicode = pdf.make_stream(cmap.encode("ascii"))
    return pdf.make_indirect(copy)


class FontCache:
    """Font maps and variants by font object, shared by the pages of one document."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.maps: dict[tuple[int, int], FontMap | None] = {}
        self.variants: dict[tuple[tuple[int, int], str], pikepdf.Object] = {}

    def page_fonts(self, page: pikepdf.Page) -> dict[str, FontMap]:
        fonts: dict[str, FontMap] = {}
        resources = page.obj.get("/Resources", pikepdf.Dictionary()).get("/Font", pikepdf.Dictionary())
        for name, resource in resources.items():
            key = resource.objgen
            if key not in self.maps:
                self.maps[key] = font_map(resource)
            found = self.maps[key]
            if found is not None:
                found.variants = {}
                fonts[name] = found
        return fonts

    def add_variants(self, page: pikepdf.Page, fonts: dict[str, FontMap]) -> None:
        resources = page.obj.Resources.Font
        for name, font in fonts.items():
            for role in font.variants:
                key = (font.resource.objgen, role)
                if key not in self.variants:
                    self.variants[key] = _variant(self.pdf, font, role)
                resources[pikepdf.Name(f"{name}:{role}")] = self.variants[key]


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
            found = _glyphs(instructions[index + 1 : end], fonts)
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


RTL_PATTERN = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in RIGHT_TO_LEFT) + "]")


def has_rtl(text: str) -> bool:
    return RTL_PATTERN.search(text) is not None
