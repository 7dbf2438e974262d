package io.loomnet.launcher;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import io.loomnet.Service;
import io.loomnet.ServiceOptions;

/**
 * What a {@link ServiceModule} describes: how to make the service, how to run it, and optionally when it has
 * started. Immutable and thread-safe; each {@code with...} returns a copy.
 *
 * <p>The start signal matters for services that acquire resources in {@code onStart} (the console and the gate
 * bind a port there): {@code spawn} returns before {@code onStart} runs, so without it a launch would "succeed"
 * even when the port is taken. {@link Launcher#launch} waits for the signal and turns a failure into a
 * {@link LaunchException}.
 */
public final class ServiceSpec {
    private final Supplier<? extends Service> factory;
    private final ServiceOptions options;
    private final CompletionStage<?> started;

    private ServiceSpec(Supplier<? extends Service> factory, ServiceOptions options, CompletionStage<?> started) {
        this.factory = Objects.requireNonNull(factory, "factory");
        this.options = Objects.requireNonNull(options, "options");
        this.started = started;
    }

    /**
     * @param factory makes the service instance (again on each restart)
     * @return a spec with default options and no start signal
     */
    public static ServiceSpec of(Supplier<? extends Service> factory) {
        return new ServiceSpec(factory, ServiceOptions.defaults(), null);
    }

    /**
     * @param options name, dispatcher, supervision, mailbox bound
     * @return a copy with these options
     */
    public ServiceSpec withOptions(ServiceOptions options) {
        return new ServiceSpec(factory, options, started);
    }

    /**
     * @param started completes when the service has started (its {@code onStart} returned), exceptionally if it
     *                could not start
     * @return a copy with this start signal
     */
    public ServiceSpec withStartSignal(CompletionStage<?> started) {
        return new ServiceSpec(factory, options, Objects.requireNonNull(started, "started"));
    }

    /** @return the factory */
    public Supplier<? extends Service> factory() {
        return factory;
    }

    /** @return the options */
    public ServiceOptions options() {
        return options;
    }

    /** @return the start signal, if the module gives one */
    public Optional<CompletionStage<?>> startSignal() {
        return Optional.ofNullable(started);
    }

    @Override
    public String toString() {
        return "ServiceSpec[" + options + (started == null ? "" : ", with start signal") + "]";
    }
}
