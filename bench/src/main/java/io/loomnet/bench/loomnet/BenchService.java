package io.loomnet.bench.loomnet;

import io.loomnet.Context;
import io.loomnet.Message;
import io.loomnet.Service;
import io.loomnet.bench.api.Failures;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * Base of the bench's Loomnet services: a handler failure (which Loomnet's default supervision,
 * resume, would log and go past) fails the run, and on stop the service adds what it counted to the
 * run's total and counts down the run's stop latch, like the peers' actors.
 */
abstract class BenchService implements Service {
    private final Failures failures;
    private final LongAdder total;
    private final CountDownLatch stopped;
    /** Messages this service counted; reported on stop. */
    protected long count;

    BenchService(Failures failures, LongAdder total, CountDownLatch stopped) {
        this.failures = failures;
        this.total = total;
        this.stopped = stopped;
    }

    /** Handles one message; an exception fails the run. */
    abstract void handle(Context ctx, Message msg) throws Exception;

    @Override
    public final void onMessage(Context ctx, Message msg) throws Exception {
        try {
            handle(ctx, msg);
        } catch (Throwable t) {
            failures.record(t);
            throw t;
        }
    }

    @Override
    public void onStop(Context ctx) {
        if (total != null) {
            total.add(count);
        }
        if (stopped != null) {
            stopped.countDown();
        }
    }
}
