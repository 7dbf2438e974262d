package io.loomnet;

/**
 * A deferred reply to one request (Skynet's {@code skynet.response()}), obtained with
 * {@link Context#replyToken()}. Answer exactly once, from any thread. If the service stops before the token
 * is answered, the caller receives an error reply.
 */
public interface ReplyToken {
    /**
     * Sends the reply.
     *
     * @param payload the reply
     * @return {@code false} if the token was already answered (the second answer is dropped)
     */
    boolean reply(Object payload);

    /**
     * Answers with an error: the caller's {@code call} throws {@link CallFailedException} with this text.
     *
     * @param message what went wrong
     * @return {@code false} if the token was already answered
     */
    boolean fail(String message);

    /** @return the caller's handle */
    Handle caller();

    /** @return {@code true} once answered */
    boolean isDone();
}
