package io.loomnet.transport.zmq.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import org.zeromq.ZMonitor;

import io.loomnet.DeadLetter;
import io.loomnet.Handle;
import io.loomnet.MessageType;
import io.loomnet.scope.Loop;
import io.loomnet.transport.zmq.internal.PipeWaker;

/**
 * The outbound link to one peer node, run as a {@link Loop} on its own thread ({@code loomnet-<id>-link-<peer>}),
 * which creates, uses and closes its two DEALER sockets and is never interrupted.
 *
 * <p><b>Path.</b> Any thread calls {@link #offer(OutFrame)}: the message (already encoded by the sender, header
 * written in place) goes on the lock-free {@link LinkOutbox}, and the link thread is woken only if it sleeps. The
 * link thread packs every queued message into batches (one ZeroMQ frame each, up to {@link #MAX_BATCH_BYTES}),
 * copying each message once, and writes them on the data connection. Order is the order of {@code offer}.
 *
 * <p><b>Liveness.</b> PINGs go on a connection of their own every heartbeat interval, so they never wait behind
 * data; the peer's inbox answers PONG with its incarnation and how many of this link's messages it has received. No
 * PONG for {@code downAfter} marks the peer DOWN; a PONG with a new incarnation means it restarted (reported down,
 * then up). When this node's inbox hears from a peer that is not UP, the link reconnects at once instead of
 * waiting out ZeroMQ's reconnect back-off ({@link #peerSeen()}).
 *
 * <p><b>Accounting.</b> See {@link LinkStats}: the data stream is numbered by epochs; an epoch ends when its
 * connection breaks or the peer restarts, and what the peer never confirmed of it is counted as lost with the peer.
 * The data connection is never reset while the peer is merely silent: a frozen peer that resumes receives
 * everything that was on its way. While DOWN, tells and requests are refused (the node dead-letters them) and the
 * ones still queued are dead-lettered; replies and notices wait for the peer (up to the queue limit).
 *
 * <p><b>Leaving.</b> {@link #leave(long)}: the link sends what is queued, then a LEAVING message, and waits (to the
 * deadline) for the peer's LEFT answer, which confirms it received everything. Then the loop ends; whatever could not
 * be sent is dead-lettered. A link that is not UP when the leave starts has nobody to tell and ends at once, unless
 * this node's inbox heard from the peer within {@code downAfter}: then the peer is alive and sees this node as up,
 * so the link waits (to the same deadline) to come UP and tell it, rather than let it find a silent node DOWN.
 */
final class PeerLink implements Loop {
    /** Largest batch the link builds (one message larger than this travels alone). */
    static final int MAX_BATCH_BYTES = 64 * 1024;
    private static final int MAX_BATCH_MESSAGES = 4096;
    private static final long FAST_RETRY_NANOS = 20_000_000L;
    /**
     * A connection whose TCP connect completed but whose ZMTP greeting has not been exchanged after this long is
     * stranded by JeroMQ 0.6.0's poller (see {@link #connect(String, int)}) and is made again. Each further attempt on
     * the same socket that does not greet in time waits twice as long (up to {@link #MAX_STRANDED_AFTER_NANOS}), so a
     * slow path, whose greeting needs more than this, is not reconnected forever.
     */
    static final long STRANDED_AFTER_NANOS = 100_000_000L;
    static final long MAX_STRANDED_AFTER_NANOS = 6_400_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(PeerLink.class);
    private static final SecureRandom EPOCHS = new SecureRandom();

    /** Link state, as seen by other threads. */
    enum State {
        /** No PONG yet: messages queue (tells and requests up to the limit). */
        CONNECTING,
        /** PONGs arrive in time. */
        UP,
        /** No PONG for {@code downAfter}: tells and requests are refused until the peer answers again. */
        DOWN,
        /** The peer said it is leaving; refused until a new incarnation of it answers. */
        LEFT,
        /** Closed. */
        CLOSED
    }

    /** Told about state changes and undeliverable messages, on the link thread (or the closing thread). */
    interface Listener {
        void peerUp(int peer);

        void peerDown(int peer, String reason);

        void peerLeft(int peer, String reason);

        /** A message the link accepted but could not send. */
        void undeliverable(OutFrame f, DeadLetter.Reason reason);
    }

