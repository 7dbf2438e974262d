/**
 * Scopes: structured ownership of threads and resources on final JDK APIs.
 *
 * <p>Every thread Loomnet starts belongs to a {@link io.loomnet.scope.Scope}. A scope stops its children in a
 * declared order of stages, waits against one deadline, collects failures and reports what did not stop.
 * The node is the root scope (intake, transport, services, timers, dispatchers); each ZeroMQ machine is a
 * scope with the stages monitor, proxy, delete.
 *
 * <p>Every background loop (timer, monitor, pooled workers, ZeroMQ machines and links) is a
 * {@link io.loomnet.scope.Loop} run by a {@link io.loomnet.scope.LoopRunner}: paired hooks on one named platform
 * thread ({@code loomnet-<role>}), a stop signal instead of an interrupt, and one
 * {@link io.loomnet.scope.LoopErrorHandler} per owner.
 */
package io.loomnet.scope;
