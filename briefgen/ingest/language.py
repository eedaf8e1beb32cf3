"""The language of a text: the page's own `lang`, else identification restricted to the desk's languages.

py3langid ships its model inside the wheel (nothing is downloaded). With `[desk] languages` set, only
those are considered; with one language, that one is taken.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from briefgen.desk.ingest_block import Confidence

SURE = 0.9


@dataclass(frozen=True)
class Detected:
    language: str
    probability: float

    @property
    def confidence(self) -> Confidence:
        return Confidence.HIGH if self.probability >= SURE else Confidence.LOW


@functools.cache
def _identifier(languages: tuple[str, ...]) -> object:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    known = set(identifier.labels)
    chosen = [language for language in languages if language in known]
    identifier.set_languages(chosen or None)
    return identifier


def detect_language(text: str, languages: tuple[str, ...]) -> Detected:
    """The most likely language of `text` among `languages` (all of py3langid's when empty)."""
    if len(languages) == 1:
        return Detected(languages[0], 1.0)
    identifier = _identifier(tuple(sorted({language.split("-")[0].lower() for language in languages})))
    language, probability = identifier.classify(text)  # type: ignore[attr-defined]
    return Detected(str(language), round(float(probability), 3))