    private final int self;
    private final int peer;
    private final String endpoint;
    private final ZContext context;
    private final ClusterConfig config;
    private final Listener listener;
    private final LinkOutbox outbox;
    private final PipeWaker waker;
    private final ConcurrentHashMap<Long, CompletableFuture<Handle>> lookups = new ConcurrentHashMap<>();
    private final AtomicLong nextCorrelation = new AtomicLong(1);
    /** 1 while someone (the link thread, or after close a late sender) consumes the outbox. */
    private final AtomicInteger draining = new AtomicInteger();

    // counters, read by any thread
    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder blocked = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private volatile long ackedSettled;
    private volatile long lostSettled;
    private volatile long ackedCurrent;
    private volatile long prevWritten;
    private volatile long prevAckedOld;
    private volatile long prevReceivedNew;
    private volatile int held;
    /** The size of {@link #waiting} as the link thread last saw it, for {@link #stats()}. */
    private volatile int waitingCount;
    final AtomicLong pongs = new AtomicLong();

    private volatile State state = State.CONNECTING;
    private volatile boolean peerSeen;
    /** When this node's inbox last heard from the peer while the link was not UP ({@link System#nanoTime()}), or 0. */
    private volatile long peerSeenAt;
    private volatile boolean leftNotice;
    private volatile boolean dataBroken;
    private volatile boolean dataConnected;
    /** The data connection has exchanged its ZMTP greeting: only then is anything handed to ZeroMQ. */
    private volatile boolean dataGreeted;
    /** When the beat / data connection's TCP connect completed without a ZMTP greeting yet, or 0. */
    private volatile long beatConnectedAt;
    private volatile long dataConnectedAt;
    /** The heartbeat connection has exchanged its ZMTP greeting (and is not known to have broken since), and when. */
    private volatile boolean beatGreeted;
    private volatile long beatGreetedAt;
    private final LongAdder stranded = new LongAdder();
    private volatile long leaveDeadline;
    private volatile boolean leaving;

    // link thread only
    private ZMQ.Socket beat;
    private ZMQ.Socket data;
    private ZMQ.Poller beatOnly;
    private ZMQ.Poller withData;
    private ZMQ.Poller stalled;
    private long peerIncarnation;
    private long prevIncarnation;
    private long epoch;
    private long previousEpoch;
    private long writtenEpoch;
    private long lastPong;
    private long nextPing;
    private long pingSeq;
    private long lastReconnect;
    private long beatStrandAfter = STRANDED_AFTER_NANOS;
    private long dataStrandAfter = STRANDED_AFTER_NANOS;
    private byte[] heldBatch;
    private final List<OutFrame> heldFrames = new ArrayList<>();
    private final ArrayDeque<OutFrame> waiting = new ArrayDeque<>();
    private final List<OutFrame> scratch = new ArrayList<>(MAX_BATCH_MESSAGES);
    private boolean leavingSent;
    private boolean leftAcked;

    PeerLink(int self, int peer, String endpoint, ZContext context, ClusterConfig config, Listener listener) {
        this.self = self;
        this.peer = peer;
        this.endpoint = endpoint;
        this.context = context;
        this.config = config;
        this.listener = listener;
        this.outbox = new LinkOutbox(config.linkQueueLimit());
        try {
            this.waker = PipeWaker.open();
        } catch (IOException e) {
            throw new ClusterException("link from node " + self + " to node " + peer + ": cannot open its wake-up pipe",
                    e);
        }
    }

    /** @return the loop's role, which names its thread */
    String role() {
        return self + "-link-" + peer;
    }

    State state() {
        return state;
    }

    int peer() {
        return peer;
    }

    LinkStats stats() {
        long lostNow = lostSettled + Math.max(0, prevWritten - prevAckedOld - prevReceivedNew);
        long ackedNow = ackedSettled + prevAckedOld + prevReceivedNew + ackedCurrent;
        int queued = outbox.throttledQueued() + outbox.controlCount() + held + waitingCount;
        return new LinkStats(peer, Cluster.PeerState.valueOf(state.name()), accepted.sum(), written.get(),
                batches.get(), ackedNow, lostNow, deadLettered.get(), queued, refused.sum(), blocked.sum(),
                rejected.sum());
    }

    // ------------------------------------------------------------------------------------------ senders

