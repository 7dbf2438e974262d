package io.loomnet.bench.loomnet;

import io.loomnet.Context;
import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.Node;
import io.loomnet.bench.api.Check;
import io.loomnet.bench.api.Failures;
import io.loomnet.bench.api.Skynet;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Each tree node is a service; it spawns its children as its own child services ({@code ctx.spawn}),
 * sends each a {@code Start}, sums the values the children send back, sends the sum to its parent
 * and exits. The same message flow as the peers (Pekko: {@code getContext().actorOf}).
 */
final class LoomnetSkynet implements Skynet {
    private record Start(long num, long size) {
    }

    private final Node node;

    LoomnetSkynet(Node node) {
        this.node = node;
    }

    static final class TreeNode extends BenchService {
        private final Failures f;
        private final Handle parent; // null for the root
        private final CompletableFuture<Long> result; // root only
        private final int branching;
        private long sum;
        private int outstanding;

        TreeNode(Failures f, Handle parent, CompletableFuture<Long> result, int branching) {
            super(f, null, null);
            this.f = f;
            this.parent = parent;
            this.result = result;
            this.branching = branching;
        }

        @Override
        void handle(Context ctx, Message msg) {
            if (msg.payload() instanceof Start s) {
                if (s.size() == 1) {
                    answer(ctx, s.num());
                    return;
                }
                long sub = s.size() / branching;
                outstanding = branching;
                Handle self = ctx.self();
                for (int i = 0; i < branching; i++) {
                    Handle child = ctx.spawn(() -> new TreeNode(f, self, null, branching));
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

    @Override
    public long run(int leaves, int branching) throws Exception {
        Failures f = new Failures();
        CompletableFuture<Long> result = new CompletableFuture<>();
        Handle root = node.spawn(() -> new TreeNode(f, null, result, branching));
        node.send(root, new Start(0, leaves));
        long sum = result.get(Check.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        f.check("skynet");
        return sum;
    }
}
