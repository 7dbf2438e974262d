package io.loomnet.transport.zmq;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.loomnet.scope.CloseReport;
import io.loomnet.scope.LoopErrorHandler;
import io.loomnet.scope.LoopRunner;
import io.loomnet.scope.Scope;
import io.loomnet.transport.zmq.internal.ConnectionEventLoop;
import io.loomnet.transport.zmq.internal.MachineRuntime;

/**
 * Creates and destroys {@link Machine}s at runtime, by name (the port of the seed's {@code ServerManager}).
 *
 * <p><b>Resources.</b> Each machine has its own JeroMQ context (one I/O thread, linger 0, threads named
 * {@code loomnet-zmq-machine-<name>-…}), so destroying a machine ends every thread it started and releases its port;
 * see {@code docs/decisions/0008-one-zeromq-context-per-machine.md}. The manager itself runs one connection-event
 * loop shared by every machine, and one error handler that counts and logs every failure of a machine's loops and
 * of JeroMQ's threads ({@link #loopErrors()}).
 *
 * <p><b>Thread safety.</b> Every method may be called from any number of threads at once, including while
 * machines carry traffic. {@link #create(String, MachineSpec)} holds the manager's lock (a
 * {@link ReentrantLock}, never {@code synchronized}) from the name check through the start to the insertion, so
 * two creates of one name can never both start a machine (seed fix 5); creates are therefore serialized, each
 * for at most its spec's start timeout. {@link #destroy(String)} takes no lock: it removes the name from a concurrent
 * map (one destroyer wins) and stops the machine, so destroys run in parallel and never wait for a create.
 * {@link #find(String)} and {@link #list()} take no lock.
 *
 * <p><b>Ordering.</b> Once {@code destroy(name)} has returned, the name is free, the endpoint is unbound and the
 * machine's threads have ended; a {@code create} of the same name that starts while the old machine is still
 * stopping retries its bind for up to the spec's bind timeout. {@link #close()} destroys every machine (newest
 * first), then stops the connection-event loop, all against one deadline. It is idempotent.
 */
public final class MachineManager implements AutoCloseable {
    /** Default deadline of {@link #close()}: 5 s. */
    public static final Duration CLOSE_TIMEOUT_DEFAULT = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(MachineManager.class);
    private static final String STAGE_MACHINES = "machines";
    private static final String STAGE_EVENTS = "connection-events";

    private final ConnectionEventLoop events = new ConnectionEventLoop();
    private final ConcurrentHashMap<String, MachineRuntime> machines = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final LongAdder loopErrors = new LongAdder();
    private final LoopErrorHandler errors;
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
        this(closeTimeout, LoopErrorHandler.logging());
    }

    /**
     * Creates a manager whose machines report failures to {@code errors} (after counting them).
     *
     * @param closeTimeout the deadline of {@link #close()}
     * @param errors receives every failure of a machine's loops and of JeroMQ's threads
     */
    public MachineManager(Duration closeTimeout, LoopErrorHandler errors) {
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        Objects.requireNonNull(errors, "errors");
        this.errors = (thread, e) -> {
            loopErrors.increment();
            errors.onError(thread, e);
        };
        this.scope = Scope.open("machine-manager", closeTimeout, STAGE_MACHINES, STAGE_EVENTS);
        LoopRunner r = LoopRunner.start(ConnectionEventLoop.THREAD_ROLE, events, this.errors);
        scope.add(STAGE_EVENTS, "connection-event-loop", r);
    }

    /**
     * Creates and starts a machine; returns once its frontend is bound and its loops are running.
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
            MachineRuntime existing = machines.get(name);
            if (existing != null) {
                throw new DuplicateMachineException(name, existing.endpoint());
            }
            // Start and insert under one lock (fix 5): no other create can see the name free in between.
            MachineRuntime m = MachineRuntime.start(name, spec, events, errors);
            machines.put(name, m);
            return m;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Destroys a machine: stops connection tracking, then the loop that owns its frontend, then the worker side and
     * its ZeroMQ context (monitor → proxy → delete), bounded by the spec's stop timeout. Concurrent destroys of one
     * name: one destroys, the others return empty.
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
        MachineRuntime m = machines.remove(name);
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
                .sorted(Comparator.comparingLong(MachineRuntime::incarnation))
                .map(Machine.class::cast)
                .toList();
    }

    /** @return the counters of the connection-event loop */
    public ConnectionEventStats connectionEventStats() {
        return events.stats();
    }

    /** @return failures of machine loops and JeroMQ threads reported since the manager started */
    public long loopErrors() {
        return loopErrors.sum();
    }

    /** @return sockets open in the contexts of the running machines (for leak checks in tests) */
    int openSocketCount() {
        return machines.values().stream().mapToInt(MachineRuntime::openSockets).sum();
    }

    /** @return the connection-event loop (for tests in this package) */
    ConnectionEventLoop connectionEvents() {
        return events;
    }

    /**
     * Closes the manager: destroys every machine (newest first), then stops the connection-event loop, against the
     * close timeout. Idempotent: concurrent and later callers get the first report.
     *
     * @return what stopped, in order, and what did not stop by the deadline
     */
    public CloseReport shutdown() {
        lock.lock();
        try {
            if (!closing) {
                closing = true;
                List<MachineRuntime> all = machines.values().stream()
                        .sorted(Comparator.comparingLong(MachineRuntime::incarnation))
                        .toList();
                machines.clear();
                // Registered oldest first; a stage stops its entries last-registered first.
                for (MachineRuntime m : all) {
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
}