    /**
     * Takes a message for the peer. Any thread. A tell or request waits for room (or fails) under the configured
     * back-pressure policy; everything else never waits.
     *
     * @return {@code false} if the peer is down or has left (for tells, requests, watches and lookups), or the link
     *         is closed: the caller dead-letters the message
     * @throws ClusterBackPressureException if a tell or request found no room in time
     */
    boolean offer(OutFrame f) {
        State s = state;
        if (s == State.CLOSED || leaving) {
            refused.increment();
            return false;
        }
        boolean throttled = f.throttled();
        if (s == State.DOWN || s == State.LEFT) {
            // Replies and notices wait for the peer (it may be frozen, not dead); the rest is refused now.
            if (throttled || f.kind == Wire.WATCH || f.kind == Wire.LOOKUP
                    || outbox.controlCount() >= outbox.limit()) {
                refused.increment();
                return false;
            }
        }
        if (throttled && !outbox.tryAcquire()) {
            waitForRoom(f);
            State now = state;
            if (now == State.DOWN || now == State.LEFT || now == State.CLOSED) {
                outbox.release(1); // the peer went away while we waited: refuse, as if it had been away before
                refused.increment();
                return false;
            }
        }
        outbox.offer(f);
        accepted.increment();
        if (state == State.CLOSED) {
            drainAfterClose(); // the link thread may already have taken its last look at the queue
        } else {
            waker.wakeIfAsleep();
        }
        return true;
    }

