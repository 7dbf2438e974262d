package io.loomnet.transport.zmq.internal;

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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

import io.loomnet.scope.CloseReport;
import io.loomnet.scope.LoopErrorHandler;
import io.loomnet.scope.LoopRunner;
import io.loomnet.scope.LoopStartException;
import io.loomnet.scope.Scope;
import io.loomnet.transport.zmq.Machine;
import io.loomnet.transport.zmq.MachineSpec;
import io.loomnet.transport.zmq.MachineStartException;
import io.loomnet.transport.zmq.MachineStats;

/**
 * One incarnation of a machine, with its own ZeroMQ context ({@link ZmqContext}) and loops:
 * <ul>
 *   <li>one worker thread (the default): a frontend {@link RequestLoop} owns the ROUTER and calls the worker;</li>
 *   <li>several: a {@link ProxyLoop} owns the ROUTER and forwards to worker {@link RequestLoop}s over inproc.</li>
 * </ul>
 *
 * <p><b>Scope.</b> The machine is a {@link Scope} with the stages {@value #STAGE_MONITOR} → {@value #STAGE_PROXY} →
 * {@value #STAGE_DELETE} (seed fix 2):
 * <ol>
 *   <li>{@code monitor/peer-tracking}: unregisters from the connection-event loop and closes the peer set without
 *       waiting for MONITOR_STOPPED (fix 4);</li>
 *   <li>{@code proxy/control}, then {@code proxy/thread …}: TERMINATE through a control client that belongs to this
 *       machine and to the destroying thread alone (fix 1), then the frontend loop's thread is joined; it unbinds
 *       and closes its sockets itself;</li>
 *   <li>{@code delete/…}: worker loops, the ZAP handler (CURVE machines), then the machine's ZeroMQ context, whose
 *       termination ends its I/O and reaper threads.</li>
 * </ol>
 *
 * <p><b>Threads.</b> Every loop runs on a {@link LoopRunner} ({@code loomnet-zmq-proxy-<name>-<incarnation>} for the
 * frontend owner, {@code loomnet-zmq-worker-<name>-<incarnation>-<i>} for workers); each owns its sockets. The control
 * client that sends TERMINATE is created, used and closed by the thread that runs {@link #shutdown()}. Inproc names
 * carry the incarnation, and each incarnation has its own context, so a re-created machine never meets its
 * predecessor's endpoints.
 *
 * <p><b>Thread safety.</b> The {@link Machine} accessors may be called from any thread. {@link #shutdown()} is
 * idempotent; concurrent callers receive the same report.
 */
public final class MachineRuntime implements Machine {
    /** First stage: stop connection tracking. */
    public static final String STAGE_MONITOR = "monitor";
    /** Second stage: stop the loop that owns the frontend. */
    public static final String STAGE_PROXY = "proxy";
    /** Last stage: stop the worker side and release the machine's context. */
    public static final String STAGE_DELETE = "delete";
    /** Send timeout of the control client, in milliseconds (fix 1). */
    public static final int CONTROL_SEND_TIMEOUT_MS = 1000;
    /** Prefix of the name of every thread that owns a machine's frontend. */
    public static final String PROXY_THREAD_PREFIX = LoopRunner.THREAD_PREFIX + "zmq-proxy-";
    /** Prefix of every worker loop thread's name. */
    public static final String WORKER_THREAD_PREFIX = LoopRunner.THREAD_PREFIX + "zmq-worker-";

    private static final Logger LOG = LoggerFactory.getLogger(MachineRuntime.class);
    private static final AtomicLong INCARNATIONS = new AtomicLong();

    private final String name;
    private final long incarnation;
    private final MachineSpec spec;
    private final ConnectionEventLoop events;
    private final LoopErrorHandler errors;
    private final Scope scope;
    private final String controlEndpoint;
    private final Queue<String> lifecycle = new ConcurrentLinkedQueue<>();
    private final FrameGuard guard;
    private final List<RequestLoop> workers = new ArrayList<>();
    private volatile ZmqContext context;
    private volatile RequestLoop frontendLoop;
    private volatile ProxyLoop proxyLoop;
    private volatile ZapLoop zap;
    private volatile LoopRunner frontendRunner;
    private volatile PeerSet peers;
    private volatile String endpoint;
    private volatile boolean running = true;

    private MachineRuntime(String name, MachineSpec spec, ConnectionEventLoop events, LoopErrorHandler errors) {
        this.name = name;
        this.incarnation = INCARNATIONS.incrementAndGet();
        this.spec = spec;
        this.events = events;
        this.errors = errors;
        this.endpoint = spec.endpoint();
        this.guard = new FrameGuard(spec.maxMessageBytes());
        this.scope = Scope.open("machine '" + name + "' #" + incarnation, spec.stopTimeout(),
                STAGE_MONITOR, STAGE_PROXY, STAGE_DELETE);
        this.controlEndpoint = "inproc://loomnet-machine-" + incarnation + "-control";
    }

