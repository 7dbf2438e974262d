package io.loomnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A Skynet tree (10 children per service, 100,000 leaves, 111,111 services): each service spawns its children,
 * sums what they send back, answers its parent and exits. The sum must be exact on every dispatcher, and on
 * {@code POOLED} the tree must not be alive all at once: a worker runs the newest spawned child next and a
 * service's first message and its stop in the same visit as its start and its last message. Counted exactly,
 * between {@code onStart} and {@code onStop}, not sampled.
 */
@Timeout(120)
class SpawnTreeTest {
    private static final int LEAVES = 100_000;
    private static final int SERVICES = 111_111;

    private record Start(long num, long size) {
    }

    @ParameterizedTest
    @EnumSource(value = Dispatcher.class, names = {"VIRTUAL", "POOLED"})
    void shouldSumTheTreeAndOnPooledNotHoldItAllAlive(Dispatcher d) throws Exception {
        AtomicInteger alive = new AtomicInteger();
        AtomicInteger mostAlive = new AtomicInteger();
        AtomicInteger started = new AtomicInteger();
        try (Node node = Node.builder().dispatcher(d).pooledWorkers(2).start()) {
            CompletableFuture<Long> result = new CompletableFuture<>();
            Handle root = node.spawn(() -> new TreeNode(null, result, alive, mostAlive, started));
            node.send(root, new Start(0, LEAVES));
            assertEquals(4_999_950_000L, result.get(60, TimeUnit.SECONDS));
            assertEquals(SERVICES, started.get());
            System.out.printf("SpawnTreeTest: %s, at most %,d of %,d services alive at once%n", d, mostAlive.get(),
                    SERVICES);
            if (d == Dispatcher.POOLED) {
                // Breadth first (every start and every stop behind the whole global queue) held 99.9% of the tree.
                assertTrue(mostAlive.get() < SERVICES / 2, "at most " + mostAlive.get() + " of " + SERVICES
                        + " services alive at once");
            }
        }
    }

    private static final class TreeNode implements Service {
        private final Handle parent;
        private final CompletableFuture<Long> result;
        private final AtomicInteger alive;
        private final AtomicInteger mostAlive;
        private final AtomicInteger started;
        private long sum;
        private int outstanding;

        TreeNode(Handle parent, CompletableFuture<Long> result, AtomicInteger alive, AtomicInteger mostAlive,
                 AtomicInteger started) {
            this.parent = parent;
            this.result = result;
            this.alive = alive;
            this.mostAlive = mostAlive;
            this.started = started;
        }

        @Override
        public void onStart(Context ctx) {
            started.incrementAndGet();
            mostAlive.accumulateAndGet(alive.incrementAndGet(), Math::max);
        }

        @Override
        public void onStop(Context ctx) {
            alive.decrementAndGet();
        }

        @Override
        public void onMessage(Context ctx, Message msg) {
            if (msg.payload() instanceof Start s) {
                if (s.size() == 1) {
                    answer(ctx, s.num());
                    return;
                }
                long sub = s.size() / 10;
                outstanding = 10;
                Handle self = ctx.self();
                for (int i = 0; i < 10; i++) {
                    Handle child = ctx.spawn(() -> new TreeNode(self, null, alive, mostAlive, started));
                    ctx.send(child, new Start(s.num() + i * sub, sub));
                }
                return;
            }
            sum += (Long) msg.payload();
            if (--outstanding == 0) {
                answer(ctx, sum);
            }
        }

        private void answer(Context ctx, long value) {
            if (result != null) {
                result.complete(value);
            } else {
                ctx.send(parent, value);
            }
            ctx.exit();
        }
    }
}
