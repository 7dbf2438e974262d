package io.loomnet.bench;

import io.loomnet.bench.api.BenchRuntime;
import io.loomnet.bench.api.Check;
import io.loomnet.bench.api.RemoteCall;
import io.loomnet.bench.api.RemoteTell;
import io.loomnet.bench.api.RuntimeInfo;
import io.loomnet.bench.api.Runtimes;
import io.loomnet.bench.api.Workload;
import io.loomnet.bench.jmh.Leaks;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every runnable runtime's workloads at a tiny size and checks the results and that the
 * runtime leaves no threads behind. Not a benchmark: it proves the implementations are correct
 * so that the numbers of a real run mean something.
 */
@SuppressWarnings("try") // close() may throw anything; callers report it
class PeerSmokeTest {

    @TestFactory
    List<DynamicTest> everyRuntimeGetsTheRightAnswers() {
        List<DynamicTest> tests = new ArrayList<>();
        for (RuntimeInfo info : Runtimes.all()) {
            if (info.workloads().isEmpty()) {
                continue; // pending
            }
            tests.add(DynamicTest.dynamicTest(info.id(), () -> runAll(info)));
        }
        return tests;
    }

    private static void runAll(RuntimeInfo info) throws Exception {
        Leaks leaks = Leaks.snapshot();
        try (BenchRuntime rt = info.open()) {
            for (Workload w : info.workloads()) {
                switch (w) {
                    case PINGPONG -> {
                        assertEquals(2_000, rt.pingPong().run(1, 2_000));
                        assertEquals(4_000, rt.pingPong().run(4, 1_000));
                    }
                    case THREADRING -> assertEquals(5_000, rt.threadRing().run(503, 5_000));
                    case FANIN -> assertEquals(Check.fanInSum(8, 1_000), rt.fanIn().run(8, 1_000));
                    case SKYNET -> assertEquals(Check.skynetSum(10_000), rt.skynet().run(10_000, 10));
                    case CALLCHAIN -> assertEquals(16, rt.callChain().run(8, 4, 16, 100));
                    case CHURN -> assertEquals(2_000, rt.churn().run(2_000));
                    case REMOTE_TELL -> {
                        try (RemoteTell t = rt.remoteTell(100)) {
                            assertEquals(1_000, t.run(1_000));
                            assertEquals(1_000, t.run(1_000));
                        }
                    }
                    case REMOTE_CALL -> {
                        try (RemoteCall c = rt.remoteCall(100)) {
                            for (int i = 0; i < 200; i++) {
                                c.call();
                            }
                        }
                    }
                }
            }
        }
        List<String> left = leaks.leftover();
        assertTrue(left.isEmpty(), info.id() + " left threads: " + left);
    }
}
