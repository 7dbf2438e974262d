package io.loomnet.bench.peers.jdk;

import io.loomnet.bench.api.FanIn;
import io.loomnet.bench.api.Failures;

import java.util.concurrent.CountDownLatch;

final class JdkFanIn implements FanIn {
    private static final Object GO = "go";

    @Override
    public long run(int senders, int perSender) throws Exception {
        Failures failures = new Failures();
        long total = (long) senders * perSender;
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(senders + 1);
        long[] counter = new long[2]; // [0] messages, [1] sum; written by the counter only
        VtActor sink = VtActor.start(failures, m -> {
            counter[1] += (Integer) m;
            if (++counter[0] == total) {
                done.countDown();
            }
            return true;
        }, stopped::countDown);
        VtActor[] sources = new VtActor[senders];
        for (int s = 0; s < senders; s++) {
            sources[s] = VtActor.start(failures, m -> {
                for (int i = 1; i <= perSender; i++) {
                    sink.tell(i);
                }
                return false;
            }, stopped::countDown);
        }
        for (VtActor s : sources) {
            s.tell(GO);
        }
        failures.await(done, "fanin");
        sink.stop();
        failures.await(stopped, "fanin stop");
        return counter[1];
    }
}
