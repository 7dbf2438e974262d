package io.loomnet;

/** A scheduled action that can be cancelled. Thread-safe. */
public interface Cancellable {
    /** @return {@code true} if this call prevented the action from running */
    boolean cancel();
}
