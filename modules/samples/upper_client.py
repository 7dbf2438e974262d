#!/usr/bin/env python3
"""Calls the `upper` service through the Loomnet service gateway of modules/samples/gateway.conf.

    ./loomnet run modules/samples/gateway.conf          # in one terminal
    python3 modules/samples/upper_client.py hello       # in another: prints HELLO

Needs pyzmq: Debian's python3-zmq (apt-get install python3-zmq, then use /usr/bin/python3), or
pip install pyzmq. Wire format: docs/protocol.md. A REQ socket sends [target, payload] and receives
[status, body]; status is b"ok" or b"error". The client waits --timeout ms for the reply. It does not retry:
the gateway answers every request that reaches it, so silence means the gateway is not running, not reachable,
or has lost a request, and each of those should be seen rather than papered over.

Exit codes: 0 answered, 1 the gateway answered with an error, 2 no reply within the timeout.
"""
import argparse
import sys

import zmq


def call(ctx, endpoint, target, payload, timeout_ms):
    """Sends [target, payload] on a fresh REQ socket; returns (status, body), or None on silence."""
    sock = ctx.socket(zmq.REQ)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVTIMEO, timeout_ms)
    sock.connect(endpoint)
    try:
        sock.send_multipart([target.encode("utf-8"), payload])
        frames = sock.recv_multipart()
        if len(frames) != 2:
            raise RuntimeError(f"expected a reply of 2 frames [status, body], got {len(frames)}")
        return frames[0], frames[1]
    except zmq.Again:
        return None
    finally:
        sock.close()


def main():
    parser = argparse.ArgumentParser(description="Call the upper service through a Loomnet gateway.")
    parser.add_argument("text", nargs="?", default="hello", help="text to upper-case (default: hello)")
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5555", help="gateway endpoint")
    parser.add_argument("--target", default="upper", help="service name, name@node or printed handle")
    parser.add_argument("--timeout", type=int, default=5000, help="receive timeout, in ms")
    args = parser.parse_args()

    ctx = zmq.Context()
    try:
        reply = call(ctx, args.endpoint, args.target, args.text.encode("utf-8"), args.timeout)
    finally:
        ctx.term()
    if reply is None:
        print(f"no reply from {args.endpoint} within {args.timeout} ms", file=sys.stderr)
        return 2
    status, body = reply
    if status != b"ok":
        print(f"error: {body.decode('utf-8', 'replace')}", file=sys.stderr)
        return 1
    print(body.decode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
