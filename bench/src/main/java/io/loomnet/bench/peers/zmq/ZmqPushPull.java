package io.loomnet.bench.peers.zmq;

import io.loomnet.bench.api.Check;
import io.loomnet.bench.api.RemoteTell;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * PUSH on the caller's thread to PULL on a receiver platform thread. Each payload carries a
 * sequence number in its first 8 bytes; the receiver counts only payloads of the right size that
 * arrive in sequence, so a lost, duplicated or reordered message fails the run.
 */
@SuppressWarnings("try") // close() may throw anything; callers report it
final class ZmqPushPull implements RemoteTell {
    private static final byte[] STOP = {'X'};

    private final int payloadBytes;
    private final ZContext senderNode = new ZContext();
    private final ZContext receiverNode = new ZContext();
    private final ZMQ.Socket push;
    private final Thread receiver;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private long sent;

    // Written by the caller before a run's first send; read by the receiver.
    private volatile long target;
    private volatile CountDownLatch reached;
    private volatile long received;
    private boolean closed;

    ZmqPushPull(int payloadBytes) throws Exception {
        if (payloadBytes < Long.BYTES) {
            throw new IllegalArgumentException("payload must hold a sequence number");
        }
        this.payloadBytes = payloadBytes;
        CompletableFuture<Integer> port = new CompletableFuture<>();
        receiver = Thread.ofPlatform().name("zmq-pull").daemon().unstarted(() -> receive(port));
        receiver.start();
        push = senderNode.createSocket(SocketType.PUSH);
        push.connect("tcp://127.0.0.1:" + port.get(10, TimeUnit.SECONDS));
    }

    private void receive(CompletableFuture<Integer> port) {
        try (ZMQ.Socket pull = receiverNode.createSocket(SocketType.PULL)) {
            port.complete(pull.bindToRandomPort("tcp://127.0.0.1"));
            long expectedSeq = 0;
            while (true) {
                byte[] m = pull.recv(0);
                if (m.length == STOP.length && m[0] == STOP[0]) {
                    return;
                }
                long seq = ByteBuffer.wrap(m).getLong();
                if (m.length != payloadBytes || seq != expectedSeq) {
                    throw new IllegalStateException("bad payload: " + m.length + " bytes, seq " + seq
                            + ", expected seq " + expectedSeq);
                }
                expectedSeq++;
                long r = received + 1;
                received = r;
                if (r == target) {
                    reached.countDown();
                }
            }
        } catch (Throwable t) {
            port.completeExceptionally(t);
            failure.compareAndSet(null, t);
            CountDownLatch l = reached;
            if (l != null) {
                l.countDown();
            }
        }
    }

    @Override
    public long run(int messages) throws Exception {
        long before = received;
        CountDownLatch latch = new CountDownLatch(1);
        reached = latch;
        target = sent + messages;
        for (int i = 0; i < messages; i++) {
            // A fresh array per message: JeroMQ queues the array itself, it does not copy it.
            byte[] payload = new byte[payloadBytes];
            ByteBuffer.wrap(payload).putLong(0, sent++);
            if (!push.send(payload, 0)) {
                throw new IllegalStateException("send failed");
            }
        }
        if (!latch.await(Check.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new TimeoutException("receiver counted " + (received - before) + " of " + messages);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("receiver failed", failure.get());
        }
        return received - before;
    }

    @Override
    public void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        try {
            push.send(STOP, ZMQ.DONTWAIT);
            receiver.join(TimeUnit.SECONDS.toMillis(10));
        } finally {
            push.close();
            senderNode.close();
            receiverNode.close();
        }
        if (receiver.isAlive()) {
            throw new IllegalStateException("zmq receiver thread did not stop");
        }
    }
}
