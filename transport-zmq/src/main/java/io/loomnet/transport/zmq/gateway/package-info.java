/**
 * The service gateway: a machine whose worker side calls a Loomnet service, so that any ZeroMQ REQ or DEALER
 * client, in any language, can call services.
 *
 * <pre>
 *   client REQ ──[target, payload]──▶ machine ──▶ GatewayWorker ──call──▶ GatewayTarget (e.g. node.ask)
 *             ◀──[status, body]──────         ◀── reply queued back to the worker loop, sent by its owner
 * </pre>
 *
 * <p>The wire format, error strings and limits are specified in {@code docs/protocol.md};
 * {@link io.loomnet.transport.zmq.gateway.GatewayProtocol} holds the constants.
 */
package io.loomnet.transport.zmq.gateway;
