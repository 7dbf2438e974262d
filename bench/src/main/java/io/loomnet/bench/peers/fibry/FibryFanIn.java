package io.loomnet.bench.peers.fibry;

import eu.lucaventuri.fibry.Actor;
import io.loomnet.bench.api.FanIn;
import io.loomnet.bench.api.Failures;

import java.util.concurrent.CountDownLatch;

final class FibryFanIn implements FanIn {
    private static final Object GO = "go";

    @Override
    public long run(int senders, int perSender) throws Exception {
        Failures failures = new Failures();
        long total = (long) senders * perSender;
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(senders + 1);
        long[] counter = new long[2]; // [0] messages, [1] sum; written by the counter only
        Actor<Object, Void, Void> sink = FibryActors.spawn(failures, (m, self) -> {
            counter[1] += (Integer) m;
            if (++counter[0] == total) {
                done.countDown();
            }
        }, stopped::countDown);
        @SuppressWarnings({"unchecked", "rawtypes"})
        Actor<Object, Void, Void>[] sources = new Actor[senders];
        for (int s = 0; s < senders; s++) {
            sources[s] = FibryActors.spawn(failures, (m, self) -> {
                for (int i = 1; i <= perSender; i++) {
                    sink.sendMessage(i);
                }
                self.askExit();
            }, stopped::countDown);
        }
        for (Actor<Object, Void, Void> s : sources) {
            s.sendMessage(GO);
        }
        failures.await(done, "fanin");
        sink.sendPoisonPill();
        failures.await(stopped, "fanin stop");
        return counter[1];
    }
}
