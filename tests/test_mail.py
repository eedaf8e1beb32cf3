"""Email editions and `briefgen send`, against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from conftest import SAMPLE_BRIEF, Recorder, free_port, one_edition, parse_email, run

from briefgen.mail.message import MailError, safe_header_value

pytestmark = pytest.mark.pdf
MakeDesk = Callable[..., Path]
DAY = "2025-05-22"
MEMBERS = ["ayse@example.org", "yonatan@example.org", "rania@example.org"]


def mail_desk(
    make_desk: MakeDesk,
    port: int,
    settings: Callable[[str], str] = str,
    files: dict[str, Callable[[str], str]] | None = None,
) -> Path:
    """The sample desk as one edition (`conftest.one_edition`), sending to the test's SMTP server on `port`."""
    return make_desk(
        "sample",
        files={
            "briefgen.toml": lambda t: settings(t.replace("port = 25", f"port = {port}")),
            SAMPLE_BRIEF: one_edition,
            **(files or {}),
        },
    )


@pytest.fixture
def desk(make_desk: MakeDesk, smtp: tuple[Recorder, int]) -> Path:
    _, port = smtp
    root = mail_desk(make_desk, port)
    result = run("build", root, "--date", DAY, "--format", "html,pdf,eml", "--jobs", "1")
    assert result.exit_code == 0, result.output
    return root


def eml(desk: Path, list_id: str = "partners") -> Path:
    return desk / "out" / DAY / f"syria-deconfliction.{list_id}.eml"


class _Text(HTMLParser):
    """The body's text in order, and every tag."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.in_body = self.in_body or tag == "body"

    def handle_data(self, data: str) -> None:
        if self.in_body and data.strip():
            self.parts.append(data.strip())


def test_subject_isolates_only_a_title_that_could_reorder() -> None:
    """An Arabic (or mixed) title is put between Unicode isolates, so that it cannot pull the marking or the
    date into its direction; a title of the subject's own direction is left as written."""
    from composing import composed_brief
    from conftest import DESKS

    from briefgen.mail.message import subject
    from briefgen.render.labels import isolated_plain

    arabic = composed_brief(DESKS / "lang-ar")
    line = subject(arabic)
    assert line.startswith(f"[{arabic.marking.value}] \u2068{arabic.title}\u2069 — "), line
    english = composed_brief(DESKS / "lang-en")
    assert subject(english).startswith(f"[{english.marking.value}] {english.title} — ")
    assert "\u2068" not in subject(english) and "\u2069" not in subject(english)
    assert isolated_plain("Talks in دمشق", "ltr") == "\u2068Talks in دمشق\u2069"
    assert isolated_plain("Rendez-vous à Genève, 12 mai", "ltr") == "Rendez-vous à Genève, 12 mai"
    assert isolated_plain("محادثات في دمشق", "rtl") == "محادثات في دمشق"
    assert isolated_plain("محادثات في Genève", "rtl") == "\u2068محادثات في Genève\u2069"
    assert isolated_plain("", "ltr") == ""


def test_the_email_edition(desk: Path) -> None:
    message = parse_email(eml(desk).read_bytes())
    # The date in the brief's language; an English title as it is, the characters a mail filter looks for
    # (a title with right-to-left text is isolated: see test_subject_isolates_only_a_title_that_could_reorder).
    title = "Israel and Turkey set up a channel to avoid clashes in Syria"
    assert message["Subject"] == f"[TLP:GREEN] {title} — May 22, 2025"
    assert str(message["From"]) == "Levant Desk <desk@example.org>"
    assert str(message["To"]) == "Partner analysts:;"
    assert [a.addr_spec for a in message["Bcc"].addresses] == MEMBERS
    assert message["Date"] == "Thu, 22 May 2025 06:00:00 +0300"
    assert message["Message-ID"] == "<syria-deconfliction.2025-05-22.partners@example.org>"
    assert message["List-Id"] == "Partner analysts <partners.example.org>"
    assert message["List-Unsubscribe"] is None  # the partners list sets none
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content().splitlines()[0] == "TLP:GREEN"
    page = _Text()
    page.feed(html.get_content())
    assert page.parts[0] == "TLP:GREEN"
    assert not any(tag in ("style", "link", "script", "img") for tag, _ in page.tags)
    assert any("style" in attrs for _, attrs in page.tags)  # the CSS is inlined into the elements
    assert "var(--" not in html.get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "TLP-GREEN_2025-05-22_syria-deconfliction.pdf"
    assert attachment.get_content() == (desk / "out" / DAY / "syria-deconfliction.pdf").read_bytes()
    # Same edition and list, same bytes.
    before = eml(desk).read_bytes()
    assert run("build", desk, "--date", DAY, "--format", "html,pdf,eml", "--force").exit_code == 0
    assert eml(desk).read_bytes() == before


