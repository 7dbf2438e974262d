/**
 * ZeroMQ machines: bound endpoints created and destroyed at runtime, by name, from any thread.
 *
 * <pre>
 *   one worker (default):   clients ──tcp──▶ ROUTER ── RequestLoop (frontend mode) ──▶ MachineWorker
 *                                             ▲ PAIR control (PAUSE / RESUME / TERMINATE)
 *
 *   several workers:        clients ──tcp──▶ ROUTER ── ProxyLoop ── DEALER ──inproc──▶ RequestLoop 0..N-1 ──▶ MachineWorker
 *                                             ▲ PAIR control        (holds a request while every worker is full)
 * </pre>
 *
 * <p>A {@link io.loomnet.transport.zmq.MachineManager} gives each machine its own JeroMQ context (one I/O thread,
 * linger 0) and runs one connection-event loop shared by all its machines. Every bound ROUTER gets the hostile-frame
 * guard (negative and oversize declared sizes, truncated PING commands) before it binds. Each machine is an
 * {@link io.loomnet.scope.Scope} with the stages {@code monitor → proxy → delete}: connection tracking stops first,
 * then the frontend loop (through the machine's own control socket), then the worker loops and the context. Every
 * ZeroMQ socket is created, used and closed by exactly one platform thread, and no thread that owns a socket is ever
 * interrupted. {@link io.loomnet.transport.zmq.ZmqClients} connects Java client sockets so that a first request is
 * never sent on a connection JeroMQ left stranded before its greeting.
 *
 * <p>The design follows the eight fixes of the seed {@code ServerManager}; {@code docs/seed-bugs.md} maps each fix to
 * its mechanism and its test, and {@code docs/decisions/0006}–{@code 0008} record why the loops, the frame guard and
 * the per-machine context are as they are.
 */
package io.loomnet.transport.zmq;
