package io.loomnet.bench.peers.jdk;

import io.loomnet.bench.api.Check;
import io.loomnet.bench.api.Failures;
import io.loomnet.bench.api.Skynet;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

final class JdkSkynet implements Skynet {

    private record Start(long num, long size) {
    }

    /** Where a node sends its sum: its parent actor, or the run's result for the root. */
    private interface Parent {
        void tell(Object m);
    }

    @Override
    public long run(int leaves, int branching) throws Exception {
        Failures failures = new Failures();
        CompletableFuture<Long> result = new CompletableFuture<>();
        spawn(failures, branching, m -> result.complete((Long) m)).tell(new Start(0, leaves));
        long sum = result.get(Check.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        failures.check("skynet");
        return sum;
    }

    private static VtActor spawn(Failures failures, int branching, Parent parent) {
        VtActor[] self = new VtActor[1];
        long[] state = new long[2]; // [0] sum so far, [1] replies outstanding
        self[0] = VtActor.start(failures, m -> {
            if (m instanceof Start s) {
                if (s.size() == 1) {
                    parent.tell(s.num());
                    return false;
                }
                long sub = s.size() / branching;
                state[1] = branching;
                for (int i = 0; i < branching; i++) {
                    spawn(failures, branching, self[0]::tell).tell(new Start(s.num() + i * sub, sub));
                }
                return true;
            }
            state[0] += (Long) m;
            if (--state[1] == 0) {
                parent.tell(state[0]);
                return false;
            }
            return true;
        }, null);
        return self[0];
    }
}
