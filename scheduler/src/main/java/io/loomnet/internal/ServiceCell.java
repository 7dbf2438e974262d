package io.loomnet.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.loomnet.CallCancelledException;
import io.loomnet.Cancellable;
import io.loomnet.ChildFailed;
import io.loomnet.Context;
import io.loomnet.DeadLetter;
import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.MessageType;
import io.loomnet.Node;
import io.loomnet.ReplyToken;
import io.loomnet.Service;
import io.loomnet.ServiceOptions;
import io.loomnet.ServiceStats;
import io.loomnet.Supervision;
import io.loomnet.Terminated;
import io.loomnet.internal.timer.TimingWheel;
import io.loomnet.spi.ErrorKind;

/**
 * The runtime side of one service: its mailbox, its lifecycle state machine and its {@link Context}.
 *
 * <p><b>Exclusion.</b> {@link #exclusion} is held by whichever thread runs this service's code: the driver
 * while it dispatches a batch, or a handler that resumed from {@code call}/{@code sleep}. A handler releases
 * it while it waits, so the service keeps going (Skynet's coroutine semantics); mutual exclusion of hooks
 * follows from the lock. Fields marked <em>(exclusion)</em> are only touched while holding it.
 *
 * <p><b>Driving.</b> Exactly one thread at a time is the <em>driver</em> ({@link #driver}): it polls the
 * mailbox in {@link #drive}. A driver that blocks in a handler hands the role to another thread (a new
 * virtual/platform thread, or the pooled dispatcher's global queue) and, once resumed, gives up driving when
 * its handler returns.
 *
 * <p><b>Lifecycle.</b> NEW → STARTING → RUNNING ⇄ RESTARTING → STOPPING → TERMINATED, all transitions made
 * by the driver under the exclusion, except that any thread may <em>request</em> a stop. Stopping is in-band:
 * seal and drain the mailbox (dead letters, requests error-replied), cancel own calls, fail deferred replies,
 * stop children and wait for them (without holding a thread), then {@code onStop}, watchers, names, handle.
 * {@link #lifeLock} guards children, watchers, names, pending calls and the phase as seen by other threads.
 */
final class ServiceCell implements Context {
    static final int DRIVE_IDLE = 0;
    static final int DRIVE_MORE = 1;
    static final int DRIVE_HANDED_OFF = 2;
    static final int DRIVE_TERMINATED = 3;

    static final int NEW = 0;
    static final int STARTING = 1;
    static final int RUNNING = 2;
    static final int RESTARTING = 3;
    static final int STOPPING = 4;
    static final int TERMINATED = 5;
    private static final String[] PHASE_NAMES = {"NEW", "STARTING", "RUNNING", "RESTARTING", "STOPPING", "TERMINATED"};

    final NodeRuntime node;
    final Handle handle;
    /** The printed handle, computed on first use (a benign race): it goes into the MDC on every pooled batch. */
    private String handleText;
    final ServiceCell parent;
    final DispatcherRuntime dispatcher;
    final Mailbox mailbox;
    final ServiceOptions options;
    private final Supplier<? extends Service> factory;
    /** Fair, so a handler resuming from a call is not overtaken forever by a driver re-locking per batch. */
    final ReentrantLock exclusion = new ReentrantLock(true);
    final ReentrantLock lifeLock = new ReentrantLock();
    final CompletableFuture<Void> terminated = new CompletableFuture<>();

    /**
     * The thread driving the mailbox, {@code null} while the role is being handed over, or a dispatcher's marker
     * for "no thread: start one on the next wake-up" (see {@link #retireDriver}).
     */
    volatile Thread driver;
    /** Set by the monitor to ask an idle driver to give its thread up; read by the driver when it wakes. */
    volatile boolean retireRequested;
    // Idle-driver sweep (monitor thread only): the handled count at the last look and how many looks found it idle.
    long idleHandledMark = -1;
    int idleLooks;
    volatile int phase = NEW;
    private volatile boolean stopRequested;
    private volatile boolean restartDue;
    private Terminated.Reason stopReason = Terminated.Reason.STOPPED; // lifeLock
    private String stopDetail = "stopped"; // lifeLock
    private boolean startFailed; // exclusion

    private Service service; // exclusion
    private Logger log;
    // The message being handled and whether it was answered (exclusion; saved/restored around suspension).
    private Message current;
    private boolean replied;
    private boolean deferred;

    // lifeLock
    private Set<ServiceCell> children;
    private Set<Handle> watchers;
    private List<String> names;
    private Set<PendingCall> outgoing;
    private Set<DeferredReply> tokens;
    private Set<PeriodicTimer> periodics;

