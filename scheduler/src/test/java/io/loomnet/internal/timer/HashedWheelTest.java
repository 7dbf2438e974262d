package io.loomnet.internal.timer;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Deterministic tests of the wheel: every tick is driven by hand. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HashedWheelTest {
    /** Delays on both sides of every boundary: near/level0, level0/1, 1/2, 2/3, 3/overflow, and far beyond. */
    private static final long[] DELAYS = {
        1, 2, 254, 255, 256, 257, 511, 512, 16383, 16384, 16385, (1L << 20) - 1, 1L << 20, (1L << 20) + 1,
        (1L << 26) - 1, 1L << 26, (1L << 26) + 1, (1L << 32) - 1, 1L << 32, (1L << 32) + 1, (1L << 33) + 12345,
        (1L << 40) + 7, 1L << 50, (1L << 62) + 3,
    };

    /** Starting ticks: aligned, just before each boundary, and unaligned. */
    private static final long[] STARTS = {
        0, 1, 200, 255, 256, 16000, 16383, (1L << 20) - 1, 1_234_567, (1L << 26) - 2, (1L << 32) - 3,
        (1L << 32) + 99_999, 7L << 40,
    };

    /** Records the tick at which each task is handed to the sink, by running it inline. */
    private static final class Recorder implements Consumer<Runnable> {
        final HashedWheel wheel;
        final List<String> fired = new ArrayList<>();

        Recorder(final HashedWheel wheel) {
            this.wheel = wheel;
        }

        Runnable task(final String name) {
            return () -> fired.add(name + "@" + wheel.tick());
        }

        @Override
        public void accept(final Runnable task) {
            task.run();
        }
    }

    @Test
    void shouldFireAtExactTickForDelaysAcrossEveryLevelBoundary() {
        for (final long start : STARTS) {
            for (final long delay : DELAYS) {
                if (start + delay > HashedWheel.MAX_TICK) {
                    continue;
                }
                final HashedWheel wheel = new HashedWheel();
                final Recorder r = new Recorder(wheel);
                wheel.advance(start, r);
                final long expire = start + delay;
                final TimerNode node = wheel.add(expire, r.task("t"));
                wheel.checkInvariants();

                wheel.advance(expire - 1, r);
                assertThat("start " + start + " delay " + delay, r.fired, is(empty()));
                assertThat(node.isPending(), is(true));
                assertThat(wheel.checkInvariants(), is(1));

                wheel.advance(expire, r);
                assertThat("start " + start + " delay " + delay, r.fired, contains("t@" + expire));
                assertThat(node.isFired(), is(true));
                assertThat(wheel.size(), is(0));
            }
        }
    }

    @Test
    void shouldFireAtExactTickWhenDrivenOneTickAtATime() {
        final HashedWheel wheel = new HashedWheel();
        final Recorder r = new Recorder(wheel);
        final long start = 16384 - 300;
        wheel.advance(start, r);
        final long[] delays = {1, 255, 256, 299, 300, 301, 556, 16383, 16384, 20000};
        for (final long d : delays) {
            wheel.add(start + d, r.task("d" + d));
        }
        for (long t = start + 1; t <= start + 20000; t++) {
            wheel.advance(t, r);
            if (t % 97 == 0) {
                wheel.checkInvariants();
            }
        }
        final List<String> expected = new ArrayList<>();
        for (final long d : delays) {
            expected.add("d" + d + "@" + (start + d));
        }
        assertThat(r.fired, is(expected));
    }

    @Test
    void shouldCascadeIntoTheRightBucketsAndKeepInvariantsAtEveryBoundary() {
        final HashedWheel wheel = new HashedWheel();
        final Recorder r = new Recorder(wheel);
        final List<String> expected = new ArrayList<>();
        // Timers in every level-2 bucket position relative to tick 0; they cascade level2 -> level1 -> level0
        // -> near as the wheel passes 2^20, 2^14 and 2^8 boundaries.
        for (int i = 1; i <= 40; i++) {
            final long e = i * ((1L << 20) + (1L << 14) + (1L << 8) + 1) + i;
            wheel.add(e, r.task("c" + i));
            expected.add("c" + i + "@" + e);
        }
        long t = 0;
        for (int i = 1; i <= 40; i++) {
            final long e = i * ((1L << 20) + (1L << 14) + (1L << 8) + 1) + i;
            for (final long boundary : new long[] {e & ~((1L << 20) - 1), e & ~((1L << 14) - 1), e & ~255L, e - 1}) {
                if (boundary > t) {
                    wheel.advance(boundary, r);
                    t = boundary;
                    wheel.checkInvariants();
                }
            }
            assertThat(r.fired.size(), is(i - 1));
            wheel.advance(e, r);
            t = e;
        }
        assertThat(r.fired, is(expected));
    }

    @Test
    void shouldCancelBeforeCascade() {
        final HashedWheel wheel = new HashedWheel();
        final Recorder r = new Recorder(wheel);
        final TimerNode keep = wheel.add(70_000, r.task("keep"));
        final TimerNode gone = wheel.add(70_000, r.task("gone"));
        assertThat(wheel.cancel(gone), is(true));
        assertThat(wheel.cancel(gone), is(false));
        assertThat(gone.isCancelled(), is(true));
        assertThat(wheel.checkInvariants(), is(1));
        wheel.advance(80_000, r);
        assertThat(r.fired, contains("keep@70000"));
        assertThat(keep.isFired(), is(true));
        assertThat(wheel.cancel(keep), is(false));
    }

    @Test
    void shouldCancelAfterCascade() {
        final HashedWheel wheel = new HashedWheel();
        final Recorder r = new Recorder(wheel);
        final TimerNode a = wheel.add(70_000, r.task("a"));
        final TimerNode b = wheel.add(70_000, r.task("b"));
        final TimerNode c = wheel.add(70_000, r.task("c"));
        wheel.advance(70_000 & ~255L, r); // a, b, c cascaded into near
        wheel.checkInvariants();
        assertThat(wheel.cancel(b), is(true)); // unlink from the middle of a near bucket
        assertThat(wheel.checkInvariants(), is(2));
        assertThat(wheel.cancel(c), is(true)); // and its tail
        assertThat(wheel.checkInvariants(), is(1));
        wheel.advance(100_000, r);
        assertThat(r.fired, contains("a@70000"));
        assertThat(a.isFired(), is(true));
        assertThat(wheel.size(), is(0));
    }

    @Test
    void shouldCancelInOverflowList() {
        final HashedWheel wheel = new HashedWheel();
        final Recorder r = new Recorder(wheel);
        final TimerNode far = wheel.add(5L << 32, r.task("far"));
        wheel.add((5L << 32) + 1, r.task("kept"));
        wheel.advance(3L << 32, r);
        assertThat(wheel.cancel(far), is(true));
        wheel.advance(6L << 32, r);
        assertThat(r.fired, contains("kept@" + ((5L << 32) + 1)));
    }

    @Test
    void shouldNotLetAStaleOverflowDueTickMoveTheWheelBackwards() {
        final HashedWheel wheel = new HashedWheel();
        final Recorder r = new Recorder(wheel);
        final TimerNode early = wheel.add(3L << 32, r.task("early"));
        wheel.add((9L << 32) + 5, r.task("late"));
        assertThat(wheel.cancel(early), is(true)); // the overflow list's due tick is now stale (too early)
        wheel.advance((4L << 32) + 1, r);
        wheel.checkInvariants();
        final TimerNode only = wheel.add(20L << 32, r.task("only"));
        wheel.advance(10L << 32, r);
        assertThat(wheel.cancel(only), is(true)); // overflow list now empty
        wheel.advance(30L << 32, r);
        wheel.add((31L << 32) + 1, r.task("after"));
        wheel.advance(40L << 32, r);
        assertThat(r.fired, contains("late@" + ((9L << 32) + 5), "after@" + ((31L << 32) + 1)));
        assertThat(wheel.tick(), is(40L << 32));
    }

    @Test
    void shouldFireTiesInInsertionOrderEvenWhenAddedAtDifferentLevels() {
        final HashedWheel wheel = new HashedWheel();
        final Recorder r = new Recorder(wheel);
        final long e = (1L << 20) + (3L << 14) + 77;
        wheel.add(e, r.task("1-level2"));
        wheel.add(e - 1, r.task("0-before"));
        wheel.advance(1L << 20, r);
        wheel.add(e, r.task("2-level1"));
        wheel.advance(e - 100, r);
        wheel.add(e, r.task("3-near"));
        wheel.add(e + 1, r.task("5-after"));
        wheel.add(e, r.task("4-near"));
        wheel.advance(e + 1, r);
        assertThat(r.fired, contains("0-before@" + (e - 1), "1-level2@" + e, "2-level1@" + e, "3-near@" + e,
            "4-near@" + e, "5-after@" + (e + 1)));
    }

    @Test
    void shouldFireZeroAndPastDelaysAtTheNextTick() {
        final HashedWheel wheel = new HashedWheel();
        final Recorder r = new Recorder(wheel);
        wheel.advance(1000, r);
        final TimerNode now = wheel.add(1000, r.task("now"));
        wheel.add(10, r.task("past"));
        wheel.add(-5, r.task("negative"));
        wheel.add(Long.MIN_VALUE, r.task("min"));
        assertThat(now.expireTick(), is(1001L));
        assertThat(wheel.advance(1000, r), is(0));
        assertThat(r.fired, is(empty()));
        wheel.advance(5000, r);
        assertThat(r.fired, contains("now@1001", "past@1001", "negative@1001", "min@1001"));
    }

    @Test
    void shouldFireATimerAddedDuringDispatchForTheCurrentTickAtTheNextAdvance() {
        final HashedWheel wheel = new HashedWheel();
        final Recorder r = new Recorder(wheel);
        wheel.add(10, () -> {
            r.fired.add("first@" + wheel.tick());
            wheel.add(wheel.tick(), r.task("again"));          // the #291 case: due "now"
            wheel.add(wheel.tick() - 3, r.task("past"));       // and already passed
        });
        wheel.add(10, r.task("tie"));
        wheel.advance(10, r);
        assertThat(r.fired, contains("first@10", "tie@10"));
        assertThat(wheel.size(), is(2));
        wheel.checkInvariants();
        wheel.advance(11, r);
        assertThat(r.fired, contains("first@10", "tie@10", "again@11", "past@11"));
        assertThat(wheel.size(), is(0));
    }

    @Test
    void shouldFireATimerAddedDuringDispatchAcrossAWindowBoundaryWithinTheSameAdvance() {
        final HashedWheel wheel = new HashedWheel();
        final Recorder r = new Recorder(wheel);
        wheel.add(255, () -> {
            r.fired.add("first@" + wheel.tick());
            wheel.add(255, r.task("next")); // due at 256: lands in level 0 and cascades at 256
        });
        wheel.advance(1000, r);
        assertThat(r.fired, contains("first@255", "next@256"));
    }

    @Test
    void shouldLetTheSinkCancelALaterTimerOfTheSameTick() {
        final HashedWheel wheel = new HashedWheel();
        final Recorder r = new Recorder(wheel);
        final TimerNode[] victim = new TimerNode[1];
        wheel.add(300, () -> r.fired.add("cancelled-it=" + wheel.cancel(victim[0])));
        victim[0] = wheel.add(300, r.task("victim"));
        wheel.add(300, r.task("survivor"));
        wheel.advance(300, r);
        assertThat(r.fired, contains("cancelled-it=true", "survivor@300"));
    }

    @Test
    void shouldDeliverTheRestOfATickAfterTheSinkThrows() {
        final HashedWheel wheel = new HashedWheel();
        final Recorder r = new Recorder(wheel);
        wheel.add(50, () -> {
            throw new IllegalStateException("boom");
        });
        wheel.add(50, r.task("a"));
        wheel.add(51, r.task("b"));
        assertThrows(IllegalStateException.class, () -> wheel.advance(100, r));
        assertThat(wheel.tick(), is(50L));
        assertThat(wheel.size(), is(2));
        wheel.checkInvariants();
        wheel.advance(100, r);
        assertThat(r.fired, contains("a@50", "b@51"));
    }

    @Test
    void shouldRefuseAdvanceFromInsideTheSink() {
        final HashedWheel wheel = new HashedWheel();
        final List<Throwable> thrown = new ArrayList<>();
        wheel.add(5, () -> {
            try {
                wheel.advance(10, Runnable::run);
            } catch (final IllegalStateException e) {
                thrown.add(e);
            }
        });
        wheel.advance(5, Runnable::run);
        assertThat(thrown.size(), is(1));
    }

    @Test
    void shouldRejectTicksPastMax() {
        final HashedWheel wheel = new HashedWheel();
        assertThrows(IllegalArgumentException.class, () -> wheel.add(Long.MAX_VALUE, () -> { }));
        assertThrows(IllegalArgumentException.class, () -> wheel.advance(Long.MAX_VALUE, Runnable::run));
        final Recorder r = new Recorder(wheel);
        wheel.add(HashedWheel.MAX_TICK, r.task("last"));
        wheel.advance(HashedWheel.MAX_TICK, r);
        assertThat(r.fired, contains("last@" + HashedWheel.MAX_TICK));
        assertThrows(IllegalStateException.class, () -> wheel.add(0, () -> { }));
    }

    @Test
    void shouldRejectANodeOfAnotherWheel() {
        final HashedWheel a = new HashedWheel();
        final HashedWheel b = new HashedWheel();
        final TimerNode node = a.add(5, () -> { });
        assertThrows(IllegalArgumentException.class, () -> b.cancel(node));
        assertThat(a.size(), is(1));
    }

    @Test
    void shouldClearEveryLevel() {
        final HashedWheel wheel = new HashedWheel();
        final List<TimerNode> nodes = new ArrayList<>();
        for (final long d : DELAYS) {
            nodes.add(wheel.add(d, () -> { }));
        }
        final List<Runnable> discarded = new ArrayList<>();
        assertThat(wheel.clear(discarded::add), is(DELAYS.length));
        assertThat(discarded.size(), is(DELAYS.length));
        assertThat(wheel.size(), is(0));
        assertThat(wheel.checkInvariants(), is(0));
        for (final TimerNode n : nodes) {
            assertThat(n.isCancelled(), is(true));
        }
        assertThat(wheel.advance(HashedWheel.MAX_TICK, Runnable::run), is(0));
    }

    @Test
    void shouldAddAndCancelOneMillionTimersWithExactCounts() {
        final int n = 1_000_000;
        final HashedWheel wheel = new HashedWheel();
        final BitSet fired = new BitSet(n);
        final long[] lastTick = {-1};
        final int[] outOfOrder = {0};
        final int[] doubleFires = {0};
        final TimerNode[] nodes = new TimerNode[n];
        final long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            final int id = i;
            // Spread over every level and the overflow list: 1 tick .. ~2^34 ticks.
            final long expire = 1 + ((i * 0x9E3779B97F4A7C15L) >>> 30);
            nodes[i] = wheel.add(expire, () -> {
                if (fired.get(id)) {
                    doubleFires[0]++;
                }
                fired.set(id);
                if (wheel.tick() < lastTick[0]) {
                    outOfOrder[0]++;
                }
                lastTick[0] = wheel.tick();
            });
        }
        final long t1 = System.nanoTime();
        int cancelled = 0;
        for (int i = 0; i < n; i += 2) {
            if (wheel.cancel(nodes[i])) {
                cancelled++;
            }
        }
        final long t2 = System.nanoTime();
        assertThat(cancelled, is(n / 2));
        assertThat(wheel.size(), is(n / 2));
        assertThat(wheel.checkInvariants(), is(n / 2)); // cancelled nodes are truly unlinked
        final long t3 = System.nanoTime();
        final int dispatched = wheel.advance(1L << 35, Runnable::run);
        final long t4 = System.nanoTime();
        System.out.printf("1M timers: add %d ms, cancel 500k %d ms, advance 2^35 ticks firing 500k %d ms%n",
            (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t4 - t3) / 1_000_000);

        assertThat(dispatched, is(n / 2));
        assertThat(wheel.size(), is(0));
        assertThat(doubleFires[0], is(0));
        assertThat(outOfOrder[0], is(0));
        assertThat(fired.cardinality(), is(n / 2));
        for (int i = 0; i < n; i++) {
            assertThat(fired.get(i), is(i % 2 == 1));
            assertThat(nodes[i].isFired(), is(i % 2 == 1));
        }
    }

    /**
     * Random adds, cancels and advances of every size, checked against a plain model that sorts by
     * (effective expiry, insertion sequence). Fixed seeds keep it deterministic.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 291, 0xC0FFEE})
    void shouldMatchASortedModelUnderRandomOperations(final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        final HashedWheel wheel = new HashedWheel();
        final List<long[]> model = new ArrayList<>(); // {expire, seq} of pending timers
        final Map<TimerNode, Long> seqOf = new IdentityHashMap<>();
        final List<TimerNode> live = new ArrayList<>();
        final List<Long> fired = new ArrayList<>();
        long seq = 0;
        for (int step = 0; step < 4000; step++) {
            final int op = random.nextInt(10);
            if (op < 5) {
                final long delay = switch (random.nextInt(7)) {
                    case 0 -> random.nextLong(-3, 3);
                    case 1 -> random.nextLong(1, 300);
                    case 2 -> random.nextLong(1, 1L << 15);
                    case 3 -> random.nextLong(1, 1L << 21);
                    case 4 -> random.nextLong(1, 1L << 27);
                    case 5 -> random.nextLong(1, 1L << 33);
                    default -> random.nextLong(1, 1L << 36);
                };
                final long s = seq++;
                final long effective = Math.max(wheel.tick() + delay, wheel.tick() + 1);
                final TimerNode node = wheel.add(wheel.tick() + delay, () -> fired.add(s));
                assertThat(node.expireTick(), is(effective));
                model.add(new long[] {effective, s});
                seqOf.put(node, s);
                live.add(node);
            } else if (op < 7 && !live.isEmpty()) {
                final TimerNode node = live.remove(random.nextInt(live.size()));
                assertThat(wheel.cancel(node), is(true));
                final long s = seqOf.remove(node);
                assertThat(model.removeIf(m -> m[1] == s), is(true));
                assertThat(wheel.cancel(node), is(false));
            } else {
                final long by = switch (random.nextInt(5)) {
                    case 0 -> random.nextLong(0, 3);
                    case 1 -> random.nextLong(1, 512);
                    case 2 -> random.nextLong(1, 1L << 16);
                    case 3 -> random.nextLong(1, 1L << 24);
                    default -> random.nextLong(1, 1L << 34);
                };
                final long to = wheel.tick() + by;
                model.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
                final List<Long> expected = new ArrayList<>();
                while (!model.isEmpty() && model.get(0)[0] <= to) {
                    expected.add(model.remove(0)[1]);
                }
                fired.clear();
                assertThat(wheel.advance(to, Runnable::run), is(expected.size()));
                assertThat("seed " + seed + " step " + step, fired, is(expected));
                assertThat(wheel.tick(), is(to));
                live.removeIf(nd -> {
                    if (nd.isFired()) {
                        seqOf.remove(nd);
                        return true;
                    }
                    return false;
                });
            }
            if (step % 50 == 0) {
                assertThat(wheel.checkInvariants(), is(model.size()));
            }
        }
        assertThat(wheel.size(), is(model.size()));
        assertThat(live.size(), is(model.size()));
    }
}
