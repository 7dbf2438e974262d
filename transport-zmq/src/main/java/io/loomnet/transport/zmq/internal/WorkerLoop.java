package io.loomnet.transport.zmq.internal;

import io.loomnet.transport.zmq.MachineRequest;
import io.loomnet.transport.zmq.MachineWorker;
import java.io.IOException;
import java.time.Duration;
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

/**
 * One worker loop of a machine. Its platform thread owns a DEALER bound to the loop's own inproc endpoint, to
 * which the proxy's backend DEALER connects; it receives requests, calls the {@link MachineWorker} and sends the
 * replies.
 *
 * <p>The loop binds and the backend connects (not the other way round) because a connecting inproc socket
 * attaches its pipe at once: when the frontend binds, the backend is already writable. With the backend bound
 * and the workers connecting, a request that reached the proxy before the backend had processed the worker's
 * attach command was stranded: {@code ZMQ.proxy} skips a readable frontend while the backend is not writable,
 * and JeroMQ's poll does not report that frontend again until another message arrives (measured).
 *
 * <p>Replies may be handed in from any thread ({@link MachineRequest#reply(List)}): they go into a queue and
 * the loop is woken through a private {@link Pipe} whose read end it polls together with its DEALER, so no
 * thread but the owner ever touches the socket. Wake-ups are coalesced by a flag: the loop drains the pipe,
 * clears the flag, then drains the reply queue, so a reply queued after the flag was cleared writes a new
 * wake-up byte and none is lost.
 *
 * <p>The loop stops through its own signal, {@link #stop(long)}: a volatile stop flag and a wake-up, never an
 * interrupt. On the way out it closes its DEALER, poller and pipe on its own thread, drops unsent replies
 * (counted) and calls {@link MachineWorker#onClose(String)}.
 */
