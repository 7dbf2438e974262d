package io.loomnet;

/** A local name is already registered to another live service. */
public final class NameTakenException extends LoomnetException {
    private static final long serialVersionUID = 1L;

    /** @param message the name and its current owner */
    public NameTakenException(String message) {
        super(message);
    }
}
