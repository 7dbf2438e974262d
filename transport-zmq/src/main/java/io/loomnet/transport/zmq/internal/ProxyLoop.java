package io.loomnet.transport.zmq.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

import io.loomnet.scope.Loop;
import io.loomnet.transport.zmq.MachineSpec;

/**
 * Loomnet's steerable proxy, in place of {@code ZMQ.proxy}: ROUTER frontend ⇄ DEALER backend, for a machine with
 * several worker loops. See {@code docs/decisions/0006-own-machine-loop.md}.
 *
 * <p><b>Never skip, never drop a request.</b> Each turn drains a readable side until it would block (in bounded
 * batches, so one side cannot starve the other). A request the backend will not take (every worker's queue is at
 * its high-water mark) is <em>held</em>: the loop stops reading the frontend, polls the backend for POLLOUT and
 * sends the held request first as soon as it can. JeroMQ's proxy instead skipped a readable frontend while the
 * backend was full and looked again only when some other event arrived, so requests could wait indefinitely.
 * Replies go to the ROUTER with {@code ROUTER_MANDATORY}: one for a client that has gone or stopped reading is
 * dropped and counted (holding it would block every other client's replies).
 *
 * <p><b>Steering.</b> PAUSE, RESUME and TERMINATE arrive on the machine's PAIR control socket (seed fix 1); an
 * unknown frame is counted and ignored.
 *
 * <p><b>Threading.</b> Every socket here is created, used and closed on the loop thread; {@link #wake()} is a no-op
 * (the proxy is stopped by TERMINATE on its control socket).
 */
