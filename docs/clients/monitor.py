"""Prints each email the monitor sees, live, and never misses one across reconnects.

Needs the websockets package (Debian: python3-websockets).
  EMAIL_MONITOR_URL=ws://localhost:8765/ws EMAIL_MONITOR_USERNAME=analyst EMAIL_MONITOR_PASSWORD=… python3 monitor.py
STOP_AFTER=n exits after n emails (for scripts).
"""
import asyncio
import json
import os
import random
import sys

import websockets

URL = os.environ.get("EMAIL_MONITOR_URL", "ws://localhost:8765/ws")
USERNAME = os.environ.get("EMAIL_MONITOR_USERNAME", "")
PASSWORD = os.environ.get("EMAIL_MONITOR_PASSWORD", "")
STOP_AFTER = int(os.environ.get("STOP_AFTER", "0"))


class Monitor:
    def __init__(self):
        self.last_event_id = 0  # keep it (in a file, say) to resume from it after a restart of this client
        self.tokens = None
        self.seen = 0

    async def run(self):
        delay = 1.0
        while True:
            try:
                async with websockets.connect(URL, max_size=None) as socket:
                    if await self.session(socket):
                        return
                    delay = 1.0
            except (OSError, websockets.ConnectionClosed):
                pass
            # A restart or a network cut: retried with backoff and jitter; resume fills the gap.
            await asyncio.sleep(delay / 2 + random.random() * delay / 2)
            delay = min(delay * 2, 30.0)

    async def session(self, socket):
        """One connection; True when done for good."""
        if self.tokens:
            await send(socket, type="token_auth", token=self.tokens["access"])
        else:
            await send(socket, type="login", username=USERNAME, password=PASSWORD)
        async for frame in socket:
            message = json.loads(frame)
            kind = message["type"]
            if kind == "auth_success":
                if "access_token" in message:
                    self.tokens = {"access": message["access_token"], "refresh": message["refresh_token"]}
                # Everything stored after the last event seen, then live events as they come.
                await send(socket, type="resume", last_event_id=self.last_event_id)
            elif kind == "token_refreshed":
                self.tokens = {"access": message["access_token"], "refresh": message["refresh_token"]}
                await send(socket, type="token_auth", token=self.tokens["access"])
            elif kind == "new_email":
                self.last_event_id = message["event_id"]
                flags = f" [{', '.join(message['security_flags'])}]" if message["security_flags"] else ""
                print(f"#{message['event_id']} risk {message['risk_score']}{flags} {message['sender']}: {message['subject']}", flush=True)
                self.seen += 1
                if STOP_AFTER and self.seen >= STOP_AFTER:
                    await send(socket, type="logout")
                    return True
            elif kind == "error":
                if message["code"] == "token_expired":
                    await send(socket, type="refresh_token", refresh_token=self.tokens["refresh"])
                elif message["code"] in ("auth_failed", "account_locked", "token_revoked"):
                    sys.exit(message["message"])
                else:
                    print(f"{message['code']}: {message['message']}", file=sys.stderr)
        return False


async def send(socket, **message):
    await socket.send(json.dumps(message))


if __name__ == "__main__":
    asyncio.run(Monitor().run())
