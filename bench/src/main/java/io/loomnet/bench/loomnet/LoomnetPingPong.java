package io.loomnet.bench.loomnet;

import io.loomnet.Context;
import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.Node;
import io.loomnet.bench.api.Failures;
import io.loomnet.bench.api.PingPong;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

final class LoomnetPingPong implements PingPong {
    private static final Object PING = "ping";
    private static final Object PONG = "pong";

    private final Node node;

    LoomnetPingPong(Node node) {
        this.node = node;
    }

    /** Answers every ping to its sender. */
    static final class Ponger extends BenchService {
        Ponger(Failures f, LongAdder total, CountDownLatch stopped) {
            super(f, total, stopped);
        }

        @Override
        void handle(Context ctx, Message msg) {
            count++;
            ctx.send(ctx.sender(), PONG);
        }
    }

    /** Started with its ponger's handle; sends the next ping on each pong until {@code rounds}. */
    static final class Pinger extends BenchService {
        private final int rounds;
        private final CountDownLatch done;

        Pinger(Failures f, LongAdder total, CountDownLatch stopped, int rounds, CountDownLatch done) {
            super(f, total, stopped);
            this.rounds = rounds;
            this.done = done;
        }

        @Override
        void handle(Context ctx, Message msg) {
            if (msg.payload() instanceof Handle ponger) {
                ctx.send(ponger, PING);
                return;
            }
            if (++count == rounds) {
                done.countDown();
            } else {
                ctx.send(ctx.sender(), PING);
            }
        }
    }

    @Override
    public long run(int pairs, int messagesPerPair) throws Exception {
        Failures f = new Failures();
        int rounds = messagesPerPair / 2;
        CountDownLatch done = new CountDownLatch(pairs);
        CountDownLatch stopped = new CountDownLatch(2 * pairs);
        LongAdder received = new LongAdder();
        Handle[] services = new Handle[2 * pairs];
        for (int p = 0; p < pairs; p++) {
            services[2 * p] = node.spawn(() -> new Pinger(f, received, stopped, rounds, done));
            services[2 * p + 1] = node.spawn(() -> new Ponger(f, received, stopped));
        }
        for (int p = 0; p < pairs; p++) {
            node.send(services[2 * p], services[2 * p + 1]); // start: ping this ponger
        }
        f.await(done, "pingpong");
        for (Handle h : services) {
            node.stop(h);
        }
        f.await(stopped, "pingpong stop");
        return received.sum();
    }
}
