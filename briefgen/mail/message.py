"""Email editions: one RFC 5322 message per edition and distribution list cleared for its marking.

Each message has the marking in its subject and as the first line of both bodies, the brief's restrictions
as the lines after it, a subject and bodies in the brief's language, a plain-text body (the
text edition: endnotes as [n]), an HTML body with its CSS inlined into the elements by css-inline (mail
clients drop <style>; variables resolved, nothing remote loaded), and the PDF attached under a name that
carries the marking and the date. Members are in Bcc; `To` names the list without addresses.

Header values come from records (titles, list names): they are checked for line breaks and for RFC 2047
encoded words, which a mail client would decode into line breaks (Python 3.11.7's email package does not
guard against either), so no record can add a header. The message bytes are deterministic: the same
edition and list give the same file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from email.headerregistry import Address, Group
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP, default
from email.utils import format_datetime
from pathlib import Path

from briefgen.compose import model as composed
from briefgen.desk.models import DistributionList
from briefgen.desk.settings import MailSection
from briefgen.desk.vocabulary import Marking
from briefgen.errors import BriefgenError, ExitCode
from briefgen.render.labels import date_label, isolated_plain
from briefgen.render.words import words_for

MARKING_HEADER = "X-Briefgen-Marking"
LIST_HEADER = "X-Briefgen-List"


class MailError(BriefgenError):
    """An email edition cannot be made safely (missing sender, a header value that could inject headers)."""

    exit_code = ExitCode.BAD_DATA


def cleared(mailing: DistributionList, marking: Marking) -> bool:
    """Whether a list may receive an edition with this marking (its clearance is at least the marking)."""
    return mailing.clearance.rank >= marking.rank


def attachment_name(brief: composed.ComposedBrief) -> str:
    marking = brief.marking.value.replace(":", "-").replace("+", "-")
    return f"{marking}_{brief.date.isoformat()}_{brief.id}.pdf"


@dataclass(frozen=True)
class Revision:
    """Which revision of an edition a message is: 1, or a correction of the revisions sent before it."""

    number: int = 1
    earlier: tuple[str, ...] = ()  # the Message-IDs of the earlier revisions that were sent

    @property
    def is_correction(self) -> bool:
        return self.number > 1


_MESSAGE_ID = re.compile(
    r"^<(?P<brief>[a-z0-9-]+)\.(?P<date>\d{4}-\d{2}-\d{2})\.(?P<list>[a-z0-9-]+)(?:\.r(?P<revision>[0-9]{1,6}))?@"
)


def message_id(brief_id: str, day: date, list_id: str, revision: int, domain: str) -> str:
    """`<brief.date.list@domain>` for the first revision, `<brief.date.list.rN@domain>` for a correction."""
    suffix = f".r{revision}" if revision > 1 else ""
    return f"<{brief_id}.{day.isoformat()}.{list_id}{suffix}@{domain}>"


def parse_message_id(value: str) -> tuple[str, date, str, int] | None:
    """(brief id, date, list id, revision) of a Message-ID briefgen made, else None."""
    match = _MESSAGE_ID.match(value.strip())
    if match is None:
        return None
    try:
        day = date.fromisoformat(match.group("date"))
    except ValueError:
        return None
    return match.group("brief"), day, match.group("list"), int(match.group("revision") or 1)


def subject(
    brief: composed.ComposedBrief,
    desk_templates: Path | None = None,
    revision: Revision = Revision(),
    correction_prefix: str = "",
) -> str:
    """`[TLP:GREEN] Title — 22 May 2025`: the marking first, then (for a correction) the correction prefix,
    the title (between Unicode isolates if it holds text of the other direction, which could otherwise reorder
    the marking or the date), and the date in the brief's language."""
    words = words_for(brief.language, desk_templates)
    prefix = f"{correction_prefix} " if revision.is_correction and correction_prefix else ""
    return words.gettext(
        "[%(marking)s] %(title)s — %(date)s",
        marking=brief.marking.value,
        title=prefix + isolated_plain(brief.title, "ltr"),  # the line starts with the marking: left to right
        date=date_label(brief.date, words),
    )


