package io.loomnet.internal.timer;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** TEMPORARY stand-in with the agreed API; replaced by the hashed wheel before commit. */
public final class TimingWheel implements AutoCloseable {
    private final ScheduledThreadPoolExecutor ex;

    public TimingWheel(String threadName, Duration tick) {
        ex = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().name(threadName).daemon(true).unstarted(r));
        ex.setRemoveOnCancelPolicy(true);
    }

    public void start() {
    }

    public Timeout schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> f = ex.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        return new Timeout() {
            public boolean cancel() { return f.cancel(false); }
            public boolean isCancelled() { return f.isCancelled(); }
            public boolean isExpired() { return f.isDone() && !f.isCancelled(); }
        };
    }

    public int pending() {
        return ex.getQueue().size();
    }

    public boolean stop(long deadlineNanos) throws InterruptedException {
        ex.shutdownNow();
        return ex.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        stop(System.nanoTime() + 5_000_000_000L);
    }

    public interface Timeout {
        boolean cancel();
        boolean isCancelled();
        boolean isExpired();
    }
}
