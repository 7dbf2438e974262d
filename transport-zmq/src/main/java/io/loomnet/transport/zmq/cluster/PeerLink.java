package io.loomnet.transport.zmq.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;

import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

import io.loomnet.Handle;
import io.loomnet.transport.zmq.internal.PipeWaker;

/**
 * The outbound link to one peer node: a DEALER connected to the peer's inbox machine, owned by one platform
 * thread ({@code loomnet-<id>-link-<peer>}) that is never interrupted.
 *
 * <p><b>Feeding it.</b> Any thread calls {@link #offer(byte[])}: the frame goes on a lock-free queue and a
 * {@link PipeWaker} wakes the link thread's poll (coalesced; no socket is shared). The link thread drains the
 * queue in order, so frames leave in the order they were offered (per-sender order holds across the wire).
 *
 * <p><b>Liveness.</b> Every heartbeat interval the link sends a PING; the peer's inbox answers PONG through its
 * machine. No PONG for {@code downAfter} marks the peer DOWN ({@link Listener#peerDown}); offers are refused
 * while DOWN (the node dead-letters them). ZeroMQ reconnects the DEALER by itself; the first PONG after that
 * marks the peer UP again. A frozen peer (process stopped) is caught the same way as a dead one. PONGs carry
 * the peer cluster's incarnation (random per start), so a peer that restarts faster than the down timeout is
 * still reported down once (its services are gone) and then up.
 *
 * <p><b>Stopping.</b> {@link #close(long)} sets a flag and wakes the link thread, which closes its own socket
 * with linger 0 and ends. Never interrupted.
 */
final class PeerLink {
    private static final Logger LOG = LoggerFactory.getLogger(PeerLink.class);

    /** Link state, as seen by other threads. */
    enum State {
        /** Started, no PONG yet: frames queue (up to the limit). */
        CONNECTING,
        /** PONGs arrive in time. */
        UP,
        /** No PONG for {@code downAfter}: frames are refused until the peer answers again. */
        DOWN,
        /** Closed. */
        CLOSED
    }

    /** Told about state changes and answers, on the link thread; must not block. */
    interface Listener {
        void peerUp(int peer);

        void peerDown(int peer, String reason);

        /** A frame the link could not send (queue over its limit at DOWN, or ZeroMQ refused it). */
        void dropped(int peer, byte[] frame, String reason);
    }

    private final int self;
    private final int peer;
    private final String endpoint;
    private final ZContext context;
    private final ClusterConfig config;
    private final Listener listener;
    private final ConcurrentLinkedQueue<byte[]> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final ConcurrentHashMap<Long, CompletableFuture<Handle>> lookups = new ConcurrentHashMap<>();
    private final AtomicLong nextCorrelation = new AtomicLong(1);
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    final AtomicLong framesOut = new AtomicLong();
    final AtomicLong pongs = new AtomicLong();
    private volatile State state = State.CONNECTING;
    /** The incarnation the peer's PONGs carry; a change means it restarted. Link thread only. */
    private long peerIncarnation;
    private volatile boolean closing;
    private final PipeWaker waker;
    private static final byte[] EMPTY = new byte[0];
    /** A frame ZeroMQ would not take yet (its send queue was full); link thread only. */
    private byte[] stalled;
    private Thread thread;

    PeerLink(int self, int peer, String endpoint, ZContext context, ClusterConfig config, Listener listener) {
        this.self = self;
        this.peer = peer;
        this.endpoint = endpoint;
        this.context = context;
        this.config = config;
        this.listener = listener;
        try {
            this.waker = PipeWaker.open();
        } catch (java.io.IOException e) {
            throw new ClusterException("link from node " + self + " to node " + peer + ": cannot open its wake-up pipe",
                    e);
        }
    }

