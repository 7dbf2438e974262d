package io.loomnet.internal;

import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import io.loomnet.NodeStats;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;

/**
 * Registers a node's {@link NodeStatisticsEvent} with JFR's periodic events while the node runs. Each node has
 * its own hook, so a recording gets one event per node per period. {@link #close()} removes it; the node's
 * scope does that when the node closes.
 *
 * <p>The hook is added only once JFR is initialized (by a recording: {@code -XX:StartFlightRecording},
 * {@code jcmd JFR.start}, a {@code Recording} or {@code RecordingStream}). The first
 * {@link FlightRecorder#addPeriodicEvent} in a JVM initializes JFR's event metadata, which takes a few hundred
 * milliseconds on a small machine; a node in a JVM that never records does not pay that. A listener, which
 * costs well under a millisecond, adds the hook when JFR initializes, or at once if it already has.
 */
final class NodeStatisticsHook implements AutoCloseable {
    private final Runnable hook;
    private final FlightRecorderListener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean added; // lock
    private boolean closed; // lock

    private NodeStatisticsHook(Supplier<NodeStats> stats) {
        this.hook = () -> emit(stats.get());
        this.listener = new FlightRecorderListener() {
            @Override
            public void recorderInitialized(FlightRecorder recorder) {
                addHook();
            }
        };
    }

    /**
     * @param stats the node's counters, read on JFR's periodic thread once per period while the event is enabled
     * @return the registration, to close when the node closes
     */
    static NodeStatisticsHook register(Supplier<NodeStats> stats) {
        NodeStatisticsHook h = new NodeStatisticsHook(Objects.requireNonNull(stats, "stats"));
        FlightRecorder.addListener(h.listener); // calls recorderInitialized now if JFR is already up
        return h;
    }

    private void addHook() {
        // Called by JFR while it holds its own lock; close() never calls into JFR while holding this one.
        lock.lock();
        try {
            if (!closed && !added) {
                FlightRecorder.addPeriodicEvent(NodeStatisticsEvent.class, hook);
                added = true;
            }
        } finally {
            lock.unlock();
        }
    }

    private static void emit(NodeStats s) {
        NodeStatisticsEvent e = new NodeStatisticsEvent();
        e.nodeId = s.nodeId();
        e.liveServices = s.liveServices();
        e.spawned = s.spawned();
        e.sent = s.sent();
        e.handled = s.handled();
        e.deadLetters = s.deadLetters();
        e.lateReplies = s.lateReplies();
        e.pendingCalls = s.pendingCalls();
        e.liveThreads = s.liveThreads();
        e.stuckReports = s.stuckReports();
        e.loopErrors = s.loopErrors();
        e.commit();
    }

    /** Stops the periodic event for this node; idempotent. */
    @Override
    public void close() {
        boolean remove;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true; // no hook is added from now on
            remove = added;
        } finally {
            lock.unlock();
        }
        FlightRecorder.removeListener(listener);
        if (remove) {
            FlightRecorder.removePeriodicEvent(hook);
        }
    }
}
