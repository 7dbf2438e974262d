/**
 * The {@code gate} module: a TCP gateway (Skynet's gate). Each client connection gets an agent service, a
 * child of the gate, which turns the client's packets into messages for a <em>handler</em> service and writes
 * what it is sent back to the client.
 *
 * <pre>
 *  client --TCP--&gt; gate (accepts) --spawns--&gt; agent #n --GateOpened/GatePacket/GateClosed--&gt; handler
 *  client &lt;--TCP-- agent #n &lt;--byte[] | String | GateWrite | GateClose-- handler (sends to msg.source())
 *                   ^-- or via the gate: GateWrite(n, ...) / GateClose(n) sent to the gate
 * </pre>
 *
 * <p>The handler receives, from the connection's agent (so {@code msg.source()} is the agent):
 * {@link io.loomnet.launcher.gate.GateOpened} once, then one {@link io.loomnet.launcher.gate.GatePacket} per
 * packet in arrival order, then {@link io.loomnet.launcher.gate.GateClosed} once; after that the agent stops.
 * To write, send a {@code byte[]}, a {@code String} (UTF-8) or a {@link io.loomnet.launcher.gate.GateWrite} to
 * the agent, or a {@code GateWrite} to the gate; each write is one packet (framed by the gate). To close, send
 * {@link io.loomnet.launcher.gate.GateClose}. Framing is {@link io.loomnet.launcher.gate.Framing#LINE} or
 * {@link io.loomnet.launcher.gate.Framing#LENGTH}. See {@link io.loomnet.launcher.gate.GateModule} for the
 * arguments and limits.
 */
package io.loomnet.launcher.gate;
