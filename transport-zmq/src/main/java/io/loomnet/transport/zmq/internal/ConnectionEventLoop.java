package io.loomnet.transport.zmq.internal;

import io.loomnet.transport.zmq.ConnectionEventStats;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;
import org.zeromq.ZMonitor;

import io.loomnet.scope.Loop;

/**
 * The manager's connection-event loop: one loop thread ({@code loomnet-}{@value #THREAD_ROLE}{@code -<n>}, run by a
 * {@link io.loomnet.scope.LoopRunner}) that applies the connection events of every machine's frontend to that
 * machine's {@link PeerSet}.
 *
 * <p>JeroMQ calls a socket's event hook synchronously on its I/O or reaper thread. The hook made by
 * {@link #hookFor(long)} only {@code offer}s the event to a bounded queue ({@value #QUEUE_CAPACITY} events, the
 * seed's RCVHWM) and never blocks; when the queue is full the event is dropped, counted and logged. The loop
 * always drains the queue, so the I/O thread can never stall on connection events (seed fix 6).
 *
 * <p>Machines are looked up by incarnation <em>when each event is applied</em>, never cached in the hook or
 * before dispatch; an event for a machine that is gone is counted as stale and ignored (seed fix 3).
 * {@link #unregister(long)} is how a machine's {@code monitor} stage stops tracking: it removes the machine and
 * closes its peer set at once, without waiting for MONITOR_STOPPED, which may arrive late or never (seed fix 4).
 *
 * <p>Event order per machine is preserved because each machine's context has one I/O thread, which produces
 * ACCEPTED and DISCONNECTED for every connection of that machine, and the queue is FIFO.
 *
 * <p><b>Thread safety.</b> {@link #register(long)}, {@link #unregister(long)}, {@link #stats()} and the hooks
 * may be used from any thread; {@link #doWork()} runs on the loop thread.
 */
