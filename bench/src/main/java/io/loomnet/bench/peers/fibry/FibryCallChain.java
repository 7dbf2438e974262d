package io.loomnet.bench.peers.fibry;

import eu.lucaventuri.fibry.Actor;
import eu.lucaventuri.fibry.ActorSystem;
import eu.lucaventuri.fibry.CreationStrategy;
import io.loomnet.bench.api.CallChain;
import io.loomnet.bench.api.Check;
import io.loomnet.bench.api.Failures;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The chain with Fibry's own request/response: actors with a return value, {@code sendMessageReturn}. */
final class FibryCallChain implements CallChain {

    @Override
    public long run(int stages, int inFlight, int requests, long blockMicros) throws Exception {
        Failures failures = new Failures();
        Duration block = Duration.ofNanos(blockMicros * 1000);
        CountDownLatch stopped = new CountDownLatch(stages);
        @SuppressWarnings({"unchecked", "rawtypes"})
        Actor<Long, Long, Void>[] chain = new Actor[stages];
        for (int i = stages - 1; i >= 0; i--) {
            Actor<Long, Long, Void> next = i + 1 < stages ? chain[i + 1] : null;
            chain[i] = ActorSystem.anonymous().strategy(CreationStrategy.FIBER)
                    .<Void>initialState(null, null, s -> stopped.countDown())
                    .newActorWithReturn((Long value) -> {
                        try {
                            Thread.sleep(block);
                            long v = next == null ? value
                                    : next.sendMessageReturn(value).get(Check.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                            return v + 1;
                        } catch (Exception e) {
                            failures.record(e);
                            throw new CompletionException(e);
                        }
                    });
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
                        long reply = chain[0].sendMessageReturn(value).get(Check.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                        if (reply == value + stages) {
                            ok.increment();
                        }
                    }
                } catch (Throwable t) {
                    failures.record(t);
                } finally {
                    clientsDone.countDown();
                }
            });
        }
        failures.await(clientsDone, "callchain");
        for (Actor<Long, Long, Void> a : chain) {
            a.sendPoisonPill();
        }
        failures.await(stopped, "callchain stop");
        return ok.sum();
    }
}
