/**
 * INTERNAL API: the machinery behind {@link io.loomnet.transport.zmq.MachineManager}. Not exported.
 *
 * <ul>
 *   <li>{@link io.loomnet.transport.zmq.internal.ProxyMachine}: one machine incarnation and its
 *       {@code monitor → proxy → delete} scope; the proxy thread runs {@code ZMQ.proxy} and owns the ROUTER,
 *       DEALER and PAIR control sockets.</li>
 *   <li>{@link io.loomnet.transport.zmq.internal.WorkerLoop}: a worker platform thread that owns one DEALER
 *       connected to the backend, dispatches to the {@link io.loomnet.transport.zmq.MachineWorker} and sends
 *       replies handed in from any thread, woken through a private {@link java.nio.channels.Pipe}.</li>
 *   <li>{@link io.loomnet.transport.zmq.internal.ConnectionEventLoop}: the manager's one connection-event
 *       thread. JeroMQ event hooks only {@code offer} into its bounded queue; the loop looks each machine up
 *       at use and applies the event to that machine's {@link io.loomnet.transport.zmq.internal.PeerSet}.</li>
 * </ul>
 *
 * <p>Rules every class here keeps: a ZeroMQ socket is created, used and closed on one thread; no thread that
 * owns a socket is interrupted; linger is 0 everywhere; nothing blocks inside a JeroMQ event hook.
 */
package io.loomnet.transport.zmq.internal;
