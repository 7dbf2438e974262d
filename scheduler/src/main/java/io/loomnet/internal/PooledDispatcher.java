package io.loomnet.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * <p><b>Weights</b> (Skynet's {@code skynet_start.c}): in a pool of 32, worker i handles 1 message per visit for
 * i &lt; 4, and {@code max(1, length >> w)} for w = 0, 1, 2, 3 on workers 4–7, 8–15, 16–23, 24–31; capped by the
 * node's throughput so a flood never holds a worker long. A smaller pool takes the weights at the same shares
 * ({@link #weight}).
 *
 * <p><b>Blocking.</b> A handler that blocks in {@code call}/{@code sleep} takes its worker out of the count
 * of active workers; if fewer than N remain active, a spare worker is woken, or a replacement starts if there is
 * none. When the blocked thread is done, a surplus worker becomes a spare at its next loop: it parks on the
 * spare stack, and ends after the node's idle-thread timeout unused. So the pool never deadlocks on calls, at the
 * price of a platform thread per handler blocked at the same moment, and a steady stream of calls reuses the
 * same threads instead of starting one per call.
 *
 * <p><b>The slot.</b> A cell woken by a handler on a worker goes into that worker's one-cell slot and is driven next
 * by it (as Go's {@code runnext} and Tokio's LIFO slot do): a request and its reply stay on one core and touch no
 * shared queue. At most {@link #SLOT_BUDGET} slot visits run in a row; a worker about to block in a call empties
 * its slot to the global queue; and the nudge moves a cell that sat in a slot for a whole tick (its worker stuck
 * in a long handler).
 *
 * <p><b>Starts.</b> A service spawned by a handler on a worker goes on that worker's own stack of starts and is
 * started next, newest first, after the slot and before the global queue: a tree of spawns runs depth first.
 * Idle workers steal the oldest start of another worker before they park (see {@link #start}).
 *
 * <p><b>Idle workers</b> park on an idle queue; a push wakes one. A worker raises its {@code parked} flag and
 * queues itself (once: an entry stays until taken) before its last look at the global queue, and a pusher looks at
 * the idle queue after queueing, so a wake-up is never lost. A pusher takes entries until it wins one worker's
 * flag by CAS and unparks it; entries of workers that found work meanwhile are dropped as they are taken. So
 * parking and waking cost O(1), with no search or removal from the middle.
 */
final class PooledDispatcher implements DispatcherRuntime {
    private static final int[] WEIGHTS = {-1, -1, -1, -1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2,
        3, 3, 3, 3, 3, 3, 3, 3};

    private static final java.time.Duration NUDGE = java.time.Duration.ofMillis(10);
    /** Slot visits in a row before a worker's wake-ups go to the global queue again, so one pair cannot hold it. */
    static final int SLOT_BUDGET = 32;
    private static final VarHandle NEXT;
    private static final VarHandle SPARE_STATE;
    private static final VarHandle PARKED;
    private static final VarHandle IN_IDLE;
    private static final int WORKING = 0;
    private static final int SPARE = 1;
    private static final int RETIRED = 2;

    static {
        try {
            NEXT = MethodHandles.lookup().findVarHandle(Worker.class, "next", ServiceCell.class);
            SPARE_STATE = MethodHandles.lookup().findVarHandle(Worker.class, "spareState", int.class);
            PARKED = MethodHandles.lookup().findVarHandle(Worker.class, "parked", boolean.class);
            IN_IDLE = MethodHandles.lookup().findVarHandle(Worker.class, "inIdle", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final NodeRuntime node;
    private final int parallelism;
    private final int throughput;
    private final ConcurrentLinkedQueue<ServiceCell> global = new ConcurrentLinkedQueue<>();
    /**
     * Idle workers, each at most once ({@link Worker#inIdle}). A queue with its own nodes rather than a stack through
     * the workers: a worker is pushed again and again, and a stack of re-pushed nodes would be open to ABA.
     */
    private final ConcurrentLinkedQueue<Worker> idle = new ConcurrentLinkedQueue<>();
    /** Surplus workers parked for reuse by the next blocked handler, newest first. */
    private final java.util.concurrent.ConcurrentLinkedDeque<Worker> spares =
            new java.util.concurrent.ConcurrentLinkedDeque<>();
    private final long spareNanos;
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final ReentrantLock threadsLock = new ReentrantLock();
    /**
     * Every worker started and not yet seen terminated: an array replaced under {@link #threadsLock} when a worker
     * starts (copy on write; workers start rarely), read without the lock, so the nudge and stats copy nothing.
     */
    private volatile Worker[] threads = new Worker[0];
    private final Runnable nudgeTask = this::nudge;
    private volatile boolean stopping;

    PooledDispatcher(NodeRuntime node, int parallelism) {
        this.node = node;
        this.parallelism = parallelism;
        this.throughput = node.config().throughput();
        this.spareNanos = node.config().idleThreadTimeout().toNanos();
        for (int i = 0; i < parallelism; i++) {
            active.incrementAndGet();
            startWorker();
        }
        node.timers().schedule(NUDGE, nudgeTask);
    }

    /**
     * Skynet's timer thread wakes a sleeping worker every tick; so does this. It covers a mailbox queued by a
     * worker that did not wake anyone (see {@link #push}) and then stayed busy in a long handler.
     */
    private void nudge() {
        if (stopping) {
            return;
        }
        for (Worker w : threads) {
            // A cell left in a slot for a whole tick waits on a worker stuck in a long handler: move it on.
            ServiceCell s = w.next;
            if (s != null && s == w.nudgeSeen && NEXT.compareAndSet(w, s, (ServiceCell) null)) {
                pushGlobal(s);
            }
            w.nudgeSeen = s;
            // Likewise starts whose oldest has waited a whole tick (no idle worker stole it): to the global queue.
            ServiceCell oldest = w.starts.peekLast();
            if (oldest != null && oldest == w.startsSeen) {
                releaseStarts(w);
            }
            w.startsSeen = w.starts.peekLast();
        }
        if (queued.get() > 0 || anyStarts()) {
            wakeIdle();
        }
        try {
            node.timers().schedule(NUDGE, nudgeTask);
        } catch (IllegalStateException timerStopped) {
            // the node is closing; workers are stopped separately
        }
    }

    private void startWorker() {
        int index = nextIndex.getAndIncrement();
        Worker t = new Worker(this, () -> work(index), "loomnet-" + node.config().nodeId() + "-worker-" + index);
        threadsLock.lock();
        try {
            List<Worker> live = new ArrayList<>(threads.length + 1);
            for (Worker w : threads) {
                if (w.getState() != Thread.State.TERMINATED) {
                    live.add(w);
                }
            }
            live.add(t);
            threads = live.toArray(new Worker[0]);
        } finally {
            threadsLock.unlock();
        }
        t.start();
    }

    @Override
    public Dispatcher kind() {
        return Dispatcher.POOLED;
    }

    /**
     * A new service spawned by a handler on this pool goes on top of that worker's own stack of starts, so the
     * worker runs the newest child next and a tree of spawns is walked depth first (Skynet's tree then holds a
     * path of it, not all of it: the breadth-first order of the global FIFO kept 1.1 M of 1.11 M services alive
     * at once). An idle worker is woken to steal from the stack's bottom. Spawns from outside the pool queue
     * globally.
     */
    @Override
    public void start(ServiceCell cell) {
        if (Thread.currentThread() instanceof Worker w && w.owner == this) {
            w.starts.addFirst(cell);
            wakeIdle();
            return;
        }
        pushGlobal(cell);
    }

    @Override
    public void wake(ServiceCell cell) {
        push(cell);
    }

    /**
     * Queues a woken cell. From a handler on one of this pool's workers, into that worker's own slot while it is
     * free and the worker's run of slot visits is under {@link #SLOT_BUDGET}: the worker drives it next, and no
     * shared queue or counter is touched (on two cores those cost more than the message). Otherwise to the global
     * queue.
     */
    private void push(ServiceCell cell) {
        if (Thread.currentThread() instanceof Worker w && w.owner == this && w.streak < SLOT_BUDGET
                && w.next == null) {
            NEXT.setRelease(w, cell);
            return;
        }
        pushGlobal(cell);
    }

    private void pushGlobal(ServiceCell cell) {
        int waiting = queued.incrementAndGet();
        global.offer(cell);
        // Skynet's producers never signal; a worker that queues work will usually take it itself next. Wake an
        // idle worker only when the push comes from outside the pool or more than one mailbox is waiting, so
        // a ping-pong pair does not pay a platform-thread unpark per message.
        if (waiting > 1 || !(Thread.currentThread() instanceof Worker)) {
            wakeIdle();
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
        final PooledDispatcher owner;
        /** The cell this worker drives next (its slot); set by the worker, taken by it or by {@link #nudge}. */
        volatile ServiceCell next;
        /** Visits in a row taken from the slot (worker only). */
        int streak;
        /** What the slot held at the last nudge (nudge only). */
        ServiceCell nudgeSeen;
        /** {@link #WORKING}, {@link #SPARE} or {@link #RETIRED}; see {@link #waitAsSpare}. */
        volatile int spareState;
        /** Raised by the worker before its last look at the queue; won by CAS by the pusher that wakes it. */
        volatile boolean parked;
        /** Whether the worker has an entry on the idle queue. */
        volatile boolean inIdle;
        /**
         * Services spawned by this worker's handlers and not started yet: the worker takes the newest (LIFO,
         * depth first), idle workers steal the oldest.
         */
        final java.util.concurrent.ConcurrentLinkedDeque<ServiceCell> starts =
                new java.util.concurrent.ConcurrentLinkedDeque<>();
        /** Starts taken in a row (worker only). */
        int startStreak;
        /** The oldest pending start at the last nudge (nudge only). */
        ServiceCell startsSeen;

        Worker(PooledDispatcher owner, Runnable body, String name) {
            super(body, name);
            this.owner = owner;
            setDaemon(true);
        }
    }

    /**
     * The worker's newest pending start, except that after {@link #SLOT_BUDGET} in a row it lets one globally
     * queued cell go first, so a storm of spawns cannot hold the global queue back.
     */
    private ServiceCell takeStart(Worker me) {
        if (++me.startStreak > SLOT_BUDGET && !global.isEmpty()) {
            me.startStreak = 0;
            return null;
        }
        ServiceCell c = me.starts.pollFirst();
        if (c == null) {
            me.startStreak = 0;
        }
        return c;
    }

    /** The oldest pending start of another worker, if any (work stealing, from the bottom of its stack). */
    private ServiceCell stealStart(Worker me) {
        for (Worker w : threads) {
            if (w != me) {
                ServiceCell c = w.starts.pollLast();
                if (c != null) {
                    return c;
                }
            }
        }
        return null;
    }

    private boolean anyStarts() {
        for (Worker w : threads) {
            if (!w.starts.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** A worker about to block or to become a spare hands its pending starts to the global queue. */
    private void releaseStarts(Worker w) {
        for (ServiceCell c = w.starts.pollLast(); c != null; c = w.starts.pollLast()) {
            pushGlobal(c);
        }
    }

    /** Puts a worker on the idle queue unless its entry is still there. */
    private void pushIdle(Worker w) {
        if (IN_IDLE.compareAndSet(w, false, true)) {
            idle.offer(w);
        }
    }

    /**
     * Wakes one parked worker, if any: takes entries until one's {@code parked} flag is won. An entry's flag is
     * cleared before the CAS, so a worker that raises {@code parked} after a failed CAS queues itself again.
     */
    private void wakeIdle() {
        for (Worker w = idle.poll(); w != null; w = idle.poll()) {
            w.inIdle = false;
            if (PARKED.compareAndSet(w, true, false)) {
                LockSupport.unpark(w);
                return;
            }
        }
    }

    /** The worker's slot: the owner takes it, or the nudge takes a cell that sat there a whole tick. */
    private static ServiceCell takeSlot(Worker w) {
        return w.next == null ? null : (ServiceCell) NEXT.getAndSet(w, (ServiceCell) null);
    }

    @Override
    public void suspendBegin(ServiceCell cell, boolean handOff) {
        if (Thread.currentThread() instanceof Worker w && w.owner == this) {
            ServiceCell waiting = takeSlot(w); // this worker is about to block: its slot must not wait for it
            if (waiting != null) {
                pushGlobal(waiting);
            }
            releaseStarts(w);
        }
        if (handOff) {
            pushGlobal(cell);
        }
        if (active.decrementAndGet() < parallelism && !stopping) {
            active.incrementAndGet();
            for (Worker spare = spares.pollFirst(); spare != null; spare = spares.pollFirst()) {
                if (SPARE_STATE.compareAndSet(spare, SPARE, WORKING)) {
                    LockSupport.unpark(spare);
                    return;
                }
            }
            startWorker();
        }
    }

    /**
     * Parks a surplus worker (already counted out of {@link #active}) on the spare stack until a blocked handler
     * needs a replacement ({@link #suspendBegin} claims it, counts it in and unparks it), the spare timeout passes
     * or the pool stops. A claim and a retirement race through one CAS on the worker's spare state.
     *
     * @return {@code true} if claimed: the worker works on; {@code false} if it must end
     */
    private boolean waitAsSpare(Worker me) {
        me.spareState = SPARE;
        spares.addFirst(me);
        long deadline = System.nanoTime() + spareNanos;
        while (true) {
            if (me.spareState == WORKING) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if ((stopping || left <= 0) && SPARE_STATE.compareAndSet(me, SPARE, RETIRED)) {
                spares.remove(me); // O(spares), once per retiring thread
                return false;
            }
            LockSupport.parkNanos(this, Math.max(left, 1));
        }
    }

    @Override
    public void suspendEnd(ServiceCell cell) {
        active.incrementAndGet();
    }

    /**
     * Skynet's table is written for 32 threads. A pool of 32 or more uses it as it is; a smaller pool leaves out its
     * four rows at −1 and takes the rest at the same shares, so a 2-worker pool runs at weights 0 and 2.
     */
    static int weight(int index, int parallelism) {
        int slot = index % parallelism;
        if (parallelism >= WEIGHTS.length) {
            return WEIGHTS[slot % WEIGHTS.length];
        }
        // Skynet's four workers at -1 (one message per visit) bound latency in a pool of 32; in a small pool they
        // are most of it and starve any busy service (fan-in measured 0.6x Pekko). Shares of the rest, from 0.
        return WEIGHTS[4 + slot * (WEIGHTS.length - 4) / parallelism];
    }

    private void work(int index) {
        Worker me = (Worker) Thread.currentThread();
        int weight = weight(index, parallelism);
        ServiceCell[] mdcFor = new ServiceCell[1];
        try {
            while (!stopping) {
                int a = active.get();
                if (a > parallelism && active.compareAndSet(a, a - 1)) {
                    releaseStarts(me);
                    if (!waitAsSpare(me)) {
                        return; // surplus after a blocked handler came back, and no call needed it since
                    }
                    continue; // claimed by a blocked handler's suspendBegin, which counted it in again
                }
                ServiceCell cell = takeSlot(me);
                if (cell != null) {
                    me.streak++;
                } else {
                    me.streak = 0;
                    cell = takeStart(me);
                    if (cell == null) {
                        cell = poll();
                    }
                    if (cell == null) {
                        cell = stealStart(me);
                    }
                }
                if (cell == null) {
                    me.parked = true;
                    pushIdle(me);
                    if (!global.isEmpty() || anyStarts() || stopping) {
                        me.parked = false; // its queue entry stays; a pusher drops it
                        continue;
                    }
                    while (me.parked && !stopping) {
                        LockSupport.park(this);
                    }
                    me.parked = false;
                    continue;
                }
                runCell(me, cell, weight, mdcFor);
            }
            active.decrementAndGet();
        } finally {
            MDC.remove(NodeRuntime.MDC_HANDLE);
        }
    }

    private void runCell(Thread me, ServiceCell cell, int weight, ServiceCell[] mdcFor) {
        if (mdcFor[0] != cell) { // the MDC changes only when the worker moves to another service
            MDC.put(NodeRuntime.MDC_HANDLE, cell.handleText());
            mdcFor[0] = cell;
        }
        while (true) {
            int limit = weight < 0 ? 1 : Math.min(throughput, Math.max(1, cell.mailbox.size() >> weight));
            int s = cell.drive(me, limit);
            if (s != ServiceCell.DRIVE_MORE) {
                return;
            }
            if (!global.isEmpty() || stopping) {
                pushGlobal(cell); // a full batch with others waiting: to the back of the global queue (Skynet)
                return;
            }
        }
    }

    @Override
    public long liveThreads() {
        long n = 0;
        for (Worker w : threads) {
            if (w.isAlive()) {
                n++;
            }
        }
        return n;
    }

    @Override
    public boolean stop(long deadlineNanos) throws InterruptedException {
        stopping = true;
        boolean ok;
        Worker[] all;
        do { // again if a replacement started while this stop was joining (it saw stopping too late)
            all = threads;
            for (Thread t : all) {
                LockSupport.unpark(t);
            }
            ok = true;
            for (Thread t : all) {
                long left = deadlineNanos - System.nanoTime();
                if (left > 0) {
                    t.join(java.time.Duration.ofNanos(left));
                }
                ok &= !t.isAlive();
            }
        } while (ok && all != threads);
        return ok;
    }
}