def test_a_list_below_the_marking_gets_no_message(make_desk: MakeDesk, smtp: tuple[Recorder, int]) -> None:
    recorder, port = smtp
    # Without the sample's acknowledgement of this warning (an acknowledged warning is not printed).
    unacknowledged = {SAMPLE_BRIEF: lambda t: one_edition(t).split("\n# Warnings")[0] + "\n"}
    root = mail_desk(make_desk, port, files=unacknowledged)
    result = run("build", root, "--date", DAY, "--format", "pdf,eml", "--jobs", "1")
    assert result.exit_code == 0
    assert (
        "list 'public-digest' is cleared for TLP:CLEAR only; this TLP:GREEN edition will not be sent to it"
        in result.stderr
    )
    assert not eml(root, "public-digest").exists()
    # A message made for the list anyway (by hand, by an older build) is refused at send time.
    forged = eml(root).read_bytes().replace(b"X-Briefgen-List: partners", b"X-Briefgen-List: public-digest")
    eml(root).unlink()
    eml(root, "public-digest").write_bytes(forged)
    sent = run("send", root, "--date", DAY)
    assert sent.exit_code == 7
    assert (
        "REFUSED 2025-05-22/syria-deconfliction.public-digest.eml: not part of any edition as last built" in sent.stdout
    )
    assert recorder.messages == []


def test_send_delivers_each_member_once(desk: Path, smtp: tuple[Recorder, int]) -> None:
    recorder, _ = smtp
    result = run("send", desk, "--date", DAY)
    assert result.exit_code == 0, result.output
    assert "3 delivered, 0 already sent earlier, 0 failed" in result.stderr
    received = recorder.parsed()
    assert sorted(r for rcpt, _ in received for r in rcpt) == sorted(MEMBERS)
    pdf = (desk / "out" / DAY / "syria-deconfliction.pdf").read_bytes()
    for (_, message), (_, _, raw) in zip(received, recorder.messages, strict=True):
        assert message["Subject"].startswith("[TLP:GREEN] ")
        assert b"\r\nBcc:" not in raw and not raw.startswith(b"Bcc:")  # the Bcc header is never transmitted
        body = message.get_body(("plain",))
        assert body is not None and body.get_content().splitlines()[0] == "TLP:GREEN"
        assert next(message.iter_attachments()).get_content() == pdf
    again = run("send", desk, "--date", DAY)
    assert again.exit_code == 0 and "0 delivered, 3 already sent earlier" in again.stderr
    assert len(recorder.messages) == 3


def test_dry_run_shows_and_sends_nothing(desk: Path, smtp: tuple[Recorder, int]) -> None:
    recorder, _ = smtp
    result = run("send", desk, "--date", DAY, "--dry-run")
    assert result.exit_code == 0
    assert "would send 2025-05-22/syria-deconfliction.partners.eml" in result.stdout
    assert all(member in result.stdout for member in MEMBERS)
    assert recorder.messages == [] and not (desk / "out/sent.jsonl").exists()


