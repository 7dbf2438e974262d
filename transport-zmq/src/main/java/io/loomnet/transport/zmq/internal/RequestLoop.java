package io.loomnet.transport.zmq.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

import io.loomnet.scope.Loop;
import io.loomnet.transport.zmq.MachineRequest;
import io.loomnet.transport.zmq.MachineWorker;

/**
 * A loop that serves requests from one socket it owns, calls the {@link MachineWorker} on its own thread, and sends
 * replies handed in from any thread. It runs in one of two places:
 * <ul>
 *   <li><b>Frontend</b> (a machine with one worker): it owns the machine's ROUTER, bound by {@link Frontend}, and its
 *   PAIR control socket, so a request crosses one thread (JeroMQ's I/O thread → this loop). It obeys PAUSE (stop
 *   reading requests; replies still go out), RESUME and TERMINATE on the control socket (seed fix 1).</li>
 *   <li><b>Worker</b> (behind a {@link ProxyLoop}): it owns a DEALER bound to its own inproc endpoint, to which the
 *   proxy's backend connects, and stops through its runner's signal.</li>
 * </ul>
 *
 * <p><b>Replies.</b> A reply made on the loop thread (inside {@code onRequest}) is sent at once; one made on another
 * thread is queued and the loop is woken through a {@link PipeWaker}, which writes only if the loop is asleep. A
 * frontend reply the ROUTER refuses (the client has gone, or is not reading and its queue is full) is dropped and
 * counted; a worker reply the backend refuses (the proxy's queue is full) is held and sent as soon as the backend
 * is writable, never dropped.
 *
 * <p><b>Threading.</b> {@link #onStart()}, {@link #doWork()} and {@link #onClose()} run on the loop thread, which
 * creates, uses and closes every socket here; {@link #wake()} and {@link MachineRequest#reply(List)} from any
 * thread.
 */
public final class RequestLoop implements Loop {
    private static final Logger LOG = LoggerFactory.getLogger(RequestLoop.class);
    private static final int RECEIVE_BATCH = 256;

    private final String machineName;
    private final String roleName;
    private final ZContext ctx;
    private final MachineWorker worker;
    private final Queue<String> lifecycle;
    private final PipeWaker waker;
    private final boolean frontendMode;
    // frontend mode
    private final io.loomnet.transport.zmq.MachineSpec spec;
    private final FrameGuard guard;
    private final org.zeromq.ZEvent.ZEventConsummer hook;
    private final String controlEndpoint;
    // worker mode
    private final String workerEndpoint;
    private final int highWaterMark;

    private final Queue<PendingReply> replies = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<String> started = new CompletableFuture<>();
    private final LongAdder dispatched = new LongAdder();
    private final LongAdder workerFailures = new LongAdder();
    private final LongAdder droppedReplies = new LongAdder();
    private final LongAdder controlUnknown = new LongAdder();
    private volatile boolean closed;
    private volatile Thread owner;

    // loop thread only
    private ZMQ.Socket socket;
    private ZMQ.Socket control;
    private ZMQ.Poller poller;
    private ZMQ.Poller holdPoller;
    private String bound;
    private boolean paused;
    private boolean backlog;
    private PendingReply held;
    private boolean terminated;

    private record PendingReply(List<byte[]> envelope, List<byte[]> frames) {
    }

    private RequestLoop(String machineName, String roleName, ZContext ctx, MachineWorker worker,
                        Queue<String> lifecycle, io.loomnet.transport.zmq.MachineSpec spec, FrameGuard guard,
                        org.zeromq.ZEvent.ZEventConsummer hook, String controlEndpoint, String workerEndpoint,
                        int highWaterMark) throws IOException {
        this.machineName = machineName;
        this.roleName = roleName;
        this.ctx = ctx;
        this.worker = worker;
        this.lifecycle = lifecycle;
        this.frontendMode = workerEndpoint == null;
        this.spec = spec;
        this.guard = guard;
        this.hook = hook;
        this.controlEndpoint = controlEndpoint;
        this.workerEndpoint = workerEndpoint;
        this.highWaterMark = highWaterMark;
        this.waker = PipeWaker.open();
    }

