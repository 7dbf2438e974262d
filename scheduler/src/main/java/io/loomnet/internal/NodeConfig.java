package io.loomnet.internal;

import java.time.Duration;

import io.loomnet.Dispatcher;
import io.loomnet.NodeListener;

/**
 * A node's validated settings, built by {@code Node.Builder}.
 *
 * @param nodeId the 16-bit node id
 * @param dispatcher the default dispatcher
 * @param pooledWorkers worker threads of the POOLED dispatcher
 * @param throughput messages a driver handles before it yields its thread (fairness)
 * @param closeTimeout how long {@code close()} may take in all
 * @param stuckThreshold how long one handler may run before the monitor reports it
 * @param monitorInterval how often the monitor looks
 * @param idleThreadTimeout how long a service on its own thread may sit idle before the thread ends
 * @param timerTick the timing wheel's tick
 * @param listener operational events
 */
public record NodeConfig(int nodeId, Dispatcher dispatcher, int pooledWorkers, int throughput, Duration closeTimeout,
                         Duration stuckThreshold, Duration monitorInterval, Duration idleThreadTimeout, Duration timerTick,
                         NodeListener listener) {
}
