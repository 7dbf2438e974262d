package io.loomnet.bench.api;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Result checks shared by the benchmarks and the implementations. A failed check ends the trial. */
public final class Check {
    /** No single benchmark operation may take longer than this; a hang fails instead of stalling the run. */
    public static final long TIMEOUT_SECONDS = 120;

    private Check() {
    }

    public static void equal(long expected, long actual, String what) {
        if (expected != actual) {
            throw new IllegalStateException(what + ": expected " + expected + " but got " + actual);
        }
    }

    public static void await(CountDownLatch latch, String what) throws InterruptedException, TimeoutException {
        if (!latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new TimeoutException(what + ": not done after " + TIMEOUT_SECONDS + " s ("
                    + latch.getCount() + " outstanding)");
        }
    }

    /** Skynet's expected sum for leaves numbered {@code 0..leaves-1}. */
    public static long skynetSum(long leaves) {
        return leaves * (leaves - 1) / 2;
    }

    /** Fan-in's expected sum: every sender sends {@code 1..m}. */
    public static long fanInSum(long senders, long m) {
        return senders * m * (m + 1) / 2;
    }
}
