package io.loomnet.launcher;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.loomnet.testkit.LoomnetExtension;

/**
 * {@code loomnet run} in its own JVM, stopped as a user stops it: SIGINT (Ctrl-C) or SIGTERM. A clean close exits
 * 0, as docs/modules.md promises (the JVM's own signal handling would exit 130 or 143).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MainSignalTest {
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path dir;

    /** @return whether SIGINT is ignored in this JVM's process (Linux: the SigIgn mask in /proc/self/status) */
    private static boolean sigintIgnoredHere() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
                return (mask & (1L << (2 - 1))) != 0; // SIGINT is signal 2, bit 1
            }
        }
        return false;
    }

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"INT", "TERM"})
    void shouldExitZeroAfterACleanCloseOnSignal(String signal) throws Exception {
        Path conf = dir.resolve("node.conf");
        Files.writeString(conf, "loomnet { node-id = " + LoomnetExtension.freshNodeId() + "\n"
                + "  services = [ { module = console, args { port = 0 } }, { module = logger, name = log } ] }\n");
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "io.loomnet.launcher.Main", "run", conf.toString()));
        if (signal.equals("INT") && sigintIgnoredHere()) {
            // This build was started in the background by a non-interactive shell, which ignores SIGINT for its
            // jobs; the child JVM would inherit that and, like every JVM, then leave SIGINT ignored (as nohup
            // wants). A user's terminal does not, so restore the default disposition before exec'ing the JVM.
            Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)),
                    "SIGINT is ignored in this process and " + PYTHON + " is missing to reset it for the child");
            command.addAll(0, List.of(PYTHON, "-c", "import os, signal, sys; "
                    + "signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        StringBuilder seen = new StringBuilder();
        CompletableFuture<Void> running = new CompletableFuture<>();
        CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    synchronized (seen) {
                        seen.append(line).append('\n');
                    }
                    if (line.contains("; Ctrl-C to stop")) {
                        running.complete(null);
                    }
                }
            } catch (IOException e) {
                running.completeExceptionally(e);
            }
        });
        try {
            running.get(60, TimeUnit.SECONDS);
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -" + signal);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "loomnet run did not exit after SIG" + signal);
            drained.get(10, TimeUnit.SECONDS);
            String out;
            synchronized (seen) {
                out = seen.toString();
            }
            assertEquals(0, p.exitValue(), out);
            assertThat(out, containsString("loomnet: stopping: closing node "));
            assertThat(out, containsString(" closed in "));
            assertThat(out, containsString("transport/console /127.0.0.1:"));
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
