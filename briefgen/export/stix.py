"""The STIX 2.1 bundle of an edition (`--format stix`, `<brief>.stix.json`).

One Report for the edition (its name carries the marking, so two audience editions of one brief never
collide in a platform that keys reports on name and time), a Note per development (summary, status,
corroboration, date, place, its sources), an Identity for the desk and one per actor, the sources the edition
shows as external references, and the TLP 2.0 marking definitions of the OASIS TLP 2.0 extension (not
STIX's built-in TLP 1.0 objects). Every object carries the edition's marking; a source with a marking of
its own has it as a granular marking on its external reference. Ids are uuid5 of the desk, brief, date,
marking and item id; every timestamp is the edition's `issued`: a rebuild gives the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

import stix2

from briefgen.compose.model import ActorPart, Cite, ComposedBrief, Development, Discrepancy, Source
from briefgen.desk.vocabulary import ActorType, Marking
from briefgen.export.edition import edition_instant, edition_parts, readable, stable_uuid, visible_sources

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
# The marking-definition ids the TLP 2.0 extension publishes, one per marking.
TLP2_IDS = {
    Marking.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Marking.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Marking.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Marking.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Marking.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
_IDENTITY_CLASS = {
    ActorType.PERSON: "individual",
    ActorType.ARMED_GROUP: "group",
    ActorType.COALITION: "group",
    ActorType.STATE: "organization",
    ActorType.GOVERNMENT_BODY: "organization",
    ActorType.ADMINISTRATION: "organization",
    ActorType.POLITICAL_ORG: "organization",
    ActorType.INTL_ORG: "organization",
    ActorType.MEDIA: "organization",
    ActorType.OTHER: "unknown",
}
_SECTORS = {
    ActorType.STATE: ["government"],
    ActorType.GOVERNMENT_BODY: ["government"],
    ActorType.ADMINISTRATION: ["government"],
    ActorType.INTL_ORG: ["non-profit"],
    ActorType.MEDIA: ["communications"],
}


def tlp2_marking(marking: Marking) -> stix2.MarkingDefinition:
    """The TLP 2.0 marking definition of a marking, as the OASIS extension defines it."""
    level = marking.value.split(":", 1)[1].lower()
    return stix2.MarkingDefinition(
        id=TLP2_IDS[marking],
        created=TLP2_CREATED,
        name=marking.value,
        extensions={TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level}},
    )


def _words(value: str) -> str:
    return value.replace("_", " ")


class _Bundle:
    """The objects of one edition's bundle, built from its composed brief alone."""

    def __init__(self, brief: ComposedBrief) -> None:
        self.brief = brief
        self.when = edition_instant(brief)
        self.marks = [TLP2_IDS[brief.marking]]
        self.sources = {source.id: source for source in brief.sources}
        self.desk_id = self._id("identity", "desk")
        self.report_id = self._id("report", "edition")
        self.actor_ids = {actor.id: self._id("identity", "actor", actor.id) for actor in brief.actors}

    def _id(self, kind: str, *item: str) -> str:
        return f"{kind}--{stable_uuid(*edition_parts(self.brief), kind, *item)}"

    def _common(self) -> dict[str, Any]:
        return {
            "created": self.when,
            "modified": self.when,
            "created_by_ref": self.desk_id,
            "object_marking_refs": self.marks,
        }

    def references(self, sources: list[tuple[Source, str | None]]) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
        """External references for sources (with where they are cited), and the granular markings of the
        sources that carry a marking of their own."""
        refs: list[dict[str, str]] = []
        granular: list[dict[str, Any]] = []
        for index, (source, where) in enumerate(sources):
            ref = {"source_name": source.outlet or source.title, "external_id": source.id}
            ref["description"] = source.title + (f" ({where})" if where else "")
            if source.url:
                ref["url"] = source.url
            refs.append(ref)
            if source.marking is not None:
                granular.append(
                    {"marking_ref": TLP2_IDS[source.marking], "selectors": [f"external_references.[{index}]"]}
                )
        return refs, granular

    def _marked(self, fields: dict[str, Any], sources: list[tuple[Source, str | None]]) -> dict[str, Any]:
        refs, granular = self.references(sources)
        if refs:
            fields["external_references"] = refs
        if granular:
            fields["granular_markings"] = granular
        return fields

    def desk(self) -> stix2.Identity:
        return stix2.Identity(
            id=self.desk_id,
            name=self.brief.desk,
            identity_class="organization",
            created=self.when,
            modified=self.when,
            object_marking_refs=self.marks,
        )

    def actors(self) -> list[stix2.Identity]:
        identities = []
        for actor in self.brief.actors:
            lines = [f"Also known as: {', '.join(actor.aliases)}."] if actor.aliases else []
            if actor.role:
                lines.append(readable(actor.role, self.brief))
            fields: dict[str, Any] = {"id": self.actor_ids[actor.id], "name": actor.name, **self._common()}
            fields["identity_class"] = _IDENTITY_CLASS[actor.type] if actor.type else "unknown"
            if actor.type in _SECTORS:
                fields["sectors"] = _SECTORS[actor.type]
            if lines:
                fields["description"] = "\n\n".join(lines)
            identities.append(stix2.Identity(**self._marked(fields, self._cited(actor.cites))))
        return identities

    def _cited(self, cites: list[Cite]) -> list[tuple[Source, str | None]]:
        found: dict[str, list[str]] = {}
        for cite in cites:
            if cite.source in self.sources:
                where = [part for part in (cite.locator, f"via {cite.via}" if cite.via else None) if part]
                found.setdefault(cite.source, []).extend(where)
        return [(self.sources[sid], "; ".join(where) or None) for sid, where in found.items()]

    def note(self, development: Development) -> stix2.Note:
        sourcing = development.sourcing
        lines = [readable(development.detail, self.brief)] if development.detail else []
        facts = [f"Status: {_words(development.status)}."]
        facts.append(
            f"Corroboration: {_words(sourcing.corroboration)} ({sourcing.sources} source(s), "
            f"{sourcing.independent} independent originator(s), {sourcing.dependent} dependent cop(ies)"
            + ("; anonymous sources only" if sourcing.anonymous_only else "")
            + (
                f"; {sourcing.anonymous} of them cited anonymously only"
                if sourcing.anonymous and not sourcing.anonymous_only
                else ""
            )
            + (f"; the sources differ on {', '.join(sourcing.differ_on)}" if sourcing.differ_on else "")
            + ")."
        )
        occurred = development.occurred
        if occurred is not None:
            on = occurred.on.isoformat() if occurred.on is not None else "not resolved"
            reported = f" (as reported: {occurred.as_reported})" if occurred.as_reported else ""
            facts.append(f"Date: {on}{reported}.")
        if development.where:
            facts.append(f"Place: {development.where}.")
        if development.actors:
            facts.append("Actors: " + "; ".join(_actor(part) for part in development.actors) + ".")
        lines.append("\n".join(facts))
        lines.extend(
            self._discrepancy(found) for found in self.brief.discrepancies if found.id in development.discrepancies
        )
        refs = [self.report_id] + [self.actor_ids[p.actor] for p in development.actors if p.actor in self.actor_ids]
        fields: dict[str, Any] = {
            "id": self._id("note", "development", development.id),
            "abstract": readable(development.summary, self.brief),
            "content": "\n\n".join(lines),
            "object_refs": list(dict.fromkeys(refs)),
            "labels": [
                f"status:{development.status}",
                f"corroboration:{sourcing.corroboration}",
                *(f"sources-differ-on:{fact}" for fact in sourcing.differ_on),
                f"kind:{development.kind}",
            ],
            **self._common(),
        }
        if self.brief.authors:
            fields["authors"] = self.brief.authors
        return stix2.Note(**self._marked(fields, self._cited(development.cites)))

    def _discrepancy(self, found: Discrepancy) -> str:
        """A discrepancy about a development, each statement beside the sources that make it."""
        said = [
            f"- {readable(statement.value, self.brief)} ("
            + "; ".join(
                self.sources[c.source].outlet or self.sources[c.source].title
                for c in statement.cites
                if c.source in self.sources
            )
            + ("; anonymous only" if statement.anonymous_only else "")
            + ")"
            for statement in found.statements
        ]
        head = f"Sources disagree ({_words(found.kind)}, {_words(found.status)}): {readable(found.topic, self.brief)}"
        return "\n".join([head, *said])

    def report(self, refs: list[str]) -> stix2.Report:
        brief = self.brief
        text = [readable(line, brief) for line in brief.bluf]
        if brief.outlook:
            text.append("Outlook: " + readable(brief.outlook, brief))
        noted = {
            d.id for development in brief.developments for d in brief.discrepancies if d.id in development.discrepancies
        }
        text.extend(self._discrepancy(found) for found in brief.discrepancies if found.id not in noted)
        if brief.restrictions:
            text.append(f"Restrictions: {brief.restrictions}")
        fields: dict[str, Any] = {
            "id": self.report_id,
            "name": f"[{brief.marking.value}] {brief.title} — {brief.date.isoformat()}",
            "description": "\n\n".join(text),
            "published": self.when,
            "report_types": ["threat-report"],
            "labels": [f"product:{brief.product}", f"marking:{brief.marking.value}"],
            "object_refs": refs,
            **self._common(),
        }
        return stix2.Report(**self._marked(fields, [(source, None) for source in visible_sources(brief)]))


def _actor(part: ActorPart) -> str:
    return f"{part.name} ({part.role})" if part.role else part.name


def stix_bundle(brief: ComposedBrief) -> bytes:
    """The edition's STIX 2.1 bundle as JSON bytes (stable key order, indented, UTF-8)."""
    made = _Bundle(brief)
    notes = [made.note(development) for development in brief.developments]
    actors = made.actors()
    report = made.report([note.id for note in notes] + [actor.id for actor in actors] or [made.desk_id])
    content = [made.desk(), report, *actors, *notes]
    used = {brief.marking} | {
        marking
        for obj in content
        for granular in obj.get("granular_markings", [])
        for marking, ref in TLP2_IDS.items()
        if granular.marking_ref == ref
    }
    objects = [tlp2_marking(m) for m in sorted(used, key=lambda m: m.rank)] + content
    bundle = stix2.Bundle(objects=objects, id=f"bundle--{stable_uuid(*edition_parts(brief), 'bundle')}")
    data = json.loads(bundle.serialize())
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
