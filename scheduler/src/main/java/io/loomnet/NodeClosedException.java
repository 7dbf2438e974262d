package io.loomnet;

/** The node is closing or closed: it takes no new services and no messages from outside. */
public final class NodeClosedException extends LoomnetException {
    private static final long serialVersionUID = 1L;

    /** @param message what was refused and on which node */
    public NodeClosedException(String message) {
        super(message);
    }
}
