package io.loomnet.bench.peers.fibry;

import eu.lucaventuri.fibry.Actor;
import io.loomnet.bench.api.Check;
import io.loomnet.bench.api.Failures;
import io.loomnet.bench.api.Skynet;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

final class FibrySkynet implements Skynet {
    private record Start(long num, long size) {
    }

    @Override
    public long run(int leaves, int branching) throws Exception {
        Failures failures = new Failures();
        CompletableFuture<Long> result = new CompletableFuture<>();
        spawn(failures, branching, result::complete).sendMessage(new Start(0, leaves));
        long sum = result.get(Check.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        failures.check("skynet");
        return sum;
    }

    private static Actor<Object, Void, Void> spawn(Failures failures, int branching, LongConsumer parent) {
        long[] state = new long[2]; // [0] sum so far, [1] replies outstanding
        return FibryActors.spawn(failures, (m, self) -> {
            if (m instanceof Start s) {
                if (s.size() == 1) {
                    parent.accept(s.num());
                    self.askExit();
                    return;
                }
                long sub = s.size() / branching;
                state[1] = branching;
                for (int i = 0; i < branching; i++) {
                    spawn(failures, branching, v -> self.sendMessage(v)).sendMessage(new Start(s.num() + i * sub, sub));
                }
                return;
            }
            state[0] += (Long) m;
            if (--state[1] == 0) {
                parent.accept(state[0]);
                self.askExit();
            }
        }, null);
    }
}
