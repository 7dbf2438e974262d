package io.loomnet.transport.zmq.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The live connections of one machine's frontend, as a set of channel objects (seed fix 7). ACCEPTED and
 * CONNECTED add the event's channel, DISCONNECTED removes it, MONITOR_STOPPED and {@link #close()} clear it.
 * The count is the set's size, so it can never go negative and a DISCONNECTED without a matching ACCEPTED
 * changes nothing. JeroMQ 0.6.0 never emits HANDSHAKE_SUCCEEDED, and connections that never finish a
 * handshake (a raw TCP socket) are live connections too, so handshake events are not used.
 *
 * <p><b>Thread safety.</b> Mutations come from the connection-event loop and from the stopping thread
 * ({@link #close()}); they take a lock so that nothing is added after close. {@link #size()} may be read from
 * any thread without locking.
 */
public final class PeerSet {
    private final Set<Object> channels = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    /** @param channel an accepted or connected channel; ignored after {@link #close()} */
    public void add(Object channel) {
        lock.lock();
        try {
            if (!closed && channel != null) {
                channels.add(channel);
            }
        } finally {
            lock.unlock();
        }
    }

    /** @param channel a disconnected channel; unknown channels are ignored */
    public void remove(Object channel) {
        if (channel != null) {
            channels.remove(channel);
        }
    }

    /** Forgets every channel (MONITOR_STOPPED); the set stays usable. */
    public void clear() {
        channels.clear();
    }

    /**
     * Clears the set for good: later adds are ignored.
     *
     * @return how many channels were live
     */
    public int close() {
        lock.lock();
        try {
            closed = true;
            int n = channels.size();
            channels.clear();
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** @return the number of live channels, never negative */
    public int size() {
        return channels.size();
    }
}
