package io.loomnet.bench.peers.jdk;

import io.loomnet.bench.api.Failures;
import io.loomnet.bench.api.PingPong;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

final class JdkPingPong implements PingPong {
    private static final Object START = "start";
    private static final Object PING = "ping";
    private static final Object PONG = "pong";

    @Override
    public long run(int pairs, int messagesPerPair) throws Exception {
        Failures failures = new Failures();
        int rounds = messagesPerPair / 2;
        CountDownLatch done = new CountDownLatch(pairs);
        CountDownLatch stopped = new CountDownLatch(2 * pairs);
        LongAdder received = new LongAdder();
        VtActor[] actors = new VtActor[2 * pairs];
        for (int p = 0; p < pairs; p++) {
            VtActor[] peer = new VtActor[1];
            long[] pongerCount = new long[1];
            VtActor ponger = VtActor.start(failures, m -> {
                pongerCount[0]++;
                peer[0].tell(PONG);
                return true;
            }, () -> {
                received.add(pongerCount[0]);
                stopped.countDown();
            });
            long[] pingerCount = new long[1];
            VtActor pinger = VtActor.start(failures, m -> {
                if (m == START) {
                    ponger.tell(PING);
                    return true;
                }
                if (++pingerCount[0] == rounds) {
                    done.countDown();
                } else {
                    ponger.tell(PING);
                }
                return true;
            }, () -> {
                received.add(pingerCount[0]);
                stopped.countDown();
            });
            peer[0] = pinger;
            actors[2 * p] = pinger;
            actors[2 * p + 1] = ponger;
        }
        for (int p = 0; p < pairs; p++) {
            actors[2 * p].tell(START);
        }
        failures.await(done, "pingpong");
        for (VtActor a : actors) {
            a.stop();
        }
        failures.await(stopped, "pingpong stop");
        return received.sum();
    }
}
