package io.loomnet.bench.peers.jdk;

import io.loomnet.bench.api.BenchRuntime;
import io.loomnet.bench.api.CallChain;
import io.loomnet.bench.api.Churn;
import io.loomnet.bench.api.FanIn;
import io.loomnet.bench.api.PingPong;
import io.loomnet.bench.api.Skynet;
import io.loomnet.bench.api.ThreadRing;

/**
 * Plain JDK virtual threads, one per actor, each with a {@code LinkedBlockingQueue} mailbox
 * ({@link VtActor}): the floor for thread-per-actor designs. Nothing to open; every run joins or
 * counts down the threads it started before it returns.
 */
public final class JdkVtRuntime implements BenchRuntime {

    @Override
    public PingPong pingPong() {
        return new JdkPingPong();
    }

    @Override
    public ThreadRing threadRing() {
        return new JdkThreadRing();
    }

    @Override
    public FanIn fanIn() {
        return new JdkFanIn();
    }

    @Override
    public Skynet skynet() {
        return new JdkSkynet();
    }

    @Override
    public CallChain callChain() {
        return new JdkCallChain();
    }

    @Override
    public Churn churn() {
        return new JdkChurn();
    }

    @Override
    public void close() {
        // Every run stops and waits for its own actors.
    }
}
