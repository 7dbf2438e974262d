package io.loomnet.bench.peers.fibry;

import eu.lucaventuri.fibry.Actor;
import io.loomnet.bench.api.Failures;
import io.loomnet.bench.api.ThreadRing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

final class FibryThreadRing implements ThreadRing {

    @Override
    public long run(int n, int hops) throws Exception {
        Failures failures = new Failures();
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(n);
        LongAdder received = new LongAdder();
        @SuppressWarnings({"unchecked", "rawtypes"})
        Actor<Object, Void, Void>[] ring = new Actor[n];
        for (int i = 0; i < n; i++) {
            int next = (i + 1) % n;
            long[] count = new long[1];
            ring[i] = FibryActors.spawn(failures, (m, self) -> {
                count[0]++;
                int left = (Integer) m;
                if (left == 1) {
                    done.countDown();
                } else {
                    ring[next].sendMessage(left - 1);
                }
            }, () -> {
                received.add(count[0]);
                stopped.countDown();
            });
        }
        ring[0].sendMessage(hops);
        failures.await(done, "threadring");
        for (Actor<Object, Void, Void> a : ring) {
            a.sendPoisonPill();
        }
        failures.await(stopped, "threadring stop");
        return received.sum();
    }
}
