package io.loomnet.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.MDC;

import io.loomnet.Dispatcher;

/**
 * {@link Dispatcher#POOLED}: Skynet's two-level queue. A global FIFO holds every mailbox that is scheduled
 * and not being driven; N platform workers take one, drive a weighted batch, and put it back if it still has
 * work and other mailboxes are waiting (otherwise they keep it: Skynet's sticky queue). A mailbox is in the
 * global queue at most once because only the offer that flips its {@code scheduled} flag pushes it.
 *
 * <p><b>Weights</b> (Skynet's {@code skynet_start.c}): worker i handles 1 message per visit for i &lt; 4, and
 * {@code max(1, length >> w)} for w = 0, 1, 2, 3 on workers 4–7, 8–15, 16–23, 24–31; capped by the node's
 * throughput so a flood never holds a worker long.
 *
 * <p><b>Blocking.</b> A handler that blocks in {@code call}/{@code sleep} takes its worker out of the count
 * of active workers; if fewer than N remain active, a replacement worker starts. When the blocked thread is
 * done, surplus workers retire at their next loop. So the pool never deadlocks on calls, at the price of a
 * platform thread per blocked handler.
 *
 * <p><b>Idle workers</b> park on an idle list; a push wakes one. A worker adds itself to the list before its
 * last look at the queue, and a pusher looks at the list after queueing, so a wake-up is never lost.
 */
final class PooledDispatcher implements DispatcherRuntime {
    private static final int[] WEIGHTS = {-1, -1, -1, -1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2,
        3, 3, 3, 3, 3, 3, 3, 3};

    private static final java.time.Duration NUDGE = java.time.Duration.ofMillis(10);

    private final NodeRuntime node;
    private final int parallelism;
    private final int throughput;
    private final ConcurrentLinkedQueue<ServiceCell> global = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Thread> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final ReentrantLock threadsLock = new ReentrantLock();
    private final List<Thread> threads = new ArrayList<>(); // threadsLock
    private volatile boolean stopping;

    PooledDispatcher(NodeRuntime node, int parallelism) {
        this.node = node;
        this.parallelism = parallelism;
        this.throughput = node.config().throughput();
        for (int i = 0; i < parallelism; i++) {
            active.incrementAndGet();
            startWorker();
        }
        node.timers().schedule(NUDGE, this::nudge);
    }

    /**
     * Skynet's timer thread wakes a sleeping worker every tick; so does this. It covers a mailbox queued by a
     * worker that did not wake anyone (see {@link #push}) and then stayed busy in a long handler.
     */
    private void nudge() {
        if (stopping) {
            return;
        }
        if (queued.get() > 0) {
            Thread w = idle.poll();
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
        try {
            node.timers().schedule(NUDGE, this::nudge);
        } catch (IllegalStateException timerStopped) {
            // the node is closing; workers are stopped separately
        }
    }

    private void startWorker() {
        int index = nextIndex.getAndIncrement();
        Thread t = new Worker(() -> work(index), "loomnet-" + node.config().nodeId() + "-worker-" + index);
        threadsLock.lock();
        try {
            threads.removeIf(th -> !th.isAlive() && th.getState() == Thread.State.TERMINATED);
            threads.add(t);
        } finally {
            threadsLock.unlock();
        }
        t.start();
    }

    @Override
    public Dispatcher kind() {
        return Dispatcher.POOLED;
    }

    @Override
    public void start(ServiceCell cell) {
        push(cell);
    }

    @Override
    public void wake(ServiceCell cell) {
        push(cell);
    }

    private void push(ServiceCell cell) {
        int waiting = queued.incrementAndGet();
        global.offer(cell);
        // Skynet's producers never signal; a worker that queues work will usually take it itself next. Wake an
        // idle worker only when the push comes from outside the pool or more than one mailbox is waiting, so
        // a ping-pong pair does not pay a platform-thread unpark per message.
        if (waiting > 1 || !(Thread.currentThread() instanceof Worker)) {
            Thread w = idle.poll();
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    private ServiceCell poll() {
        ServiceCell c = global.poll();
        if (c != null) {
            queued.decrementAndGet();
        }
        return c;
    }

    /** A pool worker thread; the type marks pushes that come from inside the pool. */
    private static final class Worker extends Thread {
        Worker(Runnable body, String name) {
            super(body, name);
            setDaemon(true);
        }
    }

    @Override
    public void suspendBegin(ServiceCell cell, boolean handOff) {
        if (handOff) {
            push(cell);
        }
        if (active.decrementAndGet() < parallelism && !stopping) {
            active.incrementAndGet();
            startWorker();
        }
    }

    @Override
    public void suspendEnd(ServiceCell cell) {
        active.incrementAndGet();
    }

    private void work(int index) {
        Thread me = Thread.currentThread();
        int weight = WEIGHTS[index % WEIGHTS.length];
        try {
            while (!stopping) {
                int a = active.get();
                if (a > parallelism && active.compareAndSet(a, a - 1)) {
                    return; // surplus after a blocked handler came back
                }
                ServiceCell cell = poll();
                if (cell == null) {
                    idle.add(me);
                    if (!global.isEmpty() || stopping) {
                        idle.remove(me);
                        continue;
                    }
                    LockSupport.park(this);
                    idle.remove(me);
                    continue;
                }
                runCell(me, cell, weight);
            }
            active.decrementAndGet();
        } finally {
            MDC.remove(NodeRuntime.MDC_HANDLE);
        }
    }

    private void runCell(Thread me, ServiceCell cell, int weight) {
        MDC.put(NodeRuntime.MDC_HANDLE, cell.handleText());
        while (true) {
            int limit = weight < 0 ? 1 : Math.min(throughput, Math.max(1, cell.mailbox.size() >> weight));
            int s = cell.drive(me, limit);
            if (s != ServiceCell.DRIVE_MORE) {
                return;
            }
            if (!global.isEmpty() || stopping) {
                push(cell);
                return;
            }
        }
    }

    @Override
    public long liveThreads() {
        threadsLock.lock();
        try {
            return threads.stream().filter(Thread::isAlive).count();
        } finally {
            threadsLock.unlock();
        }
    }

    @Override
    public boolean stop(long deadlineNanos) throws InterruptedException {
        stopping = true;
        List<Thread> all;
        threadsLock.lock();
        try {
            all = new ArrayList<>(threads);
        } finally {
            threadsLock.unlock();
        }
        for (Thread t : all) {
            LockSupport.unpark(t);
        }
        boolean ok = true;
        for (Thread t : all) {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) {
                t.join(java.time.Duration.ofNanos(left));
            }
            ok &= !t.isAlive();
        }
        return ok;
    }
}