def test_transient_failures_are_retried_and_permanent_ones_reported(desk: Path, smtp: tuple[Recorder, int]) -> None:
    recorder, _ = smtp
    recorder.rcpt_replies = {
        "yonatan@example.org": ["451 4.3.0 busy, try later"],
        "rania@example.org": ["550 5.1.1 no such user"] * 8,
    }
    result = run("send", desk, "--date", DAY)
    assert result.exit_code == 7
    assert "retry 1 for yonatan@example.org: 451 4.3.0 busy, try later" in result.stdout
    assert (
        "FAILED  2025-05-22/syria-deconfliction.partners.eml to rania@example.org: 550 5.1.1 no such user"
        in result.stdout
    )
    assert sorted(r for _, rcpt, _ in recorder.messages for r in rcpt) == ["ayse@example.org", "yonatan@example.org"]
    recorder.rcpt_replies = {}
    again = run("send", desk, "--date", DAY)
    assert again.exit_code == 0 and "1 delivered, 2 already sent earlier" in again.stderr
    assert sorted(r for _, rcpt, _ in recorder.messages for r in rcpt) == sorted(MEMBERS)


def test_a_crash_after_the_first_recipient_then_a_rerun_delivers_each_once(
    desk: Path, smtp: tuple[Recorder, int]
) -> None:
    recorder, _ = smtp
    recorder.hold_after = 1
    process = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "send", str(desk), "--date", DAY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while len(recorder.messages) < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # the second delivery is now held by the server
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    recorder.release.set()
    assert len(recorder.messages) == 1
    recorder.hold_after = None
    result = run("send", desk, "--date", DAY)
    assert result.exit_code == 0, result.output
    assert "2 delivered, 1 already sent earlier" in result.stderr
    delivered = [r for _, rcpt, _ in recorder.messages for r in rcpt]
    assert sorted(delivered) == sorted(MEMBERS)  # each exactly once


@pytest.mark.parametrize(
    "value",
    [
        "Title\r\nBcc: evil@example.org",
        "Title\nBcc: evil@example.org",
        "=?utf-8?q?Title=0D=0ABcc:_evil@example.org?=",
        "Title\u2028Bcc: evil@example.org",
    ],
)
def test_header_values_cannot_add_headers(value: str) -> None:
    with pytest.raises(MailError):
        safe_header_value("brief.title", value)


def test_injection_through_records_is_refused(make_desk: MakeDesk, smtp: tuple[Recorder, int]) -> None:
    _, port = smtp
    root = mail_desk(
        make_desk,
        port,
        files={
            SAMPLE_BRIEF: lambda t: one_edition(t).replace(
                "  title: Israel and Turkey set up a channel to avoid clashes in Syria",
                '  title: "=?utf-8?q?Brief=0D=0ABcc:_evil@example.org?="',
            ),
            "lists/partners.yaml": lambda t: t.replace(
                "name: Partner analysts", 'name: "Partners\\r\\nBcc: evil@example.org"'
            ),
        },
    )
    result = run("build", root, "--date", DAY, "--format", "pdf,eml", "--jobs", "1")
    assert result.exit_code == 1
    assert "lists/partners.yaml:2: name: line break U+000D at position 9 (a single line is expected)" in result.stderr
    assert not list((root / "out").glob("*/*.eml"))
    # With the list repaired, the encoded word in the title is still refused.
    (root / "lists/partners.yaml").write_text(
        (root / "lists/partners.yaml").read_text().replace('"Partners\\r\\nBcc: evil@example.org"', "Partners")
    )
    again = run("build", root, "--date", DAY, "--format", "pdf,eml", "--jobs", "1")
    assert again.exit_code == 1
    assert "brief.title: contains an RFC 2047 encoded word" in again.stderr
    assert not list((root / "out").glob("*/*.eml"))


