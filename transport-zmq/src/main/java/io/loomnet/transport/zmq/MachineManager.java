package io.loomnet.transport.zmq;

import io.loomnet.scope.CloseReport;
import io.loomnet.scope.Scope;
import io.loomnet.transport.zmq.internal.ConnectionEventLoop;
import io.loomnet.transport.zmq.internal.ProxyMachine;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

/**
 * Creates and destroys {@link Machine}s at runtime, by name (the port of the seed's {@code ServerManager}).
 *
 * <p><b>Resources.</b> One JeroMQ {@link ZContext} with one I/O thread and linger 0, whose exception handlers
 * are installed before its first socket, and one connection-event loop thread shared by every machine.
 *
 * <p><b>Thread safety.</b> Every method may be called from any number of threads at once, including while
 * machines carry traffic. {@link #create(String, MachineSpec)} holds the manager's lock (a
 * {@link ReentrantLock}, never {@code synchronized}) from the name check through the start to the insertion, so
 * two creates of one name can never both start a machine (seed fix 5); creates are therefore serialized, each
 * for at most its spec's start timeout. {@link #destroy(String)} takes no lock: it removes the name from a concurrent
 * map (one destroyer wins) and stops the machine, so destroys run in parallel and never wait for a create.
 * {@link #find(String)} and {@link #list()} take no lock.
 *
 * <p><b>Ordering.</b> Once {@code destroy(name)} has returned, the name is free and the endpoint is unbound;
 * a {@code create} of the same name that starts while the old machine is still stopping retries its bind for
 * up to the spec's bind timeout. {@link #close()} destroys every machine (newest first), then stops the
 * connection-event loop, then closes the context, all against one deadline. It is idempotent.
 */
public final class MachineManager implements AutoCloseable {
    /** Default deadline of {@link #close()}: 5 s. */
    public static final Duration CLOSE_TIMEOUT_DEFAULT = Duration.ofSeconds(5);
    /** I/O threads of the context. One, so that every connection's events come from one thread, in order. */
    public static final int IO_THREADS = 1;

    private static final Logger LOG = LoggerFactory.getLogger(MachineManager.class);
    private static final String STAGE_MACHINES = "machines";
    private static final String STAGE_EVENTS = "connection-events";
    private static final String STAGE_CONTEXT = "context";

    private final ZContext ctx;
    private final ConnectionEventLoop events = new ConnectionEventLoop();
    private final ConcurrentHashMap<String, ProxyMachine> machines = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Scope scope;
    private boolean closing;

    /** Creates a manager with {@link #CLOSE_TIMEOUT_DEFAULT}. */
    public MachineManager() {
        this(CLOSE_TIMEOUT_DEFAULT);
    }

    /**
     * Creates a manager.
     *
     * @param closeTimeout the deadline of {@link #close()}
     */
    public MachineManager(Duration closeTimeout) {
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        ZContext c = new ZContext(IO_THREADS);
        // Must happen before the first socket exists, or JeroMQ throws IllegalStateException.
        c.setLinger(0);
        c.setUncaughtExceptionHandler((t, e) -> LOG.error("uncaught exception in JeroMQ thread {}", t.getName(), e));
        c.setNotificationExceptionHandler((t, e) -> LOG.error("exception in a JeroMQ event notification on {}",
                t.getName(), e));
        this.ctx = c;
        this.scope = Scope.open("machine-manager", closeTimeout, STAGE_MACHINES, STAGE_EVENTS, STAGE_CONTEXT);
        scope.add(STAGE_CONTEXT, "zcontext", this::closeContext);
        scope.add(STAGE_EVENTS, "connection-event-loop", events::stop);
        events.start();
    }

