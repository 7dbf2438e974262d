package io.loomnet.bench.peers.pekko;

import io.loomnet.bench.api.Check;
import io.loomnet.bench.api.Failures;
import io.loomnet.bench.api.Skynet;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

final class PekkoSkynet implements Skynet {
    private record Start(long num, long size) {
    }

    private final ActorSystem system;

    PekkoSkynet(ActorSystem system) {
        this.system = system;
    }

    /** A tree node: children are created with {@code getContext().actorOf}, replies go to the parent. */
    static final class Node extends BenchActor {
        private final Props childProps;
        private final int branching;
        private final CompletableFuture<Long> result; // root only
        private long sum;
        private int outstanding;

        Node(Failures f, Props childProps, int branching, CompletableFuture<Long> result) {
            super(f, null, null);
            this.childProps = childProps;
            this.branching = branching;
            this.result = result;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .match(Start.class, s -> {
                        if (s.size() == 1) {
                            reply(s.num());
                            return;
                        }
                        long sub = s.size() / branching;
                        outstanding = branching;
                        for (int i = 0; i < branching; i++) {
                            getContext().actorOf(childProps).tell(new Start(s.num() + i * sub, sub), getSelf());
                        }
                    })
                    .match(Long.class, v -> {
                        sum += v;
                        if (--outstanding == 0) {
                            reply(sum);
                        }
                    }).build();
        }

        private void reply(long value) {
            if (result != null) {
                result.complete(value);
            } else {
                getContext().getParent().tell(value, getSelf());
            }
            getContext().stop(getSelf());
        }
    }

    @Override
    public long run(int leaves, int branching) throws Exception {
        Failures f = new Failures();
        CompletableFuture<Long> result = new CompletableFuture<>();
        Props[] childProps = new Props[1];
        childProps[0] = Props.create(Node.class, () -> new Node(f, childProps[0], branching, null));
        ActorRef root = system.actorOf(Props.create(Node.class, () -> new Node(f, childProps[0], branching, result)));
        root.tell(new Start(0, leaves), ActorRef.noSender());
        long sum = result.get(Check.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        f.check("skynet");
        return sum;
    }
}
