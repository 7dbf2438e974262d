package io.loomnet.samples.modular;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs {@link ModularApp} the way a modular application runs: in a fresh JVM (the one running this test, a JDK
 * 21+ from the toolchain), with this module's classes and every runtime dependency on the <em>module path</em>
 * and {@code -m io.loomnet.samples.modular/...}. A missing {@code requires transitive}, an unexported package or
 * a split package fails here (or already at compile time), not in a user's build.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ModularAppTest {
    @Test
    void shouldRunAsANamedModuleOnTheModulePath() throws Exception {
        String deps = Files.readString(Path.of("target", "module-path.txt"), StandardCharsets.UTF_8).trim();
        String modulePath = Path.of("target", "classes").toAbsolutePath() + File.pathSeparator + deps;
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, "--module-path", modulePath,
                "--module", "io.loomnet.samples.modular/io.loomnet.samples.modular.ModularApp"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        boolean exited = p.waitFor(90, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String stdout = out.get(10, TimeUnit.SECONDS);
        String stderr = err.get(10, TimeUnit.SECONDS);
        String both = "stdout:\n" + stdout + "\nstderr:\n" + stderr;
        assertThat("exited within 90 s\n" + both, exited, is(true));
        assertThat(both, p.exitValue(), is(0));
        assertThat(both, stdout, containsString(
                "module io.loomnet.samples.modular reads io.loomnet.scheduler and io.loomnet.transport.zmq"));
        assertThat(both, stdout, containsString("call: DIRECT"));
        assertThat(both, stdout, containsString("gateway: ok THROUGH THE GATEWAY"));
        assertThat(both, stdout, containsString("closed clean: true"));
        // The SLF4J provider (logback) was bound through the module system's service binding.
        assertThat(both, stderr, containsString("upper-casing 6 characters"));
    }

    private static CompletableFuture<String> drain(java.io.InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(read failed: " + e + ")";
            }
        });
    }
}