def test_attachment_limit_warns_and_strict_refuses(make_desk: MakeDesk, smtp: tuple[Recorder, int]) -> None:
    _, port = smtp
    root = mail_desk(make_desk, port, settings=lambda t: t.replace("[mail]", "[mail]\nattachment_limit = 20000"))
    result = run("build", root, "--date", DAY, "--format", "pdf,eml", "--jobs", "1")
    assert result.exit_code == 0
    assert (
        "syria-deconfliction.pdf: warning: the PDF is" in result.stderr
        and "attachment limit of 20,000 bytes" in result.stderr
    )
    failed = run("build", root, "--date", DAY, "--format", "pdf,eml", "--jobs", "1", "--strict", "--force")
    assert failed.exit_code == 1


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_tls_and_credentials_from_the_environment(
    make_desk: MakeDesk, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    import ssl

    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[str] = []

    def authenticate(server: object, session: object, envelope: object, mechanism: str, data: object) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"desk", b"s3cret")
        if ok:
            logins.append(mechanism)
        return AuthResult(success=ok)

    recorder = Recorder()
    port = free_port()
    if mode == "starttls":
        controller = Controller(
            recorder,
            hostname="127.0.0.1",
            port=port,
            tls_context=context,
            require_starttls=True,
            authenticator=authenticate,
            auth_required=True,
        )
    else:
        controller = Controller(
            recorder,
            hostname="127.0.0.1",
            port=port,
            ssl_context=context,
            authenticator=authenticate,
            auth_required=True,
            auth_require_tls=False,  # the whole connection is TLS already
        )
    controller.start()
    try:
        setting = "starttls = true" if mode == "starttls" else "ssl = true"
        root = mail_desk(
            make_desk,
            port,
            settings=lambda t: t.replace("starttls = false", setting).replace(
                'host = "localhost"', 'host = "127.0.0.1"'
            ),
        )
        assert run("build", root, "--date", DAY, "--format", "pdf,eml", "--jobs", "1").exit_code == 0
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test server's certificate
        refused = run("send", root, "--date", DAY)
        assert refused.exit_code == 7 and recorder.messages == []  # no credentials: the server refuses
        monkeypatch.setenv("BRIEFGEN_SMTP_USER", "desk")
        monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", "s3cret")
        result = run("send", root, "--date", DAY)
        assert result.exit_code == 0, result.output
        assert len(recorder.messages) == 3 and logins
    finally:
        controller.stop()


def test_list_unsubscribe_when_the_list_sets_it(make_desk: MakeDesk, smtp: tuple[Recorder, int]) -> None:
    _, port = smtp
    root = mail_desk(
        make_desk,
        port,
        files={
            "lists/partners.yaml": lambda t: t.replace(
                "clearance: TLP:GREEN", "clearance: TLP:GREEN\nunsubscribe: https://example.org/leave?list=partners"
            ),
        },
    )
    assert run("build", root, "--date", DAY, "--format", "pdf,eml", "--jobs", "1").exit_code == 0
    message = parse_email(eml(root).read_bytes())
    assert message["List-Unsubscribe"] == "<https://example.org/leave?list=partners>"


# --- stale email editions never go out (issue 12) ------------------------------------------------------------


def _brief(desk: Path) -> Path:
    return next((desk / "briefs").glob("*.yaml"))


def test_a_remarked_edition_sends_nothing_to_a_list_no_longer_cleared(desk: Path, smtp: tuple[Recorder, int]) -> None:
    recorder, _ = smtp
    assert eml(desk).exists()
    brief = _brief(desk)
    brief.write_text(brief.read_text(encoding="utf-8").replace("marking: TLP:GREEN", "marking: TLP:RED"), "utf-8")
    # Before the rebuild: the records changed since the message was built, so nothing goes.
    sent = run("send", desk, "--date", DAY)
    assert sent.exit_code == 7
    assert "REFUSED 2025-05-22/syria-deconfliction.partners.eml: the edition is now marked TLP:RED" in sent.stdout
    rebuilt = run("build", desk, "--date", DAY, "--format", "html,pdf,eml", "--jobs", "1")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert not eml(desk).exists(), "the rebuild removes the email edition it no longer produces"
    sent = run("send", desk, "--date", DAY)
    assert sent.exit_code == 0 and "no email editions to send" in sent.stdout
    assert recorder.messages == []


