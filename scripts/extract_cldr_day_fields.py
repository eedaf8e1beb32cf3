"""Extract CLDR's relative day fields ("yesterday", "next Monday", ...) into briefgen/data/.

Babel ships CLDR's weekday names and relative-time patterns ("in 2 days") but not the relative-type
fields (`day` -1/0/+1, `mon` last/this/next), which briefgen's date words need. This script copies them,
unchanged, from the official CLDR JSON package (`npm pack cldr-dates-full@48.2.0`, Unicode License v3):

    python scripts/extract_cldr_day_fields.py path/to/package/main > briefgen/data/cldr_day_fields.json

Run it again to add a language or move to a newer CLDR; nothing is read from the network at run time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

LANGUAGES = ("ar", "de", "en", "es", "fa", "fr", "he", "it", "nl", "pl", "pt", "ru", "tr", "uk")
FIELDS = ("day", "sun", "mon", "tue", "wed", "thu", "fri", "sat")


def main(main_folder: Path) -> None:
    out: dict[str, object] = {
        "_source": "CLDR 48.2.0 (npm cldr-dates-full 48.2.0, main/*/dateFields.json), Unicode License v3",
    }
    for language in LANGUAGES:
        data = json.loads((main_folder / language / "dateFields.json").read_text(encoding="utf-8"))
        fields = data["main"][language]["dates"]["fields"]
        entry: dict[str, object] = {"day-name": fields["day"]["displayName"]}
        for field in FIELDS:
            relative = fields[field].items()
            entry[field] = {k.removeprefix("relative-type-"): v for k, v in relative if k.startswith("relative-type")}
        out[language] = entry
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
