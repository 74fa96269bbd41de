"""A real SMTP server for the alert tests (Debian's python3-aiosmtpd): every message it accepts is
written to a directory as NNNNN.eml, beside NNNNN.json with its envelope and whether TLS and a
login were used. With --tls it offers STARTTLS and refuses mail before it; with --login it
accepts only that user name and password, and only over TLS. Prints "ready" once listening."""
import argparse
import json
import os
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Store:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            number = self.count
        base = os.path.join(self.directory, f"{number:05d}")
        facts = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "login": session.auth_data.login.decode() if session.authenticated and isinstance(session.auth_data, LoginPassword) else None,
        }
        with open(base + ".eml.tmp", "wb") as message:
            message.write(envelope.original_content or envelope.content)
        with open(base + ".json.tmp", "w") as envelope_file:
            json.dump(facts, envelope_file)
        os.replace(base + ".json.tmp", base + ".json")
        os.replace(base + ".eml.tmp", base + ".eml")
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--directory", required=True)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--login", metavar="USER:PASSWORD")
    arguments = parser.parse_args()

    parameters = {}
    if arguments.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*arguments.tls)
        parameters.update(tls_context=context, require_starttls=True)
    if arguments.login:
        user, password = arguments.login.split(":", 1)

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False, auth_data=auth_data)

        parameters.update(authenticator=authenticate, auth_required=True, auth_require_tls=True)

    controller = Controller(Store(arguments.directory), hostname="127.0.0.1", port=arguments.port, **parameters)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