public final class ProxyLoop implements Loop {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyLoop.class);
    private static final int BATCH = 256;

    private final String machineName;
    private final ZContext ctx;
    private final MachineSpec spec;
    private final FrameGuard guard;
    private final ZEvent.ZEventConsummer hook;
    private final String controlEndpoint;
    private final List<String> workerEndpoints;
    private final Queue<String> lifecycle;
    private final CompletableFuture<String> started = new CompletableFuture<>();
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder held = new LongAdder();
    private final LongAdder droppedReplies = new LongAdder();
    private final LongAdder controlUnknown = new LongAdder();

    // loop thread only
    private ZMQ.Socket frontend;
    private ZMQ.Socket backend;
    private ZMQ.Socket control;
    /** control, frontend and backend for input. */
    private ZMQ.Poller reading;
    /** control for input, backend for input and output: while a request is held. */
    private ZMQ.Poller holding;
    /** control only: while paused. */
    private ZMQ.Poller pausedPoller;
    private String bound;
    private List<byte[]> heldRequest;
    private boolean paused;
    private boolean backlog;
    private boolean terminated;

    /**
     * @param machineName the machine, for logs
     * @param ctx the machine's context
     * @param spec the machine's spec
     * @param guard its frame guard
     * @param hook its connection-event hook
     * @param controlEndpoint the inproc endpoint its control PAIR binds
     * @param workerEndpoints the worker loops' endpoints, which the backend connects to before the frontend binds
     * @param lifecycle the machine's lifecycle log
     */
    public ProxyLoop(String machineName, ZContext ctx, MachineSpec spec, FrameGuard guard, ZEvent.ZEventConsummer hook,
                     String controlEndpoint, List<String> workerEndpoints, Queue<String> lifecycle) {
        this.machineName = machineName;
        this.ctx = ctx;
        this.spec = spec;
        this.guard = guard;
        this.hook = hook;
        this.controlEndpoint = controlEndpoint;
        this.workerEndpoints = List.copyOf(workerEndpoints);
        this.lifecycle = lifecycle;
    }

    /** @return completes with the bound endpoint once the frontend is bound */
    public CompletableFuture<String> started() {
        return started;
    }

    /** @return requests forwarded to the backend */
    public long forwarded() {
        return forwarded.sum();
    }

    /** @return times a request had to be held because the backend was full */
    public long heldRequests() {
        return held.sum();
    }

    /** @return replies dropped because their client had gone or was not reading */
    public long droppedReplies() {
        return droppedReplies.sum();
    }

    /** @return frames on the control socket that were not a command */
    public long unknownControlFrames() {
        return controlUnknown.sum();
    }

    @Override
    public void onStart() {
        try {
            control = ctx.createSocket(SocketType.PAIR);
            control.setLinger(0);
            control.bind(controlEndpoint);
            backend = ctx.createSocket(SocketType.DEALER);
            backend.setLinger(0);
            backend.setSndHWM(spec.highWaterMark());
            backend.setRcvHWM(spec.highWaterMark());
            // Connect to every worker before the frontend binds: a connecting inproc socket attaches its pipes at
            // once, so no request can arrive while the backend has nowhere to send it.
            for (String w : workerEndpoints) {
                backend.connect(w);
            }
            frontend = Frontend.open(ctx, machineName, spec, guard, hook);
            bound = frontend.getLastEndpoint();
            reading = ctx.createPoller(3);
            reading.register(control, ZMQ.Poller.POLLIN);
            reading.register(frontend, ZMQ.Poller.POLLIN);
            reading.register(backend, ZMQ.Poller.POLLIN);
            holding = ctx.createPoller(2);
            holding.register(control, ZMQ.Poller.POLLIN);
            holding.register(backend, ZMQ.Poller.POLLIN | ZMQ.Poller.POLLOUT);
            pausedPoller = ctx.createPoller(1);
            pausedPoller.register(control, ZMQ.Poller.POLLIN);
            started.complete(bound);
        } catch (RuntimeException e) {
            started.completeExceptionally(e);
            throw e;
        }
    }

    @Override
    public boolean doWork() {
        // Interest follows the state: while a request is held the frontend is not read and the backend is watched
        // for POLLOUT; otherwise both are read. Asking for POLLOUT only while holding keeps the poll from spinning.
        ZMQ.Poller poller = paused ? pausedPoller : heldRequest != null ? holding : reading;
        try {
            if (poller.poll(backlog ? 0 : -1) < 0) {
                lifecycle.add("proxy: context terminated under the loop");
                return false;
            }
            if (poller.pollin(0) && !readControl()) {
                return false;
            }
            backlog = false;
            if (paused) {
                return true;
            }
            // Replies first, and always: a worker whose reply the backend cannot take stops taking requests, so a
            // proxy that stopped reading replies while it holds a request would never see the backend writable.
            boolean more = forwardReplies();
            if (heldRequest != null) {
                if (!sendRequest(heldRequest)) {
                    backlog = more;
                    return true; // still full: wait for POLLOUT (or more replies)
                }
                heldRequest = null;
            }
            more |= forwardRequests();
            backlog = more;
            return true;
        } catch (ZMQException e) {
            if (e.getErrorCode() == ZMQ.Error.ETERM.getCode()) {
                lifecycle.add("proxy: context terminated under the loop");
                return false;
            }
            throw e;
        }
    }

    /** @return {@code true} if a full batch was moved (there may be more) */
    private boolean forwardRequests() {
        for (int i = 0; i < BATCH; i++) {
            List<byte[]> msg = receive(frontend);
            if (msg == null) {
                return false;
            }
            if (!sendRequest(msg)) {
                heldRequest = msg;
                held.increment();
                return false;
            }
        }
        return true;
    }

    private boolean sendRequest(List<byte[]> msg) {
        int last = msg.size() - 1;
        for (int i = 0; i <= last; i++) {
            int flags = i < last ? ZMQ.SNDMORE | ZMQ.DONTWAIT : ZMQ.DONTWAIT;
            if (!backend.send(msg.get(i), flags)) {
                // Only the first part can be refused: once it is queued, ZeroMQ takes the rest of the message.
                return false;
            }
        }
        forwarded.increment();
        return true;
    }

    private boolean forwardReplies() {
        for (int i = 0; i < BATCH; i++) {
            List<byte[]> msg = receive(backend);
            if (msg == null) {
                return false;
            }
            int last = msg.size() - 1;
            try {
                for (int p = 0; p <= last; p++) {
                    int flags = p < last ? ZMQ.SNDMORE | ZMQ.DONTWAIT : ZMQ.DONTWAIT;
                    if (!frontend.send(msg.get(p), flags)) {
                        droppedReplies.increment();
                        LOG.warn("machine '{}': reply dropped, the client is not reading its replies", machineName);
                        break;
                    }
                }
            } catch (ZMQException e) {
                if (e.getErrorCode() != ZMQ.Error.EHOSTUNREACH.getCode()) {
                    throw e;
                }
                droppedReplies.increment();
                LOG.debug("machine '{}': reply dropped, the client has disconnected", machineName);
            }
        }
        return true;
    }

    private static List<byte[]> receive(ZMQ.Socket s) {
        byte[] first = s.recv(ZMQ.DONTWAIT);
        if (first == null) {
            return null;
        }
        List<byte[]> frames = new ArrayList<>(4);
        frames.add(first);
        while (s.hasReceiveMore()) {
            frames.add(s.recv(0));
        }
        return frames;
    }

    private boolean readControl() {
        byte[] frame;
        while ((frame = control.recv(ZMQ.DONTWAIT)) != null) {
            while (control.hasReceiveMore()) {
                control.recv(0);
            }
            switch (ControlCommands.parse(frame)) {
                case TERMINATE -> {
                    terminated = true;
                    lifecycle.add("proxy: TERMINATE received");
                    return false;
                }
                case PAUSE -> {
                    paused = true;
                    lifecycle.add("proxy: paused");
                }
                case RESUME -> {
                    paused = false;
                    backlog = true;
                    lifecycle.add("proxy: resumed");
                }
                default -> {
                    controlUnknown.increment();
                    LOG.warn("machine '{}': ignoring an unknown control frame of {} bytes", machineName, frame.length);
                }
            }
        }
        return true;
    }

    @Override
    public void wake() {
        // Stopped by TERMINATE on the control socket; the runner's flag is checked after that turn.
    }

    @Override
    public void onClose() {
        for (ZMQ.Poller p : new ZMQ.Poller[] {reading, holding, pausedPoller}) {
            if (p != null) {
                p.close();
            }
        }
        if (heldRequest != null) {
            LOG.warn("machine '{}': one request held for a full backend is dropped at close", machineName);
        }
        Frontend.close(frontend, bound);
        if (backend != null) {
            backend.close();
        }
        if (control != null) {
            control.close();
        }
        lifecycle.add("proxy: sockets closed" + (terminated ? "" : " (without TERMINATE)"));
    }
}
