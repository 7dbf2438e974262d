/**
 * The {@code logger} module: a service that writes the text it receives to SLF4J (Skynet's logger service).
 * See {@link io.loomnet.launcher.logger.LoggerModule}.
 */
package io.loomnet.launcher.logger;
