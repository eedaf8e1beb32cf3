"""`briefgen send`: deliver built email editions over SMTP, each message to each member exactly once.

Which messages may go is decided before this module sees them (`briefgen.build.sendable`: only the
email editions of an edition as it was last built successfully from the current records). Each is sent
one recipient at a time (the envelope names one member; the Bcc header is never transmitted),
so that delivery can be tracked per recipient. Each accepted delivery is appended to the send log
`out/sent.jsonl` and flushed to disk before the next one: a re-run after a crash sends only what the log
does not hold. Transient failures (4xx replies, dropped connections) are retried with backoff; permanent
ones (5xx) are reported per recipient. A server that cannot be reached at all (connection refused, no
such host, no answer) stops the run at once: every delivery left is reported as not tried, none is retried.

A correction (a later revision of an edition, see `briefgen.build.revisions`) has its own Message-ID, so
the log does not hold it yet: it goes to the list's members, and the output says how many of them got the
earlier revision. `resend` sends again what the log holds.

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
from datetime import UTC, datetime
from email.message import EmailMessage

from briefgen.desk.layout import OutLayout
from briefgen.desk.outfolder import OutFolder
from briefgen.desk.settings import MailSection
from briefgen.errors import OutputError, SettingsError
from briefgen.render.counts import counted

RETRIES = 3
BACKOFF_SECONDS = 0.5


@dataclass(frozen=True)
class Outgoing:
    """One built email edition and who should get it."""

    name: str  # the message file as messages name it (`2025-05-22/brief.list.eml`)
    message: EmailMessage
    message_id: str
    list_id: str
    recipients: tuple[str, ...]
    refusal: str | None = None  # why nothing may be sent, if so
    revision: int = 1
    earlier: tuple[str, ...] = ()  # Message-IDs of the earlier revisions this one corrects


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
    """`out/sent.jsonl`: one line per accepted delivery, appended and synced before the next is tried.

    The log is state in the output folder: it is read bounded and never through a link. A last line cut
    short by a crash does not count as a delivery; any other line that is not a delivery record is an
    error naming the file and line (guessing could send a message twice or not at all)."""

    def __init__(self, out: OutFolder) -> None:
        self.out = out
        self.done: set[tuple[str, str]] = set()
        raw = out.read(OutLayout.SEND_LOG)
        if raw is None:
            return
        lines = raw.split(b"\n")
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line.decode("utf-8"))
                message_id, recipient = entry["message_id"], entry["recipient"]
                if not isinstance(message_id, str) or not isinstance(recipient, str):
                    raise TypeError("message_id and recipient must be text")
            except (ValueError, KeyError, TypeError) as exc:
                if number == len(lines):  # the last line, without its newline: cut short by a crash
                    continue
                raise OutputError(
                    f"{out.path / OutLayout.SEND_LOG}:{number}: not a delivery record ({exc}); "
                    "repair or remove the line, then send again"
                ) from None
            self.done.add((message_id, recipient.lower()))

    def record(self, message_id: str, recipient: str, list_id: str) -> None:
        entry = {
            "message_id": message_id,
            "recipient": recipient,
            "list": list_id,
            "sent": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self.out.append(OutLayout.SEND_LOG, (json.dumps(entry) + "\n").encode("utf-8"))
        self.done.add((message_id, recipient.lower()))


def valid_address(address: str) -> bool:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


class Unreachable(Exception):
    """The SMTP server cannot be reached at all: no delivery can succeed, so none is tried."""


@dataclass
class _Connection:
    mail: MailSection
    smtp: smtplib.SMTP | None = None

    def open(self) -> smtplib.SMTP:
        if self.smtp is None:
            context = ssl.create_default_context()
            try:
                if self.mail.ssl:
                    self.smtp = smtplib.SMTP_SSL(self.mail.host, self.mail.port, timeout=30, context=context)
                else:
                    self.smtp = smtplib.SMTP(self.mail.host, self.mail.port, timeout=30)
            except (smtplib.SMTPException, ssl.SSLError):
                raise
            except OSError as exc:  # refused, no such host, timed out: retrying in a second will not help
                raise Unreachable(
                    f"cannot reach the SMTP server {self.mail.host}:{self.mail.port} ([mail] host, port): "
                    f"{exc.strerror or exc}"
                ) from None
            if not self.mail.ssl and self.mail.starttls:
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
    items: list[Outgoing],
    out: OutFolder,
    mail: MailSection,
    *,
    dry_run: bool = False,
    resend: bool = False,
    say: Callable[[str], None] = print,
) -> SendReport:
    """Send (or with `dry_run`, show) the email editions `items`; with `resend`, also to the recipients the
    log says already got them. See the module's docstring."""
    if mail.sender is None:
        raise SettingsError("briefgen.toml: mail.from: not set (the envelope sender of every message)")
    report = SendReport()
    if not items:
        return report
    log = SendLog(out)
    connection = _Connection(mail)
    try:
        for index, item in enumerate(items):
            try:
                _send_one(item, log, connection, mail, report, dry_run=dry_run, resend=resend, say=say)
            except Unreachable as exc:
                left = [(i.name, r) for i in items[index:] if not i.refusal for r in _pending(i, log, resend)]
                report.failed += [(name, recipient, str(exc)) for name, recipient in left]
                say(f"FAILED  {exc}; {counted(len(left), 'delivery')} not tried")
                break
    finally:
        connection.drop()
    return report


def _pending(item: Outgoing, log: SendLog, resend: bool) -> list[str]:
    if resend:
        return list(item.recipients)
    return [r for r in item.recipients if (item.message_id, r.lower()) not in log.done]


def _send_one(
    item: Outgoing,
    log: SendLog,
    connection: _Connection,
    mail: MailSection,
    report: SendReport,
    *,
    dry_run: bool,
    resend: bool,
    say: Callable[[str], None],
) -> None:
    name = item.name
    if item.refusal:
        report.refused.append((name, item.refusal))
        say(f"REFUSED {name}: {item.refusal}; nothing sent")
        return
    pending = _pending(item, log, resend)
    report.already += [(name, r) for r in item.recipients if r not in pending]
    subject = str(item.message.get("Subject", ""))
    earlier = {recipient for message_id, recipient in log.done if message_id in item.earlier}
    correction = ""
    if item.revision > 1:
        had = sum(1 for r in pending if r.lower() in earlier)
        correction = f"; a correction (revision {item.revision}): {had} of them got the earlier revision"
    if not pending:
        say(f"already {name}: sent earlier to all {counted(len(item.recipients), 'recipient')}")
        return
    if dry_run:
        state = f"; {len(item.recipients) - len(pending)} already sent" if len(pending) < len(item.recipients) else ""
        say(f"would send {name} ({subject}) to list {item.list_id}: {', '.join(pending)}{state}{correction}")
        return
    assert mail.sender is not None
    delivered = 0
    for recipient in pending:
        reason = _deliver(connection, item.message, mail.sender.email, recipient, say)
        if reason is None:
            log.record(item.message_id, recipient, item.list_id)
            report.sent.append((name, recipient))
            delivered += 1
        else:
            report.failed.append((name, recipient, reason))
            say(f"FAILED  {name} to {recipient}: {reason}")
    already = len(item.recipients) - len(pending)
    say(
        f"sent    {name} to {delivered} of {counted(len(pending), 'recipient')}"
        + (f" ({already} had it already)" if already else "")
        + f"{correction} ({subject})"
    )
