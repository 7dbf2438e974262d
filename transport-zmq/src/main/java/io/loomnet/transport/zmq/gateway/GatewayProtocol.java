package io.loomnet.transport.zmq.gateway;

import java.nio.charset.StandardCharsets;

/**
 * Constants of the gateway wire protocol ({@code docs/protocol.md}).
 *
 * <p>Request: two frames {@code [target, payload]} after the client's envelope (a REQ socket adds the empty
 * delimiter itself; a DEALER sends an empty frame first). Reply: two frames {@code [status, body]}; status is
 * {@value #OK} with the reply bytes as body, or {@value #ERROR} with a UTF-8 message whose text up to the
 * first {@code ':'} is one of the stable kinds below.
 */
public final class GatewayProtocol {
    /** Status of a successful call. */
    public static final String OK = "ok";
    /** Status of a failed call. */
    public static final String ERROR = "error";
    /** Error kind: the request is not {@code [target, payload]} or its target is empty or not UTF-8. */
    public static final String MALFORMED = "malformed request";
    /** Error kind: the payload exceeds the gateway's limit. */
    public static final String TOO_LARGE = "payload too large";
    /** Error kind: no service of that name or handle. */
    public static final String UNKNOWN_TARGET = "unknown target";
    /** Error kind: the service did not answer within the gateway's call timeout. */
    public static final String TIMEOUT = "timeout";
    /** Error kind: the service's handler failed. */
    public static final String HANDLER_FAILURE = "handler failure";
    /** Error kind: too many calls in flight on this gateway. */
    public static final String BUSY = "busy";

    static final byte[] OK_FRAME = OK.getBytes(StandardCharsets.US_ASCII);
    static final byte[] ERROR_FRAME = ERROR.getBytes(StandardCharsets.US_ASCII);

    private GatewayProtocol() {
    }
}
