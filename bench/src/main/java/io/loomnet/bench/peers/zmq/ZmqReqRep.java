package io.loomnet.bench.peers.zmq;

import io.loomnet.bench.api.RemoteCall;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * REQ on the caller's thread to an echoing REP on a server platform thread. Each request carries a
 * fresh sequence number; the reply must be byte-for-byte the request.
 *
 * <p>Before the trial starts, the caller pings until the first echo comes back, recreating its REQ
 * socket after each unanswered ping (ZeroMQ's "lazy pirate" pattern): a REQ socket whose request
 * went unanswered cannot send again. Once the link is up, a missing reply fails the trial.
 */
@SuppressWarnings("try") // close() may throw anything; callers report it
final class ZmqReqRep implements RemoteCall {
    private static final byte[] STOP = {'X'};

    private final ZContext clientNode = new ZContext();
    private final ZContext serverNode = new ZContext();
    private final String endpoint;
    private final AtomicReference<Throwable> serverFailure = new AtomicReference<>();
    private ZMQ.Socket req;
    private final Thread server;
    private final int payloadBytes;
    private long seq;
    private boolean closed;

    ZmqReqRep(int payloadBytes) throws Exception {
        if (payloadBytes < Long.BYTES) {
            throw new IllegalArgumentException("payload must hold a sequence number");
        }
        this.payloadBytes = payloadBytes;
        CompletableFuture<Integer> port = new CompletableFuture<>();
        server = Thread.ofPlatform().name("zmq-rep").daemon().unstarted(() -> serve(port));
        server.start();
        endpoint = "tcp://127.0.0.1:" + port.get(10, TimeUnit.SECONDS);
        for (int attempt = 1; ; attempt++) {
            req = clientNode.createSocket(SocketType.REQ);
            req.connect(endpoint);
            req.setReceiveTimeOut(2_000);
            byte[] ping = new byte[payloadBytes];
            req.send(ping, 0);
            byte[] pong = req.recv(0);
            if (pong != null && Arrays.equals(ping, pong)) {
                break;
            }
            req.close();
            System.err.println("[zmq-raw] ping " + attempt + " to " + endpoint + " unanswered; new REQ socket");
            if (attempt == 5 || serverFailure.get() != null) {
                throw new IllegalStateException("no echo from " + endpoint + " after " + attempt + " pings",
                        serverFailure.get());
            }
        }
        req.setReceiveTimeOut(10_000);
    }

    private void serve(CompletableFuture<Integer> port) {
        try (ZMQ.Socket rep = serverNode.createSocket(SocketType.REP)) {
            port.complete(rep.bindToRandomPort("tcp://127.0.0.1"));
            while (true) {
                byte[] m = rep.recv(0);
                rep.send(m, 0);
                if (m.length == STOP.length && m[0] == STOP[0]) {
                    return;
                }
            }
        } catch (Throwable t) {
            port.completeExceptionally(t);
            serverFailure.compareAndSet(null, t);
        }
    }

    @Override
    public void call() {
        // A fresh array per call: JeroMQ queues the array itself, it does not copy it.
        byte[] payload = new byte[payloadBytes];
        ByteBuffer.wrap(payload).putLong(0, ++seq);
        if (!req.send(payload, 0)) {
            throw new IllegalStateException("send failed");
        }
        byte[] reply = req.recv(0);
        if (reply == null) {
            throw new IllegalStateException("no reply within 10 s to call " + seq, serverFailure.get());
        }
        if (!Arrays.equals(reply, payload)) {
            throw new IllegalStateException("reply to call " + seq + " is not its echo");
        }
    }

    @Override
    public void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (req.send(STOP, 0)) {
                req.recv(0);
            }
            server.join(TimeUnit.SECONDS.toMillis(10));
        } finally {
            req.close();
            clientNode.close();
            serverNode.close();
        }
        if (server.isAlive()) {
            throw new IllegalStateException("zmq server thread did not stop");
        }
    }
}
