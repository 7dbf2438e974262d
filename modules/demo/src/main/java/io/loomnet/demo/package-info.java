/**
 * The tour printed by {@code ./loomnet demo}: services, ping-pong, a call chain, a crash and restart under
 * supervision, a watch, and two nodes linked over ZeroMQ on loopback. A plain {@code main}; nothing here is API.
 */
package io.loomnet.demo;
