package io.loomnet.bench.loomnet;

import io.loomnet.Context;
import io.loomnet.Dispatcher;
import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.Service;
import io.loomnet.bench.api.RemoteTell;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;

/**
 * One-way {@code byte[]} messages from outside any service on the sender node ({@code Node.send} to a
 * remote handle) to a counting service on the receiver node. Each payload carries a sequence number
 * in its first 8 bytes; the receiver counts only payloads of the right size that arrive in sequence,
 * so a lost, duplicated or reordered message fails the run, as for raw JeroMQ.
 */
@SuppressWarnings("try") // close() may throw anything; callers report it
final class LoomnetRemoteTell implements RemoteTell {
    private final int payloadBytes;
    private final ClusterPair pair;
    private final Handle counter;
    private long sent;
    private boolean closed;

    // Written by the caller before a run's first send; read by the receiving service.
    private volatile long target;
    private volatile CountDownLatch reached;
    private volatile long received;

    LoomnetRemoteTell(Dispatcher dispatcher, int payloadBytes) throws Exception {
        if (payloadBytes < Long.BYTES) {
            throw new IllegalArgumentException("payload must hold a sequence number");
        }
        this.payloadBytes = payloadBytes;
        this.pair = new ClusterPair(dispatcher);
        try {
            this.counter = pair.receiver.spawn(() -> new Counter());
        } catch (RuntimeException e) {
            pair.close();
            throw e;
        }
    }

    private final class Counter implements Service {
        private long expectedSeq;

        @Override
        public void onMessage(Context ctx, Message msg) {
            try {
                byte[] m = (byte[]) msg.payload();
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
            } catch (RuntimeException e) {
                pair.failures.record(e);
                CountDownLatch l = reached;
                if (l != null) {
                    l.countDown();
                }
                throw e;
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
            byte[] payload = new byte[payloadBytes]; // not copied by send: a fresh array each time
            ByteBuffer.wrap(payload).putLong(0, sent++);
            pair.sender.send(counter, payload);
        }
        pair.failures.await(latch, "remote-tell (received " + (received - before) + " of " + messages + ")");
        return received - before;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pair.close();
    }
}
