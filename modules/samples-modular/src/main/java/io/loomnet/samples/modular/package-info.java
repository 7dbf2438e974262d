/**
 * The modular sample: {@link io.loomnet.samples.modular.ModularApp} runs a node, a service and a ZeroMQ
 * service gateway from a named module on the module path.
 */
package io.loomnet.samples.modular;
