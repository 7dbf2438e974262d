package io.loomnet.scope;

import io.loomnet.LoomnetException;

/** A {@link LoopRunner}'s loop did not start: its {@link Loop#onStart()} failed, or did not finish in time. */
public final class LoopStartException extends LoomnetException {
    private static final long serialVersionUID = 1L;

    LoopStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
