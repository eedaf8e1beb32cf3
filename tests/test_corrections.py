"""Corrected editions and `send` (issue 16), against a real SMTP server (aiosmtpd) on 127.0.0.1.

An edition rebuilt with other content after it was sent is a new revision: its own Message-ID, the
correction prefix in its subject, the correction note at its top; `send` delivers it once to each member
(and says how many got the earlier revision), never twice; `--resend` forces. `build --all` leaves sent
editions alone; a downed server fails fast; `--out`, `--brief`, `--list` and `--date` are checked.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from datetime import date
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import SMTP
from pathlib import Path

import pytest
import test_mail
from conftest import Recorder, run
from test_mail import DAY, MEMBERS, eml, mail_desk

from briefgen.mail.message import _as_bytes, parse_message_id

pytestmark = pytest.mark.pdf
desk = test_mail.desk  # the fixture: the sample desk built to send to the SMTP server on 127.0.0.1 (conftest.smtp)
MakeDesk = Callable[..., Path]
FORMATS = ("--format", "html,pdf,txt,eml", "--jobs", "1")
DATE = date(2025, 5, 22)
NOTE = "An earlier edition named the wrong host city for the talks."


def _brief(root: Path) -> Path:
    return next((root / "briefs").glob("*.yaml"))


def _correct(root: Path) -> None:
    brief = _brief(root)
    text = brief.read_text(encoding="utf-8")
    text = text.replace("Expect more detail after the next round in Baku.", "Expect more detail after the next round.")
    text = text.replace(
        "  lists: [partners, public-digest]", f"  lists: [partners, public-digest]\n  correction: {NOTE}"
    )
    brief.write_text(text, encoding="utf-8")


def test_a_corrected_edition_is_sent_once_to_each_earlier_recipient(desk: Path, smtp: tuple[Recorder, int]) -> None:
    recorder, _ = smtp
    first = run("send", desk, "--date", DAY)
    assert first.exit_code == 0, first.output
    assert len(recorder.messages) == 3
    _correct(desk)
    rebuilt = run("build", desk, "--date", DAY, *FORMATS)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "revision 2 (a correction)" in rebuilt.stdout
    sent = run("send", desk, "--date", DAY)
    assert sent.exit_code == 0, sent.output
    assert "a correction (revision 2): 3 of them got the earlier revision" in sent.stdout
    assert "3 delivered, 0 already sent earlier" in sent.stderr
    corrections = recorder.parsed()[3:]
    assert sorted(r for rcpt, _ in corrections for r in rcpt) == sorted(MEMBERS)  # each once
    for _, message in corrections:
        assert message["Subject"] == (
            "[TLP:GREEN] Correction: Israel and Turkey set up a channel to avoid clashes in Syria — May 22, 2025"
        )
        assert message["Message-ID"] == "<syria-deconfliction.2025-05-22.partners.r2@example.org>"
        assert message["References"] == "<syria-deconfliction.2025-05-22.partners@example.org>"
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        assert text is not None and html is not None
        lines = text.get_content().splitlines()
        assert "CORRECTION" in lines and lines.index("CORRECTION") < lines.index("BOTTOM LINE UP FRONT")
        assert NOTE in " ".join(text.get_content().split())
        assert html.get_content().index(NOTE) < html.get_content().index("Bottom line up front")
    # Never twice: sending again, or rebuilding the same content, sends nothing more.
    again = run("send", desk, "--date", DAY)
    assert again.exit_code == 0 and "0 delivered, 3 already sent earlier" in again.stderr
    assert "sent earlier to all 3 recipients" in again.stdout
    assert run("build", desk, "--date", DAY, *FORMATS, "--force").exit_code == 0
    assert parse_message_id(str(_message(eml(desk))["Message-ID"])) == ("syria-deconfliction", DATE, "partners", 2)
    assert run("send", desk, "--date", DAY).exit_code == 0
    assert len(recorder.messages) == 6
    # --resend forces.
    forced = run("send", desk, "--date", DAY, "--resend")
    assert forced.exit_code == 0 and "3 delivered" in forced.stderr
    assert len(recorder.messages) == 9


def _message(path: Path) -> Message:
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


def test_a_change_before_sending_keeps_the_first_revision(desk: Path, smtp: tuple[Recorder, int]) -> None:
    recorder, _ = smtp
    _correct(desk)
    assert run("build", desk, "--date", DAY, *FORMATS).exit_code == 0
    sent = run("send", desk, "--date", DAY)
    assert sent.exit_code == 0, sent.output
    [(_, message), *_] = recorder.parsed()
    assert message["Message-ID"] == "<syria-deconfliction.2025-05-22.partners@example.org>"
    assert not message["Subject"].startswith("[TLP:GREEN] Correction")
    assert "correction" not in sent.stdout


def test_the_correction_prefix_is_a_setting(make_desk: MakeDesk, smtp: tuple[Recorder, int]) -> None:
    recorder, port = smtp
    root = mail_desk(make_desk, port, settings=lambda t: t + 'correction_prefix = "CORRECTED:"\n')
    assert run("build", root, "--date", DAY, *FORMATS).exit_code == 0
    assert run("send", root, "--date", DAY).exit_code == 0
    _correct(root)
    assert run("build", root, "--date", DAY, *FORMATS).exit_code == 0
    assert run("send", root, "--date", DAY).exit_code == 0
    assert recorder.parsed()[-1][1]["Subject"].startswith("[TLP:GREEN] CORRECTED: Israel")


def test_build_all_leaves_sent_editions_alone(desk: Path, smtp: tuple[Recorder, int]) -> None:
    assert run("send", desk, "--date", DAY).exit_code == 0
    before = {p.name: p.read_bytes() for p in (desk / "out" / DAY).iterdir()}
    (desk / "templates").mkdir(exist_ok=True)
    (desk / "templates" / "brief.html.j2").write_text(
        '{% extends "builtin/brief.html.j2" %}{% block legend %}<p>new legend</p>{% endblock %}', encoding="utf-8"
    )
    kept = run("build", desk, "--all", *FORMATS)
    assert kept.exit_code == 0, kept.output
    assert "kept    syria-deconfliction 2025-05-22: already sent, left as it was sent (--force rebuilds it)" in (
        kept.stdout
    )
    assert "1 kept as sent" in kept.stderr
    assert {p.name: p.read_bytes() for p in (desk / "out" / DAY).iterdir()} == before
    forced = run("build", desk, "--all", *FORMATS, "--force")
    assert forced.exit_code == 0 and "built   syria-deconfliction" in forced.stdout
    assert b"new legend" in (desk / "out" / DAY / "syria-deconfliction.html").read_bytes()


def test_a_downed_smtp_server_fails_fast(make_desk: MakeDesk, smtp: tuple[Recorder, int]) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    root = mail_desk(make_desk, closed)
    assert run("build", root, "--date", DAY, *FORMATS).exit_code == 0
    started = time.monotonic()
    result = run("send", root, "--date", DAY)
    assert time.monotonic() - started < 3
    assert result.exit_code == 7
    assert result.stdout.count("FAILED") == 1 and "retry" not in result.stdout
    assert f"cannot reach the SMTP server localhost:{closed}" in result.stdout
    assert "3 deliveries not tried" in result.stdout
    assert "0 delivered, 0 already sent earlier, 3 failed" in result.stderr


def test_send_takes_out_and_says_what_was_not_built(
    make_desk: MakeDesk, smtp: tuple[Recorder, int], tmp_path: Path
) -> None:
    recorder, port = smtp
    root = mail_desk(make_desk, port)
    elsewhere = tmp_path / "elsewhere"
    nothing = run("send", root, "--date", DAY)
    assert nothing.exit_code == 7
    assert "not built 2025-05-22/syria-deconfliction: no email edition" in nothing.stdout
    assert run("build", root, "--date", DAY, *FORMATS, "--out", elsewhere).exit_code == 0
    sent = run("send", root, "--date", DAY, "--out", elsewhere)
    assert sent.exit_code == 0, sent.output
    assert len(recorder.messages) == 3 and (elsewhere / "sent.jsonl").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--brief", "syria-deconfliktion"), "--brief syria-deconfliktion: no brief has this id (did you mean"),
        (("--list", "partner"), "--list partner: no distribution list has this id (did you mean 'partners'?)"),
        (("--date", "2025-05-23"), "--date 2025-05-23: no edition is dated so (did you mean '2025-05-22'?)"),
    ],
)
def test_send_selections_that_match_nothing_are_usage_errors(
    make_desk: MakeDesk, smtp: tuple[Recorder, int], args: tuple[str, ...], message: str
) -> None:
    recorder, port = smtp
    root = mail_desk(make_desk, port)
    full = ("--date", DAY, *args) if "--date" not in args else args
    result = run("send", root, *full)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert recorder.messages == []


def test_long_subjects_fold_without_a_double_space() -> None:
    for length in range(20, 140):
        for title in ("a" * length, "Talks " * (length // 6) + "end", "Türkiye " * (length // 8) + "x"):
            subject = f"[TLP:GREEN] {title} — 2025-05-22"
            message = EmailMessage(policy=SMTP)
            message["Subject"] = subject
            raw = _as_bytes(message)
            assert str(BytesParser(policy=policy.default).parsebytes(raw)["Subject"]) == subject
            assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
