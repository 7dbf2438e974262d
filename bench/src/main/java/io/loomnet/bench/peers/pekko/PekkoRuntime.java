package io.loomnet.bench.peers.pekko;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.loomnet.bench.api.BenchRuntime;
import io.loomnet.bench.api.CallChain;
import io.loomnet.bench.api.Check;
import io.loomnet.bench.api.Churn;
import io.loomnet.bench.api.FanIn;
import io.loomnet.bench.api.PingPong;
import io.loomnet.bench.api.Skynet;
import io.loomnet.bench.api.ThreadRing;
import org.apache.pekko.actor.ActorSystem;

import java.util.concurrent.TimeUnit;

/**
 * Apache Pekko classic actors on the <em>default dispatcher</em>, untuned (a fork-join pool with
 * parallelism max(8, cores), throughput 5). One actor system per trial; only logging is quietened.
 */
@SuppressWarnings("try") // close() may throw anything; callers report it
public final class PekkoRuntime implements BenchRuntime {
    private static final String QUIET = """
            pekko.loglevel = WARNING
            pekko.stdout-loglevel = WARNING
            pekko.log-dead-letters = off
            pekko.log-dead-letters-during-shutdown = off
            pekko.jvm-shutdown-hooks = off
            pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            """;

    private final ActorSystem system;

    public PekkoRuntime() {
        Config config = ConfigFactory.parseString(QUIET).withFallback(ConfigFactory.load());
        this.system = ActorSystem.create("bench", config);
    }

    @Override
    public PingPong pingPong() {
        return new PekkoPingPong(system);
    }

    @Override
    public ThreadRing threadRing() {
        return new PekkoThreadRing(system);
    }

    @Override
    public FanIn fanIn() {
        return new PekkoFanIn(system);
    }

    @Override
    public Skynet skynet() {
        return new PekkoSkynet(system);
    }

    @Override
    public CallChain callChain() {
        return new PekkoCallChain(system);
    }

    @Override
    public Churn churn() {
        return new PekkoChurn(system);
    }

    @Override
    public void close() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(Check.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
