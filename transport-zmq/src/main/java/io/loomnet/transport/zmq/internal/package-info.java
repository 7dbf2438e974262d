/**
 * INTERNAL API: the machinery behind {@link io.loomnet.transport.zmq.MachineManager}, the gateway and the cluster.
 * Not exported by the module; its public types are public only for the transport's other packages.
 *
 * <ul>
 *   <li>{@link io.loomnet.transport.zmq.internal.MachineRuntime}: one machine incarnation, its context and its
 *       {@code monitor → proxy → delete} scope.</li>
 *   <li>{@link io.loomnet.transport.zmq.internal.RequestLoop}: serves requests from one socket it owns and sends
 *       replies handed in from any thread; the ROUTER owner of a one-worker machine, or a worker behind a proxy.</li>
 *   <li>{@link io.loomnet.transport.zmq.internal.ProxyLoop}: Loomnet's steerable proxy for machines with several
 *       workers; never skips a readable side, holds a request until the backend can take it.</li>
 *   <li>{@link io.loomnet.transport.zmq.internal.Frontend} and {@link io.loomnet.transport.zmq.internal.FrameGuard}:
 *       the options and the hostile-frame armour of every bound socket.</li>
 *   <li>{@link io.loomnet.transport.zmq.internal.ZmqContext}: one JeroMQ context per component, its threads named
 *       and their exceptions counted; {@link io.loomnet.transport.zmq.internal.ZapLoop} for CURVE machines.</li>
 *   <li>{@link io.loomnet.transport.zmq.internal.ConnectionEventLoop} and
 *       {@link io.loomnet.transport.zmq.internal.PeerSet}: JeroMQ event hooks only {@code offer} into a bounded
 *       queue; the loop applies each event to the machine it names, looked up at use.</li>
 *   <li>{@link io.loomnet.transport.zmq.internal.PipeWaker}: wakes a socket-owning loop from any thread, writing
 *       only when the loop is really asleep.</li>
 * </ul>
 *
 * <p>Rules every class here keeps: a ZeroMQ socket is created, used and closed on one thread; no thread that
 * owns a socket is interrupted; linger is 0 everywhere; nothing blocks inside a JeroMQ event hook; every loop runs
 * on {@link io.loomnet.scope.LoopRunner}.
 */
package io.loomnet.transport.zmq.internal;
