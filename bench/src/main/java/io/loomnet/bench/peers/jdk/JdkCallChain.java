package io.loomnet.bench.peers.jdk;

import io.loomnet.bench.api.CallChain;
import io.loomnet.bench.api.Check;
import io.loomnet.bench.api.Failures;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

final class JdkCallChain implements CallChain {

    /** A request; the caller blocks on {@code reply}. */
    private record Request(long value, CompletableFuture<Long> reply) {
    }

    @Override
    public long run(int stages, int inFlight, int requests, long blockMicros) throws Exception {
        Failures failures = new Failures();
        Duration block = Duration.ofNanos(blockMicros * 1000);
        CountDownLatch stopped = new CountDownLatch(stages);
        VtActor[] chain = new VtActor[stages];
        for (int i = stages - 1; i >= 0; i--) {
            VtActor next = i + 1 < stages ? chain[i + 1] : null;
            chain[i] = VtActor.start(failures, m -> {
                Request r = (Request) m;
                Thread.sleep(block);
                long v;
                if (next == null) {
                    v = r.value();
                } else {
                    CompletableFuture<Long> f = new CompletableFuture<>();
                    next.tell(new Request(r.value(), f));
                    v = f.get(Check.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                }
                r.reply().complete(v + 1);
                return true;
            }, stopped::countDown);
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
                        CompletableFuture<Long> f = new CompletableFuture<>();
                        chain[0].tell(new Request(value, f));
                        if (f.get(Check.TIMEOUT_SECONDS, TimeUnit.SECONDS) == value + stages) {
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
        for (VtActor a : chain) {
            a.stop();
        }
        failures.await(stopped, "callchain stop");
        return ok.sum();
    }
}