    /**
     * A loop that owns the machine's frontend.
     *
     * @param machineName the machine, for logs
     * @param ctx the machine's context
     * @param spec the machine's spec
     * @param guard its frame guard
     * @param hook its connection-event hook
     * @param controlEndpoint the inproc endpoint its control PAIR binds
     * @param lifecycle the machine's lifecycle log
     * @return the loop, not yet started
     * @throws IOException if the wake-up pipe cannot be opened
     */
    public static RequestLoop frontend(String machineName, ZContext ctx, io.loomnet.transport.zmq.MachineSpec spec,
                                       FrameGuard guard, org.zeromq.ZEvent.ZEventConsummer hook,
                                       String controlEndpoint, Queue<String> lifecycle) throws IOException {
        return new RequestLoop(machineName, "frontend", ctx, spec.worker(), lifecycle, spec, guard, hook,
                controlEndpoint, null, spec.highWaterMark());
    }

    /**
     * A worker loop behind a proxy.
     *
     * @param machineName the machine, for logs
     * @param index this loop's index within the machine
     * @param ctx the machine's context
     * @param endpoint the inproc endpoint this loop binds, unique per machine incarnation
     * @param worker the worker side
     * @param highWaterMark send and receive high-water mark of the loop's socket
     * @param lifecycle the machine's lifecycle log
     * @return the loop, not yet started
     * @throws IOException if the wake-up pipe cannot be opened
     */
    public static RequestLoop worker(String machineName, int index, ZContext ctx, String endpoint,
                                     MachineWorker worker, int highWaterMark, Queue<String> lifecycle)
            throws IOException {
        return new RequestLoop(machineName, "worker-" + index, ctx, worker, lifecycle, null, null, null, null,
                endpoint, highWaterMark);
    }

    /** @return this loop's role within the machine: {@code frontend} or {@code worker-N} */
    public String roleName() {
        return roleName;
    }

    /** @return the inproc endpoint a worker loop binds ({@code null} for a frontend loop) */
    public String endpoint() {
        return workerEndpoint;
    }

    /** @return completes with the bound endpoint once the loop's socket is bound */
    public CompletableFuture<String> started() {
        return started;
    }

    /** @return requests handed to the worker */
    public long dispatched() {
        return dispatched.sum();
    }

    /** @return replies dropped: the client had gone or was not reading, or the machine was being deleted */
    public long droppedReplies() {
        return droppedReplies.sum();
    }

    /** @return frames on the control socket that were not a command */
    public long unknownControlFrames() {
        return controlUnknown.sum();
    }

    @Override
    public void onStart() {
        owner = Thread.currentThread();
        try {
            if (frontendMode) {
                control = ctx.createSocket(SocketType.PAIR);
                control.setLinger(0);
                control.bind(controlEndpoint);
                socket = Frontend.open(ctx, machineName, spec, guard, hook);
                bound = socket.getLastEndpoint();
            } else {
                socket = ctx.createSocket(SocketType.DEALER);
                socket.setLinger(0);
                socket.setSndHWM(highWaterMark);
                socket.setRcvHWM(highWaterMark);
                socket.bind(workerEndpoint);
                bound = workerEndpoint;
            }
            poller = ctx.createPoller(3);
            poller.register(socket, ZMQ.Poller.POLLIN);
            poller.register(waker.channel(), ZMQ.Poller.POLLIN);
            if (control != null) {
                poller.register(control, ZMQ.Poller.POLLIN);
            }
            // While a reply is held the loop takes no requests, so it waits for POLLOUT only (POLLIN would spin).
            holdPoller = ctx.createPoller(3);
            holdPoller.register(socket, ZMQ.Poller.POLLOUT);
            holdPoller.register(waker.channel(), ZMQ.Poller.POLLIN);
            if (control != null) {
                holdPoller.register(control, ZMQ.Poller.POLLIN);
            }
            started.complete(bound);
        } catch (RuntimeException e) {
            started.completeExceptionally(e);
            throw e;
        }
    }