def test_a_list_removed_from_the_brief_gets_nothing(desk: Path, smtp: tuple[Recorder, int]) -> None:
    recorder, _ = smtp
    brief = _brief(desk)
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("lists: [partners, public-digest]", "lists: [public-digest]"), "utf-8")
    # A dry run, the check before the send, exits as the send will.
    checked = run("send", desk, "--date", DAY, "--dry-run")
    assert checked.exit_code == 7 and "changed since this edition was last built" in checked.stdout
    refused = run("send", desk, "--date", DAY)
    assert refused.exit_code == 7 and "changed since this edition was last built" in refused.stdout
    assert run("build", desk, "--date", DAY, "--format", "html,pdf,eml", "--jobs", "1").exit_code == 0
    assert not eml(desk).exists()
    assert run("send", desk, "--date", DAY).exit_code == 0
    assert recorder.messages == []


def test_after_a_failed_rebuild_the_previous_message_is_not_sent(desk: Path, smtp: tuple[Recorder, int]) -> None:
    recorder, _ = smtp
    before = eml(desk).read_bytes()
    brief = _brief(desk)
    brief.write_text(brief.read_text(encoding="utf-8").replace("marking: TLP:GREEN", "marking: TLP:PURPLE"), "utf-8")
    failed = run("build", desk, "--date", DAY, "--format", "html,pdf,eml", "--jobs", "1")
    assert failed.exit_code == 1
    assert eml(desk).read_bytes() == before, "a failed build leaves earlier files byte-identical"
    sent = run("send", desk, "--date", DAY)
    assert sent.exit_code == 7 and "is not among the records as they load now" in sent.stdout
    assert "brief.marking: expected one of" in sent.stdout
    assert recorder.messages == []


def test_a_list_whose_clearance_or_members_changed_gets_nothing(desk: Path, smtp: tuple[Recorder, int]) -> None:
    recorder, _ = smtp
    partners = desk / "lists" / "partners.yaml"
    partners.write_text(partners.read_text(encoding="utf-8").replace("clearance: TLP:GREEN", "clearance: TLP:CLEAR"))
    sent = run("send", desk, "--date", DAY)
    assert sent.exit_code == 7 and "REFUSED 2025-05-22/syria-deconfliction.partners.eml" in sent.stdout
    assert recorder.messages == []


def test_a_tampered_message_is_refused(desk: Path, smtp: tuple[Recorder, int]) -> None:
    recorder, _ = smtp
    eml(desk).write_bytes(eml(desk).read_bytes().replace(b"ayse@example.org", b"ayse@example.net"))
    sent = run("send", desk, "--date", DAY)
    assert sent.exit_code == 7 and "the message changed since it was built" in sent.stdout
    assert recorder.messages == []


@pytest.mark.parametrize(
    ("log", "message"),
    [
        (
            b'{"message_id": 7, "recipient": ["x"]}\n{"message_id": "a", "recipient": "b"}\n',
            "sent.jsonl:1: not a delivery record",
        ),
        (
            b'{"message_id": "a", "recipient": "b"}\n\xff\xfe\n{"message_id": "c", "recipient": "d"}\n',
            "sent.jsonl:2: not a delivery record",
        ),
    ],
    ids=["wrong-types", "invalid-utf8"],
)
def test_a_corrupt_send_log_is_a_clear_error(desk: Path, smtp: tuple[Recorder, int], log: bytes, message: str) -> None:
    recorder, _ = smtp
    (desk / "out" / "sent.jsonl").write_bytes(log)
    sent = run("send", desk, "--date", DAY)
    assert sent.exit_code == 6, sent.output
    assert message in sent.stderr and "Traceback" not in sent.output
    assert recorder.messages == []


def test_a_symlink_at_the_send_log_is_refused(desk: Path, smtp: tuple[Recorder, int], tmp_path: Path) -> None:
    recorder, _ = smtp
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch\n")
    (desk / "out" / "sent.jsonl").symlink_to(victim)
    sent = run("send", desk, "--date", DAY)
    assert sent.exit_code == 6 and "sent.jsonl: cannot be read: is a symbolic link" in sent.stderr
    assert victim.read_text() == "do not touch\n"
    assert recorder.messages == []
