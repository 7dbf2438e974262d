package io.loomnet.bench.loomnet;

import io.loomnet.Context;
import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.Node;
import io.loomnet.bench.api.CallChain;
import io.loomnet.bench.api.Check;
import io.loomnet.bench.api.Failures;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The chain with Loomnet's own request/response. Each stage blocks its handler in
 * {@code Thread.sleep} for the simulated I/O, exactly as the peers do, then calls the next stage with
 * {@code ctx.call}, which blocks only this handler: the stage goes on handling other requests while
 * the call is out, so up to {@code inFlight} requests are inside one stage at once. The clients call
 * stage 0 with {@code Node.call} from virtual threads.
 *
 * <p>The {@code Thread.sleep} itself still holds the stage while it sleeps (it is not a Loomnet
 * suspension point), so a stage handles at most one sleep at a time: the ceiling is about one
 * request per {@code blockMicros}. {@code ctx.sleep} would release the stage but has a 10 ms timer
 * resolution, far coarser than the 1 ms the workload prescribes.
 *
 * <p>Each stage records how many of its handlers were in progress at once ({@link #lastMaxInFlight}),
 * which shows the overlap that {@code ctx.call} allows.
 */
final class LoomnetCallChain implements CallChain {
    private static final Duration TIMEOUT = Duration.ofSeconds(Check.TIMEOUT_SECONDS);
    /** The largest number of requests seen inside one stage at once, in the last run (any stage). */
    static volatile int lastMaxInFlight;

    private final Node node;

    LoomnetCallChain(Node node) {
        this.node = node;
    }

    static final class Stage extends BenchService {
        private final Handle next; // null for the last stage
        private final Duration block;
        private final AtomicInteger inside = new AtomicInteger();
        private final AtomicInteger maxInside;

        Stage(Failures f, CountDownLatch stopped, Handle next, Duration block, AtomicInteger maxInside) {
            super(f, null, stopped);
            this.next = next;
            this.block = block;
            this.maxInside = maxInside;
        }

        @Override
        void handle(Context ctx, Message msg) throws Exception {
            int now = inside.incrementAndGet();
            if (now > maxInside.get()) {
                maxInside.accumulateAndGet(now, Math::max);
            }
            try {
                long value = (Long) msg.payload();
                Thread.sleep(block);
                long v = next == null ? value : ctx.call(next, value, Long.class, TIMEOUT);
                ctx.reply(v + 1);
            } finally {
                inside.decrementAndGet();
            }
        }
    }

    @Override
    public long run(int stages, int inFlight, int requests, long blockMicros) throws Exception {
        Failures f = new Failures();
        Duration block = Duration.ofNanos(blockMicros * 1000);
        CountDownLatch stopped = new CountDownLatch(stages);
        AtomicInteger maxInside = new AtomicInteger();
        Handle[] chain = new Handle[stages];
        for (int i = stages - 1; i >= 0; i--) {
            Handle next = i + 1 < stages ? chain[i + 1] : null;
            chain[i] = node.spawn(() -> new Stage(f, stopped, next, block, maxInside));
        }
        LongAdder ok = new LongAdder();
        AtomicInteger issued = new AtomicInteger();
        CountDownLatch clientsDone = new CountDownLatch(inFlight);
        for (int c = 0; c < inFlight; c++) {
            Thread.ofVirtual().start(() -> {
                try {
                    int n;
                    while ((n = issued.getAndIncrement()) < requests) {
                        long value = 1000L * n;
                        Object reply = node.call(chain[0], value, TIMEOUT);
                        if ((Long) reply == value + stages) {
                            ok.increment();
                        }
                    }
                } catch (Throwable t) {
                    f.record(t);
                } finally {
                    clientsDone.countDown();
                }
            });
        }
        f.await(clientsDone, "callchain");
        for (Handle h : chain) {
            node.stop(h);
        }
        f.await(stopped, "callchain stop");
        lastMaxInFlight = maxInside.get();
        return ok.sum();
    }
}
