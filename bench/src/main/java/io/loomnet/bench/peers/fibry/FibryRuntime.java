package io.loomnet.bench.peers.fibry;

import io.loomnet.bench.api.BenchRuntime;
import io.loomnet.bench.api.CallChain;
import io.loomnet.bench.api.Churn;
import io.loomnet.bench.api.FanIn;
import io.loomnet.bench.api.PingPong;
import io.loomnet.bench.api.Skynet;
import io.loomnet.bench.api.ThreadRing;

/**
 * Fibry 3 (eu.lucaventuri:fibry): one virtual thread per actor over a blocking deque. Fibry has no
 * actor system object to open; every run stops and waits for its own actors.
 */
public final class FibryRuntime implements BenchRuntime {

    @Override
    public PingPong pingPong() {
        return new FibryPingPong();
    }

    @Override
    public ThreadRing threadRing() {
        return new FibryThreadRing();
    }

    @Override
    public FanIn fanIn() {
        return new FibryFanIn();
    }

    @Override
    public Skynet skynet() {
        return new FibrySkynet();
    }

    @Override
    public CallChain callChain() {
        return new FibryCallChain();
    }

    @Override
    public Churn churn() {
        return new FibryChurn();
    }

    @Override
    public void close() {
        // Nothing shared to close.
    }
}