public final class ConnectionEventLoop implements Loop {
    /** The loop's role; its thread is {@code loomnet-zmq-connection-events-<n>}. */
    public static final String THREAD_ROLE = "zmq-connection-events";
    private static final int DRAIN_BATCH = 1024;
    /** Queue capacity, the equivalent of the seed's monitor-socket RCVHWM. */
    public static final int QUEUE_CAPACITY = 100_000;
    /** The events every machine's frontend hook subscribes to. */
    public static final int HOOK_EVENTS = ZMQ.EVENT_ACCEPTED | ZMQ.EVENT_CONNECTED | ZMQ.EVENT_DISCONNECTED
            | ZMQ.EVENT_MONITOR_STOPPED | ZMQ.EVENT_HANDSHAKE_PROTOCOL;

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionEventLoop.class);
    private static final ConnectionEvent WAKE = new ConnectionEvent(-1, null, null);

    /**
     * One event as offered by a hook.
     *
     * @param incarnation the machine incarnation whose frontend produced it
     * @param type the event type
     * @param channel the event's value: the channel for ACCEPTED, CONNECTED and DISCONNECTED
     */
    public record ConnectionEvent(long incarnation, ZMonitor.Event type, Object channel) {
    }

    private final BlockingQueue<ConnectionEvent> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final ConcurrentHashMap<Long, PeerSet> machines = new ConcurrentHashMap<>();
    private final LongAdder received = new LongAdder();
    private final LongAdder applied = new LongAdder();
    private final LongAdder stale = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder handshakes = new LongAdder();
    private final AtomicBoolean dropLogged = new AtomicBoolean();

        /**
     * Starts tracking a machine's connections. Call before its frontend binds.
     *
     * @param incarnation the machine incarnation
     * @return the machine's peer set
     */
    public PeerSet register(long incarnation) {
        PeerSet peers = new PeerSet();
        if (machines.putIfAbsent(incarnation, peers) != null) {
            throw new IllegalStateException("incarnation " + incarnation + " is already registered");
        }
        return peers;
    }

    /**
     * Stops tracking a machine: removes it, so later events for it are stale, and closes its peer set. Does not
     * wait for MONITOR_STOPPED.
     *
     * @param incarnation the machine incarnation
     * @return how many peers were live, or -1 if the incarnation was not registered
     */
    public int unregister(long incarnation) {
        PeerSet peers = machines.remove(incarnation);
        return peers == null ? -1 : peers.close();
    }

    /** @param incarnation a machine incarnation @return whether it is tracked */
    public boolean isRegistered(long incarnation) {
        return machines.containsKey(incarnation);
    }

    /**
     * A hook for {@code socket.setEventHook(hook, HOOK_EVENTS)}. It captures the incarnation number only, never
     * the machine or its peer set.
     *
     * @param incarnation the machine incarnation
     * @return a non-blocking hook
     */
    public ZEvent.ZEventConsummer hookFor(long incarnation) {
        return event -> offer(new ConnectionEvent(incarnation, event.getEvent(), event.getValue()));
    }

    /**
     * Offers one event without blocking; what a hook does.
     *
     * @param event the event
     * @return {@code false} if the queue was full and the event was dropped
     */
    public boolean offer(ConnectionEvent event) {
        received.increment();
        if (queue.offer(event)) {
            return true;
        }
        dropped.increment();
        if (dropLogged.compareAndSet(false, true)) {
            LOG.error("connection-event queue full ({} events): dropping events, peer counts may drift; is the "
                    + "{} loop alive?", QUEUE_CAPACITY, THREAD_ROLE);
        }
        return false;
    }

    /** @return a snapshot of the counters */
    public ConnectionEventStats stats() {
        return new ConnectionEventStats(received.sum(), applied.sum(), stale.sum(), dropped.sum(), handshakes.sum());
    }

    @Override
    public boolean doWork() {
        ConnectionEvent e;
        try {
            e = queue.take();
        } catch (InterruptedException ie) {
            // Nobody should interrupt this thread; keep draining so hooks never back up.
            LOG.warn("{} interrupted; ignoring, it stops only through its runner", THREAD_ROLE);
            return true;
        }
        for (int n = 0; e != null && n < DRAIN_BATCH; n++) {
            if (e != WAKE) {
                try {
                    apply(e);
                } catch (RuntimeException ex) {
                    LOG.error("{}: failed to apply {}; continuing", THREAD_ROLE, e, ex);
                }
            }
            e = n + 1 < DRAIN_BATCH ? queue.poll() : null;
        }
        return true;
    }

    @Override
    public void wake() {
        // A marker, so the wake-up is sticky: the turn that takes it returns and the runner sees its stop flag.
        if (!queue.offer(WAKE)) {
            queue.clear(); // full of events nobody will apply any more: the loop is stopping
            queue.offer(WAKE);
        }
    }

    /**
     * Applies every queued event on the calling thread; for tests that drive a loop that was never started.
     *
     * @return how many events were applied
     */
    int applyPending() {
        int n = 0;
        ConnectionEvent e;
        while ((e = queue.poll()) != null) {
            if (e != WAKE) {
                apply(e);
                n++;
            }
        }
        return n;
    }

    /**
     * Applies one event; package-visible for tests that drive the loop without its thread.
     *
     * @param e the event
     */
    void apply(ConnectionEvent e) {
        if (e.type() == ZMonitor.Event.HANDSHAKE_PROTOCOL) {
            handshakes.increment();
        }
        // Look up at use (fix 3): the machine may have been destroyed since the hook fired.
        PeerSet peers = machines.get(e.incarnation());
        if (peers == null) {
            stale.increment();
            LOG.trace("ignoring {} for machine incarnation {} that no longer exists", e.type(), e.incarnation());
            return;
        }
        switch (e.type()) {
            case ACCEPTED, CONNECTED -> peers.add(e.channel());
            case DISCONNECTED -> peers.remove(e.channel());
            case MONITOR_STOPPED -> peers.clear();
            default -> {
                // statistics only
            }
        }
        applied.increment();
    }
}
