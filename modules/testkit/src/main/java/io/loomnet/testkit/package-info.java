/**
 * Testing services: probes and a JUnit 5 extension.
 *
 * <ul>
 *   <li>{@link io.loomnet.testkit.Probe}: a service whose inbox is a blocking queue read by the test thread
 *   with {@code expectMessage}, {@code expectNoMessage} and {@code expectTerminated}; it can send, ask and
 *   reply as a service would.</li>
 *   <li>{@link io.loomnet.testkit.LoomnetExtension}: injects a fresh {@link io.loomnet.Node} (and probes) into
 *   each test, closes the node afterwards and fails the test if the close report is not clean, if threads
 *   named {@code loomnet-<id>-} outlive the node (virtual threads included, see
 *   {@link io.loomnet.testkit.LiveThreads}), or if services were still running when the test ended.</li>
 *   <li>{@link io.loomnet.testkit.TestPorts}: loopback ports to name before anything listens on them, taken from
 *   below the ephemeral range so that no connecting client can take one as its own port.</li>
 * </ul>
 *
 * <p>Failures are {@link java.lang.AssertionError}s whose messages name what was expected, where, and what
 * arrived instead.
 */
package io.loomnet.testkit;
