package io.loomnet.launcher;

/**
 * A request understood by the services that listen on a socket (the console and the gate): call one with
 * {@link #LOCAL_ADDRESS} and it replies with the {@link java.net.InetSocketAddress} it is bound to, which
 * tells a test or a tool the port picked for {@code port=0}.
 */
public enum ListenerQuery {
    /** Reply with the bound {@link java.net.InetSocketAddress}. */
    LOCAL_ADDRESS
}