    /** Starts the link thread and waits until its wake socket is bound. */
    void start() {
        thread = Thread.ofPlatform().daemon(true).name("loomnet-" + self + "-link-" + peer).start(this::run);
        try {
            ready.get(config.startTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new ClusterException("link from node " + self + " to node " + peer + " at " + endpoint
                    + " did not start within " + config.startTimeout().toMillis() + " ms", e);
        }
    }

    State state() {
        return state;
    }

    int peer() {
        return peer;
    }

    /**
     * Queues a frame for the peer. Any thread; never blocks.
     *
     * @return {@code false} if the peer is DOWN, the link is closing, or the queue is over its limit
     */
    boolean offer(byte[] frame) {
        State s = state;
        if (s == State.DOWN || s == State.CLOSED || closing) {
            return false;
        }
        if (queued.incrementAndGet() > config.linkQueueLimit()) {
            queued.decrementAndGet();
            return false;
        }
        outbox.add(frame);
        waker.wake();
        return true;
    }

    /** Resolves a name on the peer; completes with {@code null} if unknown. */
    CompletableFuture<Handle> lookup(String name) {
        long id = nextCorrelation.getAndIncrement();
        CompletableFuture<Handle> f = new CompletableFuture<>();
        lookups.put(id, f);
        f.whenComplete((h, e) -> lookups.remove(id));
        byte[] frame = Frame.encode(Frame.Kind.LOOKUP, Handle.of(self, 0), Handle.of(peer, 0), id,
                name.getBytes(StandardCharsets.UTF_8));
        if (!offer(frame)) {
            f.complete(null);
        }
        return f;
    }

    private ZMQ.Socket connect(String role) {
        ZMQ.Socket s = context.createSocket(SocketType.DEALER);
        s.setLinger(0);
        // No fixed identity: the peer's ROUTER refuses a second connection with an identity it still holds, and
        // a reset data connection (or a restarted node) would be locked out until the old one timed out.
        s.setSndHWM(config.highWaterMark());
        s.setRcvHWM(config.highWaterMark());
        s.setReconnectIVL(100);
        s.setReconnectIVLMax(1000);
        var curve = config.curveClient(peer);
        if (curve.isPresent()) {
            s.setCurveServerKey(curve.get().serverPublicKey());
            s.setCurvePublicKey(curve.get().clientPublicKey());
            s.setCurveSecretKey(curve.get().clientSecretKey());
        }
        s.connect(endpoint);
        return s;
    }

    /**
     * The link thread's sockets: the data DEALER with its two pollers, and the heartbeat DEALER. Heartbeats
     * get a connection of their own: behind a flood on the data connection a PING would wait its turn and a
     * busy but healthy peer would look dead; the peer's ROUTER fair-queues between connections, so a PING
     * overtakes the backlog. Link thread only.
     */
    private final class Sockets {
        final ZMQ.Socket beat = connect("-beat");
        ZMQ.Socket data;
        ZMQ.Poller idle;
        ZMQ.Poller stalledPoller;

        Sockets() {
            openData();
        }

        private void openData() {
            data = connect("");
            idle = context.createPoller(3);
            idle.register(waker.channel(), ZMQ.Poller.POLLIN);
            idle.register(data, ZMQ.Poller.POLLIN);
            idle.register(beat, ZMQ.Poller.POLLIN);
            // While ZeroMQ's send queue is full the loop also waits for the data DEALER to become writable; a
            // separate poller, because asking for POLLOUT all the time would make every poll return at once.
            stalledPoller = context.createPoller(3);
            stalledPoller.register(waker.channel(), ZMQ.Poller.POLLIN);
            stalledPoller.register(data, ZMQ.Poller.POLLIN | ZMQ.Poller.POLLOUT);
            stalledPoller.register(beat, ZMQ.Poller.POLLIN);
        }

        private void closeData() {
            idle.close();
            stalledPoller.close();
            data.close();
        }

        /**
         * Throws away the data connection and everything ZeroMQ still holds for it (linger 0), then connects
         * afresh. Called when the peer is declared down, so that frames sent to the dead incarnation are never
         * delivered to the next one (its sequences start again at 1, so they could reach a new service).
         */
        void resetData() {
            closeData();
            openData();
        }

        void close() {
            closeData();
            beat.close();
        }
    }

    private void run() {
        Sockets sockets = null;
        try {
            sockets = new Sockets();
            ready.complete(null);
            loop(sockets);
        } catch (ZMQException e) {
            if (!ready.isDone()) {
                ready.completeExceptionally(e);
            } else if (!closing) {
                LOG.error("link from node {} to node {} at {} failed: {}", self, peer, endpoint, e.toString(), e);
            }
        } catch (RuntimeException e) {
            if (!ready.isDone()) {
                ready.completeExceptionally(e);
            }
            LOG.error("link from node {} to node {} at {} failed: {}", self, peer, endpoint, e.toString(), e);
        } finally {
            if (sockets != null) {
                sockets.close();
            }
            waker.close();
            State was = state;
            state = State.CLOSED;
            failLookups();
            if (was == State.UP) {
                LOG.debug("link from node {} to node {} closed", self, peer);
            }
        }
    }

    private void markDown(Sockets sockets, String reason) {
        state = State.DOWN;
        dropQueued("peer " + peer + " is down");
        failLookups();
        sockets.resetData();
        listener.peerDown(peer, reason);
    }

    private void loop(Sockets sockets) {
        long intervalNanos = config.heartbeatInterval().toNanos();
        long downAfterNanos = config.downAfter().toNanos();
        long started = System.nanoTime();
        long lastPong = started;
        long nextPing = started;
        long pingSeq = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= nextPing) {
                byte[] ping = Frame.encode(Frame.Kind.PING, Handle.of(self, 0), Handle.of(peer, 0), ++pingSeq, null);
                if (sockets.beat.send(EMPTY, ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
                    sockets.beat.send(ping, 0);
                }
                nextPing = now + intervalNanos;
                State s = state;
                if (s != State.DOWN && now - lastPong > downAfterNanos) {
                    markDown(sockets, (s == State.CONNECTING ? "never answered" : "no heartbeat answer") + " for "
                            + (now - lastPong) / 1_000_000 + " ms at " + endpoint);
                }
            }
            long waitMs = Math.max(1, (nextPing - System.nanoTime()) / 1_000_000);
            ZMQ.Poller poller = stalled != null ? sockets.stalledPoller : sockets.idle;
            if (poller.poll(waitMs) < 0) {
                return; // context terminated
            }
            if (poller.pollin(0) && !waker.drain()) {
                return;
            }
            if (closing) {
                return;
            }
            drain(sockets.data);
            ZMQ.Socket data = sockets.data;
            receive:
            for (int i = 1; i <= 2; i++) {
                if (!poller.pollin(i)) {
                    continue;
                }
                ZMQ.Socket s = i == 1 ? data : sockets.beat;
                byte[] frame;
                while ((frame = recvBody(s)) != null) {
                    Frame f = Frame.parse(frame);
                    if (f == null) {
                        continue;
                    }
                    if (f.kind() == Frame.Kind.PONG) {
                        lastPong = System.nanoTime();
                        pongs.incrementAndGet();
                        long incarnation = f.bodyLength() == 8
                                ? java.nio.ByteBuffer.wrap(f.body(), f.bodyOffset(), 8).getLong() : 0;
                        boolean restarted = peerIncarnation != 0 && incarnation != peerIncarnation
                                && state == State.UP;
                        if (restarted) {
                            // The peer restarted faster than the down timeout: its services are gone all the same.
                            markDown(sockets, "node " + peer + " restarted (new incarnation)");
                        }
                        peerIncarnation = incarnation;
                        if (state != State.UP) {
                            state = State.UP;
                            listener.peerUp(peer);
                            drain(sockets.data);
                        }
                        if (restarted) {
                            break receive; // the data socket and its pollers were replaced: poll afresh
                        }
                    } else if (f.kind() == Frame.Kind.LOOKUP_REPLY) {
                        CompletableFuture<Handle> l = lookups.get(f.session());
                        if (l != null) {
                            l.complete(f.target().value() == 0 ? null : f.target());
                        }
                    }
                }
            }
        }
    }

