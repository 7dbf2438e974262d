package io.loomnet.transport.zmq.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.ServiceUnavailableException;
import io.loomnet.Terminated;

/**
 * A peer in a separate JVM: killed hard, the first node's watchers get Terminated and pending calls fail
 * within about two seconds; started again, calls succeed without restarting anything here. A frozen peer
 * (SIGSTOP) is detected the same way and comes back on SIGCONT.
 */
@Timeout(120)
class ClusterFailureTest {
    private Process peer;
    private Node one;

    @AfterEach
    void cleanUp() {
        if (peer != null) {
            peer.destroyForcibly();
        }
        if (one != null) {
            one.close();
        }
    }

    private static Process startPeer(String inbox2, String inbox1) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                PeerMain.class.getName(), "2", inbox2, "1", inbox1);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread.ofPlatform().daemon(true).start(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.equals("READY")) {
                        ready.complete(null);
                    }
                }
            } catch (Exception e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("peer exited before READY"));
        });
        ready.get(60, TimeUnit.SECONDS);
        return p;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    @Test
    void shouldDetectKilledPeerAndRecoverWhenItReturns() throws Exception {
        String e1 = "tcp://127.0.0.1:" + TestPorts.free();
        String e2 = "tcp://127.0.0.1:" + TestPorts.free();
        one = Node.builder().nodeId(1).start();
        Cluster cluster = Cluster.builder(one).inbox(e1).peer(2, e2).codec(ClusterTest.codec()).start();
        peer = startPeer(e2, e1);
        await("peer up", () -> cluster.peerState(2) == Cluster.PeerState.UP);
        Handle echo = one.lookup("echo@2").orElseThrow();
        Handle silent = one.lookup("silent@2").orElseThrow();
        assertEquals("ping", one.call(echo, "ping", Duration.ofSeconds(10)));

        Watcher watcher = Watcher.of(one, echo);
        var pending = one.ask(silent, "wait", Duration.ofSeconds(60)).toCompletableFuture();

        long t0 = System.nanoTime();
        peer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(30, TimeUnit.SECONDS));
        long failedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertInstanceOf(ServiceUnavailableException.class, e.getCause());
        Terminated t = watcher.next(Duration.ofSeconds(30));
        long notifiedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertNotNull(t);
        assertEquals(Terminated.Reason.NODE_UNREACHABLE, t.reason());
        System.out.printf("killed peer: pending call failed after %d ms, watcher notified after %d ms%n",
                failedMs, notifiedMs);
        assertTrue(failedMs < 4_000, "pending call failed after " + failedMs + " ms");
        assertTrue(notifiedMs < 4_000, "watcher notified after " + notifiedMs + " ms");
        ExecutionException down = assertThrows(ExecutionException.class,
                () -> one.ask(echo, "x", Duration.ofSeconds(30)).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertInstanceOf(ServiceUnavailableException.class, down.getCause());

        peer = startPeer(e2, e1);
        await("peer up again", () -> cluster.peerState(2) == Cluster.PeerState.UP);
        Handle echoAgain = one.lookup("echo@2").orElseThrow();
        assertEquals("back", one.call(echoAgain, "back", Duration.ofSeconds(10)));
    }

    @Test
    void shouldDetectFrozenPeerAndRecoverWhenItThaws() throws Exception {
        String e1 = "tcp://127.0.0.1:" + TestPorts.free();
        String e2 = "tcp://127.0.0.1:" + TestPorts.free();
        one = Node.builder().nodeId(1).start();
        Cluster cluster = Cluster.builder(one).inbox(e1).peer(2, e2).codec(ClusterTest.codec()).start();
        peer = startPeer(e2, e1);
        await("peer up", () -> cluster.peerState(2) == Cluster.PeerState.UP);
        Handle echo = one.lookup("echo@2").orElseThrow();
        String pid = Long.toString(peer.pid());
        new ProcessBuilder("kill", "-STOP", pid).start().waitFor();
        long t0 = System.nanoTime();
        try {
            await("peer down", () -> cluster.peerState(2) == Cluster.PeerState.DOWN);
            long downMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.printf("frozen peer declared down after %d ms%n", downMs);
            assertTrue(downMs < 4_000, "down after " + downMs + " ms");
        } finally {
            new ProcessBuilder("kill", "-CONT", pid).start().waitFor();
        }
        await("peer up after thaw", () -> cluster.peerState(2) == Cluster.PeerState.UP);
        assertEquals("thawed", one.call(echo, "thawed", Duration.ofSeconds(10)));
        assertTrue(List.of(Cluster.PeerState.UP).contains(cluster.peerState(2)));
    }
}
