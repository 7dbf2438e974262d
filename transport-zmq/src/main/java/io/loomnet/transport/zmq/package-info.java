/**
 * ZeroMQ machines: bound endpoints created and destroyed at runtime, by name, from any thread.
 *
 * <pre>
 *   clients ──tcp──▶ ROUTER frontend ◀─┐ ZMQ.proxy on the       ┌─▶ worker loop 0: DEALER (binds inproc) ─▶ MachineWorker
 *                   (event hook: offer │ proxy thread           │
 *                    to the connection │ PAIR control ◀── stopProxy() (its own client, per stop)
 *                    event loop)       └─▶ DEALER backend ──────┴─▶ worker loop N: DEALER (binds inproc) ─▶ MachineWorker
 *                                          (connects to every loop before the frontend binds)
 * </pre>
 *
 * <p>A {@link io.loomnet.transport.zmq.MachineManager} owns one JeroMQ context (one I/O thread, linger 0) and
 * one connection-event loop shared by all its machines. Each machine is an {@link io.loomnet.scope.Scope}
 * with the stages {@code monitor → proxy → delete}: connection tracking stops first, then the proxy thread
 * (through the machine's own control socket), then the worker loops. Every ZeroMQ socket is created, used
 * and closed by exactly one platform thread, and no thread that owns a socket is ever interrupted.
 *
 * <p>The design follows the eight fixes of the seed {@code ServerManager}; {@code docs/seed-bugs.md} maps
 * each fix to its mechanism and its test.
 */
package io.loomnet.transport.zmq;
