#!/usr/bin/env python3
"""Verify an Email Monitor webhook delivery (Standard Webhooks signatures), with nothing but Python's
standard library.

    verify_webhook.py --secret whsec_... --id <webhook-id> --timestamp <webhook-timestamp> \
        --signature '<webhook-signature>' < body

exits 0 when the delivery is authentic and fresh, 1 (saying why) when not. In a receiver, call
verify() with the raw body bytes, before parsing them, and deduplicate on webhook-id.
"""
import argparse
import base64
import hashlib
import hmac
import sys
import time

TOLERANCE_SECONDS = 5 * 60


def verify(secret: str, webhook_id: str, timestamp: str, signature_header: str, body: bytes, now=None) -> None:
    """Raises ValueError unless one v1 signature matches and the timestamp is within 5 minutes."""
    if not secret.startswith("whsec_"):
        raise ValueError("the secret must start with whsec_")
    key = base64.b64decode(secret[len("whsec_"):])
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise ValueError("webhook-timestamp is not a number") from None
    now = time.time() if now is None else now
    if abs(now - sent_at) > TOLERANCE_SECONDS:
        raise ValueError("webhook-timestamp is too far from now (a replay, or a clock off)")
    signed = webhook_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for entry in signature_header.split(" "):
        version, _, value = entry.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected.encode()):
            return
    raise ValueError("no signature matches")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secret", required=True)
    parser.add_argument("--id", required=True)
    parser.add_argument("--timestamp", required=True)
    parser.add_argument("--signature", required=True)
    arguments = parser.parse_args()
    try:
        verify(arguments.secret, arguments.id, arguments.timestamp, arguments.signature, sys.stdin.buffer.read())
    except ValueError as problem:
        print(f"not authentic: {problem}", file=sys.stderr)
        return 1
    print("authentic")
    return 0


if __name__ == "__main__":
    sys.exit(main())
