"""Glyphs as WeasyPrint shows them: a Type0 font's texts (/ToUnicode) and widths (/W), the glyphs of a text
object with their pen positions, and text objects written back from glyphs (with font copies whose
/ToUnicode differs, for `reading`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pikepdf

from briefgen.pdf.bidi import mirror

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


def glyphs_of(block: Sequence[Instruction], fonts: dict[str, FontMap]) -> tuple[list[Any], list[Glyph]] | None:
    """A text object's text matrix and glyphs, if it holds only what WeasyPrint writes (Tm, Tf, TJ, Ts)."""
    matrix: list[Any] | None = None
    font: FontMap | None = None
    name, size, rise, x, scale = "", Decimal(0), Decimal(0), 0.0, 0.0
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
            scale = float(size)
            font = fonts.get(name)
            if font is None:
                return None
        elif operator == "Ts":
            rise = Decimal(str(operands[0]))
        elif operator == "TJ" and font is not None and matrix is not None:
            widths, default, texts = font.widths, font.default_width, font.texts
            for item in operands[0]:
                if isinstance(item, pikepdf.String):
                    data = bytes(item)
                    for start in range(0, len(data) - 1, 2):
                        pair = data[start : start + 2]
                        code = (pair[0] << 8) | pair[1]
                        advance = widths.get(code, default) * scale / 1000
                        glyphs.append(Glyph(name, size, pair, x, advance, rise, texts.get(code, "")))
                        x += advance
                else:
                    x -= float(item) * scale / 1000
        else:
            return None
    return (matrix, glyphs) if matrix is not None and glyphs else None


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


PEN_TOLERANCE = 0.001  # points: what rounding positions to a thousandth of a point may leave between them


def show(strings: list[list[Glyph]], matrix: list[Any]) -> list[Instruction]:
    """BT ... ET showing each string from where its glyphs were, with its font set before it."""
    out = [Instruction([], pikepdf.Operator("BT"))]
    rise = Decimal(0)
    pen: float | None = None  # where the last string shown left the pen (None: unknown, after Tz)
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
            # A piece that starts where the pen is (the text before it ends there) needs no matrix of its own.
            if first.invisible or pen is None or abs(piece[0].x - pen) > PEN_TOLERANCE:
                out.append(Instruction([*matrix[:4], _number(piece[0].x), matrix[5]], pikepdf.Operator("Tm")))
            if piece[0].rise != rise:
                rise = piece[0].rise
                out.append(Instruction([rise], pikepdf.Operator("Ts")))
            out.append(Instruction([_array(piece)], pikepdf.Operator("TJ")))
            pen = piece[-1].x + piece[-1].advance
        if first.invisible:
            out.append(Instruction([0], pikepdf.Operator("Tr")))
            out.append(Instruction([100], pikepdf.Operator("Tz")))
            pen = None
    if rise:
        out.append(Instruction([0], pikepdf.Operator("Ts")))
    out.append(Instruction([], pikepdf.Operator("ET")))
    return out


# ------------------------------------------------------------------------------------------------ a page


def font_variant(pdf: pikepdf.Pdf, font: FontMap, role: str) -> pikepdf.Object:
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
                    self.variants[key] = font_variant(self.pdf, font, role)
                resources[pikepdf.Name(f"{name}:{role}")] = self.variants[key]
