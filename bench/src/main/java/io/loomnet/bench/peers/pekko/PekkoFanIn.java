package io.loomnet.bench.peers.pekko;

import io.loomnet.bench.api.FanIn;
import io.loomnet.bench.api.Failures;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

final class PekkoFanIn implements FanIn {
    private final ActorSystem system;

    PekkoFanIn(ActorSystem system) {
        this.system = system;
    }

    /** Counts messages in {@code count}; reports the sum of their values on stop. */
    static final class Counter extends BenchActor {
        private final long expected;
        private final CountDownLatch done;
        private long sum;
        private final LongAdder sumOut;

        Counter(Failures f, CountDownLatch stopped, long expected, CountDownLatch done, LongAdder sumOut) {
            super(f, null, stopped);
            this.expected = expected;
            this.done = done;
            this.sumOut = sumOut;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(Integer.class, v -> {
                sum += v;
                if (++count == expected) {
                    done.countDown();
                }
            }).build();
        }

        @Override
        public void postStop() {
            sumOut.add(sum);
            super.postStop();
        }
    }

    static final class Sender extends BenchActor {
        private final ActorRef sink;
        private final int perSender;

        Sender(Failures f, CountDownLatch stopped, ActorRef sink, int perSender) {
            super(f, null, stopped);
            this.sink = sink;
            this.perSender = perSender;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().matchAny(go -> {
                for (int i = 1; i <= perSender; i++) {
                    sink.tell(i, getSelf());
                }
                getContext().stop(getSelf());
            }).build();
        }
    }

    @Override
    public long run(int senders, int perSender) throws Exception {
        Failures f = new Failures();
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(senders + 1);
        LongAdder sum = new LongAdder();
        long expected = (long) senders * perSender;
        ActorRef sink = system.actorOf(Props.create(Counter.class,
                () -> new Counter(f, stopped, expected, done, sum)));
        Props senderProps = Props.create(Sender.class, () -> new Sender(f, stopped, sink, perSender));
        ActorRef[] sources = new ActorRef[senders];
        for (int s = 0; s < senders; s++) {
            sources[s] = system.actorOf(senderProps);
        }
        for (ActorRef s : sources) {
            s.tell("go", ActorRef.noSender());
        }
        f.await(done, "fanin");
        system.stop(sink);
        f.await(stopped, "fanin stop");
        return sum.sum();
    }
}
