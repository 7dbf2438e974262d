/**
 * The tour printed by {@code ./loomnet demo}: services, ping-pong, a call chain, a crash and restart under
 * supervision, and a watch. A plain {@code main}; nothing here is API.
 */
package io.loomnet.demo;
