package io.loomnet.bench.peers.zmq;

import io.loomnet.bench.api.RemoteCall;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * REQ on the caller's thread to an echoing REP on a server platform thread. Each request carries a
 * fresh sequence number; the reply must be byte-for-byte the request.
 */
@SuppressWarnings("try") // close() may throw anything; callers report it
final class ZmqReqRep implements RemoteCall {
    private static final byte[] STOP = {'X'};

    private final ZContext clientNode = new ZContext();
    private final ZContext serverNode = new ZContext();
    private final ZMQ.Socket req;
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
        req = clientNode.createSocket(SocketType.REQ);
        req.setReceiveTimeOut(10_000);
        req.connect("tcp://127.0.0.1:" + port.get(10, TimeUnit.SECONDS));
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
            throw new IllegalStateException("no reply within 10 s to call " + seq);
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
