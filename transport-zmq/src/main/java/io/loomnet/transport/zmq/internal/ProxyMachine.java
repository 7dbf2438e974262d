package io.loomnet.transport.zmq.internal;

import io.loomnet.scope.CloseReport;
import io.loomnet.scope.Scope;
import io.loomnet.transport.zmq.Machine;
import io.loomnet.transport.zmq.MachineSpec;
import io.loomnet.transport.zmq.MachineStartException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * One incarnation of a machine: ROUTER frontend ⇄ {@code ZMQ.proxy} ⇄ DEALER backend ⇄ worker loops.
 *
 * <p><b>Scope.</b> The machine is a {@link Scope} with the stages {@value #STAGE_MONITOR} →
 * {@value #STAGE_PROXY} → {@value #STAGE_DELETE} (seed fix 2), so the order is enforced by the scope and
 * visible in its {@link CloseReport}:
 * <ol>
 *   <li>{@code monitor/peer-tracking}: {@link #stopMonitor(long)} unregisters the machine from the
 *       connection-event loop and closes its peer set, without waiting for MONITOR_STOPPED (fix 4);</li>
 *   <li>{@code proxy/control}: {@link #stopProxy(long)} sends {@code PROXY_TERMINATE} through this machine's own
 *       control client (fix 1), then the proxy thread unbinds and closes its three sockets itself;</li>
 *   <li>{@code delete/worker-N}: each worker loop is signalled and joined; it closes its own sockets.</li>
 * </ol>
 *
 * <p><b>Threads.</b> The proxy thread creates, uses and closes the ROUTER, DEALER and PAIR control sockets.
 * Each worker loop thread owns its DEALER. The control client that sends TERMINATE is created, used and
 * closed by the one thread that runs {@link #shutdown()}. Inproc names carry the incarnation number, so a
 * re-created machine never meets its predecessor's endpoints.
 *
 * <p><b>Thread safety.</b> The {@link Machine} accessors may be called from any thread. {@link #shutdown()} is
 * idempotent; concurrent callers receive the same report.
 */
public final class ProxyMachine implements Machine {
    /** First stage: stop connection tracking. */
    public static final String STAGE_MONITOR = "monitor";
    /** Second stage: stop the proxy thread. */
    public static final String STAGE_PROXY = "proxy";
    /** Last stage: stop the worker side and release the machine. */
    public static final String STAGE_DELETE = "delete";
    /** Send timeout of the control client, in milliseconds (fix 1). */
    public static final int CONTROL_SEND_TIMEOUT_MS = 1000;
    /** Prefix of every proxy thread's name. */
    public static final String PROXY_THREAD_PREFIX = "loomnet-zmq-proxy-";
    /** Prefix of every worker loop thread's name. */
    public static final String WORKER_THREAD_PREFIX = "loomnet-zmq-worker-";

    private static final Logger LOG = LoggerFactory.getLogger(ProxyMachine.class);
    private static final AtomicLong INCARNATIONS = new AtomicLong();

    private final String name;
    private final long incarnation;
    private final MachineSpec spec;
    private final ZContext ctx;
    private final ConnectionEventLoop events;
    private final Scope scope;
    private final String controlEndpoint;
    private final Queue<String> lifecycle = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<String> started = new CompletableFuture<>();
    private final List<WorkerLoop> workers = new ArrayList<>();
    private volatile PeerSet peers;
    private volatile String endpoint;
    private volatile boolean running = true;
    private volatile Thread proxyThread;

    private ProxyMachine(String name, MachineSpec spec, ZContext ctx, ConnectionEventLoop events) {
        this.name = name;
        this.incarnation = INCARNATIONS.incrementAndGet();
        this.spec = spec;
        this.ctx = ctx;
        this.events = events;
        this.endpoint = spec.endpoint();
        this.scope = Scope.open("machine '" + name + "' #" + incarnation, spec.stopTimeout(),
                STAGE_MONITOR, STAGE_PROXY, STAGE_DELETE);
        this.controlEndpoint = "inproc://loomnet-machine-" + incarnation + "-control";
    }

    /**
     * Builds and starts a machine; returns once the frontend is bound and every worker loop is connected.
     * Blocks for up to the spec's start timeout. On failure everything started is stopped again.
     *
     * @param name the machine's name
     * @param spec what to build
     * @param ctx the manager's context
     * @param events the manager's connection-event loop
     * @return the running machine
     * @throws MachineStartException naming the machine, endpoint and timeout if it did not start
     */
    public static ProxyMachine start(String name, MachineSpec spec, ZContext ctx, ConnectionEventLoop events) {
        ProxyMachine m = new ProxyMachine(name, spec, ctx, events);
        try {
            m.launch();
            return m;
        } catch (RuntimeException | Error e) {
            m.running = false;
            CloseReport r = m.scope.shutdown();
            if (!r.clean()) {
                LOG.warn("machine '{}': cleaning up after a failed start: {}", name, r);
            }
            if (e instanceof MachineStartException) {
                throw e;
            }
            throw new MachineStartException("machine '" + name + "' failed to start on " + spec.endpoint() + ": " + e,
                    e);
        }
    }

    private void launch() {
        peers = events.register(incarnation);
        scope.add(STAGE_MONITOR, "peer-tracking", this::stopMonitor);
        // Workers first: each binds its own inproc endpoint, and the proxy's backend connects to all of them
        // before the frontend binds, so no request can reach a backend that is not yet writable.
        List<CompletableFuture<Void>> workerStarts = new ArrayList<>();
        for (int i = 0; i < spec.workerThreads(); i++) {
            WorkerLoop w;
            try {
                w = new WorkerLoop(name, i, ctx, "inproc://loomnet-machine-" + incarnation + "-worker-" + i,
                        spec.worker(), spec.highWaterMark(), lifecycle);
            } catch (IOException e) {
                throw new MachineStartException("machine '" + name + "': cannot open the wake-up pipe of worker " + i,
                        e);
            }
            workers.add(w);
            scope.startPlatformThread(STAGE_DELETE, WORKER_THREAD_PREFIX + name + "-" + incarnation + "-" + i, true,
                    w);
            scope.add(STAGE_DELETE, w.roleName(), w::stop);
            workerStarts.add(w.started());
        }
        for (int i = 0; i < workerStarts.size(); i++) {
            await(workerStarts.get(i), spec.startTimeout(), "bind worker loop " + i);
        }
        proxyThread = scope.startPlatformThread(STAGE_PROXY, PROXY_THREAD_PREFIX + name + "-" + incarnation, true,
                this::runProxy);
        scope.add(STAGE_PROXY, "control", this::stopProxy);
        String bound = await(started, spec.startTimeout(), "bind " + spec.endpoint());
        endpoint = bound;
        lifecycle.add("started on " + bound);
        LOG.info("machine '{}' #{} started on {} with {} worker loop(s)", name, incarnation, bound,
                spec.workerThreads());
    }

    private <T> T await(CompletableFuture<T> f, Duration timeout, String what) {
        try {
            return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new MachineStartException("machine '" + name + "': could not " + what + " within "
                    + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw new MachineStartException("machine '" + name + "': could not " + what + ": " + e.getCause(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MachineStartException("machine '" + name + "': interrupted while waiting to " + what, e);
        }
    }

    private void runProxy() {
        ZMQ.Socket frontend = null;
        ZMQ.Socket backend = null;
        ZMQ.Socket control = null;
        String bound = null;
        try {
            control = ctx.createSocket(SocketType.PAIR);
            control.setLinger(0);
            backend = ctx.createSocket(SocketType.DEALER);
            backend.setLinger(0);
            backend.setSndHWM(spec.highWaterMark());
            backend.setRcvHWM(spec.highWaterMark());
            frontend = ctx.createSocket(SocketType.ROUTER);
            frontend.setLinger(0);
            frontend.setSndHWM(spec.highWaterMark());
            frontend.setRcvHWM(spec.highWaterMark());
            // ROUTER_MANDATORY stays off and SNDTIMEO stays -1: either would make a failed send end the proxy.
            if (!spec.heartbeatInterval().isZero()) {
                int ivl = (int) spec.heartbeatInterval().toMillis();
                frontend.setHeartbeatIvl(ivl);
                frontend.setHeartbeatTimeout(3 * ivl);
                frontend.setHeartbeatTtl(3 * ivl);
            }
            if (spec.maxMessageBytes() > 0) {
                frontend.setMaxMsgSize(spec.maxMessageBytes());
            }
            spec.frontendOptions().accept(frontend);
            // The hook goes on before bind so that no connection is missed.
            frontend.setEventHook(events.hookFor(incarnation), ConnectionEventLoop.HOOK_EVENTS);
            control.bind(controlEndpoint);
            for (WorkerLoop w : workers) {
                backend.connect(w.endpoint());
            }
            bindWithRetry(frontend);
            bound = frontend.getLastEndpoint();
            started.complete(bound);
        } catch (RuntimeException | Error e) {
            started.completeExceptionally(e);
            closeAll(frontend, backend, control, null);
            lifecycle.add("proxy: failed to start: " + e);
            return;
        }
        try {
            boolean terminated = ZMQ.proxy(frontend, backend, null, control);
            lifecycle.add("proxy: returned " + terminated);
            if (!terminated) {
                LOG.warn("machine '{}' on {}: proxy ended without TERMINATE (frontend errno {}, backend errno {})",
                        name, bound, frontend.errno(), backend.errno());
            }
        } catch (ZMQException e) {
            lifecycle.add("proxy: ended by " + ZMQ.Error.findByCode(e.getErrorCode()));
            LOG.warn("machine '{}' on {}: proxy ended by {}", name, bound, e.toString());
        } catch (RuntimeException | Error e) {
            lifecycle.add("proxy: failed: " + e);
            LOG.error("machine '{}' on {}: proxy failed", name, bound, e);
        } finally {
            closeAll(frontend, backend, control, bound);
            lifecycle.add("proxy: sockets closed");
        }
    }

    private void bindWithRetry(ZMQ.Socket frontend) {
        long deadline = System.nanoTime() + spec.bindTimeout().toNanos();
        int attempts = 0;
        while (true) {
            attempts++;
            try {
                frontend.bind(spec.endpoint());
                if (attempts > 1) {
                    LOG.debug("machine '{}': bound {} after {} attempts", name, spec.endpoint(), attempts);
                }
                return;
            } catch (ZMQException e) {
                if (e.getErrorCode() != ZMQ.Error.EADDRINUSE.getCode() || System.nanoTime() - deadline > 0) {
                    throw new MachineStartException("machine '" + name + "': cannot bind " + spec.endpoint()
                            + " (" + ZMQ.Error.findByCode(e.getErrorCode()) + " after " + attempts
                            + " attempts in " + spec.bindTimeout().toMillis() + " ms)", e);
                }
                // A just-closed TCP port is released a few milliseconds later: back off briefly and retry.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(2L * attempts, 20L)));
            }
        }
    }

    private void closeAll(ZMQ.Socket frontend, ZMQ.Socket backend, ZMQ.Socket control, String bound) {
        if (frontend != null) {
            if (bound != null) {
                // Unbind before close: close is asynchronous and would keep the port for a few more ms.
                frontend.unbind(bound);
            }
            frontend.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (control != null) {
            control.close();
        }
    }

    /**
     * The {@code monitor} stage (fixes 2 and 4): stops connection tracking at once. Events still in flight for
     * this machine, including the MONITOR_STOPPED its frontend's close will produce, are then stale.
     *
     * @param deadlineNanos unused: this step does not block
     * @return {@code true}
     */
    boolean stopMonitor(long deadlineNanos) {
        int live = events.unregister(incarnation);
        lifecycle.add("monitor: stopped (" + Math.max(live, 0) + " live peers released)");
        return true;
    }

    /**
     * The {@code proxy} stage (fix 1): sends {@code PROXY_TERMINATE} through a control client that belongs to
     * this machine and to the calling thread alone (send timeout {@value #CONTROL_SEND_TIMEOUT_MS} ms), waits
     * for the proxy thread to finish until the deadline, then closes the client. The client is closed only
     * after the proxy has returned, so the command cannot be discarded by the close.
     *
     * @param deadlineNanos a {@link System#nanoTime()} deadline
     * @return {@code true} if the proxy thread has ended
     * @throws InterruptedException if the caller is interrupted while joining
     */
    public boolean stopProxy(long deadlineNanos) throws InterruptedException {
        Thread t = proxyThread;
        if (t == null) {
            return true;
        }
        if (!started.isDone() || started.isCompletedExceptionally() || !t.isAlive()) {
            // The proxy never ran or has ended; its control endpoint may be unbound. Only join.
            return join(t, deadlineNanos);
        }
        ZMQ.Socket client = ctx.createSocket(SocketType.PAIR);
        try {
            client.setLinger(0);
            client.setSendTimeOut(CONTROL_SEND_TIMEOUT_MS);
            long t0 = System.nanoTime();
            client.connect(controlEndpoint);
            boolean sent = client.send(ZMQ.PROXY_TERMINATE, 0);
            lifecycle.add("control: TERMINATE " + (sent ? "sent" : "NOT sent") + " in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
            if (!sent) {
                LOG.warn("machine '{}' on {}: PROXY_TERMINATE not accepted within {} ms", name, endpoint,
                        CONTROL_SEND_TIMEOUT_MS);
            }
            boolean ended = join(t, deadlineNanos);
            if (!ended) {
                LOG.error("machine '{}' on {}: proxy thread {} still running at the stop deadline ({} ms)", name,
                        endpoint, t.getName(), spec.stopTimeout().toMillis());
            }
            return ended;
        } finally {
            client.close();
        }
    }

    private static boolean join(Thread t, long deadlineNanos) throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            t.join(Duration.ofNanos(left));
        }
        return !t.isAlive();
    }

    /**
     * Destroys the machine: closes its scope, stopping {@code monitor}, then {@code proxy}, then {@code delete},
     * against the spec's stop timeout. Idempotent.
     *
     * @return the scope's report, listing what stopped in order and what did not
     */
    public CloseReport shutdown() {
        running = false;
        CloseReport r = scope.shutdown();
        if (r.clean()) {
            LOG.info("machine '{}' #{} on {} destroyed in {} ms", name, incarnation, endpoint,
                    TimeUnit.NANOSECONDS.toMillis(r.elapsedNanos()));
        } else {
            LOG.error("machine '{}' #{} on {} did not stop cleanly: {}", name, incarnation, endpoint, r);
        }
        return r;
    }

    /** @return the worker loops, for diagnostics */
    public List<WorkerLoop> workers() {
        return List.copyOf(workers);
    }

    /** @return the name of the proxy thread */
    public String proxyThreadName() {
        Thread t = proxyThread;
        return t == null ? "" : t.getName();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long incarnation() {
        return incarnation;
    }

    @Override
    public String endpoint() {
        return endpoint;
    }

    @Override
    public int peerCount() {
        PeerSet p = peers;
        return p == null ? 0 : p.size();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public List<String> lifecycle() {
        return List.copyOf(lifecycle);
    }

    /** @return the spec this machine was built from */
    public MachineSpec spec() {
        return spec;
    }

    @Override
    public String toString() {
        return "Machine[" + name + " #" + incarnation + " on " + endpoint + (running ? "" : ", destroyed") + "]";
    }
}
