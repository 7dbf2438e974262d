package io.loomnet.bench.peers.pekko;

import io.loomnet.bench.api.Failures;
import io.loomnet.bench.api.PingPong;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

final class PekkoPingPong implements PingPong {
    private static final Object PING = "ping";
    private static final Object PONG = "pong";

    private record Start(ActorRef ponger) {
    }

    private final ActorSystem system;

    PekkoPingPong(ActorSystem system) {
        this.system = system;
    }

    static final class Ponger extends BenchActor {
        Ponger(Failures f, LongAdder total, CountDownLatch stopped) {
            super(f, total, stopped);
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().matchAny(m -> {
                count++;
                getSender().tell(PONG, getSelf());
            }).build();
        }
    }

    static final class Pinger extends BenchActor {
        private final int rounds;
        private final CountDownLatch done;
        private ActorRef ponger;

        Pinger(Failures f, LongAdder total, CountDownLatch stopped, int rounds, CountDownLatch done) {
            super(f, total, stopped);
            this.rounds = rounds;
            this.done = done;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .match(Start.class, s -> {
                        ponger = s.ponger();
                        ponger.tell(PING, getSelf());
                    })
                    .matchAny(m -> {
                        if (++count == rounds) {
                            done.countDown();
                        } else {
                            ponger.tell(PING, getSelf());
                        }
                    }).build();
        }
    }

    @Override
    public long run(int pairs, int messagesPerPair) throws Exception {
        Failures f = new Failures();
        int rounds = messagesPerPair / 2;
        CountDownLatch done = new CountDownLatch(pairs);
        CountDownLatch stopped = new CountDownLatch(2 * pairs);
        LongAdder total = new LongAdder();
        Props pongerProps = Props.create(Ponger.class, () -> new Ponger(f, total, stopped));
        Props pingerProps = Props.create(Pinger.class, () -> new Pinger(f, total, stopped, rounds, done));
        ActorRef[] actors = new ActorRef[2 * pairs];
        for (int p = 0; p < pairs; p++) {
            actors[2 * p] = system.actorOf(pingerProps);
            actors[2 * p + 1] = system.actorOf(pongerProps);
        }
        for (int p = 0; p < pairs; p++) {
            actors[2 * p].tell(new Start(actors[2 * p + 1]), ActorRef.noSender());
        }
        f.await(done, "pingpong");
        for (ActorRef a : actors) {
            system.stop(a);
        }
        f.await(stopped, "pingpong stop");
        return total.sum();
    }
}