    /** Receives one reply ([empty][body]) without blocking; returns the body or {@code null}. */
    private static byte[] recvBody(ZMQ.Socket dealer) {
        byte[] first = dealer.recv(ZMQ.DONTWAIT);
        if (first == null) {
            return null;
        }
        byte[] body = first;
        while (dealer.hasReceiveMore()) {
            body = dealer.recv(0);
        }
        return body;
    }

    /**
     * Moves queued frames into ZeroMQ until the queue is empty or ZeroMQ's send queue is full. A frame ZeroMQ
     * refuses is kept ({@link #stalled}) and sent first when the DEALER is writable again: back-pressure, not
     * loss. While stalled, the outbox fills up to its limit and only then are new offers refused.
     */
    private void drain(ZMQ.Socket dealer) {
        if (state == State.DOWN) {
            dropQueued("peer " + peer + " is down");
            return;
        }
        while (true) {
            byte[] frame = stalled;
            if (frame == null) {
                frame = outbox.poll();
                if (frame == null) {
                    return;
                }
                queued.decrementAndGet();
            }
            // The peer drops a frame stamped for another of its incarnations: nothing meant for a dead
            // incarnation ever reaches the next one, whose handle sequences start again at 1.
            Frame.stamp(frame, peerIncarnation);
            // ZeroMQ checks the high-water mark on a message's first part; the rest of it is then accepted.
            if (!dealer.send(EMPTY, ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
                stalled = frame;
                return;
            }
            dealer.send(frame, 0);
            stalled = null;
            framesOut.incrementAndGet();
        }
    }

    private void dropQueued(String reason) {
        if (stalled != null) {
            listener.dropped(peer, stalled, reason);
            stalled = null;
        }
        byte[] frame;
        while ((frame = outbox.poll()) != null) {
            queued.decrementAndGet();
            listener.dropped(peer, frame, reason);
        }
    }

    private void failLookups() {
        for (CompletableFuture<Handle> f : lookups.values()) {
            f.complete(null);
        }
    }

    /**
     * Stops the link thread and closes the wake sender. Idempotent.
     *
     * @return {@code true} if the link thread ended by the deadline
     */
    boolean close(long deadlineNanos) throws InterruptedException {
        closing = true;
        Thread t = thread;
        if (t == null) {
            return true;
        }
        waker.wake();
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            t.join(Duration.ofNanos(left));
        }
        if (t.isAlive()) {
            return false;
        }
        dropQueued("link closed"); // the link thread has ended: its fields are ours now (join is the edge)
        return true;
    }
}
