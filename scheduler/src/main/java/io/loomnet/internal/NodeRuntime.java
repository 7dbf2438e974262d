package io.loomnet.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.loomnet.CallCancelledException;
import io.loomnet.CallException;
import io.loomnet.CallFailedException;
import io.loomnet.ChildFailed;
import io.loomnet.DeadLetter;
import io.loomnet.Dispatcher;
import io.loomnet.Handle;
import io.loomnet.MailboxFullException;
import io.loomnet.Message;
import io.loomnet.MessageType;
import io.loomnet.NameTakenException;
import io.loomnet.Node;
import io.loomnet.NodeClosedException;
import io.loomnet.NodeListener;
import io.loomnet.NodeStats;
import io.loomnet.Overflow;
import io.loomnet.Service;
import io.loomnet.ServiceOptions;
import io.loomnet.ServiceStats;
import io.loomnet.ServiceStoppedException;
import io.loomnet.ServiceUnavailableException;
import io.loomnet.Terminated;
import io.loomnet.internal.timer.TimingWheel;
import io.loomnet.spi.ErrorKind;
import io.loomnet.spi.RemoteInbox;
import io.loomnet.spi.RemoteRouter;
import io.loomnet.scope.CloseReport;
import io.loomnet.scope.Scope;
import io.loomnet.scope.Stopper;

/**
 * Everything a node owns: the handle registry and names, the pending-call table, the dispatchers, the timing
 * wheel, the monitor and the root {@link Scope}. {@link io.loomnet.Node} is its public face.
 *
 * <p>All methods are thread-safe. The registry is a lock-free table indexed by sequence ({@link CellRegistry}), the
 * pending table a concurrent map; a handle's
 * sequence comes from one counter and is never reused.
 */
