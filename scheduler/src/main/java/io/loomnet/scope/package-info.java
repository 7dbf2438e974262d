/**
 * Scopes: structured ownership of threads and resources on final JDK APIs.
 *
 * <p>Every thread Loomnet starts belongs to a {@link io.loomnet.scope.Scope}. A scope stops its children in a
 * declared order of stages, waits against one deadline, collects failures and reports what did not stop.
 * The node is the root scope (intake, transport, services, timers, dispatchers); each ZeroMQ machine is a
 * scope with the stages monitor, proxy, delete.
 */
package io.loomnet.scope;
