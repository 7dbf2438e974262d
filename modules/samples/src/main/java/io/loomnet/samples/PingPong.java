package io.loomnet.samples;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.loomnet.Context;
import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.Node;
import io.loomnet.Service;
import io.loomnet.ServiceOptions;

/**
 * Ping-pong: a pinger and a ponger volley {@code rounds} messages with one-way sends, then the pinger reports.
 * Run it with {@code java -cp modules/samples/target/loomnet-run.jar io.loomnet.samples.PingPong [rounds]}.
 */
public final class PingPong {
    /** A ball going to the ponger; it answers to {@code replyTo}. */
    record Ping(int n, Handle replyTo) {
    }

    /** The ball coming back. */
    record Pong(int n) {
    }

    /** Starts the game: the pinger serves the first ball at {@code pong}. */
    record Serve(Handle pong) {
    }

    /**
     * What one game measured.
     *
     * @param rounds balls played
     * @param elapsed how long it took
     */
    public record Result(int rounds, Duration elapsed) {
        /** @return round trips per second */
        public double roundTripsPerSecond() {
            return rounds / Math.max(1e-9, elapsed.toNanos() / 1e9);
        }
    }

    private PingPong() {
    }

    /**
     * Plays one game on {@code node}; the two services stop when it ends.
     *
     * @param node the node
     * @param rounds how many round trips
     * @return the result
     * @throws Exception if the game does not end within a minute
     */
    public static Result play(Node node, int rounds) throws Exception {
        CompletableFuture<Result> done = new CompletableFuture<>();
        Handle pong = node.spawn(() -> (ctx, msg) -> {
            if (msg.payload() instanceof Ping p) {
                ctx.send(p.replyTo(), new Pong(p.n()));
            }
        }, ServiceOptions.defaults().withName("pong"));
        Handle ping = node.spawn(() -> new Pinger(rounds, done), ServiceOptions.defaults().withName("ping"));
        node.send(ping, new Serve(pong));
        try {
            return done.get(1, TimeUnit.MINUTES);
        } finally {
            node.stop(ping);
            node.stop(pong);
        }
    }

    /** Serves, counts returns, reports after the last one. */
    private static final class Pinger implements Service {
        private final int rounds;
        private final CompletableFuture<Result> done;
        private long start;

        Pinger(int rounds, CompletableFuture<Result> done) {
            this.rounds = rounds;
            this.done = done;
        }

        @Override
        public void onMessage(Context ctx, Message msg) {
            switch (msg.payload()) {
                case Serve s -> {
                    start = System.nanoTime();
                    ctx.send(s.pong(), new Ping(1, ctx.self()));
                }
                case Pong p when p.n() < rounds -> ctx.send(msg.source(), new Ping(p.n() + 1, ctx.self()));
                case Pong p -> done.complete(new Result(p.n(), Duration.ofNanos(System.nanoTime() - start)));
                default -> ctx.log().warn("pinger ignores {}", msg.payloadType());
            }
        }
    }

    /**
     * @param args optional number of rounds (default 100000)
     * @throws Exception if the game fails
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        try (Node node = Node.builder().nodeId(1).start()) {
            Result r = play(node, rounds);
            System.out.printf("ping-pong: %d round trips in %d ms (%.0f round trips/s)%n", r.rounds(),
                    r.elapsed().toMillis(), r.roundTripsPerSecond());
        }
    }
}
