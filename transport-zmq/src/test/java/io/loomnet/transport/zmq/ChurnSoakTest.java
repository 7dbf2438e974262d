package io.loomnet.transport.zmq;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ChurnStressTest}'s round, 20 times in a row in one JVM, every round with all its checks (threads, sockets,
 * descriptors back to the start, ports free, a fresh machine answers). Tagged {@code slow}; run it with
 * {@code mvn -pl transport-zmq -am test -Dtest=ChurnSoakTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dloomnet.test.groups=slow -Dloomnet.test.excludedGroups=}.
 */
@Tag("slow")
class ChurnSoakTest {
    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES)
    void shouldChurnTwentyRoundsWithoutDeadlockOrLeaks() throws Exception {
        for (int round = 1; round <= 20; round++) {
            System.out.println("churn soak round " + round);
            ChurnStressTest.churnOnce();
        }
    }
}
