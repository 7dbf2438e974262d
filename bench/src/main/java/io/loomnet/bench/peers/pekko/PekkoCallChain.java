package io.loomnet.bench.peers.pekko;

import io.loomnet.bench.api.CallChain;
import io.loomnet.bench.api.Check;
import io.loomnet.bench.api.Failures;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.pattern.Patterns;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The chain with Pekko's own request/response ({@code Patterns.ask}), blocking inside the handler
 * as the workload prescribes: {@code Thread.sleep} for the simulated I/O, then waiting on the ask's
 * future. This is the blocking-in-an-actor style Pekko's documentation warns against; it shows what
 * the default dispatcher does with it (a blocked handler holds one of its fork-join threads).
 */
final class PekkoCallChain implements CallChain {
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(Check.TIMEOUT_SECONDS);

    private final ActorSystem system;

    PekkoCallChain(ActorSystem system) {
        this.system = system;
    }

    static final class Stage extends BenchActor {
        private final ActorRef next;
        private final Duration block;

        Stage(Failures f, CountDownLatch stopped, ActorRef next, Duration block) {
            super(f, null, stopped);
            this.next = next;
            this.block = block;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(Long.class, value -> {
                ActorRef caller = getSender();
                Thread.sleep(block);
                long v = next == null ? value
                        : (Long) Patterns.ask(next, value, ASK_TIMEOUT).toCompletableFuture()
                                .get(Check.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                caller.tell(v + 1, getSelf());
            }).build();
        }
    }

    @Override
    public long run(int stages, int inFlight, int requests, long blockMicros) throws Exception {
        Failures f = new Failures();
        Duration block = Duration.ofNanos(blockMicros * 1000);
        CountDownLatch stopped = new CountDownLatch(stages);
        ActorRef[] chain = new ActorRef[stages];
        for (int i = stages - 1; i >= 0; i--) {
            ActorRef next = i + 1 < stages ? chain[i + 1] : null;
            chain[i] = system.actorOf(Props.create(Stage.class, () -> new Stage(f, stopped, next, block)));
        }
        LongAdder ok = new LongAdder();
        AtomicInteger issued = new AtomicInteger();
        CountDownLatch clientsDone = new CountDownLatch(inFlight);
        for (int c = 0; c < inFlight; c++) {
            Thread.ofVirtual().start(() -> {
                try {
                    int n;
                    while ((n = issued.getAndIncrement()) < requests) {
                        long value = 1000L * n;
                        Object reply = Patterns.ask(chain[0], value, ASK_TIMEOUT).toCompletableFuture()
                                .get(Check.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                        if ((Long) reply == value + stages) {
                            ok.increment();
                        }
                    }
                } catch (Throwable t) {
                    f.record(t);
                } finally {
                    clientsDone.countDown();
                }
            });
        }
        f.await(clientsDone, "callchain");
        for (ActorRef a : chain) {
            system.stop(a);
        }
        f.await(stopped, "callchain stop");
        return ok.sum();
    }
}
