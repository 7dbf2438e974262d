/**
 * Runnable samples. {@link io.loomnet.samples.PingPong}: two services volleying messages.
 * {@link io.loomnet.samples.ChatRoom}: a chat room behind the {@code gate} module that works with {@code nc}
 * ({@code ./loomnet run modules/samples/chat.conf}, then {@code nc 127.0.0.1 7002}); {@link io.loomnet.samples.Chat}
 * starts the same from code. The two-node cluster and ZeroMQ gateway samples come with the cluster.
 */
package io.loomnet.samples;
