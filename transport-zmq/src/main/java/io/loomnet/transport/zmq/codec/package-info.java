/**
 * The cluster's payload codec: how message payloads cross the wire between Loomnet nodes.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li><b>No Java serialization, ever.</b> Network input is never handed to {@code ObjectInputStream} or any
 *       other mechanism that picks a class from the input. A type id selects one of a fixed set of formats,
 *       and only types registered explicitly on this node can come out of {@link
 *       io.loomnet.transport.zmq.codec.Codec#decode}.</li>
 *   <li><b>Every node registers the same types with the same ids</b>, and for enums the same constants in
 *       the same order, and uses the same {@code maxEncodedSize}. Make the registrations in one shared piece
 *       of code. {@link io.loomnet.transport.zmq.codec.Codec#fingerprint()} digests the registrations so that
 *       the cluster handshake can refuse a peer whose codec differs; {@link
 *       io.loomnet.transport.zmq.codec.Codec#registrations()} lists them for the log.</li>
 *   <li><b>Thread safety.</b> A built {@link io.loomnet.transport.zmq.codec.Codec} is immutable and shared
 *       freely; its {@link io.loomnet.transport.zmq.codec.Codec.Builder}, and the {@link
 *       io.loomnet.transport.zmq.codec.Writer} and {@link io.loomnet.transport.zmq.codec.Reader} of one call,
 *       are not threadsafe. User {@link io.loomnet.transport.zmq.codec.Encoder}s and {@link
 *       io.loomnet.transport.zmq.codec.Decoder}s must be stateless or thread-safe.</li>
 *   <li><b>Hostile input.</b> Decoding any bytes returns a value or throws {@link
 *       io.loomnet.transport.zmq.codec.CodecException}, nothing else: every length and count is checked
 *       against the bytes remaining before anything is allocated, nesting is limited to {@value
 *       io.loomnet.transport.zmq.codec.Codec#MAX_DEPTH} levels, only canonical encodings are accepted, and
 *       trailing bytes are an error.</li>
 * </ul>
 *
 * <h2>Wire format</h2>
 * A payload is one <i>value</i>: a type id (varint) followed by the body for that id. Nothing else: no
 * header, no length, no trailing bytes (the frame carries the length).
 *
 * <p><b>Varint</b>: unsigned LEB128, 7 bits per byte, least significant group first, high bit set on every
 * byte but the last; a type id, length, count or ordinal takes at most 5 bytes and must fit in 31 bits. Only
 * the shortest form is accepted. <b>Zigzag varint</b> (for {@code int} and {@code long}): {@code (n << 1) ^
 * (n >> 31)} (or {@code >> 63}) then varint, so small negative numbers are short too; at most 5 or 10 bytes.
 * Fixed-width fields are big-endian.
 *
 * <table>
 *   <caption>Built-in type ids (0 to 63 are reserved for built-ins; 17 to 63 are unused)</caption>
 *   <tr><th>Id</th><th>Java type</th><th>Body</th></tr>
 *   <tr><td>0</td><td>{@code null}</td><td>none</td></tr>
 *   <tr><td>1</td><td>{@code byte[]}</td><td>varint length, bytes</td></tr>
 *   <tr><td>2</td><td>{@code String}</td><td>varint byte count, UTF-8 (strict: unpaired surrogates fail to
 *       encode, invalid UTF-8 fails to decode)</td></tr>
 *   <tr><td>3</td><td>{@code Boolean}</td><td>1 byte, 0 or 1</td></tr>
 *   <tr><td>4</td><td>{@code Byte}</td><td>1 byte</td></tr>
 *   <tr><td>5</td><td>{@code Short}</td><td>2 bytes</td></tr>
 *   <tr><td>6</td><td>{@code Character}</td><td>2 bytes (one UTF-16 code unit)</td></tr>
 *   <tr><td>7</td><td>{@code Integer}</td><td>zigzag varint, 1 to 5 bytes</td></tr>
 *   <tr><td>8</td><td>{@code Long}</td><td>zigzag varint, 1 to 10 bytes</td></tr>
 *   <tr><td>9</td><td>{@code Float}</td><td>4 bytes, raw IEEE 754 bits (NaN payloads and -0.0 kept)</td></tr>
 *   <tr><td>10</td><td>{@code Double}</td><td>8 bytes, raw IEEE 754 bits</td></tr>
 *   <tr><td>11</td><td>{@link io.loomnet.Handle}</td><td>8 bytes, {@code value()}</td></tr>
 *   <tr><td>12</td><td>{@link io.loomnet.Terminated}</td><td>as a record: Handle, Reason, String</td></tr>
 *   <tr><td>13</td><td>{@link io.loomnet.spi.RemoteRouter.ErrorPayload}</td><td>as a record: ErrorKind,
 *       String</td></tr>
 *   <tr><td>14</td><td>{@link io.loomnet.Terminated.Reason}</td><td>as an enum</td></tr>
 *   <tr><td>15</td><td>{@link io.loomnet.spi.ErrorKind}</td><td>as an enum</td></tr>
 *   <tr><td>16</td><td>{@link java.util.List} (any implementation)</td><td>varint count, then each element
 *       as a value (type id and body; elements may be null and of mixed types). Decoded as an unmodifiable
 *       list.</td></tr>
 *   <tr><td>64 and up</td><td>registered records, enums and custom types</td><td>below</td></tr>
 * </table>
 *
 * <p><b>Records</b> ({@code registerRecord}): the components in declaration order, with no count and no
 * names. A primitive component is written bare, like the body of its boxed type (so an {@code int} is a
 * zigzag varint, a {@code boolean} one byte). A reference component is written as a value (type id and
 * body), so it may be null; on decode its type is checked against the declared type, including the element
 * type of a {@code List<X>}. Supported component types: primitives, the built-ins above, {@code List}
 * (raw, wildcard or {@code List<X>} of a supported X), {@code Object} and type variables (any supported
 * value), and registered records, enums and custom types. Anything else is refused when the codec is built.
 * The record's canonical constructor builds the decoded value, so its validation runs on network input too;
 * if it throws, decoding fails with a {@code CodecException}.
 *
 * <p><b>Enums</b> ({@code registerEnum}): the constant's ordinal as a varint; an ordinal out of range fails.
 * Ordinals rather than names because they cost one byte instead of a length and the name, and decode
 * without a string lookup; the danger of ordinals, two nodes that declare constants in a different order,
 * is caught by the fingerprint, which covers the constant names in declaration order.
 *
 * <p><b>Custom types</b> ({@code register} with an {@link io.loomnet.transport.zmq.codec.Encoder} and {@link
 * io.loomnet.transport.zmq.codec.Decoder}): a varint body length, then whatever the encoder wrote through the
 * {@link io.loomnet.transport.zmq.codec.Writer}. The decoder's {@link io.loomnet.transport.zmq.codec.Reader}
 * is confined to that body and must consume all of it.
 *
 * <p><b>Nesting</b>: lists, records and custom types each count one level; more than {@value
 * io.loomnet.transport.zmq.codec.Codec#MAX_DEPTH} levels fail on encode (a list that contains itself, say)
 * and on decode.
 *
 * <p><b>Size</b>: an encoding may be at most {@code maxEncodedSize} bytes (16 MiB by default); encode stops
 * as soon as it would be exceeded and decode refuses longer input before reading it.
 *
 * <p>Example: {@code record Point(int x, String label)} registered as 64, value {@code Point(-2, "a")}:
 * {@code 40 03 02 01 61} (id 64, zigzag -2 = 3, String id 2, length 1, "a").
 */
package io.loomnet.transport.zmq.codec;