public final class WorkerLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerLoop.class);
    private static final int RECEIVE_BATCH = 256;

    private final String machineName;
    private final String roleName;
    private final ZContext ctx;
    private final String endpoint;
    private final MachineWorker worker;
    private final int highWaterMark;
    private final Queue<String> lifecycle;
    private final PipeWaker waker;
    private final Queue<PendingReply> replies = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final LongAdder dispatched = new LongAdder();
    private final LongAdder workerFailures = new LongAdder();
    private final LongAdder droppedReplies = new LongAdder();
    private volatile boolean stopRequested;
    private volatile boolean closed;
    private volatile Thread owner;

    private record PendingReply(List<byte[]> envelope, List<byte[]> frames) {
    }

    /**
     * @param machineName the machine, for logs
     * @param index this loop's index within the machine
     * @param ctx the manager's context
     * @param endpoint the inproc endpoint this loop binds, unique per machine incarnation
     * @param worker the worker side
     * @param highWaterMark send and receive high-water mark of the loop's socket
     * @param lifecycle the machine's lifecycle log
     * @throws IOException if the wake-up pipe cannot be opened
     */
    public WorkerLoop(String machineName, int index, ZContext ctx, String endpoint, MachineWorker worker,
                      int highWaterMark, Queue<String> lifecycle) throws IOException {
        this.machineName = machineName;
        this.roleName = "worker-" + index;
        this.ctx = ctx;
        this.endpoint = endpoint;
        this.worker = worker;
        this.highWaterMark = highWaterMark;
        this.lifecycle = lifecycle;
        this.waker = PipeWaker.open();
    }

    /** @return this loop's role name within the machine, such as {@code worker-0} */
    public String roleName() {
        return roleName;
    }

    /** @return the inproc endpoint this loop binds */
    public String endpoint() {
        return endpoint;
    }

    /** @return completes once the loop's socket is bound, or exceptionally if that failed */
    public CompletableFuture<Void> started() {
        return started;
    }

    /** @return requests handed to the worker */
    public long dispatched() {
        return dispatched.sum();
    }

    /** @return replies dropped because the socket would block or the loop had closed */
    public long droppedReplies() {
        return droppedReplies.sum();
    }

    /**
     * Asks the loop to stop and waits for its thread until the deadline. Never interrupts.
     *
     * @param deadlineNanos a {@link System#nanoTime()} deadline
     * @return {@code true} if the loop thread has ended
     * @throws InterruptedException if the caller is interrupted while joining
     */
    public boolean stop(long deadlineNanos) throws InterruptedException {
        stopRequested = true;
        wake();
        Thread t = owner;
        if (t == null) {
            return true;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            t.join(Duration.ofNanos(left));
        }
        return !t.isAlive();
    }

    private void wake() {
        waker.wake();
    }

    @Override
    public void run() {
        owner = Thread.currentThread();
        ZMQ.Socket dealer = null;
        ZMQ.Poller poller = null;
        try {
            dealer = ctx.createSocket(SocketType.DEALER);
            dealer.setLinger(0);
            dealer.setSndHWM(highWaterMark);
            dealer.setRcvHWM(highWaterMark);
            dealer.bind(endpoint);
            poller = ctx.createPoller(2);
            poller.register(dealer, ZMQ.Poller.POLLIN);
            poller.register(waker.channel(), ZMQ.Poller.POLLIN);
            started.complete(null);
            loop(dealer, poller);
        } catch (ZMQException e) {
            if (e.getErrorCode() == ZMQ.Error.ETERM.getCode()) {
                LOG.warn("machine '{}' {}: context terminated under the loop; stopping", machineName, roleName);
            } else {
                LOG.error("machine '{}' {}: ZeroMQ failure, loop stops", machineName, roleName, e);
            }
            started.completeExceptionally(e);
        } catch (RuntimeException | Error e) {
            LOG.error("machine '{}' {}: loop failed", machineName, roleName, e);
            started.completeExceptionally(e);
        } finally {
            closed = true;
            int unsent = 0;
            while (replies.poll() != null) {
                unsent++;
            }
            droppedReplies.add(unsent);
            if (poller != null) {
                poller.close();
            }
            if (dealer != null) {
                dealer.close();
            }
            waker.close();
            lifecycle.add(roleName + ": closed" + (unsent > 0 ? " (" + unsent + " unsent replies dropped)" : ""));
            try {
                worker.onClose(machineName);
            } catch (RuntimeException e) {
                LOG.error("machine '{}' {}: worker onClose failed", machineName, roleName, e);
            }
        }
    }

    private void loop(ZMQ.Socket dealer, ZMQ.Poller poller) {
        boolean backlog = false;
        while (true) {
            flushReplies(dealer);
            if (stopRequested) {
                return;
            }
            // ZeroMQ readiness is edge-triggered: after a bounded batch that left messages behind, poll without
            // waiting, or the rest would sit unseen until the next message arrives.
            poller.poll(backlog ? 0 : -1);
            if (poller.pollin(1) && !waker.drain()) {
                LOG.error("machine '{}' {}: wake-up pipe failed; stopping", machineName, roleName);
                return;
            }
            backlog = false;
            for (int i = 0; i < RECEIVE_BATCH; i++) {
                List<byte[]> frames = receive(dealer);
                if (frames == null) {
                    break;
                }
                dispatch(frames);
                backlog = i == RECEIVE_BATCH - 1;
            }
        }
    }

    private static List<byte[]> receive(ZMQ.Socket dealer) {
        byte[] first = dealer.recv(ZMQ.DONTWAIT);
        if (first == null) {
            return null;
        }
        List<byte[]> frames = new ArrayList<>(4);
        frames.add(first);
        while (dealer.hasReceiveMore()) {
            frames.add(dealer.recv(0));
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
        List<byte[]> envelope = List.copyOf(frames.subList(0, split));
        List<byte[]> body = Collections.unmodifiableList(new ArrayList<>(frames.subList(split, frames.size())));
        dispatched.increment();
        try {
            worker.onRequest(new Request(envelope, body));
        } catch (RuntimeException e) {
            workerFailures.increment();
            LOG.error("machine '{}' {}: worker failed on a request of {} frames; no reply sent", machineName,
                    roleName, body.size(), e);
        }
    }

    private void flushReplies(ZMQ.Socket dealer) {
        PendingReply r;
        while ((r = replies.poll()) != null) {
            if (!send(dealer, r)) {
                droppedReplies.increment();
                LOG.warn("machine '{}' {}: reply dropped, backend would block (high-water mark reached)",
                        machineName, roleName);
            }
        }
    }

    private static boolean send(ZMQ.Socket dealer, PendingReply r) {
        int total = r.envelope().size() + r.frames().size();
        int n = 0;
        for (List<byte[]> part : List.of(r.envelope(), r.frames())) {
            for (byte[] frame : part) {
                n++;
                int flags = n < total ? ZMQ.SNDMORE | ZMQ.DONTWAIT : ZMQ.DONTWAIT;
                if (!dealer.send(frame, flags)) {
                    // Only the first frame can fail: ZeroMQ accepts the rest of a message once its first
                    // frame is queued.
                    return false;
                }
            }
        }
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
            replies.add(new PendingReply(envelope, List.copyOf(frames)));
            // The owner flushes after every dispatch; other threads must wake it.
            if (Thread.currentThread() != owner) {
                wake();
            }
            return true;
        }
    }
}
