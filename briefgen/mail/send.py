"""`briefgen send`: deliver built email editions over SMTP, each message to each member exactly once.

Messages are read from `out/<date>/<brief-id>.<list-id>.eml` (what `briefgen build --format eml` wrote)
and sent one recipient at a time (the envelope names one member; the Bcc header is never transmitted),
so that delivery can be tracked per recipient. Each accepted delivery is appended to the send log
`out/sent.jsonl` and flushed to disk before the next one: a re-run after a crash sends only what the log
does not hold. Transient failures (4xx replies, dropped connections) are retried with backoff; permanent
ones (5xx) are reported per recipient. Before anything is sent, each message's list is checked again
against the desk's lists: a list not cleared for the marking, or a recipient who is not (or no longer)
a member of it, gets nothing.

Credentials come from the environment only: BRIEFGEN_SMTP_USER and BRIEFGEN_SMTP_PASSWORD.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path

from briefgen.desk.loader import Desk
from briefgen.desk.models import DistributionList, Marking
from briefgen.desk.settings import MailSection
from briefgen.errors import OutputError, UsageError
from briefgen.mail.message import LIST_HEADER, MARKING_HEADER, cleared

SEND_LOG = "sent.jsonl"
RETRIES = 3
BACKOFF_SECONDS = 0.5


@dataclass(frozen=True)
class Outgoing:
    """One built email edition and who should get it."""

    path: Path
    message: EmailMessage
    message_id: str
    list_id: str
    recipients: tuple[str, ...]
    refusal: str | None = None  # why nothing may be sent, if so


@dataclass
class SendReport:
    sent: list[tuple[str, str]] = field(default_factory=list)  # (file, recipient)
    already: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (file, recipient, reason)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)

    @property
    def complete(self) -> bool:
        return not self.failed and not self.refused


class SendLog:
    """`out/sent.jsonl`: one line per accepted delivery, flushed and synced before the next is tried."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: set[tuple[str, str]] = set()
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                    self.done.add((entry["message_id"], entry["recipient"].lower()))
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by a crash: that delivery is not counted as done

    def record(self, message_id: str, recipient: str, list_id: str) -> None:
        entry = {
            "message_id": message_id,
            "recipient": recipient,
            "list": list_id,
            "sent": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        try:
            with self.path.open("a", encoding="utf-8") as log:
                log.write(json.dumps(entry) + "\n")
                log.flush()
                os.fsync(log.fileno())
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot record a delivery: {exc.strerror or exc}") from None
        self.done.add((message_id, recipient.lower()))


def _valid_address(address: str) -> bool:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def outgoing(
    desk: Desk, out_dir: Path, day: date | None, brief_ids: tuple[str, ...], list_ids: tuple[str, ...]
) -> list[Outgoing]:
    """The built email editions selected, each checked against the desk's lists as they are now."""
    lists = {entry.record.id: entry.record for entry in desk.lists}
    folders = [out_dir / day.isoformat()] if day else sorted(p for p in out_dir.glob("????-??-??") if p.is_dir())
    found = []
    for folder in folders:
        for path in sorted(folder.glob("*.eml")):
            message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            assert isinstance(message, EmailMessage)
            list_id = str(message.get(LIST_HEADER, ""))
            brief_id = path.name[: -len(f".{list_id}.eml")] if path.name.endswith(f".{list_id}.eml") else ""
            if (brief_ids and brief_id not in brief_ids) or (list_ids and list_id not in list_ids):
                continue
            found.append(_checked(path, message, lists.get(list_id), list_id))
    return found


def _checked(path: Path, message: EmailMessage, mailing: DistributionList | None, list_id: str) -> Outgoing:
    message_id = str(message.get("Message-ID", "")).strip()
    addresses = tuple(address for _, address in getaddresses([str(v) for v in message.get_all("Bcc", [])]))
    refusal = None
    try:
        marking = Marking(str(message.get(MARKING_HEADER, "")))
    except ValueError:
        marking = None
    if mailing is None:
        refusal = f"list {list_id!r} is not among the desk's lists"
    elif marking is None:
        refusal = "the message carries no valid marking"
    elif not cleared(mailing, marking):
        refusal = f"list {list_id!r} is cleared for {mailing.clearance.value} only; this edition is {marking.value}"
    elif not message_id:
        refusal = "the message has no Message-ID"
    else:
        members = {m.email.lower() for m in mailing.members}
        strangers = [a for a in addresses if a.lower() not in members or not _valid_address(a)]
        if strangers:
            refusal = f"recipients not (or no longer) valid members of {list_id!r}: {', '.join(strangers)}"
    return Outgoing(path, message, message_id, list_id, addresses, refusal)


@dataclass
class _Connection:
    mail: MailSection
    smtp: smtplib.SMTP | None = None

    def open(self) -> smtplib.SMTP:
        if self.smtp is None:
            context = ssl.create_default_context()
            if self.mail.ssl:
                self.smtp = smtplib.SMTP_SSL(self.mail.host, self.mail.port, timeout=30, context=context)
            else:
                self.smtp = smtplib.SMTP(self.mail.host, self.mail.port, timeout=30)
                if self.mail.starttls:
                    self.smtp.starttls(context=context)
            user, password = os.environ.get("BRIEFGEN_SMTP_USER"), os.environ.get("BRIEFGEN_SMTP_PASSWORD")
            if user and password:
                self.smtp.login(user, password)
        return self.smtp

    def drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
        self.smtp = None


def _deliver(
    connection: _Connection, message: EmailMessage, sender: str, recipient: str, say: Callable[[str], None]
) -> str | None:
    """Send one message to one recipient; None when accepted, else why not (after retrying what may pass)."""
    reason = "not tried"
    for attempt in range(RETRIES + 1):
        if attempt:
            time.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
            say(f"        retry {attempt} for {recipient}: {reason}")
        try:
            refused = connection.open().send_message(message, from_addr=sender, to_addrs=[recipient])
            if not refused:
                return None
            code, text = refused[recipient]
            reason = f"{code} {text.decode('utf-8', 'replace')}"
            if 400 <= code < 500:
                continue
            return reason
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = exc.recipients.get(recipient, (550, b"refused"))
            reason = f"{code} {text.decode('utf-8', 'replace')}"
            if not 400 <= code < 500:
                return reason
        except smtplib.SMTPResponseException as exc:
            error = exc.smtp_error
            reason = f"{exc.smtp_code} {error.decode('utf-8', 'replace') if isinstance(error, bytes) else error}"
            connection.drop()
            if not 400 <= exc.smtp_code < 500:
                return reason
        except smtplib.SMTPNotSupportedError as exc:  # e.g. credentials given, but the server offers no AUTH
            connection.drop()
            return f"server: {exc}"
        except ssl.SSLCertVerificationError as exc:  # retrying cannot make a certificate valid
            connection.drop()
            return f"TLS: {exc.verify_message or exc}"
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
            reason = f"connection: {exc}"
            connection.drop()
    return reason


def send(
    desk: Desk,
    *,
    day: date | None,
    brief_ids: tuple[str, ...] = (),
    list_ids: tuple[str, ...] = (),
    dry_run: bool = False,
    say: Callable[[str], None] = print,
) -> SendReport:
    """Send (or with `dry_run`, show) the selected email editions. See the module's docstring."""
    mail = desk.settings.mail
    if mail.sender is None:
        raise UsageError("briefgen.toml: mail.from is not set (the envelope sender of every message)")
    report = SendReport()
    items = outgoing(desk, desk.out_dir, day, brief_ids, list_ids)
    if not items:
        say("no email editions to send (build them with --format eml)")
        return report
    log = SendLog(desk.out_dir / SEND_LOG)
    connection = _Connection(mail)
    try:
        for item in items:
            name = item.path.relative_to(desk.out_dir).as_posix()
            if item.refusal:
                report.refused.append((name, item.refusal))
                say(f"REFUSED {name}: {item.refusal}; nothing sent")
                continue
            pending = [r for r in item.recipients if (item.message_id, r.lower()) not in log.done]
            report.already += [(name, r) for r in item.recipients if r not in pending]
            subject = str(item.message.get("Subject", ""))
            if dry_run:
                state = (
                    f"{len(item.recipients) - len(pending)} already sent" if len(pending) < len(item.recipients) else ""
                )
                say(
                    f"would send {name} ({subject}) to list {item.list_id}: {', '.join(pending) or 'nobody left'}"
                    + (f"; {state}" if state else "")
                )
                continue
            for recipient in pending:
                reason = _deliver(connection, item.message, mail.sender.email, recipient, say)
                if reason is None:
                    log.record(item.message_id, recipient, item.list_id)
                    report.sent.append((name, recipient))
                else:
                    report.failed.append((name, recipient, reason))
                    say(f"FAILED  {name} to {recipient}: {reason}")
            delivered = sum(1 for n, _ in report.sent if n == name)
            say(f"sent    {name} to {delivered} of {len(pending)} pending recipient(s) ({subject})")
    finally:
        connection.drop()
    return report
