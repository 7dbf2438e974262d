package io.loomnet;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import org.slf4j.Logger;

/**
 * What a service's handlers use to talk to the runtime. One context per service, passed to every hook.
 *
 * <p><b>Threading.</b> Methods marked <em>handler only</em> must be called from inside one of this service's
 * hooks, on the thread running it ({@link IllegalStateException} otherwise): they depend on the message being
 * handled or they suspend the handler. All other methods are thread-safe and may be called from anywhere,
 * for example from an {@link #ask} callback.
 *
 * <p><b>Ordering.</b> Messages this service sends to one receiver arrive in the order they were sent.
 */
public interface Context {
    /** @return this service's handle */
    Handle self();

    /** @return the node running this service */
    Node node();

    /** @return the logger for this service; the node puts its handle in the SLF4J MDC key {@code loomnet.handle} */
    Logger log();

    /**
     * <em>Handler only.</em>
     *
     * @return the source of the message being handled
     */
    Handle sender();

    /**
     * Sends a one-way message. Never blocks (unless the target's mailbox is bounded and full with
     * {@link Overflow#REJECT}, which throws instead).
     *
     * @param to the receiver, local or remote
     * @param payload the content; not copied, so do not mutate it after sending
     * @throws MailboxFullException if the receiver's bounded mailbox rejects it
     */
    void send(Handle to, Object payload);

    /**
     * <em>Handler only.</em> Sends a request and waits for its reply, blocking only this handler: the service
     * keeps handling other messages meanwhile (so A calling B calling A completes), and this handler resumes,
     * alone, when the reply, an error or the timeout arrives.
     *
     * @param to the receiver
     * @param request the request payload
     * @param timeout how long to wait
     * @return the reply payload
     * @throws CallTimeoutException if no reply came in time
     * @throws ServiceUnavailableException if the target is unknown, stopped, or stops before handling it
     * @throws CallFailedException if the target's handler failed
     * @throws CallCancelledException if this service is stopping
     */
    Object call(Handle to, Object request, Duration timeout);

    /**
     * <em>Handler only.</em> {@link #call(Handle, Object, Duration)} with a typed reply. Suspends only this
     * handler, exactly like the untyped call; the reply's type is checked when it arrives, before this handler
     * resumes. A {@code null} reply passes as {@code null}; a primitive {@code type} accepts its wrapper.
     *
     * @param to the receiver
     * @param request the request
     * @param type the expected reply type
     * @param timeout how long to wait
     * @param <T> the reply type
     * @return the reply
     * @throws CallFailedException if the target's handler failed, or the reply is not a {@code type} (the message
     *         names the target, the expected and the actual type, and the timeout)
     * @throws CallTimeoutException if no reply came in time
     * @throws ServiceUnavailableException if the target is unknown, stopped, or stops before handling it
     * @throws CallCancelledException if this service is stopping
     */
    <T> T call(Handle to, Object request, Class<T> type, Duration timeout);

    /**
     * <em>Handler only.</em> {@link #call(Handle, Object, Duration)} to a service found by name: a local name,
     * {@code name@node}, or a printed handle, resolved as {@link #lookup} does. Resolving {@code name@node} asks
     * that node and holds this handler (and so the service) up to 5 s; once resolved, the call suspends only this
     * handler. The name is resolved once, when the call is made.
     *
     * @param target the name
     * @param request the request
     * @param timeout how long to wait for the reply
     * @return the reply
     * @throws ServiceUnavailableException if no service has that name (the message names it), or the target
     *         stops before handling the request
     * @throws CallTimeoutException if no reply came in time
     * @throws CallFailedException if the target's handler failed
     * @throws CallCancelledException if this service is stopping
     */
    Object call(String target, Object request, Duration timeout);

