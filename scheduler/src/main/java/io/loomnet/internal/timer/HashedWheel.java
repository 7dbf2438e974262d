package io.loomnet.internal.timer;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Skynet's hierarchical timing wheel ({@code skynet_timer.c}) with 64-bit ticks, doubly linked buckets and
 * O(1) cancel. It has no clock and no thread: the owner says which tick it is by calling
 * {@link #advance(long, Consumer)}, which makes it deterministic and lets tests drive it tick by tick.
 *
 * <p>Layout (see {@code package-info}): {@code near[256]} holds timers due within the current 256-tick window;
 * four levels of 64 buckets hold timers that differ from the current tick in bits 8-13, 14-19, 20-25 and
 * 26-31; one overflow list holds timers that differ in bits 32 and up. A node always sits in the bucket a
 * fresh {@code add} at the current tick would choose, so timers due at the same tick share one bucket, in
 * insertion order.
 *
 * <p>Costs: {@link #add} and {@link #cancel} are O(1). {@link #advance} is O(ticks with work + timers fired +
 * timers cascaded); empty stretches of ticks are skipped without visiting them one by one, so catching up
 * after a long stall is cheap. Each timer is cascaded at most once per level it passes through, plus once per
 * 2<sup>32</sup> ticks while it waits in the overflow list.
 *
 * <p>Ticks are {@code long}s from 0 to {@link #MAX_TICK}. Skynet counts ticks in a {@code uint32} and must
 * re-sort its top level when the counter wraps (every 2<sup>32</sup> ticks, 497 days at 10 ms; commit
 * {@code f6fa6c7d} fixed a bug there). A 64-bit counter does not wrap for 2.9 billion years at 10 ms per tick,
 * so the wrap case is replaced by the overflow list, re-sorted whenever the low 32 bits of the tick are zero.
 *
 * <p><b>Note:</b> not threadsafe. All methods, and the sink, must be called by one thread at a time, with
 * happens-before between callers (for example under one lock). {@link #add} and {@link #cancel} may be called
 * from inside the sink during {@link #advance}; {@link #advance} may not.
 */
public final class HashedWheel {
    /** The largest tick the wheel accepts; one less than {@link Long#MAX_VALUE} so that {@code tick + 1} is safe. */
    public static final long MAX_TICK = Long.MAX_VALUE - 1;

    static final int NEAR_BITS = 8;
    static final int NEAR_SIZE = 1 << NEAR_BITS;
    static final long NEAR_MASK = NEAR_SIZE - 1;
    static final int LEVEL_BITS = 6;
    static final int LEVEL_SIZE = 1 << LEVEL_BITS;
    static final long LEVEL_MASK = LEVEL_SIZE - 1;
    static final int LEVELS = 4;
    /** Bits covered by near + levels: 32, as in Skynet. Timers further away go to the overflow list. */
    static final int WHEEL_BITS = NEAR_BITS + LEVELS * LEVEL_BITS;
    static final long WHEEL_MASK = (1L << WHEEL_BITS) - 1;

    /** Bucket kinds, used as indexes into {@link #kindCount}: near, levels 0-3, overflow. */
    static final int KIND_NEAR = 0;
    static final int KIND_OVERFLOW = LEVELS + 1;

    private final Bucket[] near = new Bucket[NEAR_SIZE];
    private final Bucket[][] levels = new Bucket[LEVELS][LEVEL_SIZE];
    private final Bucket overflow = new Bucket(this, KIND_OVERFLOW, 0);
    /** One bit per non-empty near bucket, to find the next due tick without visiting empty ones. */
    private final long[] nearBits = new long[NEAR_SIZE / Long.SIZE];
    private final int[] kindCount = new int[KIND_OVERFLOW + 1];
    /**
     * A multiple of 2<sup>32</sup> at or before the first tick at which an overflow node comes within the 32-bit
     * wheel: the minimum of {@code expire & ~WHEEL_MASK} over the overflow list when it was last re-sorted or
     * appended to. Cancels leave it stale, which is safe: the list is then re-sorted early, not late.
     */
    private long overflowDue = Long.MAX_VALUE;

    private long tick;
    private int size;
    private boolean advancing;

    /** Creates an empty wheel at tick 0. */
    public HashedWheel() {
        for (int i = 0; i < NEAR_SIZE; i++) {
            near[i] = new Bucket(this, KIND_NEAR, i);
        }
        for (int l = 0; l < LEVELS; l++) {
            for (int i = 0; i < LEVEL_SIZE; i++) {
                levels[l][i] = new Bucket(this, l + 1, i);
            }
        }
    }

    /**
     * The current tick: the last tick {@link #advance} reached. While the sink runs, the tick being dispatched.
     *
     * @return the current tick, 0 for a new wheel
     */
    public long tick() {
        return tick;
    }

    /**
     * The number of pending timers: added, not yet handed to a sink and not cancelled.
     *
     * @return the pending count
     */
    public int size() {
        return size;
    }

    /**
     * Adds a timer in O(1). A timer due at or before the current tick (delay 0, or a tick already passed) is due
     * at {@code tick() + 1}, so it is handed out by the next {@link #advance} that moves the wheel; this holds
     * also when called from inside the sink (the race Skynet fixed in #291 cannot lose it).
     *
     * @param expireTick the tick at which the task is due, at most {@link #MAX_TICK}; any lower value, negative
     *                   included, means "as soon as possible"
     * @param task       what to hand to the sink
     * @return the node, for {@link #cancel(TimerNode)}
     * @throws IllegalArgumentException if {@code expireTick > MAX_TICK}
     * @throws IllegalStateException    if the wheel is at {@link #MAX_TICK} and can never fire another timer
     */
    public TimerNode add(final long expireTick, final Runnable task) {
        Objects.requireNonNull(task, "task");
        if (expireTick > MAX_TICK) {
            throw new IllegalArgumentException("expireTick " + expireTick + " is past MAX_TICK " + MAX_TICK);
        }
        if (tick >= MAX_TICK) {
            throw new IllegalStateException("the wheel is at MAX_TICK " + MAX_TICK + "; no later tick exists");
        }
        final TimerNode node = new TimerNode(Math.max(expireTick, tick + 1), task);
        link(node);
        size++;
        return node;
    }

    /**
     * Removes a pending timer in O(1), unlinking it so that it no longer holds memory.
     *
     * @param node a node returned by this wheel's {@link #add}
     * @return {@code true} if the node was pending and is now cancelled; {@code false} if it had already fired
     *         or been cancelled
     * @throws IllegalArgumentException if the node is pending in another wheel
     */
    public boolean cancel(final TimerNode node) {
        if (node.state != TimerNode.PENDING) {
            return false;
        }
        if (node.bucket.owner != this) {
            throw new IllegalArgumentException("node belongs to another wheel: " + node);
        }
        unlink(node);
        node.state = TimerNode.CANCELLED;
        size--;
        return true;
    }

    /**
     * Moves the wheel to {@code toTick}, one tick after another, cascading as Skynet's {@code timer_shift} does,
     * and hands every task due at a tick in {@code (tick(), toTick]} to {@code sink}: in expiry order, ties in
     * insertion order. Ticks where nothing is due and nothing cascades are skipped without visiting them.
     * Does nothing to the tick if {@code toTick <= tick()}.
     *
     * <p>Each node is marked fired and unlinked before its task is passed to the sink. The sink may call
     * {@link #add} (a timer for the current tick or earlier is due at the next tick) and {@link #cancel}. If the
     * sink throws, the exception propagates, {@link #tick()} stays at the tick being dispatched, and the
     * remaining tasks due at that tick are handed out first by the next call.
     *
     * @param toTick the tick to reach, at most {@link #MAX_TICK}
     * @param sink   receives due tasks; typically runs them or collects them to run outside a lock
     * @return the number of tasks handed to the sink
     * @throws IllegalStateException    if called from inside the sink
     * @throws IllegalArgumentException if {@code toTick > MAX_TICK}
     */
    public int advance(final long toTick, final Consumer<Runnable> sink) {
        Objects.requireNonNull(sink, "sink");
        if (toTick > MAX_TICK) {
            throw new IllegalArgumentException("toTick " + toTick + " is past MAX_TICK " + MAX_TICK);
        }
        if (advancing) {
            throw new IllegalStateException("advance called from inside the sink at tick " + tick);
        }
        advancing = true;
        try {
            // Leftovers: tasks of the current tick that a throwing sink did not receive (Skynet's first
            // timer_execute in timer_update). add() never links a node at the current tick.
            int fired = dispatch(near[(int) (tick & NEAR_MASK)], sink);
            while (tick < toTick) {
                final long quietUntil = quietUntil();
                if (quietUntil >= toTick) {
                    tick = toTick;
                    break;
                }
                tick = quietUntil;
                shift(++tick);
                fired += dispatch(near[(int) (tick & NEAR_MASK)], sink);
            }
            return fired;
        } finally {
            advancing = false;
        }
    }

    /**
     * Removes every pending timer, marking each cancelled, and hands each task to {@code discarded} (which
     * must not call back into the wheel). The tick is unchanged.
     *
     * @param discarded receives the task of every removed timer, in no particular order
     * @return the number of timers removed
     */
    public int clear(final Consumer<Runnable> discarded) {
        Objects.requireNonNull(discarded, "discarded");
        int removed = clearBucket(overflow, discarded);
        overflowDue = Long.MAX_VALUE;
        for (final Bucket b : near) {
            removed += clearBucket(b, discarded);
        }
        for (final Bucket[] level : levels) {
            for (final Bucket b : level) {
                removed += clearBucket(b, discarded);
            }
        }
        return removed;
    }

    /**
     * The last tick before the next one at which something happens: a non-empty near bucket comes due, or a
     * non-empty level (or the overflow list) cascades. {@link Long#MAX_VALUE} if the wheel is empty.
     */
    private long quietUntil() {
        if (kindCount[KIND_NEAR] > 0) {
            final int from = (int) (tick & NEAR_MASK) + 1;
            // Every near node is due in (tick, tick | 255], so its slot is above the current one.
            final int slot = nextNearSlot(from);
            return (tick & ~NEAR_MASK) + slot - 1;
        }
        for (int kind = 1; kind < KIND_OVERFLOW; kind++) {
            if (kindCount[kind] > 0) {
                return tick | ((1L << cascadeBits(kind)) - 1);
            }
        }
        if (kindCount[KIND_OVERFLOW] > 0) {
            // Not just the next multiple of 2^32: a timer 2^62 ticks away must not cost 2^30 re-sorts.
            return overflowDue - 1;
        }
        return Long.MAX_VALUE;
    }

    private int nextNearSlot(final int from) {
        for (int w = from >>> 6; w < nearBits.length; w++) {
            long bits = nearBits[w];
            if (w == from >>> 6) {
                bits &= -1L << (from & 63);
            }
            if (bits != 0) {
                return (w << 6) + Long.numberOfTrailingZeros(bits);
            }
        }
        throw new IllegalStateException("near count " + kindCount[KIND_NEAR] + " but no near bucket after slot "
            + from + " at tick " + tick);
    }

    /** Ticks at which a bucket of this kind can cascade are multiples of {@code 2^cascadeBits(kind)}. */
    static int cascadeBits(final int kind) {
        return kind == KIND_OVERFLOW ? WHEEL_BITS : NEAR_BITS + (kind - 1) * LEVEL_BITS;
    }

    /** Skynet's {@code timer_shift} after {@code ++T->time}: re-sort at most one bucket. */
    private void shift(final long ct) {
        if ((ct & WHEEL_MASK) == 0) {
            // Skynet re-adds t[3][0] when its 32-bit counter wraps to 0; here every level index of ct is 0,
            // so only the overflow list can have become due for re-sorting.
            if (ct >= overflowDue) {
                overflowDue = Long.MAX_VALUE;
                cascade(overflow);
            }
            return;
        }
        long mask = NEAR_MASK;
        long t = ct >>> NEAR_BITS;
        for (int i = 0; i < LEVELS && (ct & mask) == 0; i++) {
            final int idx = (int) (t & LEVEL_MASK);
            if (idx != 0) {
                cascade(levels[i][idx]);
                return;
            }
            mask = (mask << LEVEL_BITS) | LEVEL_MASK;
            t >>>= LEVEL_BITS;
        }
    }

    private void cascade(final Bucket bucket) {
        TimerNode node = bucket.head;
        if (node == null) {
            return;
        }
        kindCount[bucket.kind] -= bucket.count;
        bucket.head = null;
        bucket.tail = null;
        bucket.count = 0;
        while (node != null) {
            final TimerNode next = node.next;
            node.prev = null;
            node.next = null;
            link(node);
            node = next;
        }
    }

    private int dispatch(final Bucket bucket, final Consumer<Runnable> sink) {
        int fired = 0;
        TimerNode node;
        // Pop one node at a time: the sink may cancel a later node of this bucket, and add() never links into
        // the bucket of the current tick.
        while ((node = bucket.head) != null) {
            unlink(node);
            node.state = TimerNode.FIRED;
            size--;
            fired++;
            sink.accept(node.task);
        }
        return fired;
    }

    private int clearBucket(final Bucket bucket, final Consumer<Runnable> discarded) {
        int removed = 0;
        TimerNode node;
        while ((node = bucket.head) != null) {
            unlink(node);
            node.state = TimerNode.CANCELLED;
            size--;
            removed++;
            discarded.accept(node.task);
        }
        return removed;
    }

    /** Skynet's {@code add_node}: the bucket for a timer due at {@code expire} when the wheel is at {@code now}. */
    Bucket bucketFor(final long expire, final long now) {
        if ((expire | NEAR_MASK) == (now | NEAR_MASK)) {
            return near[(int) (expire & NEAR_MASK)];
        }
        if (((expire ^ now) >>> WHEEL_BITS) != 0) {
            return overflow;
        }
        long mask = (1L << (NEAR_BITS + LEVEL_BITS)) - 1;
        int i = 0;
        for (; i < LEVELS - 1; i++) {
            if ((expire | mask) == (now | mask)) {
                break;
            }
            mask = (mask << LEVEL_BITS) | LEVEL_MASK;
        }
        return levels[i][(int) ((expire >>> (NEAR_BITS + i * LEVEL_BITS)) & LEVEL_MASK)];
    }

    private void link(final TimerNode node) {
        final Bucket bucket = bucketFor(node.expireTick, tick);
        node.bucket = bucket;
        if (bucket == overflow) {
            overflowDue = Math.min(overflowDue, node.expireTick & ~WHEEL_MASK);
        }
        final TimerNode tail = bucket.tail;
        if (tail == null) {
            bucket.head = node;
            if (bucket.kind == KIND_NEAR) {
                nearBits[bucket.index >>> 6] |= 1L << (bucket.index & 63);
            }
        } else {
            tail.next = node;
            node.prev = tail;
        }
        bucket.tail = node;
        bucket.count++;
        kindCount[bucket.kind]++;
    }

    private void unlink(final TimerNode node) {
        final Bucket bucket = node.bucket;
        final TimerNode prev = node.prev;
        final TimerNode next = node.next;
        if (prev == null) {
            bucket.head = next;
        } else {
            prev.next = next;
        }
        if (next == null) {
            bucket.tail = prev;
        } else {
            next.prev = prev;
        }
        node.prev = null;
        node.next = null;
        node.bucket = null;
        bucket.count--;
        kindCount[bucket.kind]--;
        if (bucket.head == null) {
            if (bucket.kind == KIND_NEAR) {
                nearBits[bucket.index >>> 6] &= ~(1L << (bucket.index & 63));
            } else if (bucket == overflow) {
                overflowDue = Long.MAX_VALUE; // a stale value must not outlive the list and lie behind the tick
            }
        }
    }

    /**
     * Test support: walks every list and checks links, counts, states, and that each node sits where
     * {@link #bucketFor} puts it at the current tick. Throws {@link IllegalStateException} on the first breach.
     *
     * @return the number of linked nodes found
     */
    int checkInvariants() {
        int total = checkBucket(overflow);
        for (final Bucket b : near) {
            total += checkBucket(b);
        }
        for (final Bucket[] level : levels) {
            if (level[0].head != null) {
                throw new IllegalStateException("level bucket 0 is never used, but holds " + level[0].head);
            }
            for (final Bucket b : level) {
                total += checkBucket(b);
            }
        }
        int kinds = 0;
        for (final int c : kindCount) {
            kinds += c;
        }
        if (total != size || kinds != size) {
            throw new IllegalStateException("size " + size + ", linked " + total + ", per-kind total " + kinds);
        }
        return total;
    }

    private int checkBucket(final Bucket bucket) {
        int n = 0;
        TimerNode prev = null;
        for (TimerNode node = bucket.head; node != null; node = node.next) {
            if (node.bucket != bucket || node.prev != prev || node.state != TimerNode.PENDING) {
                throw new IllegalStateException("bad links or state at " + node + " in " + bucket);
            }
            // Only leftovers of a sink that threw may be due at the current tick (see advance).
            final boolean leftover = node.expireTick == tick && bucket == near[(int) (tick & NEAR_MASK)];
            if (node.expireTick <= tick && !leftover) {
                throw new IllegalStateException("overdue " + node + " at tick " + tick);
            }
            if (bucket == overflow && (node.expireTick & ~WHEEL_MASK) < overflowDue) {
                throw new IllegalStateException(node + " is due before overflowDue " + overflowDue);
            }
            if (bucketFor(node.expireTick, tick) != bucket) {
                throw new IllegalStateException(node + " in " + bucket + " but belongs in "
                    + bucketFor(node.expireTick, tick) + " at tick " + tick);
            }
            prev = node;
            n++;
        }
        if (bucket.tail != prev || bucket.count != n) {
            throw new IllegalStateException("bad tail or count in " + bucket);
        }
        final boolean bit = (nearBits[bucket.index >>> 6] & (1L << (bucket.index & 63))) != 0;
        if (bucket.kind == KIND_NEAR && bit != (n > 0)) {
            throw new IllegalStateException("near bitmap disagrees with " + bucket);
        }
        return n;
    }

    /** A doubly linked list of nodes, appended at the tail so that ties keep insertion order. */
    static final class Bucket {
        final HashedWheel owner;
        final int kind;
        final int index;
        TimerNode head;
        TimerNode tail;
        int count;

        Bucket(final HashedWheel owner, final int kind, final int index) {
            this.owner = owner;
            this.kind = kind;
            this.index = index;
        }

        @Override
        public String toString() {
            final String name = kind == KIND_NEAR ? "near" : kind == KIND_OVERFLOW ? "overflow" : "level" + (kind - 1);
            return name + "[" + index + "](" + count + ")";
        }
    }
}
