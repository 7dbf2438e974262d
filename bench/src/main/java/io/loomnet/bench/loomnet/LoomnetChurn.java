package io.loomnet.bench.loomnet;

import io.loomnet.Context;
import io.loomnet.Message;
import io.loomnet.Node;
import io.loomnet.bench.api.Churn;
import io.loomnet.bench.api.Failures;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/** The run spawns top-level services and sends each one message; each exits after it; onStop counts it. */
final class LoomnetChurn implements Churn {
    private static final Object HELLO = "hello";

    private final Node node;

    LoomnetChurn(Node node) {
        this.node = node;
    }

    static final class Once extends BenchService {
        Once(Failures f, LongAdder total, CountDownLatch stopped) {
            super(f, total, stopped);
        }

        @Override
        void handle(Context ctx, Message msg) {
            count++;
            ctx.exit();
        }
    }

    @Override
    public long run(int actors) throws Exception {
        Failures f = new Failures();
        CountDownLatch stopped = new CountDownLatch(actors);
        LongAdder handled = new LongAdder();
        for (int i = 0; i < actors; i++) {
            node.send(node.spawn(() -> new Once(f, handled, stopped)), HELLO);
        }
        f.await(stopped, "churn");
        return handled.sum();
    }
}
