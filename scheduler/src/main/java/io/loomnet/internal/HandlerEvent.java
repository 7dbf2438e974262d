package io.loomnet.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * A JFR event per handled message, for profiling which services and message types take the time. Off by
 * default; enable it in a JFR configuration ({@code io.loomnet.Handler#enabled=true}, with a threshold to keep
 * only slow handlers). When disabled it costs a flag check: the JIT removes the event object.
 */
@Name("io.loomnet.Handler")
@Label("Loomnet Handler")
@Category({"Loomnet"})
@Description("One call of a service's onMessage")
@Enabled(false)
@Threshold("0 ms")
@StackTrace(false)
final class HandlerEvent extends Event {
    @Label("Service")
    String service;

    @Label("Message Type")
    String messageType;

    @Label("Payload Type")
    String payloadType;
}