    @Override
    public boolean doWork() {
        flushReplies();
        ZMQ.Poller p = held != null ? holdPoller : poller;
        long timeout = backlog ? 0 : -1;
        if (timeout != 0) {
            waker.prepareToSleep();
            if (!replies.isEmpty()) {
                timeout = 0; // a reply arrived between the flush and the announcement
            }
        }
        int n;
        try {
            n = p.poll(timeout);
        } catch (ZMQException e) {
            return stopOn(e);
        } finally {
            waker.awake();
        }
        if (n < 0) {
            lifecycle.add(roleName + ": context terminated under the loop");
            return false;
        }
        if (p.pollin(1) && !waker.drain()) {
            LOG.error("machine '{}' {}: wake-up pipe failed; stopping", machineName, roleName);
            return false;
        }
        if (control != null && p.pollin(2) && !readControl()) {
            return false;
        }
        backlog = false;
        if (!paused && held == null) {
            try {
                for (int i = 0; i < RECEIVE_BATCH; i++) {
                    List<byte[]> frames = receive(socket);
                    if (frames == null) {
                        break;
                    }
                    dispatch(frames);
                    backlog = i == RECEIVE_BATCH - 1;
                }
            } catch (ZMQException e) {
                return stopOn(e);
            }
        }
        return true;
    }

    private boolean stopOn(ZMQException e) {
        if (e.getErrorCode() == ZMQ.Error.ETERM.getCode()) {
            lifecycle.add(roleName + ": context terminated under the loop");
            return false;
        }
        throw e;
    }

    /** @return {@code false} on TERMINATE */
    private boolean readControl() {
        byte[] frame;
        while ((frame = control.recv(ZMQ.DONTWAIT)) != null) {
            while (control.hasReceiveMore()) {
                control.recv(0);
            }
            switch (ControlCommands.parse(frame)) {
                case TERMINATE -> {
                    terminated = true;
                    lifecycle.add(roleName + ": TERMINATE received");
                    return false;
                }
                case PAUSE -> {
                    paused = true;
                    lifecycle.add(roleName + ": paused");
                }
                case RESUME -> {
                    paused = false;
                    backlog = true; // requests may have queued while paused: look at once
                    lifecycle.add(roleName + ": resumed");
                }
                default -> {
                    controlUnknown.increment();
                    LOG.warn("machine '{}' {}: ignoring an unknown control frame of {} bytes", machineName, roleName,
                            frame.length);
                }
            }
        }
        return true;
    }

    @Override
    public void wake() {
        waker.wake();
    }