    /**
     * <em>Handler only.</em> {@link #call(String, Object, Duration)} with a typed reply, checked as
     * {@link #call(Handle, Object, Class, Duration)} checks it.
     *
     * @param target the name
     * @param request the request
     * @param type the expected reply type
     * @param timeout how long to wait
     * @param <T> the reply type
     * @return the reply
     * @throws ServiceUnavailableException if no service has that name, or it stops before handling the request
     * @throws CallFailedException if the target's handler failed, or the reply is not a {@code type}
     * @throws CallTimeoutException if no reply came in time
     * @throws CallCancelledException if this service is stopping
     */
    <T> T call(String target, Object request, Class<T> type, Duration timeout);

    /**
     * Sends a request without blocking. The stage completes with the reply or exceptionally with a
     * {@link CallException}. Its callbacks run on whichever thread completes it (the replier's or the timer's),
     * not inside this service: to act on the reply inside the service, {@link #send} it to {@link #self()}.
     * Thread-safe. The request is ordered with this service's other messages to {@code to}, as {@link #send} is.
     * If this service stops or restarts first, the stage fails with {@link CallCancelledException}.
     *
     * @param to the receiver
     * @param request the request
     * @param timeout how long to wait
     * @return the pending reply
     */
    CompletionStage<Object> ask(Handle to, Object request, Duration timeout);

    /**
     * {@link #ask(Handle, Object, Duration)} with a typed reply. Thread-safe. A reply that is not a {@code type}
     * completes the stage exceptionally with a {@link CallFailedException} naming the target, the expected and
     * the actual type, and the timeout; a {@code null} reply passes; a primitive {@code type} accepts its wrapper.
     *
     * @param to the receiver
     * @param request the request
     * @param type the expected reply type
     * @param timeout how long to wait
     * @param <T> the reply type
     * @return the pending reply
     */
    <T> CompletionStage<T> ask(Handle to, Object request, Class<T> type, Duration timeout);

    /**
     * {@link #ask(Handle, Object, Duration)} to a service found by name ({@link #lookup} rules). Thread-safe;
     * never blocks, except that resolving {@code name@node} asks that node and may take up to 5 s. An unknown
     * name completes the stage exceptionally with a {@link ServiceUnavailableException} that names it.
     *
     * @param target a local name, {@code name@node} or a printed handle
     * @param request the request
     * @param timeout how long to wait
     * @return the pending reply
     */
    CompletionStage<Object> ask(String target, Object request, Duration timeout);

    /**
     * {@link #ask(String, Object, Duration)} with a typed reply, checked as
     * {@link #ask(Handle, Object, Class, Duration)} checks it. Thread-safe.
     *
     * @param target a local name, {@code name@node} or a printed handle
     * @param request the request
     * @param type the expected reply type
     * @param timeout how long to wait
     * @param <T> the reply type
     * @return the pending reply
     */
    <T> CompletionStage<T> ask(String target, Object request, Class<T> type, Duration timeout);

    /**
     * <em>Handler only.</em> Answers the request being handled.
     *
     * @param payload the reply
     * @throws IllegalStateException if the message is not a request, or was already answered
     */
    void reply(Object payload);

    /**
     * <em>Handler only.</em> Takes the right to answer the current request later, from any thread. The handler
     * may return without replying; if the service stops before the token is answered, the caller gets an error.
     *
     * @return the token
     * @throws IllegalStateException if the message is not a request, or was already answered
     */
    ReplyToken replyToken();

    /**
     * Spawns a child service. The child is registered (and its name, if any) before this returns; its
     * {@code onStart} runs on its own thread. Children stop before their parent.
     *
     * @param factory makes the service instance (again on each restart)
     * @param options name, dispatcher, supervision, mailbox bound
     * @return the child's handle
     * @throws ServiceStoppedException if this service is stopping
     */
    Handle spawn(Supplier<? extends Service> factory, ServiceOptions options);

    /**
     * Spawns a child with default options.
     *
     * @param factory makes the service instance
     * @return the child's handle
     */
    default Handle spawn(Supplier<? extends Service> factory) {
        return spawn(factory, ServiceOptions.defaults());
    }

