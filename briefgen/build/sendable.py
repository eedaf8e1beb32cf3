"""Which built email editions may be sent: only those of an edition as it was last built successfully
from the current records.

For every edition in the output folder, its manifest (`briefgen.build.manifest`) is checked against the
desk as it is now: the edition must still be in the records, without errors, and its fingerprint (records,
settings, templates, lists, formats) must equal the one the manifest was written with; each message must
be one the manifest names, with the bytes it recorded, for a list the brief still names, that exists, is
cleared for the edition's current marking, and whose current members are exactly the message's
recipients. Anything else is refused with the reason, and nothing is sent for it. Messages that no
manifest names (left by an older version, or by hand) are never sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses

from briefgen.build.changes import archived_json, previous_edition
from briefgen.build.fingerprint import edition_fingerprint, shared_fingerprint
from briefgen.build.manifest import Manifest, read_manifest, sha256
from briefgen.compose.editions import AudienceEdition
from briefgen.compose.validate import Report, edition_verdict
from briefgen.desk.layout import EditionKey, OutLayout
from briefgen.desk.loader import Desk, Loaded
from briefgen.desk.models import BriefRecord, DistributionList
from briefgen.desk.outfolder import OutFolder
from briefgen.desk.vocabulary import Marking, OutputFormat
from briefgen.errors import OutputError
from briefgen.mail.message import LIST_HEADER, MARKING_HEADER, cleared, parse_message_id
from briefgen.mail.send import Outgoing, valid_address


def _current(report: Report, key: EditionKey) -> tuple[Loaded[BriefRecord], AudienceEdition | None] | None:
    """The brief record of an edition as the records load now, and the edition as they would build it
    (None when they no longer build that audience's edition)."""
    edition = next(
        (e for e in report.desk.briefs if (e.record.brief.id, e.record.brief.date) == (key.brief_id, key.date)), None
    )
    if edition is None:
        return None
    audience = Marking.of_audience(key.audience) if key.audience else None
    built = edition_verdict(report, edition, strict=False).editions
    return edition, next((e for e in built if e.audience == audience), None)


def _current_fingerprint(report: Report, out: OutFolder, edition: Loaded[BriefRecord], manifest: Manifest) -> str:
    desk = report.desk
    verdict = edition_verdict(report, edition, strict=False)
    files = tuple(sorted(set(verdict.composition.files) | {edition.file.rel}))
    try:
        chosen = [OutputFormat(name) for name in manifest.formats]
    except ValueError:
        return ""
    previous = previous_edition(out, archived_json(out), manifest.key, {})
    shared = shared_fingerprint(desk.layout, chosen)
    return edition_fingerprint(desk.layout, files, shared, previous.json if previous else None, manifest.key.audience)


def _edition_refusal(report: Report, out: OutFolder, key: EditionKey, manifest: Manifest | None) -> str | None:
    """Why none of this edition's messages may go, or None."""
    if manifest is None:
        return "the edition has no valid manifest (its last build did not finish); run briefgen build"
    current = _current(report, key)
    if current is None:
        loaded = {e.file.rel for e in report.desk.briefs}
        broken = [d for d in report.errors if d.path.startswith("briefs/") and d.path not in loaded]
        return f"the edition {key} is not among the records as they load now" + (f" ({broken[0]})" if broken else "")
    edition, built = current
    verdict = edition_verdict(report, edition, strict=False)
    if verdict.blocked:
        return f"the edition {key} has errors now ({verdict.errors[0] if verdict.errors else 'not composed'})"
    if built is None:
        return f"the records no longer build the edition {key} (its audience's edition is built once, as another)"
    if manifest.marking != built.brief.marking.value:
        return f"the edition is now marked {built.brief.marking.value}; this message was built as {manifest.marking}"
    if _current_fingerprint(report, out, edition, manifest) != manifest.fingerprint:
        return (
            "the records, settings, templates or lists changed since this edition was last built; "
            "run briefgen build, then send"
        )
    return None


def _message_refusal(
    report: Report,
    key: EditionKey,
    list_id: str,
    message: EmailMessage,
    recipients: tuple[str, ...],
) -> str | None:
    current = _current(report, key)
    if current is None or current[1] is None:
        return f"the records no longer build the edition {key}"
    brief = current[1].brief
    lists: dict[str, DistributionList] = {entry.record.id: entry.record for entry in report.desk.lists}
    mailing = lists.get(list_id)
    try:
        marking = Marking(str(message.get(MARKING_HEADER, "")))
    except ValueError:
        return "the message carries no valid marking"
    if str(message.get(LIST_HEADER, "")) != list_id:
        return "the message names another list than its manifest"
    if list_id not in brief.lists:
        return f"list {list_id!r} is no longer named by the brief, or now receives another of its editions"
    if mailing is None:
        return f"list {list_id!r} is not among the desk's lists"
    if marking is not brief.marking:
        return f"the message is marked {marking.value}; the edition is {brief.marking.value}"
    if not cleared(mailing, brief.marking):
        return f"list {list_id!r} is cleared for {mailing.clearance.value} only; this edition is {brief.marking.value}"
    if not str(message.get("Message-ID", "")).strip():
        return "the message has no Message-ID"
    members = {m.email.lower() for m in mailing.members}
    strangers = [a for a in recipients if a.lower() not in members or not valid_address(a)]
    if strangers:
        return f"recipients not (or no longer) valid members of {list_id!r}: {', '.join(strangers)}"
    missing = sorted(members - {a.lower() for a in recipients})
    if missing:
        return f"members of {list_id!r} the message does not name (rebuild it): {', '.join(missing)}"
    return None


def _parse(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def sendable(
    report: Report, out: OutFolder, day: date | None, brief_ids: Sequence[str], list_ids: Sequence[str]
) -> list[Outgoing]:
    """The email editions selected (a date, or every date), each with its refusal if it may not go."""
    found: list[Outgoing] = []
    days = [day] if day else sorted(d for d in map(OutLayout.parse_day, out.names()) if d is not None)
    for current in days:
        folder = out.folder(OutLayout.day_folder(current), create=False)
        if folder is None:
            continue
        with folder:
            named: set[str] = set()
            for name in folder.names():
                stem = OutLayout.parse_manifest_file(name)
                if stem is None:
                    continue
                key = EditionKey.from_stem(stem, current)
                if brief_ids and key.brief_id not in brief_ids:
                    continue
                manifest = read_manifest(folder, key)
                refusal = _edition_refusal(report, out, key, manifest)
                emails = manifest.emails if manifest is not None else {}
                named.update(emails.values())
                for list_id, file in sorted(emails.items()):
                    if list_ids and list_id not in list_ids:
                        continue
                    shown = f"{OutLayout.day_folder(current)}/{file}"
                    try:
                        raw = folder.read(file)
                    except OutputError as exc:
                        raw, refusal = None, refusal or exc.message
                    if raw is None:
                        found.append(
                            Outgoing(shown, EmailMessage(), "", list_id, (), refusal or "the message is missing")
                        )
                        continue
                    message = _parse(raw)
                    recipients = tuple(a for _, a in getaddresses([str(v) for v in message.get_all("Bcc", [])]))
                    problem = refusal
                    if problem is None and manifest is not None and sha256(raw) != manifest.files.get(file):
                        problem = "the message changed since it was built"
                    if problem is None:
                        problem = _message_refusal(report, key, list_id, message, recipients)
                    message_id = str(message.get("Message-ID", "")).strip()
                    parsed_id = parse_message_id(message_id)
                    if problem is None and (parsed_id is None or parsed_id[:3] != (key.brief_id, key.date, list_id)):
                        problem = "the message's Message-ID is not this edition's"
                    revision = parsed_id[3] if parsed_id else 1
                    earlier = tuple(str(message.get("References", "")).split())
                    found.append(Outgoing(shown, message, message_id, list_id, recipients, problem, revision, earlier))
            for name in folder.names():
                parsed = OutLayout.parse_email_file(name)
                if parsed is None or name in named:
                    continue
                brief_id = EditionKey.from_stem(parsed[0], current).brief_id
                if (brief_ids and brief_id not in brief_ids) or (list_ids and parsed[1] not in list_ids):
                    continue
                stray = "not part of any edition as last built (left by an earlier build or by hand)"
                found.append(
                    Outgoing(f"{OutLayout.day_folder(current)}/{name}", EmailMessage(), "", parsed[1], (), stray)
                )
    return found


def not_built(
    desk: Desk, day: date, brief_ids: Sequence[str], list_ids: Sequence[str], found: Sequence[Outgoing]
) -> list[str]:
    """The briefs with an edition on `day` that should have an email edition (a list it names exists and
    is cleared for its marking) but have none among `found`."""
    lists = {entry.record.id: entry.record for entry in desk.lists}
    have = {OutLayout.parse_email_file(item.name.rsplit("/", 1)[-1]) for item in found}
    have_ids = {EditionKey.from_stem(parsed[0], day).brief_id for parsed in have if parsed is not None}
    missing = []
    for brief in (e.record.brief for e in desk.briefs):
        if brief.date != day or (brief_ids and brief.id not in brief_ids) or brief.id in have_ids:
            continue
        wanted = [n for n in brief.lists if n in lists and cleared(lists[n], brief.marking)]
        if any(not list_ids or n in list_ids for n in wanted):
            missing.append(brief.id)
    return missing
