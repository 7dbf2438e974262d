package io.loomnet.internal;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Skynet's monitor: a platform thread that looks at every live service each interval and reports a handler
 * that has been running one message (or {@code onStart}) for longer than the threshold, with its thread's
 * stack. It only reports, once per message; it never interrupts or kills.
 *
 * <p>Cost: the handler path writes two volatile fields per message; the scan is O(live services) per
 * interval on this thread.
 */
final class StuckMonitor {
    private final NodeRuntime node;
    private final String threadName;
    private final long thresholdNanos;
    private final long intervalNanos;
    private volatile boolean stopping;
    private Thread thread;

    StuckMonitor(NodeRuntime node, String threadName, Duration threshold, Duration interval) {
        this.node = node;
        this.threadName = threadName;
        this.thresholdNanos = threshold.toNanos();
        this.intervalNanos = interval.toNanos();
    }

    void start() {
        thread = Thread.ofPlatform().name(threadName).daemon(true).start(this::run);
    }

    private void run() {
        while (!stopping) {
            LockSupport.parkNanos(this, intervalNanos);
            if (stopping) {
                break;
            }
            scan();
        }
    }

    void scan() {
        long now = System.nanoTime();
        for (ServiceCell c : node.cells()) {
            long since = c.handlingSince;
            if (since != 0 && now - since > thresholdNanos && c.stuckReportedFor != since) {
                c.stuckReportedFor = since;
                Thread t = c.handlerThread;
                StackTraceElement[] stack = t == null ? new StackTraceElement[0] : t.getStackTrace();
                if (c.handlingSince == since) {
                    node.stuck(c, c.handlingType(), Duration.ofNanos(now - since), stack);
                }
            }
        }
    }

    boolean stop(long deadlineNanos) throws InterruptedException {
        stopping = true;
        Thread t = thread;
        if (t == null) {
            return true;
        }
        LockSupport.unpark(t);
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            t.join(Duration.ofNanos(left));
        }
        return !t.isAlive();
    }
}
