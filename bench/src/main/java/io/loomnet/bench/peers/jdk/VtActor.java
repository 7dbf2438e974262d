package io.loomnet.bench.peers.jdk;

import io.loomnet.bench.api.Failures;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The floor for thread-per-actor: one virtual thread taking from one {@link LinkedBlockingQueue}.
 * No supervision, no envelopes: anything an actor runtime adds costs on top of this.
 */
final class VtActor {
    /** What an actor does with a message; returns false to stop after it. */
    interface Behavior {
        boolean receive(Object message) throws Exception;
    }

    private static final Object STOP = new Object();

    private final BlockingQueue<Object> mailbox = new LinkedBlockingQueue<>();
    private final Failures failures;
    private final Runnable onStop;
    private final Thread thread;
    private Behavior behavior;

    private VtActor(Failures failures, Runnable onStop) {
        this.failures = failures;
        this.onStop = onStop;
        this.thread = Thread.ofVirtual().unstarted(this::loop);
    }

    /** Starts an actor; {@code onStop} (may be null) runs on the actor's thread after its last message. */
    static VtActor start(Failures failures, Behavior behavior, Runnable onStop) {
        VtActor a = new VtActor(failures, onStop);
        a.behavior = behavior;
        a.thread.start();
        return a;
    }

    void tell(Object message) {
        mailbox.add(message);
    }

    /** Asks the actor to stop after the messages already queued. */
    void stop() {
        mailbox.add(STOP);
    }

    void join() throws InterruptedException {
        thread.join();
    }

    private void loop() {
        try {
            while (true) {
                Object m = mailbox.take();
                if (m == STOP || !behavior.receive(m)) {
                    return;
                }
            }
        } catch (Throwable t) {
            failures.record(t);
        } finally {
            if (onStop != null) {
                onStop.run();
            }
        }
    }
}
