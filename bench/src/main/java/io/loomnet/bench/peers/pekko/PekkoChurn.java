package io.loomnet.bench.peers.pekko;

import io.loomnet.bench.api.Churn;
import io.loomnet.bench.api.Failures;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/** A parent actor spawns the children ({@code getContext().actorOf}); each stops itself after one message. */
final class PekkoChurn implements Churn {
    private static final Object HELLO = "hello";

    private final ActorSystem system;

    PekkoChurn(ActorSystem system) {
        this.system = system;
    }

    static final class Child extends BenchActor {
        Child(Failures f, LongAdder total, CountDownLatch stopped) {
            super(f, total, stopped);
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().matchAny(m -> {
                count++;
                getContext().stop(getSelf());
            }).build();
        }
    }

    static final class Spawner extends BenchActor {
        private final Props childProps;

        Spawner(Failures f, Props childProps) {
            super(f, null, null);
            this.childProps = childProps;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(Integer.class, n -> {
                for (int i = 0; i < n; i++) {
                    getContext().actorOf(childProps).tell(HELLO, getSelf());
                }
            }).build();
        }
    }

    @Override
    public long run(int actors) throws Exception {
        Failures f = new Failures();
        CountDownLatch stopped = new CountDownLatch(actors);
        LongAdder handled = new LongAdder();
        Props childProps = Props.create(Child.class, () -> new Child(f, handled, stopped));
        ActorRef spawner = system.actorOf(Props.create(Spawner.class, () -> new Spawner(f, childProps)));
        spawner.tell(actors, ActorRef.noSender());
        f.await(stopped, "churn");
        system.stop(spawner);
        return handled.sum();
    }
}