    /**
     * Asks to receive a {@link Terminated} system message when {@code target} terminates. If it is unknown or
     * already gone, the message comes at once (reason {@link Terminated.Reason#UNKNOWN}). Watching twice
     * delivers one notice.
     *
     * @param target the service to watch
     */
    void watch(Handle target);

    /**
     * Cancels a {@link #watch}. A notice already sent may still arrive.
     *
     * @param target the watched service
     */
    void unwatch(Handle target);

    /**
     * Delivers {@code payload} to this service as a {@link MessageType#TIMER} message after {@code delay}
     * (10 ms resolution, never early).
     *
     * @param delay the delay
     * @param payload the timer message's payload
     * @return a handle to cancel it
     */
    Cancellable timeout(Duration delay, Object payload);

    /**
     * Delivers {@code payload} to this service as a {@link MessageType#TIMER} message every {@code period}, at a
     * fixed rate, until the returned timer is cancelled or the service stops. Thread-safe.
     *
     * <p><b>Timing.</b> The n-th tick is due {@code n * period} after this call, on the same 10 ms wheel as
     * {@link #timeout} (never early): each tick is planned from the previous <em>planned</em> time, not from when
     * the previous one was delivered, so lateness does not accumulate. After a stall the missed ticks come one per
     * wheel tick until the timer has caught up; a period shorter than the wheel's tick therefore gives one tick
     * per wheel tick. A tick that finds a bounded mailbox full is skipped.
     *
     * <p><b>Ordering.</b> Ticks arrive in order, interleaved with other messages in arrival order. Once
     * {@link Cancellable#cancel()} has returned, this service handles no further tick of this timer, not even one
     * already queued. A stop cancels the timer (queued ticks are dropped, not dead-lettered), and so does a
     * restart: a fresh instance sets up its own timers in {@code onStart}. If this service is already stopping,
     * no tick is ever delivered and {@code cancel()} returns {@code false}.
     *
     * @param period the time between ticks, positive
     * @param payload each tick's payload (the same object every time)
     * @return the timer; {@code cancel()} returns {@code true} if this call stopped it
     * @throws IllegalArgumentException if {@code period} is zero or negative
     */
    Cancellable every(Duration period, Object payload);

    /**
     * <em>Handler only.</em> Suspends this handler for {@code delay} (10 ms resolution, never early); the
     * service keeps handling other messages meanwhile.
     *
     * @param delay the delay
     * @throws CallCancelledException if the service stops meanwhile
     */
    void sleep(Duration delay);

    /** Stops this service after the current handler returns: queued messages are dead-lettered. */
    void exit();

    /**
     * Stops another service (Skynet's {@code kill}): its pending calls are cancelled and its queue
     * dead-lettered; watchers see {@link Terminated.Reason#KILLED}.
     *
     * @param target the service to stop
     * @return {@code false} if it was unknown or already stopping
     * @throws IllegalArgumentException if {@code target} is on another node: kill acts on this node's services only
     *         (not carried over the cluster)
     */
    boolean kill(Handle target);

    /**
     * Registers a local name for this service; names are removed when it terminates.
     *
     * @param name the name
     * @throws NameTakenException if another service has it
     */
    void register(String name);

    /**
     * Removes one of this service's own names, so that lookups and calls by that name fail from now on and the
     * name may be registered again (by any service). Thread-safe. Names held by other services are left alone
     * (use {@link Node#unregister} for those). A message already sent to this service's handle still arrives;
     * only resolution by name is affected, and a lookup that has already returned the handle keeps it.
     *
     * @param name one of this service's local names, or {@code name@<this node>}
     * @return {@code true} if this call removed it; {@code false} if this service does not hold the name (not
     *         registered, held by another service, already removed, or this service has terminated)
     * @throws IllegalArgumentException if the name is on another node or is not a valid name
     */
    boolean unregister(String name);

    /**
     * Looks up a name: a local name, {@code name@node} on another node (asks that node; may block up to 5 s),
     * or a printed handle ({@code :0001:00000000002a}).
     *
     * @param name the name
     * @return the handle, if registered
     */
    Optional<Handle> lookup(String name);
}
