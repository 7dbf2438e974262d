package io.loomnet.internal;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.MDC;

import io.loomnet.Dispatcher;

/**
 * {@link Dispatcher#VIRTUAL} and {@link Dispatcher#PLATFORM}: each service's mailbox loop runs on its own
 * thread (virtual or platform), which parks while the mailbox is empty and yields after each batch of
 * {@code throughput} messages.
 *
 * <p><b>Dormant cells.</b> A cell may have no thread at all: its {@link ServiceCell#driver} is then the
 * {@link #DORMANT} marker, and the {@link #wake} that schedules it next starts a new thread (the waker that wins
 * the marker by CAS). A cell becomes dormant two ways. A driver that blocks in {@code call}/{@code sleep} leaves
 * it dormant instead of starting a thread that would park idle for the length of the call; when its handler
 * returns it takes the role back if no thread was started meanwhile, else it ends. And a driver that the monitor
 * finds idle for the idle-thread timeout ends ({@link ServiceCell#retireDriver}), so an idle service holds no
 * thread and no stack.
 *
 * <p>Thread-safe. Threads are counted from start to end so the node can wait for all of them on close;
 * the service's handle is put in the SLF4J MDC once per thread.
 */
final class ThreadPerServiceDispatcher implements DispatcherRuntime {
    /** {@link ServiceCell#driver} of a dormant cell. Never started; unparking it does nothing. */
    private static final Thread DORMANT = Thread.ofVirtual().name("loomnet-dormant").unstarted(() -> { });

    private final NodeRuntime node;
    private final Dispatcher kind;
    /** Thread-safe (a {@code Thread.Builder} is not): drivers are started from many threads at once. */
    private final java.util.concurrent.ThreadFactory factory;
    private final int throughput;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition none = lock.newCondition();
    private long live; // lock
    /**
     * Threads that have finished their work and counted themselves out, but may not have terminated yet: close
     * joins them, so it never returns while one of its threads is still alive. Pruned as threads end, so it holds
     * about as many as are ending at the same moment.
     */
    private final ConcurrentLinkedQueue<Thread> exiting = new ConcurrentLinkedQueue<>();

    ThreadPerServiceDispatcher(NodeRuntime node, Dispatcher kind) {
        this.node = node;
        this.kind = kind;
        String prefix = "loomnet-" + node.config().nodeId() + (kind == Dispatcher.VIRTUAL ? "-v-" : "-p-");
        this.factory = (kind == Dispatcher.VIRTUAL ? Thread.ofVirtual().name(prefix, 1)
                : Thread.ofPlatform().daemon(true).name(prefix, 1)).factory();
        this.throughput = node.config().throughput();
    }

    @Override
    public Dispatcher kind() {
        return kind;
    }

    @Override
    public void start(ServiceCell cell) {
        launch(cell);
    }

    private void launch(ServiceCell cell) {
        lock.lock();
        try {
            live++;
        } finally {
            lock.unlock();
        }
        try {
            factory.newThread(() -> run(cell)).start();
        } catch (Throwable e) {
            ended();
            throw e;
        }
    }

    private void run(ServiceCell cell) {
        MDC.put(NodeRuntime.MDC_HANDLE, cell.handleText());
        Thread me = Thread.currentThread();
        int fullBatches = 0;
        try {
            while (true) {
                int s = cell.drive(me, throughput);
                if (s == ServiceCell.DRIVE_MORE) {
                    yieldFairly(++fullBatches);
                } else if (s == ServiceCell.DRIVE_IDLE
                        || (s == ServiceCell.DRIVE_HANDED_OFF && cell.reclaimDormant(DORMANT, me))) {
                    if (!awaitWork(cell, me)) {
                        return;
                    }
                } else {
                    return;
                }
            }
        } finally {
            MDC.remove(NodeRuntime.MDC_HANDLE);
            exiting(me);
            ended();
        }
    }

    /**
     * Parks the idle driver until its mailbox is scheduled, or until the monitor asks it to retire
     * ({@link ServiceCell#retireRequested}) and it can.
     *
     * @return {@code true} to drive again, {@code false} if the cell is dormant and this thread must end
     */
    private boolean awaitWork(ServiceCell cell, Thread me) {
        while (!cell.mailbox.isScheduled()) {
            if (cell.retireRequested) {
                cell.retireRequested = false;
                if (cell.retireDriver(me, DORMANT)) {
                    return false;
                }
                continue;
            }
            LockSupport.park(cell);
        }
        if (cell.retireRequested) {
            cell.retireRequested = false; // it has work again: the request is stale
        }
        return true;
    }

    /** Notes the calling driver thread as ending, and forgets up to eight that have terminated since. */
    private void exiting(Thread me) {
        for (int i = 0; i < 8; i++) {
            Thread t = exiting.poll();
            if (t == null) {
                break;
            }
            if (t.isAlive()) {
                exiting.add(t);
            }
        }
        exiting.add(me);
    }

    /**
     * Gives the thread up after a full batch so other services get a turn. A virtual thread's
     * {@code Thread.yield()} alone is not enough: it re-queues the thread on its carrier's local queue, and a
     * carrier drains its local queue before it looks at external submissions, so a few flooding services
     * can starve a service woken from a platform thread forever (OperabilityTest shows it). A timed park
     * is woken by the JDK's timer thread, an external submission, which queues behind the waiting ones; but
     * it leaves the carrier idle until the timer fires (the fan-in benchmark showed half the CPU idle when
     * every batch parked). So: a plain yield after most batches, and a timed park after every 16th.
     */
    private void yieldFairly(int fullBatches) {
        if (kind == Dispatcher.VIRTUAL && (fullBatches & 15) == 0) {
            LockSupport.parkNanos(this, 1);
        } else {
            Thread.yield();
        }
    }

    private void ended() {
        lock.lock();
        try {
            if (--live == 0) {
                none.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void wake(ServiceCell cell) {
        Thread d = cell.driver;
        if (d == DORMANT) {
            if (cell.claimDormant(DORMANT)) {
                launch(cell);
            }
        } else if (d != null) {
            LockSupport.unpark(d);
        }
    }

    @Override
    public boolean retiresIdleThreads() {
        return true;
    }

    @Override
    public void retireIdle(ServiceCell cell) {
        Thread d = cell.driver;
        if (d != null && d != DORMANT) {
            cell.retireRequested = true;
            LockSupport.unpark(d);
        }
    }

    /** A driver about to block leaves the cell dormant: a thread starts only if work comes in meanwhile. */
    @Override
    public void suspendBegin(ServiceCell cell, boolean handOff) {
        if (handOff) {
            cell.leaveDormant(DORMANT);
        }
    }

    @Override
    public void suspendEnd(ServiceCell cell) {
    }

    @Override
    public long liveThreads() {
        lock.lock();
        try {
            return live;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean stop(long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            while (live > 0) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                none.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
        // Every thread has counted itself out; wait for the last ones to run off their final lines.
        for (Thread t = exiting.poll(); t != null; t = exiting.poll()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                return false;
            }
        }
        return true;
    }
}
