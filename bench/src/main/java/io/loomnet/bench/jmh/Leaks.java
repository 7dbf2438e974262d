package io.loomnet.bench.jmh;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks that a trial left no platform threads behind: snapshot at setup, compare at teardown.
 * Thread pools wind down asynchronously, so it waits up to five seconds before it reports. Every
 * JMH trial runs in its own JVM, so a leak cannot skew another trial's figures; the report goes to
 * the log (and the smoke test fails on it).
 */
public final class Leaks {
    /** {@link HeapPeakProfiler}'s thread, which outlives the trial's teardown by design. */
    static final String HEAP_SAMPLER = "heap-sampler";

    private final Set<Long> before = ids();

    public static Leaks snapshot() {
        return new Leaks();
    }

    /** Threads started since the snapshot that are still alive after the grace period. */
    public List<String> leftover() throws InterruptedException {
        List<Thread> extra = List.of();
        for (int i = 0; i < 50; i++) {
            extra = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t.threadId()) && t.isAlive() && !isJvmThread(t))
                    .toList();
            if (extra.isEmpty()) {
                return List.of();
            }
            Thread.sleep(100);
        }
        return extra.stream().map(Thread::getName).sorted().collect(Collectors.toList());
    }

    /** Prints leftover threads to stderr (the JMH log). */
    public void report(String trial) throws InterruptedException {
        List<String> left = leftover();
        if (!left.isEmpty()) {
            System.err.println("[leak] " + trial + " left " + left.size() + " thread(s): " + left);
        }
    }

    /** The JVM's own threads, including the virtual-thread scheduler's, which start on first use. */
    private static boolean isJvmThread(Thread t) {
        String n = t.getName();
        return t.getClass().getName().equals("jdk.internal.misc.CarrierThread")
                || n.startsWith("VirtualThread-") || n.endsWith("-delayScheduler")
                || n.equals(HEAP_SAMPLER)
                || n.equals("Attach Listener") || n.equals("Common-Cleaner") || n.startsWith("process reaper")
                || n.startsWith("JMH") || n.startsWith("ForkJoinPool.commonPool") || n.equals("Notification Thread")
                || n.startsWith("Keep-Alive");
    }

    private static Set<Long> ids() {
        Set<Long> s = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            s.add(t.threadId());
        }
        return s;
    }
}
