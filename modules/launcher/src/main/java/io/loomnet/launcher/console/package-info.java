/**
 * The {@code console} module: Skynet's debug console over TCP. Bound to 127.0.0.1 unless {@code host=} says
 * otherwise. One line per command; each answer ends with a line {@code <CMD OK>} or is a single line
 * {@code <CMD Error> reason}. Commands: {@code list}, {@code stat}, {@code info <handle|name>},
 * {@code kill <handle|name>}, {@code launch <module> [key=value...]}, {@code mem}, {@code help}, {@code quit}.
 * See {@link io.loomnet.launcher.console.ConsoleModule}.
 */
package io.loomnet.launcher.console;
