/**
 * Service modules by name, and the launcher that starts them from code, from a config file and from the
 * console.
 *
 * <ul>
 *   <li>{@link io.loomnet.launcher.ServiceModule}: the SPI. A module has a {@code name()} and turns
 *   {@link io.loomnet.launcher.ModuleArgs} (a config subtree over its defaults in {@code reference.conf}) into a
 *   {@link io.loomnet.launcher.ServiceSpec}: a factory, {@link io.loomnet.ServiceOptions} and, optionally, a
 *   stage that completes when the service has started.</li>
 *   <li>{@link io.loomnet.launcher.Launcher}: finds modules with {@link java.util.ServiceLoader} and launches
 *   them ({@code launch(node, "console", List.of("port=7001"))}).</li>
 *   <li>{@link io.loomnet.launcher.LauncherConfig}: reads a HOCON file ({@code loomnet { node-id = 1, services
 *   = [...] }}) over the {@code reference.conf} defaults, reporting every mistake in one
 *   {@link io.loomnet.launcher.ConfigError} that names, for each, the file, line, key path and what was
 *   expected.</li>
 *   <li>{@link io.loomnet.launcher.Main}: {@code loomnet run <config>}, {@code check}, {@code modules}.</li>
 * </ul>
 *
 * <p>Built-in modules live in {@code io.loomnet.launcher.logger}, {@code .console} and {@code .gate}. See
 * {@code docs/modules.md} for each module's arguments and protocol.
 */
package io.loomnet.launcher;
