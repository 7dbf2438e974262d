package io.loomnet.bench.loomnet;

import io.loomnet.Context;
import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.Node;
import io.loomnet.bench.api.Failures;
import io.loomnet.bench.api.ThreadRing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

final class LoomnetThreadRing implements ThreadRing {
    private final Node node;

    LoomnetThreadRing(Node node) {
        this.node = node;
    }

    /** Passes the token, one hop fewer, to the next member; the ring's handles are set before the token starts. */
    static final class Member extends BenchService {
        private final Handle[] ring;
        private final int next;
        private final CountDownLatch done;

        Member(Failures f, LongAdder total, CountDownLatch stopped, Handle[] ring, int next, CountDownLatch done) {
            super(f, total, stopped);
            this.ring = ring;
            this.next = next;
            this.done = done;
        }

        @Override
        void handle(Context ctx, Message msg) {
            count++;
            int left = (Integer) msg.payload();
            if (left == 1) {
                done.countDown();
            } else {
                ctx.send(ring[next], left - 1);
            }
        }
    }

    @Override
    public long run(int n, int hops) throws Exception {
        Failures f = new Failures();
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(n);
        LongAdder received = new LongAdder();
        Handle[] ring = new Handle[n];
        for (int i = 0; i < n; i++) {
            int next = (i + 1) % n;
            ring[i] = node.spawn(() -> new Member(f, received, stopped, ring, next, done));
        }
        node.send(ring[0], hops); // the send publishes the filled array to the ring
        f.await(done, "threadring");
        for (Handle h : ring) {
            node.stop(h);
        }
        f.await(stopped, "threadring stop");
        return received.sum();
    }
}
