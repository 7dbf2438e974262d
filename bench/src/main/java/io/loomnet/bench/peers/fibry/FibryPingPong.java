package io.loomnet.bench.peers.fibry;

import eu.lucaventuri.fibry.Actor;
import io.loomnet.bench.api.Failures;
import io.loomnet.bench.api.PingPong;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

final class FibryPingPong implements PingPong {
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
        List<Actor<Object, Void, Void>> actors = new ArrayList<>();
        List<Actor<Object, Void, Void>> pingers = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            Actor<Object, Void, Void>[] pinger = new Actor[1];
            long[] pongerCount = new long[1];
            Actor<Object, Void, Void> ponger = FibryActors.spawn(failures, (m, self) -> {
                pongerCount[0]++;
                pinger[0].sendMessage(PONG);
            }, () -> {
                received.add(pongerCount[0]);
                stopped.countDown();
            });
            long[] pingerCount = new long[1];
            pinger[0] = FibryActors.spawn(failures, (m, self) -> {
                if (m == START) {
                    ponger.sendMessage(PING);
                } else if (++pingerCount[0] == rounds) {
                    done.countDown();
                } else {
                    ponger.sendMessage(PING);
                }
            }, () -> {
                received.add(pingerCount[0]);
                stopped.countDown();
            });
            actors.add(pinger[0]);
            actors.add(ponger);
            pingers.add(pinger[0]);
        }
        for (Actor<Object, Void, Void> p : pingers) {
            p.sendMessage(START);
        }
        failures.await(done, "pingpong");
        for (Actor<Object, Void, Void> a : actors) {
            a.sendPoisonPill();
        }
        failures.await(stopped, "pingpong stop");
        return received.sum();
    }
}