    @Override
    public void onClose() {
        closed = true;
        int unsent = held != null ? 1 : 0;
        held = null;
        while (replies.poll() != null) {
            unsent++;
        }
        droppedReplies.add(unsent);
        if (poller != null) {
            poller.close();
        }
        if (holdPoller != null) {
            holdPoller.close();
        }
        if (frontendMode) {
            Frontend.close(socket, bound);
        } else if (socket != null) {
            socket.close();
        }
        if (control != null) {
            control.close();
        }
        waker.close();
        if (frontendMode) {
            lifecycle.add(roleName + ": sockets closed" + (terminated ? "" : " (without TERMINATE)"));
        }
        lifecycle.add(roleName + ": closed" + (unsent > 0 ? " (" + unsent + " unsent replies dropped)" : ""));
        try {
            worker.onClose(machineName);
        } catch (RuntimeException e) {
            LOG.error("machine '{}' {}: worker onClose failed", machineName, roleName, e);
        }
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

    private void dispatch(List<byte[]> frames) {
        // Envelope: every frame up to and including the first empty delimiter (REQ and DEALER clients, also
        // behind further ROUTER hops). Without a delimiter only the ROUTER's identity frame is the envelope.
        int split = 1;
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).length == 0) {
                split = i + 1;
                break;
            }
        }
        List<byte[]> envelope = split == 1 ? List.of(frames.get(0)) : List.copyOf(frames.subList(0, split));
        List<byte[]> body = split == frames.size() - 1 ? List.of(frames.get(split))
                : Collections.unmodifiableList(frames.subList(split, frames.size()));
        dispatched.increment();
        try {
            worker.onRequest(new Request(envelope, body));
        } catch (RuntimeException e) {
            workerFailures.increment();
            LOG.error("machine '{}' {}: worker failed on a request of {} frames; no reply sent", machineName,
                    roleName, body.size(), e);
        }
    }

    private void flushReplies() {
        if (held != null) {
            if (!send(held)) {
                return; // still full: keep the order, try again when writable
            }
            held = null;
        }
        PendingReply r;
        while ((r = replies.poll()) != null) {
            if (!send(r)) {
                return;
            }
        }
    }

    /** @return {@code false} only when a worker-mode reply is held for a full backend */
    private boolean send(PendingReply r) {
        int total = r.envelope().size() + r.frames().size();
        int n = 0;
        try {
            for (List<byte[]> part : List.of(r.envelope(), r.frames())) {
                for (byte[] frame : part) {
                    n++;
                    int flags = n < total ? ZMQ.SNDMORE | ZMQ.DONTWAIT : ZMQ.DONTWAIT;
                    if (!socket.send(frame, flags)) {
                        // Only the first frame can fail: ZeroMQ accepts the rest of a message once its first
                        // part is queued (on a ROUTER, once the peer's pipe has been found writable).
                        return refused(r);
                    }
                }
            }
        } catch (ZMQException e) {
            if (e.getErrorCode() != ZMQ.Error.EHOSTUNREACH.getCode()) {
                throw e;
            }
            droppedReplies.increment();
            LOG.debug("machine '{}' {}: reply dropped, the client has disconnected", machineName, roleName);
        }
        return true;
    }

    private boolean refused(PendingReply r) {
        if (!frontendMode) {
            held = r;
            return false;
        }
        droppedReplies.increment();
        LOG.warn("machine '{}': reply dropped, the client is not reading its replies (high-water mark {} reached)",
                machineName, spec.replyHighWaterMark());
        return true;
    }

    private final class Request implements MachineRequest {
        private final List<byte[]> envelope;
        private final List<byte[]> body;
        private final AtomicBoolean answered = new AtomicBoolean();

        Request(List<byte[]> envelope, List<byte[]> body) {
            this.envelope = envelope;
            this.body = body;
        }

        @Override
        public String machineName() {
            return machineName;
        }

        @Override
        public List<byte[]> frames() {
            return body;
        }

        @Override
        public boolean reply(List<byte[]> frames) {
            if (frames.isEmpty()) {
                throw new IllegalArgumentException("machine '" + machineName + "': a reply needs at least one frame");
            }
            if (!answered.compareAndSet(false, true)) {
                return false;
            }
            if (closed) {
                droppedReplies.increment();
                return false;
            }
            PendingReply r = new PendingReply(envelope, List.copyOf(frames));
            if (Thread.currentThread() == owner && held == null && replies.isEmpty()) {
                send(r); // on the loop thread, in order: nothing is waiting ahead of it
                return true;
            }
            replies.add(r);
            if (closed && replies.remove(r)) {
                // The loop closed between the check and the add and will not look at the queue again.
                droppedReplies.increment();
                return false;
            }
            if (Thread.currentThread() != owner) {
                waker.wakeIfAsleep();
            }
            return true;
        }
    }
}
