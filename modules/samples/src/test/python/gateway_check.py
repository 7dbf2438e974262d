#!/usr/bin/env python3
"""Drives a running Loomnet service gateway (modules/samples/gateway.conf) with real libzmq clients.

    /usr/bin/python3 gateway_check.py tcp://127.0.0.1:5555 [--clients 40] [--requests 25]

Run by GatewayPythonClientTest. Checks, with exact replies:
  * many concurrent REQ clients, each getting the answer to its own request (no mix-ups, no losses);
  * bad input: an unknown target, wrong frame counts (REQ and DEALER), an empty target, an oversize payload;
  * the gateway keeps serving after all of it.
No request is retried: the gateway must answer every one (docs/protocol.md). A silence is reported as lost.
Prints one line per check and a closing "N passed, N failed" line; exits 0 only if every check passed.
"""
import argparse
import sys
import threading

import zmq

TIMEOUT_MS = 10000
MAX_PAYLOAD = 64 * 1024  # gateway.conf: max-payload = 64KiB


def req_call(ctx, endpoint, frames):
    """One request on a fresh REQ socket; returns the reply frames, or None if nothing came in TIMEOUT_MS."""
    sock = ctx.socket(zmq.REQ)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    sock.connect(endpoint)
    try:
        sock.send_multipart(frames)
        return sock.recv_multipart()
    except zmq.Again:
        return None
    finally:
        sock.close()


def dealer_call(ctx, endpoint, frames):
    """One request on a fresh DEALER socket, frames sent as given; returns the reply frames or None."""
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    sock.connect(endpoint)
    try:
        sock.send_multipart(frames)
        return sock.recv_multipart()
    except zmq.Again:
        return None
    finally:
        sock.close()


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, got, expected):
        if got == expected:
            self.passed += 1
            print(f"PASS {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}: expected {expected!r}, got {got!r}")


def concurrent_clients(ctx, endpoint, clients, requests):
    """Each client thread keeps one REQ socket and sends `requests` distinct texts, lock-step."""
    lost = []
    wrong = []
    answered = [0]
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(n):
        sock = ctx.socket(zmq.REQ)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
        sock.connect(endpoint)
        try:
            start.wait()
            for i in range(requests):
                text = f"client {n} request {i} \u00e9\u00df"
                sock.send_multipart([b"upper", text.encode("utf-8")])
                try:
                    reply = sock.recv_multipart()
                except zmq.Again:
                    with lock:
                        lost.append(f"client {n} request {i}")
                    return  # a REQ socket that missed its reply cannot send again
                expected = [b"ok", text.upper().encode("utf-8")]
                with lock:
                    if reply == expected:
                        answered[0] += 1
                    else:
                        wrong.append(f"client {n} request {i}: {reply!r}")
        finally:
            sock.close()

    threads = [threading.Thread(target=client, args=(n,), name=f"client-{n}") for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answered[0], lost, wrong


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("endpoint")
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--requests", type=int, default=25)
    args = parser.parse_args()
    ep = args.endpoint
    ctx = zmq.Context()
    r = Results()
    try:
        r.check("upper hello", req_call(ctx, ep, [b"upper", b"hello"]), [b"ok", b"HELLO"])

        answered, lost, wrong = concurrent_clients(ctx, ep, args.clients, args.requests)
        total = args.clients * args.requests
        r.check(f"{args.clients} concurrent REQ clients x {args.requests} requests: lost", lost, [])
        r.check(f"{args.clients} concurrent REQ clients x {args.requests} requests: wrong replies", wrong, [])
        r.check(f"{args.clients} concurrent REQ clients x {args.requests} requests: answered", answered, total)

        r.check("unknown target", req_call(ctx, ep, [b"nope", b"x"]), [b"error", b"unknown target: 'nope'"])
        r.check("REQ with 1 frame", req_call(ctx, ep, [b"upper"]),
                [b"error", b"malformed request: expected 2 frames [target, payload], got 1"])
        r.check("REQ with 3 frames", req_call(ctx, ep, [b"upper", b"a", b"b"]),
                [b"error", b"malformed request: expected 2 frames [target, payload], got 3"])
        r.check("DEALER with 0 frames after the delimiter", dealer_call(ctx, ep, [b""]),
                [b"", b"error", b"malformed request: expected 2 frames [target, payload], got 0"])
        r.check("DEALER with 4 frames after the delimiter", dealer_call(ctx, ep, [b"", b"upper", b"a", b"b", b"c"]),
                [b"", b"error", b"malformed request: expected 2 frames [target, payload], got 4"])
        r.check("DEALER without a delimiter", dealer_call(ctx, ep, [b"upper", b"dealer"]), [b"ok", b"DEALER"])
        r.check("empty target", req_call(ctx, ep, [b"", b"x"]), [b"error", b"malformed request: empty target"])
        r.check("target over 256 bytes", req_call(ctx, ep, [b"t" * 257, b"x"]),
                [b"error", b"malformed request: target is 257 bytes, limit 256 bytes"])
        r.check("oversize payload", req_call(ctx, ep, [b"upper", b"x" * (MAX_PAYLOAD + 1)]),
                [b"error", f"payload too large: {MAX_PAYLOAD + 1} bytes for 'upper', limit {MAX_PAYLOAD} bytes"
                 .encode("utf-8")])
        r.check("payload at the limit", req_call(ctx, ep, [b"upper", b"y" * MAX_PAYLOAD]),
                [b"ok", b"Y" * MAX_PAYLOAD])

        r.check("still serving after bad input", req_call(ctx, ep, [b"upper", b"still here"]),
                [b"ok", b"STILL HERE"])
    finally:
        ctx.destroy(linger=0)
    print(f"gateway_check: {r.passed} passed, {r.failed} failed")
    return 0 if r.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
