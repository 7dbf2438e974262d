package io.loomnet.scope;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives every failure of a {@link LoopRunner}'s loop: an exception from a hook, or an {@link Error} that ended
 * the loop. One handler is shared by all the loops of one owner (a node, a machine manager), which counts what it
 * sees. Called on the failing loop thread; must not throw and must not block for long.
 */
@FunctionalInterface
public interface LoopErrorHandler {
    /**
     * @param threadName the loop thread's name ({@code loomnet-…}), which names the loop's role
     * @param error what failed
     */
    void onError(String threadName, Throwable error);

    /** @return a handler that logs each failure at ERROR, with its stack, under {@code io.loomnet.scope.LoopRunner} */
    static LoopErrorHandler logging() {
        Logger log = LoggerFactory.getLogger(LoopRunner.class);
        return (thread, error) -> log.error("loop {} failed", thread, error);
    }
}
