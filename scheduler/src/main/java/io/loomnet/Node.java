package io.loomnet;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.loomnet.internal.NodeConfig;
import io.loomnet.internal.NodeRuntime;
import io.loomnet.scope.CloseReport;
import io.loomnet.scope.Stopper;
import io.loomnet.spi.SettingsReader;

/**
 * One Loomnet runtime instance (Skynet's process): a registry of services, their dispatchers, a timing wheel
 * and a monitor, owned by a root scope.
 *
 * <pre>{@code
 * try (Node node = Node.builder().nodeId(1).start()) {
 *     Handle echo = node.spawn(() -> (ctx, msg) -> ctx.reply(msg.payload()));
 *     Object answer = node.call(echo, "hello", Duration.ofSeconds(1));
 * }
 * }</pre>
 *
 * <p><b>Threading.</b> Every method is thread-safe. {@link #call} blocks the calling thread and is meant for
 * code outside services (inside a handler use {@link Context#call}, which lets the service go on).
 *
 * <p><b>Closing.</b> {@link #close()} stops, in order: intake (no more spawns or messages from outside),
 * transport, services (children before parents; queued messages dead-lettered, callers answered with
 * errors), timers and the monitor, then the dispatchers' threads, all against one deadline
 * ({@link Builder#closeTimeout}). A handler stuck past the deadline is reported with its stack and its
 * service is terminated by force; close still returns in time. Close is idempotent.
 */
