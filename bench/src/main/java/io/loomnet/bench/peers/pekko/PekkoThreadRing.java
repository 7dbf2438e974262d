package io.loomnet.bench.peers.pekko;

import io.loomnet.bench.api.Failures;
import io.loomnet.bench.api.ThreadRing;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

final class PekkoThreadRing implements ThreadRing {
    private record Next(ActorRef next, CountDownLatch linked) {
    }

    private final ActorSystem system;

    PekkoThreadRing(ActorSystem system) {
        this.system = system;
    }

    static final class Node extends BenchActor {
        private final CountDownLatch done;
        private ActorRef next;

        Node(Failures f, LongAdder total, CountDownLatch stopped, CountDownLatch done) {
            super(f, total, stopped);
            this.done = done;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .match(Next.class, n -> {
                        next = n.next();
                        n.linked().countDown();
                    })
                    .match(Integer.class, left -> {
                        count++;
                        if (left == 1) {
                            done.countDown();
                        } else {
                            next.tell(left - 1, getSelf());
                        }
                    }).build();
        }
    }

    @Override
    public long run(int n, int hops) throws Exception {
        Failures f = new Failures();
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch linked = new CountDownLatch(n);
        CountDownLatch stopped = new CountDownLatch(n);
        LongAdder total = new LongAdder();
        Props props = Props.create(Node.class, () -> new Node(f, total, stopped, done));
        ActorRef[] ring = new ActorRef[n];
        for (int i = 0; i < n; i++) {
            ring[i] = system.actorOf(props);
        }
        for (int i = 0; i < n; i++) {
            ring[i].tell(new Next(ring[(i + 1) % n], linked), ActorRef.noSender());
        }
        f.await(linked, "threadring link");
        ring[0].tell(hops, ActorRef.noSender());
        f.await(done, "threadring");
        for (ActorRef a : ring) {
            system.stop(a);
        }
        f.await(stopped, "threadring stop");
        return total.sum();
    }
}