public final class NodeRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    /** Sequence 0 is never handed out. */
    private static final long FIRST_SEQUENCE = 1;
    /** MDC key carrying the handle of the service whose code runs on the thread. */
    public static final String MDC_HANDLE = "loomnet.handle";

    static final String STAGE_INTAKE = "intake";
    static final String STAGE_TRANSPORT = "transport";
    static final String STAGE_SERVICES = "services";
    static final String STAGE_TIMERS = "timers";
    static final String STAGE_DISPATCHERS = "dispatchers";

    private final NodeConfig config;
    private final Node facade;
    private final Handle nodeHandle;
    private final CellRegistry registry = new CellRegistry(FIRST_SEQUENCE);
    private final ConcurrentHashMap<String, ServiceCell> names = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, PendingCall> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextSequence = new AtomicLong(FIRST_SEQUENCE);
    private final AtomicLong nextSession = new AtomicLong(1);
    private final Map<Dispatcher, DispatcherRuntime> dispatchers = new EnumMap<>(Dispatcher.class);
    private final ReentrantLock dispatchersLock = new ReentrantLock();
    private final TimingWheel timers;
    private final ServiceMonitor monitor;
    private final Scope scope;
    private volatile boolean closing;
    private volatile RemoteRouter router;
    /** Local watchers of services on other nodes, so a lost node can notify them (see {@link RemoteSide}). */
    private final RemoteWatches remoteWatches = new RemoteWatches();
    private static final Duration REMOTE_LOOKUP_TIMEOUT = Duration.ofSeconds(5);

    /** Messages handled by services that have terminated; live ones keep their own count (no shared counter per message). */
    private final LongAdder retiredHandled = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder deadLetters = new LongAdder();
    private final LongAdder lateReplies = new LongAdder();
    private final LongAdder spawned = new LongAdder();
    final LongAdder stuckReports = new LongAdder();
    private final LongAdder loopErrors = new LongAdder();
    private final ReentrantLock liveLock = new ReentrantLock();
    private final Condition allTerminated = liveLock.newCondition();
    private long live; // liveLock

    /**
     * @param config validated settings
     * @param facade the public node object
     */
    public NodeRuntime(NodeConfig config, Node facade) {
        this.config = config;
        this.facade = facade;
        this.nodeHandle = Handle.of(config.nodeId(), 0);
        String prefix = "loomnet-" + config.nodeId();
        this.scope = Scope.open("node " + config.nodeId(), config.closeTimeout(), STAGE_INTAKE, STAGE_TRANSPORT,
                STAGE_SERVICES, STAGE_TIMERS, STAGE_DISPATCHERS);
        scope.add(STAGE_INTAKE, "intake", deadline -> {
            closing = true;
            return true;
        });
        scope.add(STAGE_SERVICES, "services", this::stopServices);
        this.timers = new TimingWheel(prefix + "-timer", config.timerTick(), this::loopFailed);
        this.monitor = new ServiceMonitor(this, config.nodeId() + "-monitor", config.stuckThreshold(),
                config.monitorInterval(), config.idleThreadTimeout());
        scope.add(STAGE_TIMERS, "timing wheel", timers::stop);
        scope.add(STAGE_TIMERS, "monitor", monitor::stop);
        scope.add(STAGE_DISPATCHERS, "dispatchers", this::stopDispatchers);
    }

    /** Starts the node's own threads (timer, monitor). */
    public void start() {
        timers.start();
        monitor.start(this::loopFailed);
        scope.addCloseable(STAGE_DISPATCHERS, "jfr statistics", NodeStatisticsHook.register(this::stats));
    }

    Node facade() {
        return facade;
    }

    NodeConfig config() {
        return config;
    }

    TimingWheel timers() {
        return timers;
    }

    /** @return the node's own handle (sequence 0), the source of messages sent from outside services */
    public Handle handle() {
        return nodeHandle;
    }

    // ------------------------------------------------------------------------------------------ spawning

    /**
     * Spawns a service.
     *
     * @param parent the parent cell, or {@code null} for a top-level service
     * @param factory makes the instance
     * @param options its options
     * @return its handle
     */
    public Handle spawn(ServiceCell parent, Supplier<? extends Service> factory, ServiceOptions options) {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(options, "options");
        if (closing && parent == null) {
            throw new NodeClosedException("node " + config.nodeId() + " is closing; cannot spawn a service");
        }
        DispatcherRuntime d = dispatcher(options.dispatcher().orElse(config.dispatcher()));
        long seq = nextSequence.getAndIncrement();
        Handle h = Handle.of(config.nodeId(), seq);
        ServiceCell cell = new ServiceCell(this, h, parent, factory, options, d);
        if (parent != null && !parent.addChild(cell)) {
            registry.abandon(seq);
            throw new ServiceStoppedException("spawn(): service " + parent.handle + " is stopping; cannot spawn a child");
        }
        registry.put(seq, cell);
        String name = options.name().orElse(null);
        if (name != null) {
            try {
                register(cell, name);
            } catch (RuntimeException e) {
                registry.remove(seq, cell);
                if (parent != null) {
                    parent.removeChild(cell);
                }
                throw e;
            }
        }
        liveLock.lock();
        try {
            live++;
        } finally {
            liveLock.unlock();
        }
        spawned.increment();
        d.start(cell);
        return h;
    }

    private DispatcherRuntime dispatcher(Dispatcher kind) {
        dispatchersLock.lock();
        try {
            return dispatchers.computeIfAbsent(kind, k -> switch (k) {
                case VIRTUAL -> new ThreadPerServiceDispatcher(this, Dispatcher.VIRTUAL);
                case PLATFORM -> new ThreadPerServiceDispatcher(this, Dispatcher.PLATFORM);
                case POOLED -> new PooledDispatcher(this, config.pooledWorkers());
            });
        } finally {
            dispatchersLock.unlock();
        }
    }

    /** Called by a cell when it has terminated: forget its handle and names. */
    void retire(ServiceCell cell, List<String> cellNames) {
        retiredHandled.add(cell.handledCount());
        registry.remove(cell.handle.sequence(), cell);
        for (String n : cellNames) {
            names.remove(n, cell);
        }
        liveLock.lock();
        try {
            live--;
            if (live == 0) {
                allTerminated.signalAll();
            }
        } finally {
            liveLock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------ messaging

    /** Remote kill and stop are not carried over the cluster: say so rather than return a silent {@code false}. */
    private void requireLocal(Handle target, String what) {
        if (target.node() != config.nodeId()) {
            throw new IllegalArgumentException("cannot " + what + " " + target + ": it is on node " + target.node()
                    + ", and node " + config.nodeId() + " can " + what + " only its own services; send the service a"
                    + " message it answers with ctx.exit(), or " + what + " it on node " + target.node());
        }
    }

    private ServiceCell local(Handle h) {
        if (h.node() != config.nodeId()) {
            return null;
        }
        return registry.get(h.sequence());
    }

    /**
     * Sends one message. Never blocks. Every message either reaches a mailbox or is counted as a dead letter
     * here (requests among them are answered with an error at once).
     *
     * @throws MailboxFullException for a tell refused by a bounded mailbox with {@link Overflow#REJECT}
     */
    void send(Handle from, Handle to, MessageType type, long session, Object payload) {
        if (to.node() != config.nodeId()) {
            RemoteRouter r = router;
            if (r != null && r.route(from, to, type, session, payload)) {
                return; // the transport accounts for it from here
            }
            sent.increment();
            deadLetter(new Message(from, session, type, payload), to, DeadLetter.Reason.NODE_UNREACHABLE);
            return;
        }
        sent.increment();
        Message m = new Message(from, session, type, payload);
        ServiceCell cell = registry.get(to.sequence());
        if (cell == null) {
            deadLetter(m, to, DeadLetter.Reason.UNKNOWN_TARGET);
            return;
        }
        switch (cell.mailbox.offer(m)) {
            case Mailbox.OK -> {
            }
            case Mailbox.WAKE -> cell.dispatcher.wake(cell);
            case Mailbox.CLOSED -> deadLetter(m, to, DeadLetter.Reason.STOPPED);
            default -> {
                deadLetter(m, to, DeadLetter.Reason.MAILBOX_FULL);
                if (type == MessageType.TELL && cell.options.overflow() == Overflow.REJECT) {
                    throw new MailboxFullException("mailbox of service " + to + " is full (capacity "
                            + cell.options.mailboxCapacity() + "); message " + m.payloadType() + " from " + from
                            + " rejected", to, m.payloadType(), null);
                }
            }
        }
    }

    /**
     * Delivers a fired {@code ctx.timeout} to its service. A timer of a service that has stopped is dropped
     * silently (as in Skynet): it is not a message anyone sent, so it is neither counted nor dead-lettered.
     */
    void deliverTimer(ServiceCell cell, Object payload) {
        Message m = new Message(cell.handle, 0, MessageType.TIMER, payload);
        int r = offerTimer(cell, m);
        if (r != Mailbox.OK) {
            LOG.debug("timer {} for {} dropped: {}", m.payloadType(), cell.handle,
                    r == Mailbox.CLOSED ? "the service has stopped" : "its mailbox is full");
        }
    }

    /**
     * Delivers one tick of a {@code ctx.every} timer, like {@link #deliverTimer}: a tick that finds the mailbox
     * full is skipped (the next one is still planned); one that finds it closed ends the timer.
     *
     * @return {@code false} once the service has stopped
     */
    boolean deliverTick(ServiceCell cell, PeriodicTimer timer) {
        int r = offerTimer(cell, new Message(cell.handle, 0, MessageType.TIMER, timer));
        if (r != Mailbox.OK) {
            LOG.debug("tick of {} for {} dropped: {}", timer, cell.handle,
                    r == Mailbox.CLOSED ? "the service has stopped" : "its mailbox is full");
        }
        return r != Mailbox.CLOSED;
    }

    /** @return {@link Mailbox#OK} if queued (counted as sent, the driver woken if needed), else why not */
    private int offerTimer(ServiceCell cell, Message m) {
        int r = cell.mailbox.offer(m);
        if (r == Mailbox.OK || r == Mailbox.WAKE) {
            sent.increment();
            if (r == Mailbox.WAKE) {
                cell.dispatcher.wake(cell);
            }
            return Mailbox.OK;
        }
        return r;
    }

    /**
     * A queued tick whose timer was cancelled before the service got to it: taken back as if never sent, as a
     * cancelled timer that had not fired yet would be, so {@code sent == handled + deadLetters} still holds.
     */
    void withdrawTick() {
        sent.decrement();
    }

    /** Sends a system notice (Terminated, ChildFailed) from the runtime. */
    void sendSystem(Handle from, Handle to, Object notice) {
        send(from, to, MessageType.SYSTEM, 0, notice);
    }

    /**
     * Counts and publishes a dead letter; answers a request among them with an error so its caller fails now.
     */
    void deadLetter(Message m, Handle target, DeadLetter.Reason reason) {
        deadLetters.increment();
        DeadLetter dl = new DeadLetter(m.source(), target, m.type(), m.payloadType(), reason);
        if (LOG.isDebugEnabled()) {
            LOG.debug("dead letter: {} {} from {} to {} ({})", m.type(), m.payloadType(), m.source(), target, reason);
        }
        NodeListener l = config.listener();
        if (l != null) {
            try {
                l.onDeadLetter(dl);
            } catch (RuntimeException e) {
                LOG.warn("node listener failed on dead letter {}: {}", dl, e.toString(), e);
            }
        }
        if (m.isRequest()) {
            ErrorKind kind = reason == DeadLetter.Reason.MAILBOX_FULL ? ErrorKind.MAILBOX_FULL : ErrorKind.UNAVAILABLE;
            String what = switch (reason) {
                case UNKNOWN_TARGET -> "no service " + target + " (unknown or already terminated)";
                case STOPPED -> "service " + target + " stopped before handling it";
                case START_FAILED -> "service " + target + " failed to start";
                case MAILBOX_FULL -> "mailbox of service " + target + " is full";
                case NODE_CLOSED -> "node " + config.nodeId() + " closed before " + target + " handled it";
                case NODE_UNREACHABLE -> "node " + target.node() + " of " + target + " is unknown or unreachable";
            };
            respondError(target, m.source(), m.session(), kind, what);
        }
    }

    /** Delivers a successful reply to the caller's pending call, routing it if the caller is remote. */
    void respond(Handle from, Handle to, long session, Object payload) {
        if (session == 0) {
            return;
        }
        if (to.node() != config.nodeId()) {
            routeReply(from, to, MessageType.RESPONSE, session, payload);
            return;
        }
        complete(to, session, payload, null);
    }

    void respondError(Handle from, Handle to, long session, ErrorKind kind, String text) {
        if (session == 0) {
            return;
        }
        if (to.node() != config.nodeId()) {
            routeReply(from, to, MessageType.ERROR, session, new RemoteRouter.ErrorPayload(kind, text));
            return;
        }
        complete(to, session, null, new RemoteRouter.ErrorPayload(kind, text));
    }

    private void routeReply(Handle from, Handle to, MessageType type, long session, Object payload) {
        RemoteRouter r = router;
        if (r == null || !r.route(from, to, type, session, payload)) {
            LOG.debug("{} for session {} to {} dropped: its node is unreachable", type, session, to);
        }
    }

    private void complete(Handle to, long session, Object payload, RemoteRouter.ErrorPayload error) {
        PendingCall p = pending.get(session);
        if (p == null || !p.callerHandle.equals(to) || !pending.remove(session, p)) {
            late(to, session);
            return;
        }
        finish(p, payload, error == null ? null : failure(p, error.kind(), error.text()));
    }

    private static CallException failure(PendingCall p, ErrorKind kind, String text) {
        String full = p.describe() + " failed: " + text;
        return switch (kind) {
            case UNAVAILABLE -> new ServiceUnavailableException(full, p.target, p.requestType, p.timeout);
            case MAILBOX_FULL -> new MailboxFullException(full, p.target, p.requestType, p.timeout);
            case HANDLER_FAILED, NO_REPLY -> new CallFailedException(full, p.target, p.requestType, p.timeout);
        };
    }

    private void late(Handle to, long session) {
        lateReplies.increment();
        LOG.debug("late reply to {} for session {} dropped", to, session);
        NodeListener l = config.listener();
        if (l != null) {
            try {
                l.onLateReply(to, session);
            } catch (RuntimeException e) {
                LOG.warn("node listener failed on late reply: {}", e.toString(), e);
            }
        }
    }

    /**
     * Starts a call or ask: registers the pending entry (and with the caller cell, so its stop cancels it),
     * arms the timeout and sends the request. The entry may already be complete on return (unknown target).
     *
     * @param targetName the name the caller used, or {@code null}; only for messages
     * @param replyType the reply's required class, or {@code null} for any reply (see {@link #replyClass})
     */
    PendingCall newCall(ServiceCell caller, Handle callerHandle, Handle to, String targetName, Object request,
                        Class<?> replyType, Duration timeout, Thread waiter, CompletableFuture<Object> future) {
        requirePositive(timeout);
        long session = nextSession.getAndIncrement();
        String type = typeName(request);
        PendingCall p = new PendingCall(session, caller, callerHandle, to, targetName, type, replyType, timeout,
                waiter, future, false);
        // Pending first, then the caller's outgoing set: a stop that cancels the caller's calls between the two
        // steps must find the entry to complete (the other order let a stopping service's call run to its timeout).
        pending.put(session, p);
        if (caller != null && !caller.addOutgoing(p)) {
            if (pending.remove(session, p)) {
                p.complete(null, new CallCancelledException(p.describe() + " refused: service " + callerHandle
                        + " is stopping", to, type, timeout));
            }
            return p;
        }
        TimingWheel.Timeout timer = timers.schedule(timeout, () -> {
            if (pending.remove(session, p)) {
                finish(p, null, p.timeoutFailure());
            }
        });
        p.timer = timer;
        if (p.isComplete()) {
            timer.cancel(); // cancelled while the timer was armed (complete() may not have seen it): send nothing
            return p;
        }
        try {
            send(callerHandle, to, MessageType.REQUEST, session, request);
        } catch (RuntimeException e) {
            // Not sent (no codec for the payload, over the frame limit, back-pressure): the caller gets the
            // exception now, so the entry and its timer must not wait out the timeout behind it.
            if (pending.remove(session, p)) {
                finish(p, null, new CallFailedException(p.describe() + " was not sent: " + e, to, type, timeout));
            }
            throw e;
        }
        return p;
    }

    private static void requirePositive(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("call timeout must be positive, was " + timeout);
        }
    }

    private static String typeName(Object payload) {
        return payload == null ? "null" : payload.getClass().getName();
    }

    /**
     * The class a typed call checks its reply against: {@code null} for {@code Object} (any reply will do),
     * the wrapper for a primitive ({@code int.class} accepts an {@code Integer}).
     */
    static Class<?> replyClass(Class<?> type) {
        Objects.requireNonNull(type, "type");
        if (type == Object.class) {
            return null;
        }
        if (!type.isPrimitive()) {
            return type;
        }
        return java.lang.invoke.MethodType.methodType(type).wrap().returnType();
    }

    /** A printed handle adds nothing to a call's description: the handle is printed anyway. */
    private static String shownName(String name) {
        return name == null || name.startsWith(":") ? null : name;
    }

    /** The failure of a call or ask whose target name resolves to no service. */
    private ServiceUnavailableException noSuchName(Handle callerHandle, String target, Object request,
                                                   Duration timeout) {
        int at = target.lastIndexOf('@');
        String where = at > 0 ? "node " + target.substring(at + 1) + " (or that node is unreachable)"
                : "node " + config.nodeId();
        String type = typeName(request);
        return new ServiceUnavailableException("call from " + callerHandle + " to '" + target + "' (request " + type
                + ", timeout " + timeout.toMillis() + " ms) failed: no service named '"
                + (at > 0 ? target.substring(0, at) : target) + "' on " + where, null, type, timeout);
    }

    /**
     * An ask by handle or by name, from a service ({@code caller} non-null) or from outside any service. The one
     * implementation behind every {@code ask} of {@link io.loomnet.Node} and {@link io.loomnet.Context}.
     *
     * @param to the target handle, or {@code null} to resolve {@code name}
     * @param name the name the caller gave, or {@code null}
     * @param type the reply's type; {@code Object.class} for any
     * @return the future reply, already checked against {@code type}
     */
    public <T> CompletableFuture<T> ask(Handle to, String name, Object request, Class<T> type, Duration timeout) {
        return ask(null, to, name, request, type, timeout);
    }

    @SuppressWarnings("unchecked")
    <T> CompletableFuture<T> ask(ServiceCell caller, Handle to, String name, Object request, Class<T> type,
                                 Duration timeout) {
        Class<?> replyType = replyClass(type);
        Handle callerHandle = caller == null ? nodeHandle : caller.handle;
        CompletableFuture<Object> f = new CompletableFuture<>();
        if (caller == null && closing) {
            f.completeExceptionally(new NodeClosedException("node " + config.nodeId() + " is closing; ask to "
                    + (to != null ? to : "'" + name + "'") + " refused"));
            return (CompletableFuture<T>) (CompletableFuture<?>) f;
        }
        Handle target = to;
        if (target == null) {
            requirePositive(timeout);
            Optional<Handle> h = lookup(Objects.requireNonNull(name, "target"));
            if (h.isEmpty()) {
                f.completeExceptionally(noSuchName(callerHandle, name, request, timeout));
                return (CompletableFuture<T>) (CompletableFuture<?>) f;
            }
            target = h.get();
        }
        newCall(caller, callerHandle, target, shownName(name), request, replyType, timeout, null, f);
        return (CompletableFuture<T>) (CompletableFuture<?>) f;
    }

    /**
     * A blocking call from a service's handler, by handle or by name, suspending only that handler. The one
     * implementation behind every {@code call} of {@link io.loomnet.Context}.
     */
    @SuppressWarnings("unchecked")
    <T> T call(ServiceCell caller, Handle to, String name, Object request, Class<T> type, Duration timeout) {
        Class<?> replyType = replyClass(type);
        Handle target = to;
        if (target == null) {
            requirePositive(timeout);
            target = lookup(Objects.requireNonNull(name, "target"))
                    .orElseThrow(() -> noSuchName(caller.handle, name, request, timeout));
        }
        PendingCall p = newCall(caller, caller.handle, target, shownName(name), request, replyType, timeout,
                Thread.currentThread(), null);
        if (!p.isDone()) {
            caller.suspend(p);
        }
        return (T) p.result();
    }

    PendingCall newSleep(ServiceCell caller, Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("sleep delay must not be negative, was " + delay);
        }
        long session = nextSession.getAndIncrement();
        PendingCall p = new PendingCall(session, caller, caller.handle, caller.handle, null, "sleep", null, delay,
                Thread.currentThread(), null, true);
        pending.put(session, p); // before outgoing, as in newCall
        if (!caller.addOutgoing(p)) {
            if (pending.remove(session, p)) {
                p.complete(null, new CallCancelledException("sleep of " + caller.handle + " refused: it is stopping",
                        caller.handle, "sleep", delay));
            }
            return p;
        }
        TimingWheel.Timeout timer = timers.schedule(delay, () -> {
            if (pending.remove(session, p)) {
                finish(p, null, null);
            }
        });
        p.timer = timer;
        if (p.isComplete()) {
            timer.cancel();
        }
        return p;
    }

    private void finish(PendingCall p, Object value, CallException error) {
        if (p.complete(value, error) && p.caller != null) {
            p.caller.removeOutgoing(p);
        }
    }

    /** Cancels a pending call or sleep of a stopping service. */
    void cancel(PendingCall p, String why) {
        if (pending.remove(p.session, p)) {
            finish(p, null, new CallCancelledException(p.describe() + " cancelled: " + why, p.target,
                    p.requestType, p.timeout));
        }
    }

    /**
     * A one-way message from outside any service.
     */
    public void tell(Handle to, Object payload) {
        if (closing) {
            throw new NodeClosedException("node " + config.nodeId() + " is closing; message to " + to + " refused");
        }
        send(nodeHandle, Objects.requireNonNull(to, "to"), MessageType.TELL, 0, payload);
    }

    // ------------------------------------------------------------------------------------------ names, watch, kill

    /*
     * The name table. `names` maps each local name to its cell; each cell also lists its own names (under its
     * lifeLock) so that its termination can remove them. Every change to a cell's names -- register, unregister,
     * terminate -- happens under that cell's lifeLock, and the table itself changes only through atomic
     * ConcurrentHashMap operations (putIfAbsent, remove(key, cell)), so readers (lookup, send by name) take no lock.
     */

    void register(ServiceCell cell, String name) {
        ServiceOptions.validateName(name);
        ServiceCell prev = cell.addName(name, names);
        if (prev == cell) {
            throw new ServiceStoppedException("register(): service " + cell.handle + " has terminated");
        }
        if (prev != null) {
            throw new NameTakenException("name '" + name + "' is already registered to service " + prev.handle
                    + "; cannot register it for " + cell.handle);
        }
    }

    /**
     * Removes a name this node owns (for {@link io.loomnet.Node#unregister}: whichever service holds it).
     *
     * @param name a local name, or {@code name@<this node>}
     * @return {@code true} if this call removed it
     */
    public boolean unregister(String name) {
        return unregister(null, name);
    }

    /**
     * Removes a name this node owns.
     *
     * @param owner if non-null, remove the name only if this service holds it
     * @param name a local name, or {@code name@<this node>}
     * @return {@code true} if this call removed it
     * @throws IllegalArgumentException if the name is on another node, is a printed handle, or is not a valid name
     */
    boolean unregister(ServiceCell owner, String name) {
        Objects.requireNonNull(name, "name");
        String local = name;
        int at = name.lastIndexOf('@');
        if (at > 0) {
            String node = name.substring(at + 1);
            if (!node.equals(Integer.toString(config.nodeId()))) {
                throw new IllegalArgumentException("cannot unregister '" + name + "': node " + config.nodeId()
                        + " can unregister only its own names; unregister it on node " + node);
            }
            local = name.substring(0, at);
        }
        if (local.startsWith(":")) {
            throw new IllegalArgumentException("cannot unregister '" + name + "': it is a printed handle, not a name");
        }
        ServiceOptions.validateName(local);
        ServiceCell c = names.get(local);
        return c != null && (owner == null || owner == c) && c.removeName(local, names);
    }

    /**
     * @param name a local name or a printed handle
     * @return the handle, if known
     */
    public Optional<Handle> lookup(String name) {
        Objects.requireNonNull(name, "name");
        if (name.startsWith(":")) {
            try {
                return Optional.of(Handle.parse(name));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        int at = name.lastIndexOf('@');
        if (at > 0) {
            int nodeId;
            try {
                nodeId = Integer.parseInt(name.substring(at + 1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            String local = name.substring(0, at);
            if (nodeId == config.nodeId()) {
                return lookup(local);
            }
            RemoteRouter r = router;
            return r == null ? Optional.empty() : r.lookup(nodeId, local, REMOTE_LOOKUP_TIMEOUT);
        }
        ServiceCell c = names.get(name);
        return c == null ? Optional.empty() : Optional.of(c.handle);
    }

    // ------------------------------------------------------------------------------------------ remote

    /**
     * Installs the transport for other nodes' handles. Once only.
     *
     * @return the inbox the transport delivers to
     */
    public RemoteInbox attachRemote(RemoteRouter r) {
        Objects.requireNonNull(r, "router");
        dispatchersLock.lock();
        try {
            if (router != null) {
                throw new IllegalStateException("node " + config.nodeId() + " already has a remote router");
            }
            router = r;
        } finally {
            dispatchersLock.unlock();
        }
        return new RemoteSide(this, remoteWatches);
    }

    // Package-private entry points of the remote side (RemoteSide), the inbox a transport delivers to.

    /** A reply from another node for a pending call of this one. */
    void completeRemote(Handle to, long session, Object payload, RemoteRouter.ErrorPayload error) {
        complete(to, session, payload, error);
    }

    /** @return the handle registered under {@code name} here, or {@code null} */
    Handle localName(String name) {
        ServiceCell c = names.get(name);
        return c == null ? null : c.handle;
    }

    /** Fails every pending call to a service of {@code node}, which is lost ({@code what} says how). */
    void failCallsTo(int node, String what) {
        for (PendingCall p : pending.values()) {
            if (p.target.node() == node && pending.remove(p.session, p)) {
                finish(p, null, new ServiceUnavailableException(p.describe() + " failed: node " + node + " "
                        + what, p.target, p.requestType, p.timeout));
            }
        }
    }

    /** A message from another node that cannot be delivered here: counted as sent, then dead-lettered. */
    void undeliverableFromRemote(Message m, Handle target, DeadLetter.Reason reason) {
        sent.increment();
        deadLetter(m, target, reason);
    }

    void watch(Handle watcher, Handle target) {
        if (target.node() != config.nodeId()) {
            RemoteRouter r = router;
            if (r == null) {
                sendSystem(target, watcher, new Terminated(target, Terminated.Reason.NODE_UNREACHABLE,
                        "node " + target.node() + " of " + target + " is unknown (no cluster attached)"));
                return;
            }
            remoteWatches.add(target, watcher);
            r.watch(watcher, target);
            return;
        }
        ServiceCell c = local(target);
        if (c == null || !c.addWatcher(watcher)) {
            sendSystem(target, watcher, new Terminated(target, Terminated.Reason.UNKNOWN,
                    "no service " + target + " (unknown or already terminated) when watched"));
        }
    }

    void unwatch(Handle watcher, Handle target) {
        if (target.node() != config.nodeId()) {
            remoteWatches.remove(target, watcher);
            RemoteRouter r = router;
            if (r != null) {
                r.unwatch(watcher, target);
            }
            return;
        }
        ServiceCell c = local(target);
        if (c != null) {
            c.removeWatcher(watcher);
        }
    }

    /**
     * Stops a service the hard way (Skynet's kill).
     *
     * @return {@code false} if unknown or already stopping
     */
    public boolean kill(Handle target) {
        requireLocal(target, "kill");
        ServiceCell c = local(target);
        return c != null && c.requestStop(Terminated.Reason.KILLED, "killed");
    }

    /**
     * Asks a service to stop as if it had called {@code exit()}.
     *
     * @return {@code false} if unknown or already stopping
     */
    public boolean stop(Handle target) {
        requireLocal(target, "stop");
        ServiceCell c = local(target);
        return c != null && c.requestStop(Terminated.Reason.STOPPED, "stopped by the node");
    }

    /**
     * @return a stage completing when the service has terminated, if it is known
     */
    public Optional<CompletableFuture<Void>> termination(Handle target) {
        ServiceCell c = local(target);
        return c == null ? Optional.empty() : Optional.of(c.terminated);
    }

    void reportFailure(ServiceCell cell, ChildFailed failure) {
        if (cell.parent != null) {
            sendSystem(cell.handle, cell.parent.handle, failure);
        }
    }

    /**
     * @param highWater the longest the queue has been
     * @param suppressed {@code -1} to leave the log out (rate-limited), else the warnings left out since the last
     */
    void overload(ServiceCell cell, int length, int highWater, int suppressed) {
        if (suppressed == 0) {
            cell.logger().warn("service {} may overload, message queue length = {} (longest so far {})", cell.handle,
                    length, highWater);
        } else if (suppressed > 0) {
            cell.logger().warn("service {} may overload, message queue length = {} (longest so far {}; {} more "
                    + "warnings in the last {} s were not logged)", cell.handle, length, highWater, suppressed,
                    TimeUnit.NANOSECONDS.toSeconds(ServiceCell.OVERLOAD_LOG_INTERVAL_NANOS));
        }
        NodeListener l = config.listener();
        if (l != null) {
            try {
                l.onOverload(cell.handle, length);
            } catch (RuntimeException e) {
                LOG.warn("node listener failed on overload: {}", e.toString(), e);
            }
        }
    }

    void stuck(ServiceCell cell, String type, Duration runningFor, StackTraceElement[] stack) {
        stuckReports.increment();
        StringBuilder sb = new StringBuilder();
        for (StackTraceElement e : stack) {
            sb.append("\n\tat ").append(e);
        }
        LOG.warn("service {} has been handling {} for {} ms, maybe in an endless loop; handler thread stack:{}",
                cell.handle, type, runningFor.toMillis(), sb);
        NodeListener l = config.listener();
        if (l != null) {
            try {
                l.onStuckHandler(cell.handle, type, runningFor, stack);
            } catch (RuntimeException e) {
                LOG.warn("node listener failed on stuck handler: {}", e.toString(), e);
            }
        }
    }

    /**
     * The node's one {@link io.loomnet.scope.LoopErrorHandler} for the background loops it runs (the timer and the
     * monitor): logs the failure with its stack and counts it in {@link NodeStats#loopErrors()}. Called on the
     * failing loop's thread.
     */
    private void loopFailed(String threadName, Throwable error) {
        loopErrors.increment();
        LOG.error("node {}: loop {} failed", config.nodeId(), threadName, error);
    }

    Iterable<ServiceCell> cells() {
        return registry;
    }

    // ------------------------------------------------------------------------------------------ stats

    /** @return the node's counters */
    public NodeStats stats() {
        long liveThreads = 0;
        dispatchersLock.lock();
        try {
            for (DispatcherRuntime d : dispatchers.values()) {
                liveThreads += d.liveThreads();
            }
        } finally {
            dispatchersLock.unlock();
        }
        long liveNow;
        liveLock.lock();
        try {
            liveNow = live;
        } finally {
            liveLock.unlock();
        }
        long handled = retiredHandled.sum();
        for (ServiceCell c : registry) {
            handled += c.handledCount();
        }
        return new NodeStats(config.nodeId(), liveNow, spawned.sum(), sent.sum(), handled, deadLetters.sum(),
                lateReplies.sum(), pending.size(), liveThreads, stuckReports.sum(), loopErrors.sum());
    }

    /** @return one service's counters, if it is known */
    public Optional<ServiceStats> stats(Handle h) {
        ServiceCell c = local(h);
        return c == null ? Optional.empty() : Optional.of(c.stats());
    }

    /** @return counters of every live service */
    public List<ServiceStats> services() {
        List<ServiceStats> out = new ArrayList<>();
        for (ServiceCell c : registry) {
            out.add(c.stats());
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ closing

    /** @return {@code true} once closing has begun */
    public boolean isClosing() {
        return closing;
    }

    /**
     * Registers a transport to stop in the node's transport stage (after intake, before services).
     */
    public void addTransport(String what, Stopper stopper) {
        scope.add(STAGE_TRANSPORT, what, stopper);
    }

    /** Closes the node in order: intake, transport, services, timers, dispatchers. Idempotent. */
    public CloseReport shutdown() {
        return scope.shutdown();
    }

    private boolean stopServices(long deadlineNanos) throws InterruptedException {
        // Leave a fifth of the time (at most a second) for the stages after this one.
        long now = System.nanoTime();
        long reserve = Math.min(TimeUnit.SECONDS.toNanos(1), (deadlineNanos - now) / 5);
        long until = deadlineNanos - reserve;
        for (ServiceCell c : registry) {
            if (c.parent == null) {
                c.requestStop(Terminated.Reason.STOPPED, "node " + config.nodeId() + " is closing");
            }
        }
        boolean done = awaitNoLive(until);
        if (!done) {
            List<String> stuck = new ArrayList<>();
            for (ServiceCell c : registry) {
                Thread t = c.handlerThread;
                StackTraceElement[] stack = t != null && c.handlingSince != 0 ? t.getStackTrace()
                        : new StackTraceElement[0];
                stuck.add(c.handle + " (" + c.phaseName() + (c.handlingSince != 0 ? ", handling "
                        + c.handlingType() + " on " + t : "") + ")");
                if (stack.length > 0) {
                    stuck(c, c.handlingType(), Duration.ofNanos(System.nanoTime() - c.handlingSince), stack);
                }
            }
            LOG.warn("node {}: {} service(s) did not stop by the deadline and are terminated by force: {}",
                    config.nodeId(), stuck.size(), stuck);
            for (ServiceCell c : registry) {
                c.forceTerminate("node " + config.nodeId() + " closed before it stopped");
            }
        }
        for (PendingCall p : pending.values()) {
            cancel(p, "node " + config.nodeId() + " closed");
        }
        return done;
    }

    private boolean awaitNoLive(long untilNanos) throws InterruptedException {
        liveLock.lock();
        try {
            while (live > 0) {
                long left = untilNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                allTerminated.awaitNanos(left);
            }
            return true;
        } finally {
            liveLock.unlock();
        }
    }

    private boolean stopDispatchers(long deadlineNanos) throws InterruptedException {
        List<DispatcherRuntime> all;
        dispatchersLock.lock();
        try {
            all = new ArrayList<>(dispatchers.values());
        } finally {
            dispatchersLock.unlock();
        }
        boolean ok = true;
        for (DispatcherRuntime d : all) {
            ok &= d.stop(deadlineNanos);
        }
        return ok;
    }

}
