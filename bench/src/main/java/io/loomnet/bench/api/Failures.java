package io.loomnet.bench.api;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Collects the first exception thrown inside an actor, where a runtime would otherwise log it and
 * go on (Fibry) or restart the actor (Pekko), and turns it into a failed run.
 */
public final class Failures {
    private final AtomicReference<Throwable> first = new AtomicReference<>();

    public void record(Throwable t) {
        first.compareAndSet(null, t);
    }

    /** Throws if an actor failed. */
    public void check(String what) {
        Throwable t = first.get();
        if (t != null) {
            throw new IllegalStateException(what + ": an actor failed", t);
        }
    }

    /** Waits for the latch, failing fast if an actor fails and after {@link Check#TIMEOUT_SECONDS}. */
    public void await(CountDownLatch latch, String what) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Check.TIMEOUT_SECONDS);
        while (!latch.await(50, TimeUnit.MILLISECONDS)) {
            check(what);
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(what + ": not done after " + Check.TIMEOUT_SECONDS + " s ("
                        + latch.getCount() + " outstanding)");
            }
        }
        check(what);
    }
}
