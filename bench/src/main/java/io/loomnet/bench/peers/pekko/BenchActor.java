package io.loomnet.bench.peers.pekko;

import io.loomnet.bench.api.Failures;
import org.apache.pekko.actor.AbstractActor;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * Base of the bench's Pekko actors: a failure (which Pekko's default supervision would answer with
 * a silent restart) fails the run, and on stop the actor adds what it counted to the run's total.
 */
abstract class BenchActor extends AbstractActor {
    private final Failures failures;
    private final LongAdder total;
    private final CountDownLatch stopped;
    /** Messages this actor received; reported on stop. */
    protected long count;

    BenchActor(Failures failures, LongAdder total, CountDownLatch stopped) {
        this.failures = failures;
        this.total = total;
        this.stopped = stopped;
    }

    @Override
    public void preRestart(Throwable reason, Optional<Object> message) throws Exception {
        failures.record(reason);
        super.preRestart(reason, message);
    }

    @Override
    public void postStop() {
        if (total != null) {
            total.add(count);
        }
        if (stopped != null) {
            stopped.countDown();
        }
    }
}
