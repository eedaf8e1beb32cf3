"""Revisions of an edition: a rebuilt edition whose content changed after it was sent is a correction.

The send log (`out/sent.jsonl`, see `briefgen.mail.send`) says which Message-IDs reached whom; a
Message-ID names its edition, list and revision (`briefgen.mail.message.message_id`). When an edition is
rebuilt, its revision is decided from the log and the manifest of its last build:

- nothing of the edition was sent: revision 1 (or the unsent revision being replaced);
- the last revision sent is the one the manifest records, with the same content: that revision again
  (same Message-ID, so nobody gets it twice);
- otherwise (the content changed after it was sent): the next revision, a correction, with its own
  Message-ID, the correction prefix in its subject and the earlier revisions' Message-IDs in `References`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from briefgen.build.manifest import Manifest
from briefgen.desk.layout import EditionKey
from briefgen.desk.outfolder import OutFolder
from briefgen.mail.message import Revision, parse_message_id
from briefgen.mail.send import SendLog


@dataclass(frozen=True)
class SentEditions:
    """What the send log says was delivered: (Message-ID, recipient) pairs."""

    deliveries: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    @classmethod
    def read(cls, out: OutFolder) -> SentEditions:
        """The send log of `out` (an unreadable log is an `OutputError` naming the file and line)."""
        return cls(frozenset(SendLog(out).done))

    def message_ids(self, key: EditionKey, lists: Iterable[str]) -> dict[str, int]:
        """The Message-IDs delivered of this edition to its lists (an audience's edition goes to its own
        lists: another edition of the brief, to other lists, is not its revision), each with its revision."""
        found: dict[str, int] = {}
        wanted = set(lists)
        for message_id, _ in self.deliveries:
            parsed = parse_message_id(message_id)
            if parsed is not None and (parsed[0], parsed[1]) == (key.brief_id, key.date) and parsed[2] in wanted:
                found[message_id] = parsed[3]
        return found

    def sent(self, key: EditionKey, lists: Iterable[str]) -> bool:
        return bool(self.message_ids(key, lists))

    def recipients(self, message_ids: Iterable[str]) -> set[str]:
        """Who got any of these messages (lower-cased addresses)."""
        wanted = set(message_ids)
        return {recipient for message_id, recipient in self.deliveries if message_id in wanted}


def next_revision(
    sent: SentEditions, key: EditionKey, lists: Iterable[str], previous: Manifest | None, content: str
) -> Revision:
    """The revision a build of the edition for these lists with this content makes (see the module's docstring)."""
    delivered = sent.message_ids(key, lists)
    if not delivered:
        return Revision()
    last_sent = max(delivered.values())
    number = last_sent + 1
    if previous is not None and previous.revision > last_sent:
        number = previous.revision  # an unsent revision is replaced, keeping its number
    elif previous is not None and previous.revision == last_sent and previous.content == content:
        number = last_sent  # the same content as was sent: the same message
    earlier = tuple(sorted((m for m, r in delivered.items() if r < number), key=lambda m: (delivered[m], m)))
    return Revision(number, earlier)