def safe_header_value(field: str, value: str) -> str:
    """A header value from a record, refused if it could break out of its header."""
    if any(char in value for char in "\r\n\x00\x0b\x0c\x85\u2028\u2029"):
        raise MailError(f"{field}: contains a line break, which could add mail headers: {value!r}")
    if "=?" in value and "?=" in value:
        raise MailError(
            f"{field}: contains an RFC 2047 encoded word ('=?...?='), which mail clients would decode: {value!r}"
        )
    return value


def _set(message: EmailMessage, name: str, value: str) -> None:
    message[name] = value
    if str(message[name]) != value:  # the email package parsed something out of it
        raise MailError(f"{name}: the value would not be sent as written: {value!r}")


def _domain(sender: Address) -> str:
    return sender.domain or "localhost"


def _mail_html(html: str) -> str:
    import css_inline  # only when email editions are made

    inliner = css_inline.CSSInliner(
        keep_style_tags=False, keep_link_tags=False, load_remote_stylesheets=False, resolve_css_variables=True
    )
    return inliner.inline(html)


def message_for(
    brief: composed.ComposedBrief,
    mailing: DistributionList,
    *,
    mail: MailSection,
    html: str,
    text: str,
    pdf: bytes,
    desk_templates: Path | None = None,
    revision: Revision = Revision(),
) -> bytes:
    """The email edition of `brief` for `mailing`, as the bytes of an .eml file (CRLF line ends)."""
    if mail.sender is None:
        raise MailError('briefgen.toml: mail.from: required to write email editions (e.g. "Desk <desk@example.org>")')
    if not cleared(mailing, brief.marking):
        raise MailError(
            f"list {mailing.id!r} is cleared for {mailing.clearance.value} only, below {brief.marking.value}"
        )
    sender = Address(display_name=safe_header_value("mail.from", mail.sender.name), addr_spec=mail.sender.email)
    domain = _domain(sender)
    message = EmailMessage(policy=SMTP)
    prefix = safe_header_value("mail.correction_prefix", mail.correction_prefix)
    _set(message, "Subject", safe_header_value("brief.title", subject(brief, desk_templates, revision, prefix)))
    message["From"] = sender
    message["To"] = Group(display_name=safe_header_value(f"lists/{mailing.id}: name", mailing.name))
    if mailing.members:
        message["Bcc"] = [
            Address(display_name=safe_header_value(f"lists/{mailing.id}: members", m.name), addr_spec=m.email)
            for m in mailing.members
        ]
    message["Date"] = format_datetime(brief.issued_at)
    message["Message-ID"] = message_id(brief.id, brief.date, mailing.id, revision.number, domain)
    if revision.earlier:
        # A correction names the revisions it replaces, so that mail clients thread it with them.
        message["In-Reply-To"] = revision.earlier[-1]
        message["References"] = " ".join(revision.earlier)
    _set(message, "List-Id", f"{safe_header_value(f'lists/{mailing.id}: name', mailing.name)} <{mailing.id}.{domain}>")
    if mailing.unsubscribe:
        _set(
            message,
            "List-Unsubscribe",
            f"<{safe_header_value(f'lists/{mailing.id}: unsubscribe', mailing.unsubscribe)}>",
        )
    message[MARKING_HEADER] = brief.marking.value
    message[LIST_HEADER] = mailing.id
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(_mail_html(html), subtype="html", cte="quoted-printable")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=attachment_name(brief))
    # Boundaries from the content, not at random, so that the same edition gives the same bytes.
    seed = hashlib.sha256(text.encode("utf-8") + pdf + mailing.id.encode("ascii")).hexdigest()
    for index, part in enumerate(message.walk()):
        if part.is_multipart():
            part.set_boundary(f"briefgen-{seed[:24]}-{index}")
    return _as_bytes(message)


_UNFOLDED = SMTP.clone(max_line_length=998)  # RFC 5322's limit for a line: headers are not folded
_RECORD_HEADERS = ("Subject", "To", "List-Id")


def _as_bytes(message: EmailMessage) -> bytes:
    """The message's bytes, headers folded at 78 columns, unless folding would change a header's text:
    Python's folder can leave a space at the end of a line before an encoded word, which readers see
    as two spaces (`in  —`). Then the headers are written unfolded (each stays below 998 bytes)."""
    raw = message.as_bytes()
    parsed = BytesParser(policy=default).parsebytes(raw, headersonly=True)
    if all(str(parsed[name]) == str(message[name]) for name in _RECORD_HEADERS if message[name] is not None):
        return raw
    return message.as_bytes(policy=_UNFOLDED)
