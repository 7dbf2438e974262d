package io.loomnet.bench.peers.fibry;

import io.loomnet.bench.api.Churn;
import io.loomnet.bench.api.Failures;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

final class FibryChurn implements Churn {
    private static final Object HELLO = "hello";

    @Override
    public long run(int actors) throws Exception {
        Failures failures = new Failures();
        CountDownLatch stopped = new CountDownLatch(actors);
        LongAdder handled = new LongAdder();
        for (int i = 0; i < actors; i++) {
            FibryActors.spawn(failures, (m, self) -> {
                handled.increment();
                self.askExit();
            }, stopped::countDown).sendMessage(HELLO);
        }
        failures.await(stopped, "churn");
        return handled.sum();
    }
}
