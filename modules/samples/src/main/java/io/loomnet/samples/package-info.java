/**
 * Runnable samples. {@link io.loomnet.samples.PingPong}: two services volleying messages.
 * {@link io.loomnet.samples.ChatRoom}: a chat room behind the {@code gate} module that works with {@code nc}
 * ({@code ./loomnet run modules/samples/chat.conf}, then {@code nc 127.0.0.1 7002}); {@link io.loomnet.samples.Chat}
 * starts the same from code. {@link io.loomnet.samples.Counter} and {@link io.loomnet.samples.CounterClient}: the
 * two-node cluster sample ({@code cluster-node1.conf}, {@code cluster-node2.conf}). {@link io.loomnet.samples.Upper}:
 * the service behind the ZeroMQ gateway sample ({@code gateway.conf}, {@code upper_client.py}).
 */
package io.loomnet.samples;
