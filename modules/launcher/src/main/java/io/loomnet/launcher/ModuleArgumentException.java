package io.loomnet.launcher;

/**
 * A module argument is missing, unknown or malformed. The message reads
 * {@code module 'console': port: expected an integer in 0..65535, was 'x'}.
 */
public final class ModuleArgumentException extends LaunchException {
    private static final long serialVersionUID = 1L;
    private final String module;
    private final String key;
    private final String problem;

    /**
     * @param module the module
     * @param key the argument's key (or the whole token, if it is not {@code key=value})
     * @param problem what was expected and what was given
     */
    public ModuleArgumentException(String module, String key, String problem) {
        super("module '" + module + "': " + key + ": " + problem);
        this.module = module;
        this.key = key;
        this.problem = problem;
    }

    /** @return the module */
    public String module() {
        return module;
    }

    /** @return the argument's key */
    public String key() {
        return key;
    }

    /** @return what was expected and what was given, without the module and key */
    public String problem() {
        return problem;
    }
}
