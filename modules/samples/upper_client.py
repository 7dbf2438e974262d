#!/usr/bin/env python3
"""Calls the `upper` service through the Loomnet service gateway of modules/samples/gateway.conf.

    ./loomnet run modules/samples/gateway.conf          # in one terminal
    python3 modules/samples/upper_client.py hello       # in another: prints HELLO

Needs pyzmq (pip install pyzmq). Wire format: docs/protocol.md. A REQ socket sends [target, payload] and
receives [status, body]; status is b"ok" or b"error". The client waits --timeout ms for the reply and, if none
comes, retries once on a fresh socket (Lazy Pirate: a REQ socket that missed its reply cannot send again).

Exit codes: 0 answered, 1 the gateway answered with an error, 2 no reply after the retry.
"""
import argparse
import sys

import zmq


def call(ctx, endpoint, target, payload, timeout_ms, attempts=2):
    for attempt in range(1, attempts + 1):
        sock = ctx.socket(zmq.REQ)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.RCVTIMEO, timeout_ms)
        sock.connect(endpoint)
        try:
            sock.send_multipart([target.encode("utf-8"), payload])
            status, body = sock.recv_multipart()
            return status, body
        except zmq.Again:
            print(f"no reply from {endpoint} within {timeout_ms} ms (attempt {attempt} of {attempts})",
                  file=sys.stderr)
        finally:
            sock.close()
    return None


def main():
    parser = argparse.ArgumentParser(description="Call the upper service through a Loomnet gateway.")
    parser.add_argument("text", nargs="?", default="hello", help="text to upper-case (default: hello)")
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5555", help="gateway endpoint")
    parser.add_argument("--target", default="upper", help="service name, name@node or printed handle")
    parser.add_argument("--timeout", type=int, default=2500, help="receive timeout per attempt, in ms")
    args = parser.parse_args()

    ctx = zmq.Context()
    try:
        reply = call(ctx, args.endpoint, args.target, args.text.encode("utf-8"), args.timeout)
    finally:
        ctx.term()
    if reply is None:
        print(f"gave up: no reply from {args.endpoint}", file=sys.stderr)
        return 2
    status, body = reply
    if status != b"ok":
        print(f"error: {body.decode('utf-8', 'replace')}", file=sys.stderr)
        return 1
    print(body.decode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