    /**
     * Creates and starts a machine; returns once its frontend is bound and its worker loops are connected.
     *
     * @param name a non-blank name, unique among this manager's machines
     * @param spec what to build
     * @return the running machine
     * @throws DuplicateMachineException if a machine of that name exists; nothing is started
     * @throws MachineStartException if the machine did not start (endpoint in use past the bind timeout,
     *         start timeout); everything started is stopped and the name stays free
     * @throws MachineException if the manager is closed
     */
    public Machine create(String name, MachineSpec spec) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spec, "spec");
        if (name.isBlank()) {
            throw new IllegalArgumentException("machine name must not be blank");
        }
        lock.lock();
        try {
            if (closing) {
                throw new MachineException("machine manager is closed; cannot create machine '" + name + "'");
            }
            ProxyMachine existing = machines.get(name);
            if (existing != null) {
                throw new DuplicateMachineException(name, existing.endpoint());
            }
            // Start and insert under one lock (fix 5): no other create can see the name free in between.
            ProxyMachine m = ProxyMachine.start(name, spec, ctx, events);
            machines.put(name, m);
            return m;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Destroys a machine: stops connection tracking, then the proxy, then the worker side (monitor → proxy →
     * delete), bounded by the spec's stop timeout. Concurrent destroys of one name: one destroys, the others
     * return empty.
     *
     * @param name the machine's name
     * @return the machine's close report (what stopped, in order, and what did not), or empty if there was no
     *         machine of that name
     */
    public Optional<CloseReport> destroy(String name) {
        Objects.requireNonNull(name, "name");
        // No lock: a create in progress holds it for up to its start timeout, and a destroy must not wait for
        // that. The map's remove hands each machine to exactly one destroyer; a machine whose create has not
        // yet inserted it does not exist yet, so the destroy is ordered before that create.
        ProxyMachine m = machines.remove(name);
        return m == null ? Optional.empty() : Optional.of(m.shutdown());
    }

    /**
     * @param name a machine name
     * @return the running machine of that name, if any
     */
    public Optional<Machine> find(String name) {
        return Optional.ofNullable(machines.get(Objects.requireNonNull(name, "name")));
    }

    /** @return a snapshot of the running machines, oldest first */
    public List<Machine> list() {
        return machines.values().stream()
                .sorted(Comparator.comparingLong(ProxyMachine::incarnation))
                .map(Machine.class::cast)
                .toList();
    }

    /** @return the counters of the connection-event loop */
    public ConnectionEventStats connectionEventStats() {
        return events.stats();
    }

    /**
     * The manager's ZeroMQ context, for transports of this module that need sockets of their own beside the
     * machines (cluster links, a ZAP handler). Such sockets must be closed by their owning threads before this
     * manager closes, since the context is closed last and waits for every socket. Never close it yourself.
     *
     * @return the shared context
     */
    public ZContext context() {
        return ctx;
    }

    /** @return sockets currently open in this manager's context; zero when idle (for leak checks) */
    int openSocketCount() {
        return ctx.getSockets().size();
    }

    /** @return the connection-event loop (for tests in this package) */
    ConnectionEventLoop connectionEvents() {
        return events;
    }

    /**
     * Closes the manager: destroys every machine (newest first), stops the connection-event loop, closes the
     * context, all against the close timeout. Idempotent: concurrent and later callers get the first report.
     *
     * @return what stopped, in order, and what did not stop by the deadline
     */
    public CloseReport shutdown() {
        lock.lock();
        try {
            if (!closing) {
                closing = true;
                List<ProxyMachine> all = machines.values().stream()
                        .sorted(Comparator.comparingLong(ProxyMachine::incarnation))
                        .toList();
                machines.clear();
                // Registered oldest first; a stage stops its entries last-registered first.
                for (ProxyMachine m : all) {
                    scope.add(STAGE_MACHINES, "machine '" + m.name() + "'", deadline -> {
                        CloseReport r = m.shutdown();
                        if (!r.clean()) {
                            throw r.toException();
                        }
                        return true;
                    });
                }
            }
        } finally {
            lock.unlock();
        }
        CloseReport r = scope.shutdown();
        if (r.clean()) {
            LOG.debug("machine manager closed: {}", r);
        } else {
            LOG.error("machine manager did not close cleanly: {}", r);
        }
        return r;
    }

    /** Same as {@link #shutdown()}; failures are logged and available in its report, not thrown. */
    @Override
    public void close() {
        shutdown();
    }

    private boolean closeContext(long deadlineNanos) throws InterruptedException {
        int open = ctx.getSockets().size();
        if (open > 0) {
            LOG.warn("closing the ZeroMQ context with {} socket(s) still open; their owners will see ETERM", open);
        }
        // ZContext.close() waits for every socket to be closed; run it on its own thread so that a socket
        // leaked by a stuck owner cannot hold the caller past the deadline.
        Thread closer = Thread.ofPlatform().name("loomnet-zmq-context-close").daemon(true).start(ctx::close);
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            closer.join(Duration.ofNanos(left));
        }
        if (closer.isAlive()) {
            StringBuilder stacks = new StringBuilder();
            for (var e : Thread.getAllStackTraces().entrySet()) {
                String n = e.getKey().getName();
                if (e.getKey() == closer || n.startsWith("reaper") || n.startsWith("iothread")) {
                    stacks.append("\n  ").append(n).append(" (").append(e.getKey().getState()).append(')');
                    for (StackTraceElement el : e.getValue()) {
                        stacks.append("\n\tat ").append(el);
                    }
                }
            }
            LOG.error("ZeroMQ context did not close within the deadline ({} ms late at most); threads:{}",
                    TimeUnit.NANOSECONDS.toMillis(Math.max(0, -left)), stacks);
            return false;
        }
        return true;
    }
}
