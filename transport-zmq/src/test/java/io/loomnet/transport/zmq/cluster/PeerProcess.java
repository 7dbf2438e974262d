package io.loomnet.transport.zmq.cluster;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A peer node in a separate JVM (a test main of this package), with its READY line and COUNT answers. */
final class PeerProcess implements AutoCloseable {
    private final Process process;
    private final PrintWriter commands;
    private final BlockingQueue<String> counts = new LinkedBlockingQueue<>();

    private PeerProcess(Process process) {
        this.process = process;
        this.commands = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8),
                true);
    }

    /** Starts {@code main} with {@code args} on this JVM's class path and waits for its READY line. */
    static PeerProcess start(Class<?> main, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String[] cmd = new String[4 + args.length];
        cmd[0] = java;
        cmd[1] = "-cp";
        cmd[2] = System.getProperty("java.class.path");
        cmd[3] = main.getName();
        System.arraycopy(args, 0, cmd, 4, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true);
        PeerProcess p = new PeerProcess(pb.start());
        CompletableFuture<Void> ready = new CompletableFuture<>();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.process.getInputStream(),
                StandardCharsets.UTF_8));
        Thread.ofPlatform().daemon(true).name("peer-output").start(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.equals("READY")) {
                        ready.complete(null);
                    } else if (line.startsWith("COUNT ")) {
                        p.counts.add(line);
                    } else {
                        System.out.println("[peer] " + line);
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

    /** @return the peer's {@code COUNT} answer: handled, dead letters, stale */
    long[] count() throws InterruptedException {
        commands.println("COUNT");
        String line = counts.poll(30, TimeUnit.SECONDS);
        if (line == null) {
            throw new AssertionError("peer did not answer COUNT within 30 s");
        }
        String[] parts = line.split(" ");
        return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3])};
    }

    long pid() {
        return process.pid();
    }

    void signal(String sig) throws Exception {
        new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).start().waitFor();
    }

    /** Kills the process hard (SIGKILL) and waits for it. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** Closes its stdin, so it closes its node cleanly, and waits for it to exit. */
    boolean closeCleanly() throws InterruptedException {
        commands.close();
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
