package io.loomnet.launcher;

import java.util.Objects;

/**
 * What a {@link ServiceModule} gets to describe one service: its arguments and the launcher that is starting
 * it. Immutable and thread-safe.
 */
public final class ModuleContext {
    private final ModuleArgs args;
    private final Launcher launcher;

    /**
     * @param args the parsed arguments
     * @param launcher the launcher starting the module
     */
    public ModuleContext(ModuleArgs args, Launcher launcher) {
        this.args = Objects.requireNonNull(args, "args");
        this.launcher = Objects.requireNonNull(launcher, "launcher");
    }

    /** @return the module's name, as asked for */
    public String module() {
        return args.module();
    }

    /** @return the arguments: the entry's {@code args} (or console tokens) over the module's defaults */
    public ModuleArgs args() {
        return args;
    }

    /** @return the launcher, for modules that launch other modules (the console does) */
    public Launcher launcher() {
        return launcher;
    }
}
