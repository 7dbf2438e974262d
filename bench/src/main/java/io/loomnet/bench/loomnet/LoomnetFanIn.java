package io.loomnet.bench.loomnet;

import io.loomnet.Context;
import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.Node;
import io.loomnet.bench.api.FanIn;
import io.loomnet.bench.api.Failures;

import java.util.concurrent.CountDownLatch;

final class LoomnetFanIn implements FanIn {
    private static final Object GO = "go";

    private final Node node;

    LoomnetFanIn(Node node) {
        this.node = node;
    }

    /** Sums what it receives; counts down {@code done} at the last message. */
    static final class Sink extends BenchService {
        private final long total;
        private final CountDownLatch done;
        private final long[] sum; // read by the run after the sink stopped
        private long n;

        Sink(Failures f, CountDownLatch stopped, long total, CountDownLatch done, long[] sum) {
            super(f, null, stopped);
            this.total = total;
            this.done = done;
            this.sum = sum;
        }

        @Override
        void handle(Context ctx, Message msg) {
            sum[0] += (Integer) msg.payload();
            if (++n == total) {
                done.countDown();
            }
        }
    }

    /** On GO, sends 1..m to the sink as fast as it can, then stops. */
    static final class Source extends BenchService {
        private final Handle sink;
        private final int m;

        Source(Failures f, CountDownLatch stopped, Handle sink, int m) {
            super(f, null, stopped);
            this.sink = sink;
            this.m = m;
        }

        @Override
        void handle(Context ctx, Message msg) {
            for (int i = 1; i <= m; i++) {
                ctx.send(sink, i);
            }
            ctx.exit();
        }
    }

    @Override
    public long run(int senders, int perSender) throws Exception {
        Failures f = new Failures();
        long total = (long) senders * perSender;
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(senders + 1);
        long[] sum = new long[1];
        Handle sink = node.spawn(() -> new Sink(f, stopped, total, done, sum));
        Handle[] sources = new Handle[senders];
        for (int s = 0; s < senders; s++) {
            sources[s] = node.spawn(() -> new Source(f, stopped, sink, perSender));
        }
        for (Handle s : sources) {
            node.send(s, GO);
        }
        f.await(done, "fanin");
        node.stop(sink);
        f.await(stopped, "fanin stop"); // the sink's onStop happens-before this returns
        return sum[0];
    }
}
