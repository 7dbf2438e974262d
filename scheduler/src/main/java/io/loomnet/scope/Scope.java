package io.loomnet.scope;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A structured owner of threads and resources, built on final JDK APIs only (see
 * {@code docs/decisions/0001-own-scopes.md}: {@code StructuredTaskScope} is a preview API through JDK 27).
 *
 * <p>A scope declares its <em>stages</em> up front, in the order they stop. Resources ({@link Stopper}s),
 * threads and child scopes are registered into a stage. {@link #shutdown()} stops the stages in declared
 * order; inside a stage, entries stop in reverse order of registration (last started, first stopped).
 * Every stopper gets the same overall deadline; threads are joined against it; failures are collected,
 * never thrown half-way; whatever is still running at the deadline is named in the {@link CloseReport},
 * with its thread's stack.
 *
 * <p><b>Threads.</b> Threads started through a scope are joined on close but never interrupted: stopping a
 * thread is the job of a {@link Stopper} registered before it in the same stage (for example one that
 * sends a control message). JeroMQ sockets must never see an interrupt, so the scope does not send one.
 *
 * <p><b>Thread safety.</b> All methods may be called from any thread. Registration after close has begun
 * fails with {@link IllegalStateException}, so nothing can slip in behind a closing scope.
 * {@link #shutdown()} and {@link #close()} are idempotent: the first caller closes, every later caller
 * waits for that close and gets the same report.
 */
public final class Scope implements AutoCloseable {
    private final String name;
    private final Duration deadline;
    private final List<String> stages;
    private final Map<String, List<Entry>> entries = new LinkedHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closing;
    private volatile CloseReport report;
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

    private record Entry(String name, Stopper stopper, Thread thread) {
    }

    private Scope(String name, Duration deadline, List<String> stages) {
        this.name = Objects.requireNonNull(name, "name");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        if (deadline.isNegative()) {
            throw new IllegalArgumentException("scope '" + name + "': deadline must not be negative, was " + deadline);
        }
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("scope '" + name + "': at least one stage is required");
        }
        this.stages = List.copyOf(stages);
        for (String s : this.stages) {
            if (entries.put(s, new ArrayList<>()) != null) {
                throw new IllegalArgumentException("scope '" + name + "': duplicate stage '" + s + "'");
            }
        }
    }

    /**
     * Opens a scope.
     *
     * @param name the scope's name, used in reports and thread names
     * @param deadline how long {@link #shutdown()} may take in all
     * @param stages the stage names, in the order they stop
     * @return the open scope
     */
    public static Scope open(String name, Duration deadline, String... stages) {
        return new Scope(name, deadline, Arrays.asList(stages));
    }

    /** @return the scope's name */
    public String name() {
        return name;
    }

    /** @return the stage names in stop order */
    public List<String> stages() {
        return stages;
    }

    /** @return {@code true} once {@link #shutdown()} has begun */
    public boolean isClosing() {
        lock.lock();
        try {
            return closing;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Registers a resource to stop in {@code stage}.
     *
     * @param stage one of the declared stages
     * @param what a name for the report
     * @param stopper how to stop it
     * @throws IllegalStateException if the scope is closing
     */
    public void add(String stage, String what, Stopper stopper) {
        register(stage, new Entry(what, Objects.requireNonNull(stopper, "stopper"), null));
    }

    /**
     * Registers an {@link AutoCloseable} to close in {@code stage}.
     *
     * @param stage one of the declared stages
     * @param what a name for the report
     * @param resource the resource; its {@code close()} should return promptly
     * @param <T> the resource type
     * @return {@code resource}, for chaining
     */
    public <T extends AutoCloseable> T addCloseable(String stage, String what, T resource) {
        add(stage, what, deadlineNanos -> {
            resource.close();
            return true;
        });
        return resource;
    }

    /**
     * Registers a child scope in {@code stage}; it is shut down, against its own deadline, when this scope
     * reaches that stage. Give the child a deadline that fits inside this scope's.
     *
     * @param stage one of the declared stages
     * @param child the child scope
     * @return {@code child}
     */
    public Scope addChild(String stage, Scope child) {
        add(stage, "scope " + child.name(), deadlineNanos -> {
            CloseReport r = child.shutdown();
            if (!r.clean()) {
                ScopeCloseException e = r.toException();
                throw e;
            }
            return true;
        });
        return child;
    }

    /**
     * Starts a platform thread that this scope joins when it reaches {@code stage}. The thread is never
     * interrupted; register a {@link Stopper} that makes it return, in the same stage, <em>after</em>
     * starting the thread (entries stop last-registered first).
     *
     * @param stage one of the declared stages
     * @param threadName the thread's name
     * @param daemon whether the thread is a daemon
     * @param body the thread's work
     * @return the started thread
     */
    public Thread startPlatformThread(String stage, String threadName, boolean daemon, Runnable body) {
        return start(stage, Thread.ofPlatform().name(threadName).daemon(daemon).unstarted(body));
    }

    /**
     * Starts a virtual thread that this scope joins when it reaches {@code stage}.
     *
     * @param stage one of the declared stages
     * @param threadName the thread's name
     * @param body the thread's work
     * @return the started thread
     */
    public Thread startVirtualThread(String stage, String threadName, Runnable body) {
        return start(stage, Thread.ofVirtual().name(threadName).unstarted(body));
    }

    private Thread start(String stage, Thread t) {
        register(stage, new Entry("thread " + t.getName(), null, t));
        t.start();
        return t;
    }

    private void register(String stage, Entry e) {
        lock.lock();
        try {
            if (closing) {
                throw new IllegalStateException("scope '" + name + "' is closing; cannot add " + e.name());
            }
            List<Entry> list = entries.get(stage);
            if (list == null) {
                throw new IllegalArgumentException("scope '" + name + "' has no stage '" + stage + "'; stages are "
                        + stages);
            }
            list.add(e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the scope: stops every stage in declared order against the deadline and reports the outcome.
     * Idempotent; concurrent callers wait for the first close and receive its report.
     *
     * @return what stopped, what did not, and what failed
     */
    public CloseReport shutdown() {
        lock.lock();
        boolean first;
        try {
            first = !closing;
            closing = true;
        } finally {
            lock.unlock();
        }
        if (!first) {
            awaitClosed();
            return report;
        }
        long start = System.nanoTime();
        long deadlineNanos = start + deadline.toNanos();
        List<String> stopped = new ArrayList<>();
        List<String> notStopped = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (String stage : stages) {
            List<Entry> list;
            lock.lock();
            try {
                list = new ArrayList<>(entries.get(stage));
            } finally {
                lock.unlock();
            }
            for (int i = list.size() - 1; i >= 0; i--) {
                Entry e = list.get(i);
                String label = stage + "/" + e.name();
                try {
                    boolean ok = e.thread() != null ? join(e.thread(), deadlineNanos) : e.stopper().stop(deadlineNanos);
                    if (ok) {
                        stopped.add(label);
                    } else {
                        notStopped.add(label + describe(e.thread()));
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    notStopped.add(label + " (close interrupted)");
                    failures.add(ie);
                } catch (Throwable t) {
                    failures.add(t);
                    notStopped.add(label + " (failed: " + t + ")");
                }
            }
        }
        report = new CloseReport(name, stopped, notStopped, failures, System.nanoTime() - start);
        closed.countDown();
        return report;
    }

    private static boolean join(Thread t, long deadlineNanos) throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            t.join(Duration.ofNanos(left));
        }
        return !t.isAlive();
    }

    private static String describe(Thread t) {
        if (t == null || !t.isAlive()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" (still running, state ").append(t.getState()).append(")");
        for (StackTraceElement el : t.getStackTrace()) {
            sb.append("\n\tat ").append(el);
        }
        return sb.toString();
    }

    private void awaitClosed() {
        boolean interrupted = false;
        while (true) {
            try {
                closed.await(1, TimeUnit.DAYS);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Like {@link #shutdown()}, but throws if anything did not stop or failed.
     *
     * @throws ScopeCloseException naming what did not stop, with stopper failures suppressed
     */
    public void closeOrThrow() {
        CloseReport r = shutdown();
        if (!r.clean()) {
            throw r.toException();
        }
    }

    /** Same as {@link #shutdown()}; the report is available from it, failures are not thrown. */
    @Override
    public void close() {
        shutdown();
    }

    /** @return the report of the finished close, or {@code null} if the scope has not finished closing */
    public CloseReport report() {
        return report;
    }

    @Override
    public String toString() {
        return "Scope[" + name + ", stages=" + stages + "]";
    }
}
