package io.loomnet.bench.peers.jdk;

import io.loomnet.bench.api.Churn;
import io.loomnet.bench.api.Failures;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

final class JdkChurn implements Churn {
    private static final Object HELLO = "hello";

    @Override
    public long run(int actors) throws Exception {
        Failures failures = new Failures();
        CountDownLatch stopped = new CountDownLatch(actors);
        LongAdder handled = new LongAdder();
        for (int i = 0; i < actors; i++) {
            VtActor.start(failures, m -> {
                handled.increment();
                return false;
            }, stopped::countDown).tell(HELLO);
        }
        failures.await(stopped, "churn");
        return handled.sum();
    }
}
