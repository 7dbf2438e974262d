package io.loomnet.bench.peers.jdk;

import io.loomnet.bench.api.Failures;
import io.loomnet.bench.api.ThreadRing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

final class JdkThreadRing implements ThreadRing {

    @Override
    public long run(int n, int hops) throws Exception {
        Failures failures = new Failures();
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(n);
        LongAdder received = new LongAdder();
        VtActor[] ring = new VtActor[n];
        for (int i = 0; i < n; i++) {
            int next = (i + 1) % n;
            long[] count = new long[1];
            ring[i] = VtActor.start(failures, m -> {
                count[0]++;
                int left = (Integer) m;
                if (left == 1) {
                    done.countDown();
                } else {
                    ring[next].tell(left - 1);
                }
                return true;
            }, () -> {
                received.add(count[0]);
                stopped.countDown();
            });
        }
        ring[0].tell(hops);
        failures.await(done, "threadring");
        for (VtActor a : ring) {
            a.stop();
        }
        failures.await(stopped, "threadring stop");
        return received.sum();
    }
}
