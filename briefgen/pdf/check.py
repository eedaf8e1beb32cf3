"""The last look at a PDF before it is published: nothing embedded that should not be, and no link or
action that is not http(s), mailto or a place in the document.

Records cannot produce such things (their text is escaped, their links filtered), and WeasyPrint reads
only the desk's template files; this check holds even if a desk template, a stylesheet or a future
change opens a way. It runs in the main process with pikepdf (qpdf), on the bytes about to be written.
"""

from __future__ import annotations

import io
from typing import Any

SAFE_URI_SCHEMES = ("http://", "https://", "mailto:")
SAFE_ACTIONS = {"/URI", "/GoTo"}


def warm_up() -> None:
    """Import pikepdf now (while a PDF renders elsewhere), not when the first PDF comes back."""
    import pikepdf  # noqa: F401


def _name_tree_keys(node: Any) -> list[str]:
    keys: list[str] = []
    names = node.get("/Names")
    if names is not None:
        keys += [str(names[i]) for i in range(0, len(names), 2)]
    for kid in node.get("/Kids", []):
        keys += _name_tree_keys(kid)
    return keys


def problems(data: bytes, allowed_attachments: set[str]) -> list[str]:
    """What makes this PDF unfit to publish (empty when it is fit)."""
    import pikepdf

    found: list[str] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        for key in ("/OpenAction", "/AA", "/AcroForm"):
            if key in root:
                found.append(f"the document has {key}")
        names = root.get("/Names")
        if names is not None:
            if "/JavaScript" in names:
                found.append("the document has JavaScript")
            if "/EmbeddedFiles" in names:
                for name in _name_tree_keys(names.EmbeddedFiles):
                    if name not in allowed_attachments:
                        found.append(f"an embedded file {name!r} that briefgen did not attach")
        for number, page in enumerate(pdf.pages, start=1):
            if "/AA" in page.obj:
                found.append(f"page {number} has additional actions")
            for annotation in page.obj.get("/Annots", []):
                kind = str(annotation.get("/Subtype"))
                if kind != "/Link":
                    found.append(f"page {number}: a {kind} annotation")
                    continue
                action = annotation.get("/A")
                if action is None:
                    continue
                verb = str(action.get("/S"))
                if verb not in SAFE_ACTIONS:
                    found.append(f"page {number}: a link with a {verb} action")
                elif verb == "/URI":
                    target = str(action.get("/URI", ""))
                    if not target.lower().startswith(SAFE_URI_SCHEMES):
                        found.append(f"page {number}: a link to {target[:80]!r}")
    return found