public final class Node implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);

    private final NodeRuntime runtime;
    private final int id;

    private Node(NodeConfig config) {
        this.id = config.nodeId();
        this.runtime = new NodeRuntime(config, this);
        runtime.start();
    }

    /**
     * @return a builder with the defaults of {@code loomnet} in this library's {@code reference.conf} (node id 1,
     *         {@link Dispatcher#VIRTUAL}, 10 s close timeout, ...)
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return this node's id */
    public int id() {
        return id;
    }

    /** @return the node's own handle (sequence 0): the source of messages sent from outside services */
    public Handle handle() {
        return runtime.handle();
    }

    /**
     * Spawns a top-level service with default options.
     *
     * @param factory makes the instance (again on each restart)
     * @return its handle, registered before {@code onStart} runs
     * @throws NodeClosedException if the node is closing
     */
    public Handle spawn(Supplier<? extends Service> factory) {
        return spawn(factory, ServiceOptions.defaults());
    }

    /**
     * Spawns a top-level service.
     *
     * @param factory makes the instance
     * @param options name, dispatcher, supervision, mailbox bound
     * @return its handle
     * @throws NodeClosedException if the node is closing
     * @throws NameTakenException if the name is taken
     */
    public Handle spawn(Supplier<? extends Service> factory, ServiceOptions options) {
        return runtime.spawn(null, factory, options);
    }

    /**
     * Sends a one-way message from outside any service (source: {@link #handle()}).
     *
     * @param to the receiver
     * @param payload the content
     * @throws NodeClosedException if the node is closing
     * @throws MailboxFullException if a bounded mailbox rejects it
     */
    public void send(Handle to, Object payload) {
        runtime.tell(to, payload);
    }

    /**
     * Sends a request from outside any service. Thread-safe; never blocks. Requests from outside services to one
     * receiver arrive in the order they were sent from one thread.
     *
     * @param to the receiver
     * @param request the request
     * @param timeout how long to wait
     * @return completes with the reply, or exceptionally with a {@link CallException} or
     * {@link NodeClosedException}; callbacks run on the completing thread (the replier's or the timer's)
     */
    public CompletionStage<Object> ask(Handle to, Object request, Duration timeout) {
        return ask(to, request, Object.class, timeout);
    }

    /**
     * {@link #ask(Handle, Object, Duration)} with a typed reply. Thread-safe; never blocks. A reply that is not a
     * {@code type} completes the stage exceptionally with a {@link CallFailedException} naming the target, the
     * expected and the actual type, and the timeout; a {@code null} reply passes; a primitive {@code type}
     * accepts its wrapper.
     *
     * @param to the receiver
     * @param request the request
     * @param type the expected reply type
     * @param timeout how long to wait
     * @param <T> the reply type
     * @return the pending reply
     */
    public <T> CompletionStage<T> ask(Handle to, Object request, Class<T> type, Duration timeout) {
        return runtime.ask(Objects.requireNonNull(to, "to"), null, request, type, timeout);
    }

    /**
     * Sends a request to a service by name. Thread-safe; never blocks, except that resolving {@code name@node}
     * asks that node and may take up to 5 s (see {@link #lookup}).
     *
     * @param target a local name, {@code name@node} or a printed handle {@code :NNNN:SSSSSSSSSSSS}
     * @param request the request
     * @param timeout how long to wait
     * @return the pending reply; fails with {@link ServiceUnavailableException} naming {@code target} if no
     *         service has that name
     */
    public CompletionStage<Object> ask(String target, Object request, Duration timeout) {
        return ask(target, request, Object.class, timeout);
    }

    /**
     * {@link #ask(String, Object, Duration)} with a typed reply, checked as
     * {@link #ask(Handle, Object, Class, Duration)} checks it. Thread-safe.
     *
     * @param target a local name, {@code name@node} or a printed handle
     * @param request the request
     * @param type the expected reply type
     * @param timeout how long to wait
     * @param <T> the reply type
     * @return the pending reply
     */
    public <T> CompletionStage<T> ask(String target, Object request, Class<T> type, Duration timeout) {
        return runtime.ask(null, Objects.requireNonNull(target, "target"), request, type, timeout);
    }

    /**
     * Calls a service from outside any service, blocking the calling thread. Thread-safe. Do not use it inside a
     * handler: it holds the service's thread; use {@link Context#call} there.
     *
     * @param to the receiver
     * @param request the request
     * @param timeout how long to wait
     * @return the reply
     * @throws CallException if the call failed (timeout, unavailable, handler failure)
     * @throws NodeClosedException if the node is closing
     */
    public Object call(Handle to, Object request, Duration timeout) {
        return call(to, request, Object.class, timeout);
    }

    /**
     * {@link #call(Handle, Object, Duration)} with a typed reply. Thread-safe; blocks the calling thread.
     *
     * @param to the receiver
     * @param request the request
     * @param type the expected reply type; a {@code null} reply passes, a primitive accepts its wrapper
     * @param timeout how long to wait
     * @param <T> the reply type
     * @return the reply
     * @throws CallFailedException if the target's handler failed, or the reply is not a {@code type} (the message
     *         names the target, the expected and the actual type, and the timeout)
     * @throws CallException for the other failures (timeout, unavailable)
     * @throws NodeClosedException if the node is closing
     */
    public <T> T call(Handle to, Object request, Class<T> type, Duration timeout) {
        Objects.requireNonNull(to, "to");
        return await(runtime.ask(to, null, request, type, timeout), to, to.toString(), request, timeout);
    }

    /**
     * {@link #call(Handle, Object, Duration)} to a service found by name ({@link #lookup} rules; resolving
     * {@code name@node} may take up to 5 s more). Thread-safe; blocks the calling thread.
     *
     * @param target a local name, {@code name@node} or a printed handle
     * @param request the request
     * @param timeout how long to wait
     * @return the reply
     * @throws ServiceUnavailableException if no service has that name (the message names it)
     * @throws CallException if the call failed (timeout, unavailable, handler failure)
     * @throws NodeClosedException if the node is closing
     */
    public Object call(String target, Object request, Duration timeout) {
        return call(target, request, Object.class, timeout);
    }

    /**
     * {@link #call(String, Object, Duration)} with a typed reply, checked as
     * {@link #call(Handle, Object, Class, Duration)} checks it. Thread-safe; blocks the calling thread.
     *
     * @param target a local name, {@code name@node} or a printed handle
     * @param request the request
     * @param type the expected reply type
     * @param timeout how long to wait
     * @param <T> the reply type
     * @return the reply
     * @throws CallFailedException if the target's handler failed, or the reply is not a {@code type}
     * @throws CallException for the other failures (timeout, unavailable, unknown name)
     * @throws NodeClosedException if the node is closing
     */
    public <T> T call(String target, Object request, Class<T> type, Duration timeout) {
        Objects.requireNonNull(target, "target");
        return await(runtime.ask(null, target, request, type, timeout), null, "'" + target + "'", request, timeout);
    }

    /** Waits for a call's reply on the calling thread, unwrapping the {@link CallException}. */
    private static <T> T await(CompletableFuture<T> reply, Handle target, String to, Object request,
                               Duration timeout) {
        try {
            return reply.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new LoomnetException("call to " + to + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallCancelledException("call to " + to + " interrupted", target,
                    request == null ? "null" : request.getClass().getName(), timeout);
        }
    }

    /**
     * @param name a local name; {@code name@node} for a name on another node (asks that node over the
     *             attached transport, blocking up to 5 s); or a printed handle, which always parses whether or
     *             not its service is alive
     * @return the handle, or empty if the name is not registered (or the other node is unreachable)
     */
    public Optional<Handle> lookup(String name) {
        return runtime.lookup(name);
    }

    /**
     * Removes a local name from whichever of this node's services holds it, so that lookups and calls by that
     * name fail from now on and the name may be registered again. Thread-safe; takes effect before it returns.
     * Messages already sent to the service's handle still arrive, and a handle already looked up stays valid;
     * the service itself goes on. A service's names still vanish when it terminates, whether or not some were
     * unregistered.
     *
     * @param name a local name, or {@code name@<this node>}
     * @return {@code true} if this call removed it; {@code false} if no live service on this node holds it
     * @throws IllegalArgumentException if the name is on another node (names are owned by their node: unregister
     *         it there), is a printed handle, or is not a valid name
     */
    public boolean unregister(String name) {
        return runtime.unregister(name);
    }

    /**
     * Stops a service as if it called {@link Context#exit()}.
     *
     * @param target the service
     * @return {@code false} if it is unknown or already stopping
     * @throws IllegalArgumentException if {@code target} is on another node: stop acts on this node's services
     *         only (not carried over the cluster)
     */
    public boolean stop(Handle target) {
        return runtime.stop(Objects.requireNonNull(target, "target"));
    }

    /**
     * Kills a service (watchers see {@link Terminated.Reason#KILLED}).
     *
     * @param target the service
     * @return {@code false} if it is unknown or already stopping
     * @throws IllegalArgumentException if {@code target} is on another node: kill acts on this node's services
     *         only (not carried over the cluster)
     */
    public boolean kill(Handle target) {
        return runtime.kill(Objects.requireNonNull(target, "target"));
    }

    /**
     * @param target a service
     * @return a stage that completes when it has terminated, or empty if it is not (or no longer) known
     */
    public Optional<CompletionStage<Void>> termination(Handle target) {
        return runtime.termination(target).map(f -> f);
    }

    /** @return the node's counters */
    public NodeStats stats() {
        return runtime.stats();
    }

    /**
     * @param target a service
     * @return its counters, if it is known
     */
    public Optional<ServiceStats> stats(Handle target) {
        return runtime.stats(target);
    }

    /** @return counters of every live service */
    public List<ServiceStats> services() {
        return runtime.services();
    }

    /**
     * Registers a transport (for example a ZeroMQ machine manager) to be stopped in the node's transport
     * stage: after intake stops, before services stop.
     *
     * @param what a name for the close report
     * @param stopper how to stop it
     */
    public void addTransport(String what, Stopper stopper) {
        runtime.addTransport(what, stopper);
    }

    /**
     * Connects this node to other nodes through a transport (the ZeroMQ cluster does this). Once only.
     *
     * @param router carries messages for other nodes' handles
     * @return where the transport delivers inbound traffic and peer failures
     * @throws IllegalStateException if a router is already attached
     */
    public io.loomnet.spi.RemoteInbox attachRemote(io.loomnet.spi.RemoteRouter router) {
        return runtime.attachRemote(router);
    }

    /** @return {@code true} once closing has begun */
    public boolean isClosing() {
        return runtime.isClosing();
    }

    /**
     * Closes the node and reports what stopped, what did not and what failed. Idempotent: later and
     * concurrent callers get the first close's report.
     *
     * @return the close report
     */
    public CloseReport shutdown() {
        return runtime.shutdown();
    }

    /** Closes the node (see the class comment); logs a warning with the report if something did not stop. */
    @Override
    public void close() {
        CloseReport r = shutdown();
        if (!r.clean()) {
            LOG.warn("node {} did not close cleanly: {}", id, r);
        }
    }

    @Override
    public String toString() {
        return "Node[" + id + "]";
    }

    /** Builds and starts a {@link Node}. Not thread-safe; use from one thread. */
    public static final class Builder {
        /** The keys {@link #config} reads, in the order it checks them. */
        private static final List<String> CONFIG_KEYS = List.of("node-id", "dispatcher", "pooled-workers",
                "throughput", "close-timeout", "stuck-threshold", "monitor-interval", "idle-thread-timeout");
        private static final int MAX_POOLED_WORKERS = 4096;
        private static final int MAX_THROUGHPUT = 1_000_000;

        // Defaults: loomnet.* in this library's reference.conf.
        private int nodeId = NodeDefaults.NODE_ID;
        private Dispatcher dispatcher = NodeDefaults.DISPATCHER;
        private int pooledWorkers = NodeDefaults.POOLED_WORKERS;
        private int throughput = NodeDefaults.THROUGHPUT;
        private Duration closeTimeout = NodeDefaults.CLOSE_TIMEOUT;
        private Duration stuckThreshold = NodeDefaults.STUCK_THRESHOLD;
        private Duration monitorInterval = NodeDefaults.MONITOR_INTERVAL;
        private Duration idleThreadTimeout = NodeDefaults.IDLE_THREAD_TIMEOUT;
        private Duration timerTick = Duration.ofMillis(10);
        private NodeListener listener;

        private Builder() {
        }

        /**
         * Applies a config subtree: the node's keys of {@code loomnet} (see this library's {@code reference.conf},
         * where every default lives), for example {@code ConfigFactory.parseString("node-id = 2, throughput = 32")}.
         * Values are read with typed getters and checked by the setters of this builder; keys left out or
         * {@code null} keep their current value.
         *
         * @param settings keys {@code node-id}, {@code dispatcher}, {@code pooled-workers}, {@code throughput},
         *                 {@code close-timeout}, {@code stuck-threshold}, {@code monitor-interval},
         *                 {@code idle-thread-timeout}
         * @return this
         * @throws InvalidSettingsException listing every wrong value and unknown key, each with its key and what
         *         was expected; nothing is applied then
         */
        public Builder config(com.typesafe.config.Config settings) {
            Objects.requireNonNull(settings, "settings");
            Builder scratch = copy();
            SettingsReader r = new SettingsReader(settings, CONFIG_KEYS);
            r.integer("node-id", "an integer in 0.." + Handle.MAX_NODE, scratch::nodeId);
            r.string("dispatcher", "one of virtual, platform, pooled", s -> scratch.dispatcher(dispatcherNamed(s)));
            r.integer("pooled-workers", "an integer in 1.." + MAX_POOLED_WORKERS, scratch::pooledWorkers);
            r.integer("throughput", "an integer in 1.." + MAX_THROUGHPUT, scratch::throughput);
            r.duration("close-timeout", scratch::closeTimeout);
            r.duration("stuck-threshold", scratch::stuckThreshold);
            r.duration("monitor-interval", scratch::monitorInterval);
            r.duration("idle-thread-timeout", scratch::idleThreadTimeout);
            r.throwIfInvalid();
            nodeId = scratch.nodeId;
            dispatcher = scratch.dispatcher;
            pooledWorkers = scratch.pooledWorkers;
            throughput = scratch.throughput;
            closeTimeout = scratch.closeTimeout;
            stuckThreshold = scratch.stuckThreshold;
            monitorInterval = scratch.monitorInterval;
            idleThreadTimeout = scratch.idleThreadTimeout;
            return this;
        }

        private Builder copy() {
            Builder b = new Builder();
            b.nodeId = nodeId;
            b.dispatcher = dispatcher;
            b.pooledWorkers = pooledWorkers;
            b.throughput = throughput;
            b.closeTimeout = closeTimeout;
            b.stuckThreshold = stuckThreshold;
            b.monitorInterval = monitorInterval;
            b.idleThreadTimeout = idleThreadTimeout;
            b.timerTick = timerTick;
            b.listener = listener;
            return b;
        }

        private static Dispatcher dispatcherNamed(String name) {
            for (Dispatcher d : Dispatcher.values()) {
                if (d.name().equalsIgnoreCase(name)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("no dispatcher named '" + name + "'");
        }

        /**
         * @param nodeId 0..65535; unique in a cluster
         * @return this
         */
        public Builder nodeId(int nodeId) {
            this.nodeId = Handle.requireNodeId(nodeId);
            return this;
        }

        /**
         * @param dispatcher the default for services that do not choose one
         * @return this
         */
        public Builder dispatcher(Dispatcher dispatcher) {
            this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
            return this;
        }

        /**
         * @param workers platform worker threads of the POOLED dispatcher, 1..4096 (default: available processors)
         * @return this
         */
        public Builder pooledWorkers(int workers) {
            if (workers < 1 || workers > MAX_POOLED_WORKERS) {
                throw new IllegalArgumentException("pooledWorkers must be 1.." + MAX_POOLED_WORKERS + ", was "
                        + workers);
            }
            this.pooledWorkers = workers;
            return this;
        }

        /**
         * @param messages how many messages a service handles before its thread yields to others, 1..1000000
         *                 (default 64)
         * @return this
         */
        public Builder throughput(int messages) {
            if (messages < 1 || messages > MAX_THROUGHPUT) {
                throw new IllegalArgumentException("throughput must be 1.." + MAX_THROUGHPUT + ", was " + messages);
            }
            this.throughput = messages;
            return this;
        }

        /**
         * @param timeout how long {@link Node#close()} may take in all (default 10 s)
         * @return this
         */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = positive("closeTimeout", timeout);
            return this;
        }

        /**
         * @param threshold how long a handler may run one message before it is reported as stuck (default 5 s)
         * @return this
         */
        public Builder stuckThreshold(Duration threshold) {
            this.stuckThreshold = positive("stuckThreshold", threshold);
            return this;
        }

        /**
         * @param interval how often the monitor looks for stuck handlers (default 1 s)
         * @return this
         */
        public Builder monitorInterval(Duration interval) {
            this.monitorInterval = positive("monitorInterval", interval);
            return this;
        }

        /**
         * A service on {@link Dispatcher#VIRTUAL} or {@link Dispatcher#PLATFORM} that has handled nothing for about
         * this long gives its thread up, and its next message starts a new one, so idle services hold no thread and
         * no stack. The monitor looks each {@link #monitorInterval}, so the thread ends between this timeout and
         * this plus two intervals. Nothing is lost or reordered; the first message after it waits for a thread
         * start (a few microseconds on {@code VIRTUAL}, more on {@code PLATFORM}).
         *
         * @param timeout how long an idle service keeps its thread (default 10 s)
         * @return this
         */
        public Builder idleThreadTimeout(Duration timeout) {
            this.idleThreadTimeout = positive("idleThreadTimeout", timeout);
            return this;
        }

        /**
         * @param listener receives dead letters, overload and stuck-handler reports, late replies
         * @return this
         */
        public Builder listener(NodeListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        private static Duration positive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }

        /** @return the started node */
        public Node start() {
            return new Node(new NodeConfig(nodeId, dispatcher, pooledWorkers, throughput, closeTimeout,
                    stuckThreshold, monitorInterval, idleThreadTimeout, timerTick, listener));
        }
    }
}
