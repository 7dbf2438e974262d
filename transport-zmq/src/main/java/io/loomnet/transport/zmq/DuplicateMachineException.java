package io.loomnet.transport.zmq;

/**
 * {@link MachineManager#create(String, MachineSpec)} was called with the name of a machine that exists. Nothing
 * was started: the name check and the start happen under the same lock (seed fix 5).
 */
public final class DuplicateMachineException extends MachineException {
    private static final long serialVersionUID = 1L;
    private final String machineName;

    /**
     * @param machineName the name already in use
     * @param existingEndpoint the endpoint the existing machine is bound to
     */
    public DuplicateMachineException(String machineName, String existingEndpoint) {
        super("machine '" + machineName + "' already exists (bound to " + existingEndpoint
                + "); destroy it first or choose another name");
        this.machineName = machineName;
    }

    /** @return the name that is already in use */
    public String machineName() {
        return machineName;
    }
}
