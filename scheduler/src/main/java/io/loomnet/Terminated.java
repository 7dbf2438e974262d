package io.loomnet;

/**
 * System message sent to every watcher of a service when it terminates, and to a watcher that watches a
 * handle that is unknown or already gone.
 *
 * @param service the service that terminated
 * @param reason why
 * @param detail a human-readable explanation (the failure, the stop request, ...)
 */
public record Terminated(Handle service, Reason reason, String detail) {
    /** Why a service terminated. */
    public enum Reason {
        /** It called {@link Context#exit()} or was stopped by its parent or the node. */
        STOPPED,
        /** It was killed with {@link Context#kill} or {@link Node#kill}. */
        KILLED,
        /** Its {@code onStart} (or a restart) failed, or its supervision policy stopped it after a failure. */
        FAILED,
        /** The handle was unknown or already terminated when watched. */
        UNKNOWN,
        /** Its node is unreachable (cluster): it stopped answering, or restarted. */
        NODE_UNREACHABLE,
        /** Its node closed cleanly and told this node it was leaving (cluster). */
        NODE_LEFT
    }
}
