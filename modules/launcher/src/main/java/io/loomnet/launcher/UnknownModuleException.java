package io.loomnet.launcher;

import java.util.List;
import java.util.Set;

/** No {@link ServiceModule} has the requested name; the message lists the known ones. */
public final class UnknownModuleException extends LaunchException {
    private static final long serialVersionUID = 1L;
    private final String module;
    private final List<String> known;

    /**
     * @param module the requested name
     * @param known the names that exist
     */
    public UnknownModuleException(String module, Set<String> known) {
        super("no service module named '" + module + "'; known modules: " + (known.isEmpty() ? "(none)"
                : String.join(", ", known)));
        this.module = module;
        this.known = List.copyOf(known);
    }

    /** @return the requested name */
    public String module() {
        return module;
    }

    /** @return the names that exist, sorted */
    public List<String> known() {
        return known;
    }
}
