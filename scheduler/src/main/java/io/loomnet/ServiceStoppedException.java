package io.loomnet;

/** An operation that needs a live service (spawning a child, calling, sleeping) was made by a stopping one. */
public final class ServiceStoppedException extends LoomnetException {
    private static final long serialVersionUID = 1L;

    /** @param message what was refused and for which service */
    public ServiceStoppedException(String message) {
        super(message);
    }
}
