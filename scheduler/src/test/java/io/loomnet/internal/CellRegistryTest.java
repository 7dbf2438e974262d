package io.loomnet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.loomnet.Handle;
import io.loomnet.ServiceOptions;

@Timeout(60)
class CellRegistryTest {
    private static ServiceCell cell(long seq) {
        return new ServiceCell(null, Handle.of(1, seq), null, () -> null, ServiceOptions.defaults(), null);
    }

    @Test
    void shouldFindWhatIsRegisteredAndNothingElse() {
        CellRegistry r = new CellRegistry(1);
        ServiceCell a = cell(1);
        ServiceCell b = cell(5000);
        r.put(1, a);
        r.put(5000, b);
        assertSame(a, r.get(1));
        assertSame(b, r.get(5000));
        assertNull(r.get(2));
        assertNull(r.get(0));
        assertNull(r.get(Handle.MAX_SEQUENCE));
        assertNull(r.get(-1));
        r.remove(1, b); // not the registered cell: no effect
        assertSame(a, r.get(1));
        r.remove(1, a);
        assertNull(r.get(1));
        List<ServiceCell> all = new ArrayList<>();
        r.forEach(all::add);
        assertEquals(List.of(b), all);
    }

    @Test
    void shouldDropUsedUpChunksAndSlideTheWindow() {
        CellRegistry r = new CellRegistry(1);
        long seq = 1;
        ServiceCell keep = null;
        // Ten chunks' worth of services started and stopped (one sequence abandoned by a failed spawn), one kept.
        for (int i = 0; i < 10 * CellRegistry.CHUNK; i++, seq++) {
            if (seq == 77) {
                r.abandon(seq);
                continue;
            }
            ServiceCell c = cell(seq);
            r.put(seq, c);
            if (seq == 9 * CellRegistry.CHUNK + 5) {
                keep = c;
            } else {
                r.remove(seq, c);
            }
        }
        assertEquals(2, r.chunkCount(), "chunks left: the kept service's and the last, still handing out sequences");
        assertSame(keep, r.get(9 * CellRegistry.CHUNK + 5));
        ServiceCell late = cell(seq);
        r.put(seq, late);
        assertSame(late, r.get(seq));
    }

    /** Found by the churn benchmark: the window slid past a chunk not made yet whose first sequence was handed out. */
    @Test
    void shouldNotSlidePastAChunkStillWaitingForItsSequences() {
        CellRegistry r = new CellRegistry(1);
        int c = CellRegistry.CHUNK;
        List<ServiceCell> first = new ArrayList<>();
        for (long s = 1; s < c; s++) {
            ServiceCell cell = cell(s);
            r.put(s, cell);
            first.add(cell);
        }
        ServiceCell ahead = cell(2L * c); // a spawn two chunks on registers first; chunk 1's sequences are in flight
        r.put(2L * c, ahead);
        for (ServiceCell cell : first) {
            r.remove(cell.handle.sequence(), cell);
        }
        ServiceCell late = cell(c); // the spawn holding chunk 1's first sequence gets to register now
        r.put(c, late);
        assertSame(late, r.get(c));
        assertSame(ahead, r.get(2L * c));
        assertNull(r.get(5));
    }

    @Test
    void shouldNeverReturnAWrongCellUnderConcurrentSpawnAndStop() throws Exception {
        CellRegistry r = new CellRegistry(1);
        AtomicLong next = new AtomicLong(1);
        int writers = 2;
        int readers = 2;
        int perWriter = 200_000;
        CyclicBarrier start = new CyclicBarrier(writers + readers);
        AtomicInteger wrong = new AtomicInteger();
        AtomicInteger writersDone = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            threads.add(Thread.ofPlatform().start(() -> {
                await(start);
                List<ServiceCell> live = new ArrayList<>();
                for (int i = 0; i < perWriter; i++) {
                    long s = next.getAndIncrement();
                    ServiceCell c = cell(s);
                    r.put(s, c);
                    live.add(c);
                    if (live.size() > 100) {
                        ServiceCell old = live.remove(0);
                        r.remove(old.handle.sequence(), old);
                    }
                }
                for (ServiceCell c : live) {
                    r.remove(c.handle.sequence(), c);
                }
                writersDone.incrementAndGet();
            }));
        }
        for (int k = 0; k < readers; k++) {
            threads.add(Thread.ofPlatform().start(() -> {
                await(start);
                while (writersDone.get() < writers) {
                    long hi = next.get();
                    for (long s = Math.max(1, hi - 300); s < hi; s++) {
                        ServiceCell c = r.get(s);
                        if (c != null && c.handle.sequence() != s) {
                            wrong.incrementAndGet();
                        }
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(50));
        }
        assertEquals(0, wrong.get());
        Set<ServiceCell> left = new HashSet<>();
        r.forEach(left::add);
        assertEquals(Set.of(), left, "every cell removed");
        assertTrue(r.chunkCount() <= 1, "used-up chunks dropped: " + r.chunkCount());
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
