"""An aiosmtpd server that requires STARTTLS and AUTH (LOGIN or PLAIN) before it takes mail.

Run by tests/smtp_mail_reaches_aiosmtpd.rs as

    python3 aiosmtpd_auth.py PORT CERT_PEM KEY_PEM LOGIN PASSWORD

It prints READY once it listens, then each message it receives between aiosmtpd's usual
"MESSAGE FOLLOWS" / "END MESSAGE" lines, preceded by the login the session authenticated as.
"""

import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    port, cert, key, login, password = sys.argv[1:6]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == login.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data.login.decode() if ok else None)

    class Printer:
        async def handle_DATA(self, server, session, envelope):
            print(f"AUTHENTICATED AS {session.auth_data}")
            print("---------- MESSAGE FOLLOWS ----------")
            print(envelope.content.decode("utf-8", errors="replace"))
            print("------------ END MESSAGE ------------", flush=True)
            return "250 OK"

    controller = Controller(
        Printer(),
        hostname="127.0.0.1",
        port=int(port),
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    print("READY", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
