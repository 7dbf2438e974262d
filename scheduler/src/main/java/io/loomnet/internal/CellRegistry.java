package io.loomnet.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The node's live services by handle sequence: a table indexed directly by the sequence, which is dense (handed
 * out by one counter from 1) and never reused. A lookup is two array reads and an acquire load: no hashing, no
 * boxing of the {@code long} key, no lock. Skynet's {@code handle_storage} does the same with a hash of a dense
 * id; here the id is the index.
 *
 * <p><b>Layout.</b> Slots live in chunks of {@value #CHUNK} behind a directory that covers a sliding window of
 * chunk numbers, {@code [base, base + chunks.length)}. A chunk is made when its first sequence is registered and
 * dropped once every sequence in it has been handed out and removed; when leading chunks are gone the window
 * slides, so a node that spawns and stops services for years keeps a directory the size of its live range, not
 * of every sequence it ever used.
 *
 * <p>Threading: {@link #get} and iteration from any thread, lock-free; {@link #put} and {@link #remove} take a
 * small lock (spawn and stop, not the message path). Iteration is weakly consistent, like a concurrent map's.
 */
final class CellRegistry implements Iterable<ServiceCell> {
    private static final int SHIFT = 10;
    /** Sequences per chunk. */
    static final int CHUNK = 1 << SHIFT;
    private static final int MASK = CHUNK - 1;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(ServiceCell[].class);

    /** An immutable directory snapshot: chunk {@code base + i} is {@code chunks[i]} (null when gone or not made). */
    private record Directory(long base, ServiceCell[][] chunks) {
    }

    private volatile Directory dir = new Directory(0, new ServiceCell[1][]);
    private final ReentrantLock lock = new ReentrantLock();
    /** Per chunk number: slots filled and not yet removed; and slots ever filled (lock). */
    private final java.util.HashMap<Long, int[]> counts = new java.util.HashMap<>();

    /** @param firstSequence the first sequence the node hands out; those below it count as used */
    CellRegistry(long firstSequence) {
        for (long s = 0; s < firstSequence; s++) {
            abandon(s);
        }
    }

    /** @return the cell registered under {@code seq}, or {@code null} */
    ServiceCell get(long seq) {
        Directory d = dir;
        long i = (seq >>> SHIFT) - d.base;
        if (i < 0 || i >= d.chunks.length) {
            return null;
        }
        ServiceCell[] chunk = d.chunks[(int) i];
        return chunk == null ? null : (ServiceCell) SLOT.getAcquire(chunk, (int) (seq & MASK));
    }

    /** Registers a cell under its sequence (each sequence once). */
    void put(long seq, ServiceCell cell) {
        long c = seq >>> SHIFT;
        lock.lock();
        try {
            Directory d = dir;
            if (c < d.base) {
                throw new IllegalStateException("sequence " + seq + " is below the registry's window");
            }
            if (c - d.base >= d.chunks.length) {
                d = grow(d, c);
            }
            int i = (int) (c - d.base);
            ServiceCell[] chunk = d.chunks[i];
            if (chunk == null) {
                chunk = new ServiceCell[CHUNK];
                ServiceCell[][] copy = d.chunks.clone();
                copy[i] = chunk;
                d = new Directory(d.base, copy);
            }
            int[] n = counts.computeIfAbsent(c, k -> new int[2]);
            n[0]++;
            n[1]++;
            SLOT.setRelease(chunk, (int) (seq & MASK), cell);
            dir = d;
        } finally {
            lock.unlock();
        }
    }

    /** Counts a sequence that was handed out but will never be registered (a spawn that failed first). */
    void abandon(long seq) {
        long c = seq >>> SHIFT;
        lock.lock();
        try {
            Directory d = dir;
            if (c < d.base) {
                return;
            }
            int[] n = counts.computeIfAbsent(c, k -> new int[2]);
            if (++n[1] == CHUNK && n[0] == 0) {
                if (c - d.base >= d.chunks.length) {
                    d = grow(d, c);
                }
                dir = drop(d, (int) (c - d.base));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Removes the cell registered under {@code seq} if it is {@code cell}. */
    void remove(long seq, ServiceCell cell) {
        long c = seq >>> SHIFT;
        lock.lock();
        try {
            Directory d = dir;
            long i = c - d.base;
            if (i < 0 || i >= d.chunks.length) {
                return;
            }
            ServiceCell[] chunk = d.chunks[(int) i];
            if (chunk == null || !SLOT.compareAndSet(chunk, (int) (seq & MASK), cell, (ServiceCell) null)) {
                return;
            }
            int[] n = counts.get(c);
            if (--n[0] == 0 && n[1] == CHUNK) {
                dir = drop(d, (int) i);
            }
        } finally {
            lock.unlock();
        }
    }

    private Directory grow(Directory d, long chunkNumber) {
        int need = (int) (chunkNumber - d.base + 1);
        ServiceCell[][] bigger = new ServiceCell[Math.max(need, d.chunks.length * 2)][];
        System.arraycopy(d.chunks, 0, bigger, 0, d.chunks.length);
        return new Directory(d.base, bigger);
    }

    /**
     * Drops chunk {@code i}; slides the window past the leading used-up chunks once they are half of it. Only a
     * chunk whose every sequence has been handed out and removed counts: one not made yet may still receive the
     * sequence a concurrent spawn holds.
     */
    private Directory drop(Directory d, int i) {
        ServiceCell[][] copy = d.chunks.clone();
        copy[i] = null;
        int lead = 0;
        while (lead < copy.length && copy[lead] == null && usedUp(d.base + lead)) {
            lead++;
        }
        if (lead * 2 >= copy.length) {
            for (int k = 0; k < lead; k++) {
                counts.remove(d.base + k);
            }
        }
        if (lead == copy.length) {
            return new Directory(d.base + lead, new ServiceCell[1][]);
        }
        if (lead > 0 && lead * 2 >= copy.length) {
            ServiceCell[][] slid = new ServiceCell[copy.length - lead][];
            System.arraycopy(copy, lead, slid, 0, slid.length);
            return new Directory(d.base + lead, slid);
        }
        return new Directory(d.base, copy);
    }

    private boolean usedUp(long chunkNumber) {
        int[] n = counts.get(chunkNumber);
        return n != null && n[1] == CHUNK && n[0] == 0;
    }

    /** @return the chunks the directory holds now (for tests of the sliding window) */
    int chunkCount() {
        int n = 0;
        for (ServiceCell[] c : dir.chunks) {
            if (c != null) {
                n++;
            }
        }
        return n;
    }

    @Override
    public Iterator<ServiceCell> iterator() {
        ServiceCell[][] chunks = dir.chunks;
        return new Iterator<>() {
            private int chunk;
            private int slot = -1;
            private ServiceCell next = advance();

            private ServiceCell advance() {
                while (chunk < chunks.length) {
                    ServiceCell[] c = chunks[chunk];
                    if (c != null) {
                        while (++slot < CHUNK) {
                            ServiceCell s = (ServiceCell) SLOT.getAcquire(c, slot);
                            if (s != null) {
                                return s;
                            }
                        }
                    }
                    chunk++;
                    slot = -1;
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public ServiceCell next() {
                ServiceCell s = next;
                if (s == null) {
                    throw new NoSuchElementException();
                }
                next = advance();
                return s;
            }
        };
    }
}
