package io.loomnet.internal.timer;

/**
 * One timer in a {@link HashedWheel}: its expiry tick, its task and its links in a bucket list.
 *
 * <p>A node is created {@link #isPending() pending} by {@link HashedWheel#add(long, Runnable)} and leaves that
 * state exactly once: it is {@link #isFired() fired} when the wheel hands its task to the sink, or
 * {@link #isCancelled() cancelled} by {@link HashedWheel#cancel(TimerNode)} or {@link HashedWheel#clear}.
 * A node that has left the wheel holds no reference to the wheel's lists, so it never keeps other nodes alive.
 *
 * <p><b>Note:</b> not threadsafe. A node is confined to the thread, or the lock, that owns its wheel.
 */
public final class TimerNode {
    static final byte PENDING = 0;
    static final byte FIRED = 1;
    static final byte CANCELLED = 2;

    final long expireTick;
    final Runnable task;
    TimerNode prev;
    TimerNode next;
    /** The list this node is linked into; {@code null} once it has left the wheel. */
    HashedWheel.Bucket bucket;
    byte state;

    TimerNode(long expireTick, Runnable task) {
        this.expireTick = expireTick;
        this.task = task;
    }

    /**
     * The tick at which the wheel fires this node: the requested tick, or the tick after the wheel's current
     * tick if the requested one had already been reached when the node was added.
     *
     * @return the effective expiry tick
     */
    public long expireTick() {
        return expireTick;
    }

    /**
     * The task this node hands to the sink when it fires.
     *
     * @return the task given to {@link HashedWheel#add(long, Runnable)}
     */
    public Runnable task() {
        return task;
    }

    /**
     * Whether the node is still linked into its wheel, waiting for its tick.
     *
     * @return {@code true} until the node fires or is cancelled
     */
    public boolean isPending() {
        return state == PENDING;
    }

    /**
     * Whether the wheel has handed this node's task to a sink.
     *
     * @return {@code true} once fired
     */
    public boolean isFired() {
        return state == FIRED;
    }

    /**
     * Whether the node was removed before it fired.
     *
     * @return {@code true} once cancelled or cleared
     */
    public boolean isCancelled() {
        return state == CANCELLED;
    }

    @Override
    public String toString() {
        final String s = state == PENDING ? "pending" : state == FIRED ? "fired" : "cancelled";
        return "TimerNode[expireTick=" + expireTick + ", " + s + ", task=" + task + "]";
    }
}