    // Statistics and monitoring: written by the thread holding the exclusion, read by anyone.
    private volatile long handled;
    private volatile long failures;
    private volatile int restarts;
    private volatile long maxHandleNanos;
    private volatile int suspended;
    volatile long handlingSince;
    volatile Thread handlerThread;
    /** What is being handled: a {@link Message} or a String such as "onStart"; named only when reported. */
    volatile Object handling;
    long stuckReportedFor; // monitor thread only
    private ArrayDeque<Long> restartTimes; // exclusion; created on the first restart decision
    // Overload warnings written to the log (driver only, exclusion held).
    static final long OVERLOAD_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private boolean overloadLogged;
    private long overloadLoggedAt;
    private int overloadSuppressed;

    private static final VarHandle HANDLED;
    private static final VarHandle HANDLING;
    private static final VarHandle HANDLING_SINCE;
    private static final VarHandle DRIVER;
    private static final VarHandle HANDLER_THREAD;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HANDLED = l.findVarHandle(ServiceCell.class, "handled", long.class);
            HANDLING = l.findVarHandle(ServiceCell.class, "handling", Object.class);
            HANDLING_SINCE = l.findVarHandle(ServiceCell.class, "handlingSince", long.class);
            DRIVER = l.findVarHandle(ServiceCell.class, "driver", Thread.class);
            HANDLER_THREAD = l.findVarHandle(ServiceCell.class, "handlerThread", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    ServiceCell(NodeRuntime node, Handle handle, ServiceCell parent, Supplier<? extends Service> factory,
                ServiceOptions options, DispatcherRuntime dispatcher) {
        this.node = node;
        this.handle = handle;
        this.parent = parent;
        this.factory = factory;
        this.options = options;
        this.dispatcher = dispatcher;
        this.mailbox = Mailbox.create(options.mailboxCapacity());
    }

    String handleText() {
        String t = handleText;
        if (t == null) {
            t = handle.toString();
            handleText = t;
        }
        return t;
    }

    // ------------------------------------------------------------------------------------------ driving

    /**
     * Runs up to {@code limit} steps for this cell on the calling thread, which becomes its driver.
     *
     * @return {@link #DRIVE_IDLE} if the mailbox is now unscheduled (the caller must not drive again until
     * woken), {@link #DRIVE_MORE} if the batch ran out with work possibly left (still scheduled),
     * {@link #DRIVE_HANDED_OFF} if another thread drives the cell now, {@link #DRIVE_TERMINATED} if done. A batch
     * that ran out with the mailbox empty goes idle here rather than reporting {@code DRIVE_MORE}, so a pooled
     * worker does not queue a mailbox with nothing in it.
     */
    int drive(Thread me, int limit) {
        exclusion.lock();
        try {
            driver = me;
            // Only messages count against the limit, and only messages wait for the next visit: a start, stop or
            // restart step runs in this one. On POOLED, sending a service to the back of the global queue for its
            // first message after its start, or for its stop after its last message, grew Skynet's tree breadth
            // first (1.1 M of 1.11 M services alive at once).
            for (int done = 0; ; ) {
                boolean last = done >= limit;
                if (last && phase == RUNNING && !stopRequested && mailbox.hasPending()) {
                    return DRIVE_MORE;
                }
                int p = phase;
                if (p == TERMINATED) {
                    mailbox.discardHeld(); // terminated by the closing node while this driver held a batch
                    return DRIVE_TERMINATED;
                }
                if (p == NEW) {
                    runStart();
                    continue;
                }
                if (stopRequested && p < STOPPING) {
                    beginStop();
                    continue;
                }
                if (p == STOPPING) {
                    if (childrenGone()) {
                        finishStop();
                        return DRIVE_TERMINATED;
                    }
                    if (rescheduleIfControlPending(true)) {
                        continue;
                    }
                    return DRIVE_IDLE;
                }
                if (p == RESTARTING) {
                    if (restartDue) {
                        restartNow();
                        continue;
                    }
                    if (rescheduleIfControlPending(true)) {
                        continue;
                    }
                    return DRIVE_IDLE;
                }
                Message m = mailbox.poll();
                if (m == null) {
                    if (rescheduleIfControlPending(false)) {
                        continue;
                    }
                    return DRIVE_IDLE;
                }
                dispatch(m);
                done++;
                if (driver != me) {
                    return DRIVE_HANDED_OFF;
                }
                if (last) {
                    return DRIVE_MORE; // a message came in just as the batch ran out: it is handled, no more
                }
            }
        } finally {
            exclusion.unlock();
        }
    }

    /**
     * Called when the driver is about to go idle. Clears the scheduled flag (if {@code unschedule}; a failed
     * poll already did), then re-checks the control signals that other threads raise before scheduling the
     * mailbox: if one is pending and this thread wins the flag back, it keeps driving; if another thread set
     * the flag first, that thread has woken a driver and this one must stand down.
     */
    private boolean rescheduleIfControlPending(boolean unschedule) {
        if (unschedule) {
            mailbox.unschedule();
        }
        return controlPending() && mailbox.schedule();
    }

    /** @return whether a control signal (stop, children gone, restart due) waits for the driver */
    private boolean controlPending() {
        int p = phase;
        return (stopRequested && p < STOPPING) || (p == STOPPING && childrenGone()) || (p == RESTARTING && restartDue);
    }

    /**
     * Lets the calling driver, parked idle between batches (not holding the exclusion), give up its thread: the
     * cell's {@link #driver} becomes {@code dormant}, and the next wake-up must start a new driver (the dispatcher
     * claims the marker by CAS, {@link #claimDormant}). Only a running service with nothing pending retires.
     *
     * <p>Race-free by the scheduled flag: the caller takes it first, so no producer wakes anyone while the marker
     * is set; after letting it go, work that came in meanwhile is scheduled and woken here as a producer would,
     * which starts the new driver.
     *
     * @return {@code true} if the caller is no longer the driver and its thread must end; {@code false} if it stays
     * (the mailbox was scheduled meanwhile, or the service is not simply running)
     */
    boolean retireDriver(Thread me, Thread dormant) {
        if (driver != me || phase != RUNNING || stopRequested || !mailbox.schedule()) {
            return false;
        }
        HANDLER_THREAD.compareAndSet(this, me, (Thread) null); // let the ended thread go (a resumed handler's stays)
        leaveDormant(dormant);
        return true;
    }

    /**
     * Leaves the cell dormant: sets the marker, lets the scheduled flag go, and wakes the cell as a producer would
     * if work came in before the flag was let go (which starts the new driver). The caller holds the scheduled
     * flag and is the consumer. Used by {@link #retireDriver}, and by a driver about to block in a handler
     * ({@code call}, {@code sleep}) after it released the exclusion while still mid-batch: instead of starting a
     * thread that would park idle for the length of the call, a thread starts only if work comes in meanwhile.
     */
    void leaveDormant(Thread dormant) {
        driver = dormant;
        mailbox.unschedule();
        if ((mailbox.hasPending() || controlPending()) && mailbox.schedule()) {
            dispatcher.wake(this);
        }
    }

    /**
     * Lets a thread whose driver role was handed over lazily take it back when its handler returns, if no thread
     * was started meanwhile. On {@code true} the caller is the driver again with the mailbox possibly
     * unscheduled: it must wait for the scheduled flag as an idle driver does.
     */
    boolean reclaimDormant(Thread dormant, Thread me) {
        return DRIVER.compareAndSet(this, dormant, me);
    }

    /** @return {@code true} if this call replaced the dormant marker, so the caller must start the new driver */
    boolean claimDormant(Thread dormant) {
        return DRIVER.compareAndSet(this, dormant, (Thread) null);
    }

    /**
     * Skynet's overload warning, with the log rate-limited: every threshold crossing reaches the node listener, but
     * at most one per {@link #OVERLOAD_LOG_INTERVAL_NANOS} reaches the log, so a steady stream that fills and drains
     * the queue again and again does not flood it. Driver only (exclusion held).
     */
    private void reportOverload(int length) {
        long now = System.nanoTime();
        boolean log = !overloadLogged || now - overloadLoggedAt >= OVERLOAD_LOG_INTERVAL_NANOS;
        node.overload(this, length, mailbox.highWater(), log ? overloadSuppressed : -1);
        if (log) {
            overloadLogged = true;
            overloadLoggedAt = now;
            overloadSuppressed = 0;
        } else {
            overloadSuppressed++;
        }
    }

    private void dispatch(Message m) {
        if (m.type() == MessageType.TIMER && m.payload() instanceof PeriodicTimer pt) {
            if (pt.isCancelled()) {
                node.withdrawTick(); // cancelled while queued: the service never sees it
                return;
            }
            m = new Message(m.source(), 0, MessageType.TIMER, pt.payload);
        }
        int overload = mailbox.takeOverload();
        if (overload > 0) {
            reportOverload(overload);
        }
        current = m;
        replied = false;
        deferred = false;
        // The fields the stuck monitor and stats read are published with release stores, not volatile writes:
        // no fence per message (handlingSince last, so a monitor that sees it sees the rest).
        Thread t = Thread.currentThread();
        if (handlerThread != t) {
            handlerThread = t;
        }
        HANDLING.setRelease(this, (Object) m);
        HANDLING_SINCE.setRelease(this, System.nanoTime());
        HandlerEvent event = new HandlerEvent();
        event.begin();
        try {
            service.onMessage(this, m);
        } catch (Throwable e) {
            handlerFailed(m, e);
        } finally {
            if (event.shouldCommit()) {
                event.service = handleText();
                event.messageType = m.type().name();
                event.payloadType = m.payloadType();
                event.commit();
            }
            long took = System.nanoTime() - handlingSince;
            HANDLING_SINCE.setRelease(this, 0L);
            HANDLING.setRelease(this, (Object) null); // an idle service must not keep its last message alive
            if (took > maxHandleNanos) {
                maxHandleNanos = took;
            }
            HANDLED.setRelease(this, handled + 1); // single writer: the exclusion holder
            if (m.isRequest() && !replied && !deferred) {
                replied = true;
                node.respondError(handle, m.source(), m.session(), ErrorKind.NO_REPLY, "service " + handle
                        + " returned from handling request " + m.payloadType() + " without replying");
            }
            current = null;
        }
    }

    private void handlerFailed(Message m, Throwable e) {
        failures++;
        if (e instanceof CallCancelledException && (stopRequested || phase >= STOPPING || phase == RESTARTING)) {
            logger().debug("handler of {} unwound after its call was cancelled: {}", handle, e.getMessage());
            if (m.isRequest() && !replied && !deferred) {
                replied = true;
                node.respondError(handle, m.source(), m.session(), ErrorKind.UNAVAILABLE,
                        "service " + handle + " stopped while handling request " + m.payloadType());
            }
            return;
        }
        if (m.isRequest() && !replied && !deferred) {
            replied = true;
            node.respondError(handle, m.source(), m.session(), ErrorKind.HANDLER_FAILED,
                    "service " + handle + " failed handling request " + m.payloadType() + ": " + e);
        }
        supervise(m.type(), m.payloadType(), e);
    }

    /**
     * Applies the supervision policy to a failure; exclusion held.
     *
     * @param type the kind of message being handled, or {@code null} for {@code onStart} of a restart
     * @param what its payload type, or the hook
     */
    private void supervise(MessageType type, String what, Throwable e) {
        Supervision policy = options.supervision();
        Supervision.Kind action = policy.kind();
        if (action == Supervision.Kind.RESTART && !restartAllowed(policy)) {
            action = Supervision.Kind.STOP;
        }
        logger().warn("service {} failed handling {} ({}): {}", handle, what, action, e.toString(), e);
        node.reportFailure(this, new ChildFailed(handle, type, what, e.toString(), action));
        switch (action) {
            case RESUME -> {
            }
            case STOP -> requestStop(Terminated.Reason.FAILED, "stopped by its supervision policy after " + e);
            case RESTART -> scheduleRestart(policy);
        }
    }

    private boolean restartAllowed(Supervision policy) {
        if (restartTimes == null) {
            restartTimes = new ArrayDeque<>(policy.maxRestarts());
        }
        long now = System.nanoTime();
        long windowNanos = policy.window().toNanos();
        while (!restartTimes.isEmpty() && now - restartTimes.peekFirst() > windowNanos) {
            restartTimes.pollFirst();
        }
        return restartTimes.size() < policy.maxRestarts();
    }

    private void scheduleRestart(Supervision policy) {
        Duration delay = policy.backoff(restartTimes.size());
        restartTimes.addLast(System.nanoTime());
        restarts++;
        phase = RESTARTING;
        restartDue = false;
        cancelOutgoing("service " + handle + " is restarting");
        cancelPeriodics();
        stopInstance();
        if (delay.isZero()) {
            restartDue = true;
        } else {
            node.timers().schedule(delay, () -> {
                restartDue = true;
                signal();
            });
        }
    }

    private void restartNow() {
        restartDue = false;
        phase = STARTING;
        handlerThread = Thread.currentThread();
        handling = "onStart (restart)";
        handlingSince = System.nanoTime();
        try {
            service = Objects.requireNonNull(factory.get(), "service factory returned null");
            service.onStart(this);
            phase = RUNNING;
        } catch (Throwable e) {
            failures++;
            service = null;
            phase = RESTARTING;
            supervise(null, "onStart (restart)", e);
        } finally {
            handlingSince = 0;
        }
    }

    private void stopInstance() {
        Service s = service;
        service = null;
        if (s != null) {
            try {
                s.onStop(this);
            } catch (Throwable e) {
                logger().warn("onStop of {} failed: {}", handle, e.toString(), e);
            }
        }
    }

    private void runStart() {
        phase = STARTING;
        handlerThread = Thread.currentThread();
        handling = "onStart";
        handlingSince = System.nanoTime();
        try {
            service = Objects.requireNonNull(factory.get(), "service factory returned null");
            service.onStart(this);
            lifeLock.lock();
            try {
                phase = RUNNING;
            } finally {
                lifeLock.unlock();
            }
        } catch (Throwable e) {
            startFailed = true;
            service = null;
            phase = RUNNING; // so the stop below proceeds from a started state
            if (stopRequested) {
                // stopped (or killed) while onStart waited: not a failure of the service
                logger().debug("service {} stopped during onStart: {}", handle, e.toString());
            } else {
                failures++;
                logger().warn("service {} failed to start: {}", handle, e.toString(), e);
                node.reportFailure(this, new ChildFailed(handle, null, "onStart", e.toString(),
                        Supervision.Kind.STOP));
                requestStop(Terminated.Reason.FAILED, "onStart failed: " + e);
            }
        } finally {
            handlingSince = 0;
        }
    }

    // ------------------------------------------------------------------------------------------ stopping

    /**
     * Asks the service to stop; any thread. Its pending calls and sleeps are cancelled at once so a handler
     * waiting in one unwinds; the rest of the stop runs on its driver.
     *
     * @return {@code false} if it was already stopping
     */
    boolean requestStop(Terminated.Reason reason, String detail) {
        lifeLock.lock();
        try {
            if (stopRequested || phase >= STOPPING) {
                return false;
            }
            stopRequested = true;
            stopReason = reason;
            stopDetail = detail;
        } finally {
            lifeLock.unlock();
        }
        cancelOutgoing("service " + handle + " is stopping (" + detail + ")");
        signal();
        return true;
    }

    /** Schedules the mailbox without a message so the driver sees a control change. */
    void signal() {
        if (mailbox.schedule()) {
            dispatcher.wake(this);
        }
    }

    private void beginStop() {
        List<ServiceCell> kids;
        Terminated.Reason reason;
        lifeLock.lock();
        try {
            phase = STOPPING;
            kids = children == null ? List.of() : new ArrayList<>(children);
            reason = stopReason;
        } finally {
            lifeLock.unlock();
        }
        DeadLetter.Reason why = startFailed && reason == Terminated.Reason.FAILED ? DeadLetter.Reason.START_FAILED
                : DeadLetter.Reason.STOPPED;
        cancelPeriodics();
        for (Message m : mailbox.seal(late(why), true)) {
            if (!withdrawnTick(m)) {
                node.deadLetter(m, handle, why);
            }
        }
        cancelOutgoing("service " + handle + " is stopping");
        failTokens();
        for (ServiceCell kid : kids) {
            kid.requestStop(Terminated.Reason.STOPPED, "parent " + handle + " is stopping");
        }
    }

    /** Where the mailbox sends messages that producers queued while it was being sealed. */
    private java.util.function.Consumer<Message> late(DeadLetter.Reason why) {
        return m -> {
            if (!withdrawnTick(m)) {
                node.deadLetter(m, handle, why);
            }
        };
    }

    private boolean childrenGone() {
        lifeLock.lock();
        try {
            return children == null || children.isEmpty();
        } finally {
            lifeLock.unlock();
        }
    }

    private void finishStop() {
        if (!startFailed) {
            stopInstance();
        }
        terminate();
    }

    /** Final step, on the driver or (forced) on the closing thread: retire and notify. */
    void terminate() {
        Set<Handle> toNotify;
        List<String> myNames;
        Terminated.Reason reason;
        String detail;
        lifeLock.lock();
        try {
            if (phase == TERMINATED) {
                return;
            }
            phase = TERMINATED;
            toNotify = watchers == null ? Set.of() : watchers;
            watchers = null;
            myNames = names == null ? List.of() : names;
            names = null;
            reason = stopReason;
            detail = stopDetail;
        } finally {
            lifeLock.unlock();
        }
        node.retire(this, myNames);
        Terminated notice = new Terminated(handle, reason, detail);
        for (Handle w : toNotify) {
            node.sendSystem(handle, w, notice);
        }
        if (parent != null) {
            parent.childTerminated(this);
        }
        terminated.complete(null);
    }

    /**
     * Forced termination by the closing node for a service that did not stop in time (stuck handler):
     * seal and dead-letter, cancel, fail tokens and retire without running any more of its code.
     */
    void forceTerminate(String detail) {
        lifeLock.lock();
        try {
            stopRequested = true;
            stopReason = Terminated.Reason.KILLED;
            stopDetail = detail;
        } finally {
            lifeLock.unlock();
        }
        cancelPeriodics();
        // Not the driver: a stuck driver's taken batch is discarded by the driver itself if it ever returns.
        for (Message m : mailbox.seal(late(DeadLetter.Reason.NODE_CLOSED), false)) {
            if (!withdrawnTick(m)) {
                node.deadLetter(m, handle, DeadLetter.Reason.NODE_CLOSED);
            }
        }
        cancelOutgoing(detail);
        failTokens();
        terminate();
    }

    private void childTerminated(ServiceCell child) {
        boolean wake;
        lifeLock.lock();
        try {
            if (children != null) {
                children.remove(child);
            }
            wake = phase == STOPPING && (children == null || children.isEmpty());
        } finally {
            lifeLock.unlock();
        }
        if (wake) {
            signal();
        }
    }

    /** Adds a child unless this service is stopping; any thread. */
    boolean addChild(ServiceCell child) {
        lifeLock.lock();
        try {
            if (stopRequested || phase >= STOPPING) {
                return false;
            }
            if (children == null) {
                children = new HashSet<>();
            }
            children.add(child);
            return true;
        } finally {
            lifeLock.unlock();
        }
    }

    void removeChild(ServiceCell child) {
        lifeLock.lock();
        try {
            if (children != null) {
                children.remove(child);
            }
        } finally {
            lifeLock.unlock();
        }
    }

    boolean addWatcher(Handle w) {
        lifeLock.lock();
        try {
            if (phase == TERMINATED) {
                return false;
            }
            if (watchers == null) {
                watchers = new HashSet<>();
            }
            watchers.add(w);
            return true;
        } finally {
            lifeLock.unlock();
        }
    }

    void removeWatcher(Handle w) {
        lifeLock.lock();
        try {
            if (watchers != null) {
                watchers.remove(w);
            }
        } finally {
            lifeLock.unlock();
        }
    }

    /**
     * Registers {@code name} for this cell in the node's name table; the table entry and this cell's own list
     * change together under lifeLock (see the name table in {@link NodeRuntime}).
     *
     * @return {@code null} if registered (or already this cell's), the other holder if the name is taken, or
     *         this cell if it has terminated
     */
    ServiceCell addName(String name, java.util.concurrent.ConcurrentMap<String, ServiceCell> table) {
        lifeLock.lock();
        try {
            if (phase == TERMINATED) {
                return this;
            }
            ServiceCell prev = table.putIfAbsent(name, this);
            if (prev != null && prev != this) {
                return prev;
            }
            if (names == null) {
                names = new ArrayList<>(1);
            }
            if (!names.contains(name)) {
                names.add(name);
            }
            return null;
        } finally {
            lifeLock.unlock();
        }
    }

    /**
     * Removes one of this cell's names from the node's name table and from its own list, under lifeLock.
     *
     * @return {@code false} if this cell does not hold the name (or has terminated: its names are going anyway)
     */
    boolean removeName(String name, java.util.concurrent.ConcurrentMap<String, ServiceCell> table) {
        lifeLock.lock();
        try {
            if (names == null || !names.remove(name)) {
                return false;
            }
            table.remove(name, this);
            return true;
        } finally {
            lifeLock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------ calls

    /** Registers an outgoing call so a stop can cancel it; fails if the service is stopping. */
    boolean addOutgoing(PendingCall p) {
        lifeLock.lock();
        try {
            if (stopRequested || phase >= STOPPING || phase == RESTARTING) {
                return false;
            }
            if (outgoing == null) {
                outgoing = new HashSet<>();
            }
            outgoing.add(p);
            return true;
        } finally {
            lifeLock.unlock();
        }
    }

    void removeOutgoing(PendingCall p) {
        lifeLock.lock();
        try {
            if (outgoing != null) {
                outgoing.remove(p);
            }
        } finally {
            lifeLock.unlock();
        }
    }

    private void cancelOutgoing(String why) {
        for (PendingCall p : takeAll(() -> outgoing)) {
            node.cancel(p, why);
        }
    }

    /**
     * @param field reads a lifeLock-guarded set field (created lazily, so possibly null); read under the lock
     * @return what the set held, leaving it empty
     */
    private <T> List<T> takeAll(Supplier<Set<T>> field) {
        lifeLock.lock();
        try {
            Set<T> set = field.get();
            if (set == null || set.isEmpty()) {
                return List.of();
            }
            List<T> all = new ArrayList<>(set);
            set.clear();
            return all;
        } finally {
            lifeLock.unlock();
        }
    }

    /**
     * Blocks the current handler until {@code p} completes, releasing the exclusion meanwhile so the service
     * keeps handling messages, and handing over the driver role if this thread holds it.
     */
    void suspend(PendingCall p) {
        Message savedCurrent = current;
        boolean savedReplied = replied;
        boolean savedDeferred = deferred;
        Object savedHandling = handling;
        Thread me = Thread.currentThread();
        boolean handOff = driver == me && phase == RUNNING;
        if (handOff) {
            driver = null;
        }
        suspended++;
        handlingSince = 0;
        int holds = exclusion.getHoldCount();
        for (int i = 0; i < holds; i++) {
            exclusion.unlock();
        }
        dispatcher.suspendBegin(this, handOff);
        try {
            p.awaitDone();
        } finally {
            dispatcher.suspendEnd(this);
            for (int i = 0; i < holds; i++) {
                exclusion.lock();
            }
            suspended--;
            current = savedCurrent;
            replied = savedReplied;
            deferred = savedDeferred;
            handlerThread = me;
            handling = savedHandling;
            handlingSince = System.nanoTime();
        }
    }

    // ------------------------------------------------------------------------------------------ tokens

    /** A deferred reply was given or failed: forget it (lifeLock held by the caller). */
    void forgetToken(DeferredReply t) {
        if (tokens != null) {
            tokens.remove(t);
        }
    }

    /** A deferred reply failed by the service: the caller gets a handler failure with the service's text. */
    void failDeferred(Message request, String message) {
        node.respondError(handle, request.source(), request.session(), ErrorKind.HANDLER_FAILED,
                "service " + handle + " failed request " + request.payloadType() + ": " + message);
    }

    private void failTokens() {
        List<DeferredReply> open;
        lifeLock.lock();
        try {
            if (tokens == null || tokens.isEmpty()) {
                return;
            }
            open = new ArrayList<>(tokens);
        } finally {
            lifeLock.unlock();
        }
        for (DeferredReply t : open) {
            if (t.claim()) {
                node.respondError(handle, t.request.source(), t.request.session(), ErrorKind.UNAVAILABLE,
                        "service " + handle + " stopped before answering request " + t.request.payloadType());
            }
        }
    }

    // ------------------------------------------------------------------------------------------ Context

    private void requireHandler(String what) {
        if (!exclusion.isHeldByCurrentThread()) {
            throw new IllegalStateException(what + " must be called from a handler of service " + handle
                    + ", on the thread running it");
        }
    }

    private Message requireRequest(String what) {
        requireHandler(what);
        Message m = current;
        if (m == null || !m.isRequest()) {
            throw new IllegalStateException(what + ": service " + handle + " is not handling a request"
                    + (m == null ? "" : " (handling " + m.type() + " " + m.payloadType() + ")"));
        }
        if (replied || deferred) {
            throw new IllegalStateException(what + ": request " + m.payloadType() + " to " + handle
                    + " was already answered");
        }
        return m;
    }

    @Override
    public Handle self() {
        return handle;
    }

    @Override
    public Node node() {
        return node.facade();
    }

    @Override
    public Logger log() {
        return logger();
    }

    Logger logger() {
        Logger l = log;
        if (l == null) {
            Service s = service;
            l = LoggerFactory.getLogger(s == null ? ServiceCell.class : s.getClass());
            log = l;
        }
        return l;
    }

    @Override
    public Handle sender() {
        requireHandler("sender()");
        Message m = current;
        if (m == null) {
            throw new IllegalStateException("sender(): service " + handle + " is not handling a message");
        }
        return m.source();
    }

    @Override
    public void send(Handle to, Object payload) {
        node.send(handle, Objects.requireNonNull(to, "to"), MessageType.TELL, 0, payload);
    }

    @Override
    public Object call(Handle to, Object request, Duration timeout) {
        return call(to, request, Object.class, timeout);
    }

    @Override
    public <T> T call(Handle to, Object request, Class<T> type, Duration timeout) {
        requireHandler("call()");
        return node.call(this, Objects.requireNonNull(to, "to"), null, request, type, timeout);
    }

    @Override
    public Object call(String target, Object request, Duration timeout) {
        return call(target, request, Object.class, timeout);
    }

    @Override
    public <T> T call(String target, Object request, Class<T> type, Duration timeout) {
        requireHandler("call()");
        return node.call(this, null, Objects.requireNonNull(target, "target"), request, type, timeout);
    }

    @Override
    public CompletionStage<Object> ask(Handle to, Object request, Duration timeout) {
        return ask(to, request, Object.class, timeout);
    }

    @Override
    public <T> CompletionStage<T> ask(Handle to, Object request, Class<T> type, Duration timeout) {
        return node.ask(this, Objects.requireNonNull(to, "to"), null, request, type, timeout);
    }

    @Override
    public CompletionStage<Object> ask(String target, Object request, Duration timeout) {
        return ask(target, request, Object.class, timeout);
    }

    @Override
    public <T> CompletionStage<T> ask(String target, Object request, Class<T> type, Duration timeout) {
        return node.ask(this, null, Objects.requireNonNull(target, "target"), request, type, timeout);
    }

    @Override
    public void reply(Object payload) {
        Message m = requireRequest("reply()");
        replied = true;
        sendReply(m, payload);
    }

    /**
     * Sends the reply to {@code request}. If it cannot be sent (for a caller on another node: the payload has no
     * codec or is over the frame limit), the caller gets an error reply at once instead of waiting out its timeout,
     * and the exception goes on to the handler.
     */
    void sendReply(Message request, Object payload) {
        try {
            node.respond(handle, request.source(), request.session(), payload);
        } catch (RuntimeException e) {
            String why = String.valueOf(e.getMessage());
            node.respondError(handle, request.source(), request.session(), ErrorKind.HANDLER_FAILED,
                    "service " + handle + " could not send its reply (" + (payload == null ? "null"
                            : payload.getClass().getName()) + ") to request " + request.payloadType() + ": "
                            + e.getClass().getSimpleName() + ": " + (why.length() > 300 ? why.substring(0, 300) + "…"
                            : why));
            throw e;
        }
    }

    @Override
    public ReplyToken replyToken() {
        Message m = requireRequest("replyToken()");
        deferred = true;
        DeferredReply t = new DeferredReply(this, m);
        lifeLock.lock();
        try {
            if (tokens == null) {
                tokens = new HashSet<>();
            }
            tokens.add(t);
        } finally {
            lifeLock.unlock();
        }
        return t;
    }

    @Override
    public Handle spawn(Supplier<? extends Service> factory, ServiceOptions options) {
        return node.spawn(this, factory, options);
    }

    @Override
    public void watch(Handle target) {
        node.watch(handle, Objects.requireNonNull(target, "target"));
    }

    @Override
    public void unwatch(Handle target) {
        node.unwatch(handle, Objects.requireNonNull(target, "target"));
    }

    @Override
    public Cancellable timeout(Duration delay, Object payload) {
        Objects.requireNonNull(delay, "delay");
        TimingWheel.Timeout t = node.timers().schedule(delay, () -> node.deliverTimer(this, payload));
        return t::cancel;
    }

    @Override
    public Cancellable every(Duration period, Object payload) {
        Objects.requireNonNull(period, "period");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("every(): period must be positive, was " + period);
        }
        long nanos;
        try {
            nanos = Math.min(period.toNanos(), PeriodicTimer.MAX_PERIOD_NANOS);
        } catch (ArithmeticException tooLong) {
            nanos = PeriodicTimer.MAX_PERIOD_NANOS;
        }
        PeriodicTimer t = new PeriodicTimer(this, nanos, payload);
        lifeLock.lock();
        try {
            if (stopRequested || phase >= STOPPING) {
                t.cancel(); // never armed: a stopping service gets no ticks
                return t;
            }
            if (periodics == null) {
                periodics = new HashSet<>();
            }
            periodics.add(t);
        } finally {
            lifeLock.unlock();
        }
        t.start();
        return t;
    }

    void removePeriodic(PeriodicTimer t) {
        lifeLock.lock();
        try {
            if (periodics != null) {
                periodics.remove(t);
            }
        } finally {
            lifeLock.unlock();
        }
    }

    /** Cancels every {@code every} timer: on stop, forced termination and restart. */
    private void cancelPeriodics() {
        List<PeriodicTimer> all = takeAll(() -> periodics);
        for (PeriodicTimer t : all) {
            t.cancel();
        }
    }

    /**
     * A tick still queued when the service stops belongs to a timer the stop has cancelled: it is withdrawn (not
     * a dead letter), as a cancelled tick is at dispatch.
     */
    private boolean withdrawnTick(Message m) {
        if (m.type() == MessageType.TIMER && m.payload() instanceof PeriodicTimer) {
            node.withdrawTick();
            return true;
        }
        return false;
    }

    @Override
    public void sleep(Duration delay) {
        requireHandler("sleep()");
        PendingCall p = node.newSleep(this, delay);
        if (!p.isDone()) {
            suspend(p);
        }
        p.result();
    }

    @Override
    public void exit() {
        requestStop(Terminated.Reason.STOPPED, "exit() called");
    }

    @Override
    public boolean kill(Handle target) {
        return node.kill(target);
    }

    @Override
    public void register(String name) {
        node.register(this, name);
    }

    @Override
    public boolean unregister(String name) {
        return node.unregister(this, name);
    }

    @Override
    public Optional<Handle> lookup(String name) {
        return node.lookup(name);
    }

    // ------------------------------------------------------------------------------------------ queries

    /** @return the payload type (or hook) of what is being handled, for reports */
    String handlingType() {
        Object h = handling;
        return h instanceof Message m ? m.payloadType() : String.valueOf(h);
    }

    /** @return messages handled so far (a snapshot; any thread) */
    long handledCount() {
        return handled;
    }

    String phaseName() {
        return PHASE_NAMES[phase];
    }

    ServiceStats stats() {
        String name;
        lifeLock.lock();
        try {
            name = names == null || names.isEmpty() ? null : names.get(0);
        } finally {
            lifeLock.unlock();
        }
        return new ServiceStats(handle, name, phaseName(), mailbox.size(), mailbox.highWater(), handled, failures,
                restarts, maxHandleNanos, suspended, dispatcher.kind());
    }

    @Override
    public String toString() {
        return "service " + handle;
    }
}