    private void waitForRoom(OutFrame f) {
        if (config.backPressure() == BackPressure.FAIL) {
            rejected.increment();
            throw full(f, "");
        }
        blocked.increment();
        boolean got;
        try {
            got = outbox.acquire(config.sendTimeout().toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            rejected.increment();
            throw full(f, "; interrupted while waiting for room");
        }
        if (!got) {
            rejected.increment();
            throw full(f, "; waited " + config.sendTimeout().toMillis() + " ms");
        }
    }

    private ClusterBackPressureException full(OutFrame f, String how) {
        return new ClusterBackPressureException("link from node " + self + " to node " + peer + " is full ("
                + outbox.limit() + " messages queued): " + f.type + " " + payloadType(f) + " from " + f.source + " to "
                + f.target + " not sent" + how, f.target, f.type);
    }

    private static String payloadType(OutFrame f) {
        return f.payload == null ? "null" : f.payload.getClass().getName();
    }

    /** Resolves a name on the peer; completes with {@code null} if unknown or the peer is not reachable. */
    CompletableFuture<Handle> lookup(String name) {
        long id = nextCorrelation.getAndIncrement();
        CompletableFuture<Handle> result = new CompletableFuture<>();
        lookups.put(id, result);
        result.whenComplete((h, e) -> lookups.remove(id));
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[Wire.MESSAGE_HEADROOM + utf8.length];
        System.arraycopy(utf8, 0, b, Wire.MESSAGE_HEADROOM, utf8.length);
        Handle from = Handle.of(self, 0);
        Handle to = Handle.of(peer, 0);
        Wire.messageHeader(b, b.length, Wire.LOOKUP, from.value(), to.value(), id);
        if (!offer(new OutFrame(Wire.LOOKUP, from, to, id, null, null, b, b.length))) {
            result.complete(null);
        }
        return result;
    }

    /** This node's inbox heard from the peer: if the link is not UP, reconnect now rather than after back-off. */
    void peerSeen() {
        if (state != State.UP) {
            peerSeenAt = System.nanoTime();
            peerSeen = true;
            waker.wake();
        }
    }

    /** The peer said it is leaving (seen by this node's inbox). */
    void peerLeaving() {
        leftNotice = true;
        waker.wake();
    }

    /**
     * Starts leaving: the link sends what is queued and a LEAVING message, waits for the peer's answer until the
     * deadline, and then ends its loop. Any thread; returns at once.
     *
     * @param deadlineNanos a {@link System#nanoTime()} deadline for the whole leave
     */
    void leave(long deadlineNanos) {
        leaveDeadline = deadlineNanos;
        leaving = true;
        waker.wake();
    }

    // ------------------------------------------------------------------------------------------ loop

    @Override
    public void onStart() {
        beat = connect("beat", 4);
        beatOnly = context.createPoller(2);
        beatOnly.register(waker.channel(), ZMQ.Poller.POLLIN);
        beatOnly.register(beat, ZMQ.Poller.POLLIN);
        lastPong = System.nanoTime();
        nextPing = lastPong;
    }

    private ZMQ.Socket connect(String role, int highWaterMark) {
        ZMQ.Socket s = context.createSocket(SocketType.DEALER);
        s.setLinger(0);
        // Queue only to completed connections: a message is never parked for a connection that may lead to a
        // different process, and a broken connection's queue is dropped (and counted by the epoch accounting).
        s.setImmediate(false);
        s.setSndHWM(highWaterMark);
        s.setRcvHWM(1000);
        s.setReconnectIVL(100);
        s.setReconnectIVLMax(500);
        var curve = config.curveClient(peer);
        if (curve.isPresent()) {
            s.setCurveServerKey(curve.get().serverPublicKey());
            s.setCurvePublicKey(curve.get().clientPublicKey());
            s.setCurveSecretKey(curve.get().clientSecretKey());
        }
        // JeroMQ 0.6.0's poller can strand a connecting socket: when a non-blocking connect completes later, the
        // connecter's selection key and the new engine's handle share one channel, and depending on HashSet order the
        // engine's handle is never registered (or its key is cancelled) until some other handle on the I/O thread
        // changes. Neither side then sends its greeting and the connection sits idle (measured: 243 of 2000 fresh
        // connects under CPU load). The hook notes a TCP connect and its ZMTP greeting; the link writes data only
        // after the greeting, and makes a connection again if the greeting does not follow (docs/protocol.md).
        boolean isData = "data".equals(role);
        // Runs on JeroMQ's I/O thread: only fields and a wake-up, never a socket.
        s.setEventHook(event -> {
            switch (event.getEvent()) {
                case CONNECTED -> {
                    if (isData) {
                        dataConnected = true;
                        dataGreeted = false;
                        dataConnectedAt = System.nanoTime();
                    } else {
                        beatGreeted = false;
                        beatConnectedAt = System.nanoTime();
                    }
                    waker.wake();
                }
                case HANDSHAKE_PROTOCOL -> {
                    if (isData) {
                        dataConnectedAt = 0;
                        dataGreeted = true;
                        waker.wake();
                    } else {
                        beatConnectedAt = 0;
                        beatGreetedAt = System.nanoTime();
                        beatGreeted = true;
                    }
                }
                case DISCONNECTED -> {
                    if (isData) {
                        dataConnected = false;
                        dataGreeted = false;
                        dataConnectedAt = 0;
                        dataBroken = true;
                        waker.wake();
                    } else {
                        beatConnectedAt = 0;
                        beatGreeted = false;
                    }
                }
                default -> {
                }
            }
        }, ZMQ.EVENT_CONNECTED | ZMQ.EVENT_DISCONNECTED | ZMQ.EVENT_HANDSHAKE_PROTOCOL);
        s.connect(endpoint);
        return s;
    }

    private void openData() {
        data = connect("data", config.highWaterMark());
        withData = context.createPoller(3);
        withData.register(waker.channel(), ZMQ.Poller.POLLIN);
        withData.register(beat, ZMQ.Poller.POLLIN);
        withData.register(data, ZMQ.Poller.POLLIN);
        // While ZeroMQ's queue is full the loop also waits for the data DEALER to become writable; a separate
        // poller, because asking for POLLOUT all the time would make every poll return at once.
        stalled = context.createPoller(3);
        stalled.register(waker.channel(), ZMQ.Poller.POLLIN);
        stalled.register(beat, ZMQ.Poller.POLLIN);
        stalled.register(data, ZMQ.Poller.POLLIN | ZMQ.Poller.POLLOUT);
        newEpoch();
    }

    @Override
    public boolean doWork() {
        try {
            return turn();
        } catch (ZMQException e) {
            if (e.getErrorCode() == ZMQ.Error.ETERM.getCode()) {
                return false;
            }
            throw e;
        }
    }

    private boolean turn() {
        long now = System.nanoTime();
        if (leftNotice) {
            leftNotice = false;
            if (state != State.LEFT && state != State.CLOSED) {
                enterLost(State.LEFT, "node " + peer + " is closing");
            }
        }
        if (peerSeen) {
            peerSeen = false;
            reconnectSoon(now);
        }
        if (dataBroken) {
            dataBroken = false;
            endEpoch(peerIncarnation);
        }
        unstrand(now);
        if (now - nextPing >= 0) {
            ping(now);
        }
        if (state == State.UP && dataGreeted) {
            drain();
        }
        if (leaving) {
            if (leftAcked || (state != State.UP && !worthTellingOfLeave(now))) {
                return false;
            }
            if (now - leaveDeadline >= 0) {
                // The peer learns of the close from its failure detector instead (DOWN after downAfter).
                LOG.warn("node {}: node {} did not confirm that this node is leaving before the close deadline "
                                + "(link {}, LEAVING sent: {}, data connection greeted: {}, held batch: {}, waiting: {}, "
                                + "queued: {}); it will see this node as down instead of left", self, peer, state,
                        leavingSent, dataGreeted, heldBatch != null, waiting.size(), !outbox.isEmpty());
                return false;
            }
            if (state == State.UP && !leavingSent && heldBatch == null && outbox.isEmpty() && waiting.isEmpty()) {
                sendLeaving();
            }
        }
        waitingCount = waiting.size();
        long waitNanos = nextPing - System.nanoTime();
        long strandCheck = nextStrandCheck();
        if (strandCheck != 0) {
            waitNanos = Math.min(waitNanos, strandCheck - System.nanoTime());
        }
        if (leaving) {
            waitNanos = Math.min(waitNanos, leaveDeadline - System.nanoTime());
        }
        long waitMs = Math.max(0, (waitNanos + 999_999) / 1_000_000);
        ZMQ.Poller p = data == null ? beatOnly : heldBatch != null ? stalled : withData;
        if (waitMs > 0 && heldBatch == null) {
            waker.prepareToSleep();
            if (!outbox.isEmpty() && state == State.UP) {
                waitMs = 0;
            }
        }
        int n;
        try {
            n = p.poll(waitMs);
        } finally {
            waker.awake();
        }
        if (n < 0) {
            return false;
        }
        if (p.pollin(0) && !waker.drain()) {
            return false;
        }
        if (p.pollin(1)) {
            readBeat();
        }
        if (data != null && p.pollin(2)) {
            readData();
        }
        return true;
    }

    /**
     * A link that is not UP when its node leaves (still connecting, or it missed heartbeats under load) waits to
     * come UP only if the peer is alive: this node's inbox heard from it within {@code downAfter}, so it sees this
     * node as up and would otherwise find it DOWN, not LEFT. A peer not heard from, or one that is itself leaving
     * or gone, is not waited for.
     */
    private boolean worthTellingOfLeave(long now) {
        State s = state;
        long seen = peerSeenAt;
        return (s == State.CONNECTING || s == State.DOWN) && seen != 0
                && now - seen < config.downAfter().toNanos();
    }

    private void ping(long now) {
        boolean sent = beat.send(Wire.ping(Handle.of(self, 0).value(), ++pingSeq, epoch, previousEpoch),
                ZMQ.DONTWAIT);
        // Not connected yet (the send found no connection): try again soon rather than a full interval later.
        nextPing = now + (sent || state == State.UP ? config.heartbeatInterval().toNanos()
                : Math.min(FAST_RETRY_NANOS, config.heartbeatInterval().toNanos()));
        State s = state;
        if ((s == State.UP || s == State.CONNECTING) && now - lastPong > config.downAfter().toNanos()) {
            enterLost(State.DOWN, (s == State.CONNECTING ? "never answered" : "no heartbeat answer") + " for "
                    + (now - lastPong) / 1_000_000 + " ms at " + endpoint);
        }
    }

    /** Makes again a connection JeroMQ left stranded between its TCP connect and its greeting. */
    private void unstrand(long now) {
        if (beatGreeted) {
            beatStrandAfter = STRANDED_AFTER_NANOS;
        }
        if (dataGreeted) {
            dataStrandAfter = STRANDED_AFTER_NANOS;
        }
        long b = beatConnectedAt;
        if (b != 0 && now - b > beatStrandAfter) {
            beatConnectedAt = 0;
            beatStrandAfter = nextStrandAfter(beatStrandAfter);
            stranded.increment();
            LOG.debug("link from node {} to node {}: heartbeat connection stranded before its greeting; reconnecting",
                    self, peer);
            beat.disconnect(endpoint);
            beat.connect(endpoint);
        }
        long d = dataConnectedAt;
        if (data != null && d != 0 && now - d > dataStrandAfter) {
            dataConnectedAt = 0;
            dataGreeted = false;
            dataStrandAfter = nextStrandAfter(dataStrandAfter);
            stranded.increment();
            LOG.debug("link from node {} to node {}: data connection stranded before its greeting; reconnecting",
                    self, peer);
            // The link writes to a data connection only after its greeting (JeroMQ creates the connection's queue at
            // the TCP connect, before the greeting), so normally nothing was handed to this one. If a greeting was
            // reported just as it was judged stranded, something may have been: end the epoch, so whatever the peer
            // does not confirm is counted as lost with the connection, never silently.
            data.disconnect(endpoint);
            data.connect(endpoint);
            if (writtenEpoch > 0) {
                endEpoch(peerIncarnation);
            }
        }
    }

    private static long nextStrandAfter(long current) {
        return Math.min(current * 2, MAX_STRANDED_AFTER_NANOS);
    }

    /** @return when the loop must next look for a stranded connection, or 0 if none is pending */
    private long nextStrandCheck() {
        long b = beatConnectedAt;
        long d = dataConnectedAt;
        long bAt = b == 0 ? 0 : b + beatStrandAfter + 1;
        long dAt = d == 0 ? 0 : d + dataStrandAfter + 1;
        return bAt == 0 ? dAt : dAt == 0 ? bAt : Math.min(bAt, dAt);
    }

    /** @return connections made again because JeroMQ stranded them before their greeting */
    long strandedConnections() {
        return stranded.sum();
    }

    /**
     * Reconnects the heartbeat (and a broken data) connection at once, at most once per heartbeat interval, and pings.
     * A heartbeat connection that greeted less than {@code downAfter} ago is kept: its PONG may be on its way (over a
     * slow path, making it again every interval would throw every answer away). An older one is made again: it has
     * had its chance, and it may be a half-open TCP connection to a host that vanished without a reset.
     */
    private void reconnectSoon(long now) {
        if (state == State.UP || now - lastReconnect < config.heartbeatInterval().toNanos()) {
            return;
        }
        lastReconnect = now;
        if (!beatGreeted || now - beatGreetedAt > config.downAfter().toNanos()) {
            beat.disconnect(endpoint);
            beat.connect(endpoint);
        }
        if (data != null && !dataConnected) {
            // Only a broken data connection: a live one may still carry messages to a peer that was frozen.
            data.disconnect(endpoint);
            data.connect(endpoint);
        }
        nextPing = now; // and probe right away
    }

    private void readBeat() {
        byte[] f;
        while ((f = beat.recv(ZMQ.DONTWAIT)) != null) {
            while (beat.hasReceiveMore()) {
                beat.recv(0);
            }
            if (Wire.frameKind(f) == Wire.PONG && f.length == Wire.PONG_SIZE) {
                pong(Wire.getLong(f, 12), Wire.getLong(f, 20), Wire.getLong(f, 28));
            }
        }
    }

    private void pong(long incarnation, long received, long receivedPrevious) {
        lastPong = System.nanoTime();
        pongs.incrementAndGet();
        if (incarnation == 0) {
            return;
        }
        State s = state;
        if (peerIncarnation != 0 && incarnation != peerIncarnation) {
            // A new process answers: the old one's services are gone, and so is what it had not confirmed.
            long old = peerIncarnation;
            if (s == State.UP || s == State.CONNECTING) {
                enterLost(State.DOWN, "node " + peer + " restarted (new incarnation)");
            }
            forgetOldIncarnation();
            peerIncarnation = incarnation;
            endEpoch(old);
            s = state;
        } else if (s == State.LEFT) {
            return; // the leaving process still answers while it closes; wait for its next incarnation
        }
        if (peerIncarnation == 0) {
            peerIncarnation = incarnation;
        }
        if (data == null) {
            openData();
        } else {
            ackedCurrent = Math.max(ackedCurrent, received);
            if (incarnation == prevIncarnation) {
                prevAckedOld = Math.max(prevAckedOld, receivedPrevious);
            } else if (previousEpoch != 0) {
                prevReceivedNew = Math.max(prevReceivedNew, receivedPrevious);
            }
        }
        if (s != State.UP) {
            state = State.UP;
            listener.peerUp(peer);
        }
    }

    private void readData() {
        byte[] f;
        while ((f = data.recv(ZMQ.DONTWAIT)) != null) {
            dataReply(f);
            while (data.hasReceiveMore()) {
                dataReply(data.recv(0));
            }
        }
    }

    private void dataReply(byte[] f) {
        byte kind = Wire.frameKind(f);
        if (kind == Wire.LOOKUP_REPLY && f.length == Wire.LOOKUP_REPLY_SIZE) {
            CompletableFuture<Handle> l = lookups.get(Wire.getLong(f, 4));
            if (l != null) {
                long h = Wire.getLong(f, 12);
                l.complete(h == 0 ? null : Handle.ofValue(h));
            }
        } else if (kind == Wire.LEFT && f.length == Wire.LEFT_SIZE && Wire.getLong(f, 12) == epoch) {
            ackedCurrent = Math.max(ackedCurrent, Wire.getLong(f, 4));
            leftAcked = true;
        }
    }

    /** Ends the current epoch: its unconfirmed part now settles against {@code incarnation} and its successor. */
    private void endEpoch(long incarnation) {
        if (data == null) {
            return;
        }
        if (leavingSent && !leftAcked) {
            leavingSent = false; // a LEAVING lost with the epoch's connection is sent again on the next
        }
        unholdBatch();
        // Fold the epoch before the previous one: nothing more will be learnt about it.
        ackedSettled += prevAckedOld + prevReceivedNew;
        lostSettled += Math.max(0, prevWritten - prevAckedOld - prevReceivedNew);
        prevWritten = writtenEpoch;
        prevAckedOld = ackedCurrent;
        prevReceivedNew = 0;
        prevIncarnation = incarnation;
        previousEpoch = epoch;
        newEpoch();
    }

    private void newEpoch() {
        long e;
        do {
            e = EPOCHS.nextLong();
        } while (e == 0 || e == epoch || e == previousEpoch);
        epoch = e;
        writtenEpoch = 0;
        ackedCurrent = 0;
    }

    /** DOWN or LEFT: tell the node, dead-letter queued tells and requests, keep replies and notices waiting. */
    private void enterLost(State to, String reason) {
        state = to;
        OutFrame f;
        List<OutFrame> keep = new ArrayList<>();
        int permits = 0;
        while ((f = outbox.poll()) != null) {
            if (f.throttled()) {
                permits++;
            }
            if (f.throttled() || f.kind == Wire.WATCH || f.kind == Wire.LOOKUP) {
                undeliverable(f, DeadLetter.Reason.NODE_UNREACHABLE);
            } else {
                keep.add(f);
            }
        }
        outbox.release(permits);
        waiting.addAll(keep);
        failLookups();
        if (to == State.LEFT) {
            listener.peerLeft(peer, reason);
        } else {
            listener.peerDown(peer, reason);
        }
    }

    /**
     * The peer restarted: replies and notices still waiting were meant for its earlier run, whose sessions and
     * handles the new run reuses. They are dead-lettered here, never sent to the new run.
     */
    private void forgetOldIncarnation() {
        unholdBatch();
        OutFrame f;
        int permits = 0;
        while ((f = outbox.poll()) != null) {
            if (f.throttled()) {
                permits++;
            }
            waiting.add(f);
        }
        outbox.release(permits);
        while ((f = waiting.pollFirst()) != null) {
            undeliverable(f, DeadLetter.Reason.NODE_UNREACHABLE);
        }
    }

    // ------------------------------------------------------------------------------------------ sending

    /**
     * A held batch carries the epoch and incarnation it was built for in its header: when that epoch ends it was
     * never written, so its messages go back to the front of the waiting line, in order, to be sent again in a
     * batch of the next epoch (or dead-lettered, if the peer restarted). Left in place, it would be counted in the
     * new epoch while the peer counted it, if at all, in the old one.
     */
    private void unholdBatch() {
        if (heldBatch == null) {
            return;
        }
        for (int i = heldFrames.size() - 1; i >= 0; i--) {
            waiting.addFirst(heldFrames.get(i));
        }
        heldFrames.clear();
        heldBatch = null;
        held = 0;
    }

    /** Moves waiting and queued messages into ZeroMQ, batch by batch, until empty or ZeroMQ's queue is full. */
    private void drain() {
        if (data == null) {
            return;
        }
        while (true) {
            if (heldBatch != null) {
                if (!data.send(heldBatch, ZMQ.DONTWAIT)) {
                    return;
                }
                wrote(heldFrames);
                heldBatch = null;
                heldFrames.clear();
                held = 0;
            }
            if (!fillBatch()) {
                return;
            }
        }
    }

    /** @return {@code false} if there was nothing to send */
    private boolean fillBatch() {
        scratch.clear();
        int bytes = Wire.BATCH_HEADER;
        int permits = 0;
        while (scratch.size() < MAX_BATCH_MESSAGES) {
            OutFrame f = waiting.peekFirst();
            if (f != null) {
                if (!scratch.isEmpty() && bytes + f.length > MAX_BATCH_BYTES) {
                    break;
                }
                waiting.pollFirst();
            } else {
                f = outbox.poll();
                if (f == null) {
                    break;
                }
                if (f.throttled()) {
                    permits++;
                }
                if (!scratch.isEmpty() && bytes + f.length > MAX_BATCH_BYTES) {
                    waiting.addFirst(f); // next batch; its permit is already back
                    outbox.release(permits);
                    permits = 0;
                    break;
                }
            }
            scratch.add(f);
            bytes += f.length;
        }
        outbox.release(permits);
        if (scratch.isEmpty()) {
            return false;
        }
        byte[] batch = new byte[bytes];
        Wire.batchHeader(batch, peerIncarnation, epoch, self, scratch.size());
        int at = Wire.BATCH_HEADER;
        for (OutFrame f : scratch) {
            System.arraycopy(f.bytes, 0, batch, at, f.length);
            at += f.length;
        }
        if (data.send(batch, ZMQ.DONTWAIT)) {
            wrote(scratch);
        } else {
            heldBatch = batch;
            heldFrames.addAll(scratch);
            held = heldFrames.size();
        }
        scratch.clear();
        return heldBatch == null;
    }

    private void wrote(List<OutFrame> frames) {
        int n = frames.size();
        writtenEpoch += n;
        written.addAndGet(n);
        batches.incrementAndGet();
        for (OutFrame f : frames) {
            f.bytes = null; // let the encoding go; the frame object is the queue's stub for a moment longer
            f.payload = null;
        }
    }

    private void sendLeaving() {
        byte[] b = new byte[Wire.MESSAGE_HEADROOM];
        Handle from = Handle.of(self, 0);
        Handle to = Handle.of(peer, 0);
        Wire.messageHeader(b, b.length, Wire.LEAVING, from.value(), to.value(), 0);
        waiting.add(new OutFrame(Wire.LEAVING, from, to, 0, null, null, b, b.length));
        accepted.increment();
        leavingSent = true;
        if (dataGreeted) {
            drain(); // else the greeting's wake-up lets the loop drain it
        }
    }

    // ------------------------------------------------------------------------------------------ closing

    @Override
    public void wake() {
        waker.wake();
    }

    @Override
    public void onClose() {
        State was = state;
        state = State.CLOSED;
        // Held and waiting messages never left; then the queue, which late senders may still be feeding.
        for (OutFrame f : heldFrames) {
            undeliverable(f, DeadLetter.Reason.NODE_CLOSED);
        }
        heldFrames.clear();
        heldBatch = null;
        held = 0;
        OutFrame f;
        while ((f = waiting.pollFirst()) != null) {
            undeliverable(f, DeadLetter.Reason.NODE_CLOSED);
        }
        waitingCount = 0;
        drainAfterClose();
        // The connection ends here: whatever the peer has not confirmed is lost with it.
        ackedSettled += prevAckedOld + prevReceivedNew + ackedCurrent;
        lostSettled += Math.max(0, prevWritten - prevAckedOld - prevReceivedNew)
                + Math.max(0, writtenEpoch - ackedCurrent);
        prevWritten = 0;
        prevAckedOld = 0;
        prevReceivedNew = 0;
        ackedCurrent = 0;
        writtenEpoch = 0;
        failLookups();
        for (ZMQ.Poller p : new ZMQ.Poller[] {beatOnly, withData, stalled}) {
            if (p != null) {
                p.close();
            }
        }
        if (data != null) {
            data.close();
        }
        if (beat != null) {
            beat.close();
        }
        waker.close();
        if (was == State.UP) {
            LOG.debug("link from node {} to node {} closed", self, peer);
        }
    }

    /**
     * Dead-letters what is in the queue after the link thread has stopped consuming it. Whoever gets the
     * {@link #draining} token drains; a sender that queued behind the last drain sees CLOSED and drains itself.
     */
    private void drainAfterClose() {
        while (draining.compareAndSet(0, 1)) {
            try {
                OutFrame f;
                int permits = 0;
                while ((f = outbox.poll()) != null) {
                    if (f.throttled()) {
                        permits++;
                    }
                    undeliverable(f, DeadLetter.Reason.NODE_CLOSED);
                }
                outbox.release(permits);
            } finally {
                draining.set(0);
            }
            if (outbox.isEmpty()) {
                return;
            }
        }
    }

    private void undeliverable(OutFrame f, DeadLetter.Reason reason) {
        deadLettered.incrementAndGet();
        if (f.type != null) {
            listener.undeliverable(f, reason);
        } else if (f.kind == Wire.LOOKUP) {
            CompletableFuture<Handle> l = lookups.get(f.session);
            if (l != null) {
                l.complete(null);
            }
        }
        f.bytes = null;
        f.payload = null;
    }

    private void failLookups() {
        for (CompletableFuture<Handle> l : lookups.values()) {
            l.complete(null);
        }
    }

    @Override
    public String toString() {
        return "PeerLink[" + self + " -> " + peer + " at " + endpoint + ", " + state + "]";
    }
}
