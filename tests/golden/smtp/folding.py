"""Random subjects and bodies, as CPython's email package writes them: the `Subject:` header
folded by `email.policy.default` (what SMTPHandler's EmailMessage does with its subject) and the
body's Content-Transfer-Encoding and bytes after `EmailMessage.set_content(text)`.

    python3 tests/golden/smtp/folding.py

Writes folding.json (seeded, so a second run leaves it unchanged), read by the unit tests of
crates/pylog-core/src/handler/smtp/{subject,body}.rs.
"""

import json
import pathlib
import random
from email import policy
from email.message import EmailMessage

HERE = pathlib.Path(__file__).resolve().parent
CRLF = policy.default.clone(linesep="\r\n")
WORDS = ["alert", "disk", "full", "on", "server", "x" * 30, "y" * 80, "café", "naïve", "München",
         "東京", "ディスク", "😀", "—", "a_b", "=?", "?=", "100%", "(ok)", "\"q\"", "über-lang-" * 5,
         "é" * 40, "z" * 70, "", "Ω"]
SPACES = [" ", " ", " ", "  ", "\t", " \t "]


def subject(rng):
    parts = []
    for _ in range(rng.randint(0, 14)):
        parts.append(rng.choice(WORDS))
        parts.append(rng.choice(SPACES))
    text = "".join(parts)
    if rng.random() < 0.2:
        text = text.strip()
    return text


def body(rng):
    lines = []
    for _ in range(rng.randint(0, 12)):
        kind = rng.random()
        if kind < 0.3:
            line = "".join(rng.choice("abc =\t") for _ in range(rng.randint(0, 120)))
        elif kind < 0.5:
            line = "".join(rng.choice("aé東 =") for _ in range(rng.randint(0, 120)))
        elif kind < 0.6:
            line = "." * rng.randint(1, 3)
        else:
            line = "w" * rng.choice([0, 1, 75, 76, 77, 78, 79, 80, 150])
        lines.append(line)
    ending = rng.choice(["\n", "\r\n", "\r"])
    text = ending.join(lines)
    if rng.random() < 0.5:
        text += ending
    return text


def main():
    rng = random.Random(20261207)
    subjects = []
    for _ in range(300):
        text = subject(rng)
        folded = CRLF.header_factory("Subject", text).fold(policy=CRLF)
        subjects.append({"subject": text, "folded": folded})
    bodies = []
    for _ in range(150):
        text = body(rng)
        msg = EmailMessage(policy=policy.default)
        msg.set_content(text)
        raw = msg.as_bytes(policy=CRLF)
        head, _, payload = raw.partition(b"\r\n\r\n")
        cte = msg["Content-Transfer-Encoding"]
        bodies.append({"text": text, "encoding": cte, "body": payload.decode("utf-8")})
    (HERE / "folding.json").write_text(
        json.dumps({"subjects": subjects, "bodies": bodies}, indent=0, ensure_ascii=False) + "\n",
        encoding="utf-8")


if __name__ == "__main__":
    main()