    /**
     * Builds and starts a machine; returns once the frontend is bound and every loop is running. Blocks for up to
     * the spec's start timeout. On failure everything started is stopped again.
     *
     * @param name the machine's name
     * @param spec what to build
     * @param events the manager's connection-event loop
     * @param errors the manager's error handler, for every loop and JeroMQ thread of this machine
     * @return the running machine
     * @throws MachineStartException naming the machine, endpoint and timeout if it did not start
     */
    public static MachineRuntime start(String name, MachineSpec spec, ConnectionEventLoop events,
                                       LoopErrorHandler errors) {
        MachineRuntime m = new MachineRuntime(name, spec, events, errors);
        try {
            m.launch();
            return m;
        } catch (RuntimeException | Error e) {
            m.running = false;
            ZmqContext ctx = m.context;
            if (ctx != null) {
                ctx.beginTeardown();
            }
            CloseReport r = m.scope.shutdown();
            if (!r.clean()) {
                LOG.warn("machine '{}': cleaning up after a failed start: {}", name, r);
            }
            if (e instanceof MachineStartException) {
                throw e;
            }
            Throwable cause = e instanceof LoopStartException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof MachineStartException mse) {
                throw mse;
            }
            throw new MachineStartException("machine '" + name + "' failed to start on " + spec.endpoint() + ": "
                    + cause, cause);
        }
    }

    private void launch() {
        String role = "machine-" + sanitize(name) + "-" + incarnation;
        ZmqContext c = new ZmqContext(role, errors);
        context = c;
        scope.add(STAGE_DELETE, "context " + c.role(), c::close);
        peers = events.register(incarnation);
        scope.add(STAGE_MONITOR, "peer-tracking", this::stopMonitor);
        if (spec.curveServer().isPresent()) {
            ZapLoop z = new ZapLoop(c.context(), spec.curveServer().get().allowedClientKeysZ85());
            zap = z;
            LoopRunner r = LoopRunner.start("zmq-zap-" + sanitize(name) + "-" + incarnation, z, errors);
            scope.add(STAGE_DELETE, "zap " + r.threadName(), r);
            r.awaitStarted(spec.startTimeout());
        }
        String bound;
        if (spec.workerThreads() == 1) {
            RequestLoop loop;
            try {
                loop = RequestLoop.frontend(name, c.context(), spec, guard, events.hookFor(incarnation),
                        controlEndpoint, lifecycle);
            } catch (IOException e) {
                throw new MachineStartException("machine '" + name + "': cannot open the frontend's wake-up pipe", e);
            }
            frontendLoop = loop;
            bound = startFrontend(loop, loop.started());
        } else {
            List<String> endpoints = new ArrayList<>();
            for (int i = 0; i < spec.workerThreads(); i++) {
                String ep = "inproc://loomnet-machine-" + incarnation + "-worker-" + i;
                RequestLoop w;
                try {
                    w = RequestLoop.worker(name, i, c.context(), ep, spec.worker(), spec.highWaterMark(), lifecycle);
                } catch (IOException e) {
                    throw new MachineStartException("machine '" + name + "': cannot open the wake-up pipe of worker "
                            + i, e);
                }
                workers.add(w);
                LoopRunner r = LoopRunner.start("zmq-worker-" + sanitize(name) + "-" + incarnation + "-" + i, w,
                        errors);
                scope.add(STAGE_DELETE, w.roleName(), r);
                await(w.started(), "bind worker loop " + i);
                endpoints.add(ep);
            }
            ProxyLoop p = new ProxyLoop(name, c.context(), spec, guard, events.hookFor(incarnation), controlEndpoint,
                    endpoints, lifecycle);
            proxyLoop = p;
            bound = startFrontend(p, p.started());
        }
        endpoint = bound;
        lifecycle.add("started on " + bound);
        LOG.info("machine '{}' #{} started on {} ({})", name, incarnation, bound,
                spec.workerThreads() == 1 ? "one loop" : "proxy and " + spec.workerThreads() + " worker loops");
    }

    private String startFrontend(io.loomnet.scope.Loop loop, CompletableFuture<String> started) {
        LoopRunner r = LoopRunner.start("zmq-proxy-" + sanitize(name) + "-" + incarnation, loop, errors);
        frontendRunner = r;
        scope.add(STAGE_PROXY, "thread " + r.threadName(), r);
        scope.add(STAGE_PROXY, "control", this::stopProxy);
        return await(started, "bind " + spec.endpoint());
    }

    /** Thread names and inproc names may not hold everything a machine name can. */
    private static String sanitize(String s) {
        return s.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    private <T> T await(CompletableFuture<T> f, String what) {
        Duration timeout = spec.startTimeout();
        try {
            return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new MachineStartException("machine '" + name + "': could not " + what + " within "
                    + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MachineStartException mse) {
                throw mse;
            }
            throw new MachineStartException("machine '" + name + "': could not " + what + ": " + e.getCause(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MachineStartException("machine '" + name + "': interrupted while waiting to " + what, e);
        }
    }

    /**
     * The {@code monitor} stage (fixes 2 and 4): stops connection tracking at once. Events still in flight for this
     * machine, including the MONITOR_STOPPED its frontend's close will produce, are then stale.
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
     * The {@code proxy/control} step (fix 1): sends TERMINATE through a control client that belongs to this machine
     * and to the calling thread alone (send timeout {@value #CONTROL_SEND_TIMEOUT_MS} ms), waits for the frontend
     * loop to end until the deadline, then closes the client. The client is closed only after the loop has ended,
     * so the command cannot be discarded by the close.
     *
     * @param deadlineNanos a {@link System#nanoTime()} deadline
     * @return {@code true} if the frontend loop has ended
     * @throws InterruptedException if the caller is interrupted while joining
     */
    public boolean stopProxy(long deadlineNanos) throws InterruptedException {
        LoopRunner r = frontendRunner;
        ZmqContext c = context;
        if (r == null || c == null) {
            return true;
        }
        if (!r.isRunning()) {
            return true;
        }
        ZMQ.Socket client = c.context().createSocket(SocketType.PAIR);
        try {
            client.setLinger(0);
            client.setSendTimeOut(CONTROL_SEND_TIMEOUT_MS);
            long t0 = System.nanoTime();
            client.connect(controlEndpoint);
            boolean sent = client.send(ZMQ.PROXY_TERMINATE, 0);
            lifecycle.add("control: TERMINATE " + (sent ? "sent" : "NOT sent") + " in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
            if (!sent) {
                LOG.warn("machine '{}' on {}: TERMINATE not accepted within {} ms", name, endpoint,
                        CONTROL_SEND_TIMEOUT_MS);
            }
            boolean ended = r.stop(deadlineNanos);
            if (!ended) {
                LOG.error("machine '{}' on {}: frontend thread {} still running at the stop deadline ({} ms)", name,
                        endpoint, r.threadName(), spec.stopTimeout().toMillis());
            }
            return ended;
        } finally {
            client.close();
        }
    }

    /**
     * Destroys the machine: closes its scope, stopping {@code monitor}, then {@code proxy}, then {@code delete},
     * against the spec's stop timeout. Idempotent.
     *
     * @return the scope's report, listing what stopped in order and what did not
     */
    public CloseReport shutdown() {
        running = false;
        ZmqContext ctx = context;
        if (ctx != null) {
            ctx.beginTeardown();
        }
        CloseReport r = scope.shutdown();
        if (r.clean()) {
            LOG.info("machine '{}' #{} on {} destroyed in {} ms", name, incarnation, endpoint,
                    TimeUnit.NANOSECONDS.toMillis(r.elapsedNanos()));
        } else {
            LOG.error("machine '{}' #{} on {} did not stop cleanly: {}", name, incarnation, endpoint, r);
        }
        return r;
    }

    /** @return the worker loops of a proxy machine (empty for a one-loop machine), for diagnostics */
    public List<RequestLoop> workers() {
        return List.copyOf(workers);
    }

    /** @return the name of the thread that owns the frontend */
    public String proxyThreadName() {
        LoopRunner r = frontendRunner;
        return r == null ? "" : r.threadName();
    }

    /** @return sockets still open in this machine's context (zero after destroy), for leak checks */
    public int openSockets() {
        ZmqContext c = context;
        return c == null ? 0 : c.openSockets();
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
    public MachineStats stats() {
        long requests = 0;
        long dropped = 0;
        long unknown = 0;
        long held = 0;
        RequestLoop f = frontendLoop;
        if (f != null) {
            requests += f.dispatched();
            dropped += f.droppedReplies();
            unknown += f.unknownControlFrames();
        }
        ProxyLoop p = proxyLoop;
        if (p != null) {
            dropped += p.droppedReplies();
            held += p.heldRequests();
            unknown += p.unknownControlFrames();
        }
        for (RequestLoop w : workers) {
            requests += w.dispatched();
            dropped += w.droppedReplies();
        }
        ZmqContext c = context;
        return new MachineStats(requests, dropped, guard.refused(), held, unknown, c == null ? 0 : c.jeromqErrors());
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

    /** @return the ZAP handler of a CURVE machine, or {@code null} */
    public ZapLoop zap() {
        return zap;
    }

    @Override
    public String toString() {
        return "Machine[" + name + " #" + incarnation + " on " + endpoint + (running ? "" : ", destroyed") + "]";
    }
}
