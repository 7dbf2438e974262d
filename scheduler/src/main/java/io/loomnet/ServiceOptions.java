package io.loomnet;

import java.util.Objects;
import java.util.Optional;

/**
 * How to run one service: its registered name, dispatcher, supervision policy and mailbox bound. Immutable;
 * each {@code with…} method returns a copy.
 */
public final class ServiceOptions {
    private static final ServiceOptions DEFAULTS = new ServiceOptions(null, null, Supervision.resume(),
            Integer.MAX_VALUE, Overflow.REJECT);

    private final String name;
    private final Dispatcher dispatcher;
    private final Supervision supervision;
    private final int mailboxCapacity;
    private final Overflow overflow;

    private ServiceOptions(String name, Dispatcher dispatcher, Supervision supervision, int mailboxCapacity,
                           Overflow overflow) {
        this.name = name;
        this.dispatcher = dispatcher;
        this.supervision = supervision;
        this.mailboxCapacity = mailboxCapacity;
        this.overflow = overflow;
    }

    /** @return the defaults: no name, the node's dispatcher, {@link Supervision#resume()}, unbounded mailbox */
    public static ServiceOptions defaults() {
        return DEFAULTS;
    }

    /**
     * @param name a local name registered before {@code onStart} runs; must be unique on the node
     * @return a copy with the name
     */
    public ServiceOptions withName(String name) {
        Names.validate(name);
        return new ServiceOptions(name, dispatcher, supervision, mailboxCapacity, overflow);
    }

    /**
     * @param dispatcher overrides the node's default dispatcher for this service
     * @return a copy with the dispatcher
     */
    public ServiceOptions withDispatcher(Dispatcher dispatcher) {
        return new ServiceOptions(name, Objects.requireNonNull(dispatcher, "dispatcher"), supervision, mailboxCapacity,
                overflow);
    }

    /**
     * @param supervision the failure policy
     * @return a copy with the policy
     */
    public ServiceOptions withSupervision(Supervision supervision) {
        return new ServiceOptions(name, dispatcher, Objects.requireNonNull(supervision, "supervision"), mailboxCapacity,
                overflow);
    }

    /**
     * @param capacity the most messages the mailbox holds (≥ 1)
     * @param overflow what to do with a message that does not fit
     * @return a copy with a bounded mailbox
     */
    public ServiceOptions withBoundedMailbox(int capacity, Overflow overflow) {
        if (capacity < 1) {
            throw new IllegalArgumentException("mailbox capacity must be at least 1, was " + capacity);
        }
        return new ServiceOptions(name, dispatcher, supervision, capacity, Objects.requireNonNull(overflow, "overflow"));
    }

    /**
     * Checks a local service name: non-empty, at most 128 characters, not starting with {@code ':'} (handles
     * do), without {@code '@'} ({@code name@node}) or whitespace.
     *
     * @param name the name
     * @return the name
     * @throws IllegalArgumentException naming the problem
     */
    public static String validateName(String name) {
        return Names.validate(name);
    }

    /** @return the registered name, if any */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** @return the dispatcher override, if any */
    public Optional<Dispatcher> dispatcher() {
        return Optional.ofNullable(dispatcher);
    }

    /** @return the failure policy */
    public Supervision supervision() {
        return supervision;
    }

    /** @return the mailbox bound ({@link Integer#MAX_VALUE} when unbounded) */
    public int mailboxCapacity() {
        return mailboxCapacity;
    }

    /** @return what a full bounded mailbox does */
    public Overflow overflow() {
        return overflow;
    }

    @Override
    public String toString() {
        return "ServiceOptions[name=" + name + ", dispatcher=" + dispatcher + ", supervision=" + supervision
                + ", mailbox=" + (mailboxCapacity == Integer.MAX_VALUE ? "unbounded" : mailboxCapacity + "/" + overflow)
                + "]";
    }
}
