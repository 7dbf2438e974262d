/**
 * INTERNAL API. Loomnet's timer: Skynet's hierarchical timing wheel ({@code skynet-src/skynet_timer.c}) with
 * 64-bit ticks and O(1) cancel, driven by one platform thread.
 *
 * <h2>Two layers</h2>
 * <ul>
 *   <li>{@link io.loomnet.internal.timer.HashedWheel}: the data structure. No clock, no thread, not threadsafe;
 *       the caller says which tick it is. Deterministic, so tests drive it tick by tick.</li>
 *   <li>{@link io.loomnet.internal.timer.TimingWheel}: one wheel owned by a platform daemon thread that wakes
 *       every tick (10 ms by default), fed through two lock-free inboxes (new timers, cancelled timers) as
 *       Netty's {@code HashedWheelTimer} is. This is what the node owns.</li>
 * </ul>
 *
 * <h2>Wheel layout</h2>
 * A tick is a {@code long}. A timer due at tick {@code e} while the wheel is at tick {@code now} goes into the
 * bucket chosen by the highest bit in which {@code e} and {@code now} differ (Skynet's {@code add_node}):
 * <pre>
 *   bit  63 ........ 32 31 ... 26 25 ... 20 19 ... 14 13 ...  8 7 ........ 0
 *       +-------------+----------+----------+----------+----------+-----------+
 *   e = |  overflow   | level 3  | level 2  | level 1  | level 0  |   near    |
 *       +-------------+----------+----------+----------+----------+-----------+
 *         1 list        64 lists   64 lists   64 lists   64 lists   256 lists
 *         (unsorted)    index = the bits of e in that field         index = e &amp; 255
 *
 *   e, now agree above bit 7   -&gt; near[e &amp; 255]              due within this 256-tick window
 *   first differ in bits 8-13  -&gt; level0[(e &gt;&gt;&gt;  8) &amp; 63]
 *   first differ in bits 14-19 -&gt; level1[(e &gt;&gt;&gt; 14) &amp; 63]
 *   first differ in bits 20-25 -&gt; level2[(e &gt;&gt;&gt; 20) &amp; 63]
 *   first differ in bits 26-31 -&gt; level3[(e &gt;&gt;&gt; 26) &amp; 63]
 *   first differ in bits 32-63 -&gt; overflow                    (Skynet has none: its tick is a uint32)
 * </pre>
 * Every list is doubly linked and appended at the tail: insert is O(1), cancel unlinks in O(1) and drops all
 * references to the node, and timers due at the same tick (always in the same list) keep insertion order.
 *
 * <h2>Tick rules</h2>
 * <ol>
 *   <li><b>Shift</b> (Skynet's {@code timer_shift}). On entering tick {@code ct}: if the low 32 bits of
 *       {@code ct} are 0, re-add the overflow list; otherwise, for level 0 to 3 while the bits of {@code ct}
 *       below that level's field are all 0, look at that level's index in {@code ct}; at the first non-zero one,
 *       re-add that bucket (the cascade: each timer drops to a lower level or into {@code near}) and stop.
 *       Hence every node always sits where a fresh add at the current tick would put it.</li>
 *   <li><b>Execute.</b> Then detach {@code near[ct & 255]} node by node and hand each task to the sink. Shift
 *       comes before execute (Skynet {@code 84ec9c41}), so a timer cascaded into the current tick fires now.</li>
 *   <li><b>Adds during execute</b> (Skynet #291, fixed in {@code 35b35f68} by holding the lock across shift and
 *       execute). A timer added for the current tick or earlier is due at {@code ct + 1}, never linked into the
 *       bucket being drained, so it fires at the next tick and is never lost.</li>
 *   <li><b>Catch-up</b> (Skynet's {@code skynet_updatetime}). The timer thread computes the current tick from
 *       {@code System.nanoTime()} and advances the wheel to it through every missed tick, so a stall (GC,
 *       a loaded machine, a suspended VM) delays timers but never drops or reorders them. Ticks where no bucket
 *       comes due and nothing cascades are skipped in O(1), so catching up hours is cheap.
 *       {@code nanoTime} is monotonic, so Skynet's "clock went backwards" resync is not needed.</li>
 *   <li><b>Rounding.</b> Tick {@code k} starts {@code k * tick} after the {@code TimingWheel} was built. A
 *       timer for {@code delay} is due at the first tick whose start is {@code >= now + delay}, and that tick
 *       is processed only once its start has passed: timers never fire early, and normally at most one or two
 *       ticks late.</li>
 *   <li><b>No wrap.</b> Ticks are 64-bit and reach {@code Long.MAX_VALUE - 1} after 2.9 billion years at
 *       10 ms. Skynet's 32-bit counter wraps every 497 days and needed fixes for it ({@code f6fa6c7d}); here the
 *       wrap branch became the 2<sup>32</sup>-tick re-sort of the overflow list.</li>
 * </ol>
 *
 * <h2>Thread contract</h2>
 * <pre>
 *   any thread (virtual ok)          no lock                  timer thread "loomnet-&lt;id&gt;-timer"
 *   ----------------------    --------------------    -----------------------------------------
 *   schedule(delay, task) --&gt; push on "added"          wake (parkNanos until next tick start)
 *   Timeout.cancel()      --&gt; CAS pending-&gt;cancelled, lock; drain "added" into the wheel (oldest
 *                             push on "cancelled"        first, cancelled ones skipped), unlink
 *   pending()             --&gt; a LongAdder's sum         "cancelled"; wheel.advance -&gt; batch; unlock
 *   stop(deadline)        --&gt; refuse new timers        run batch in order, outside the lock
 *                             flag + unpark -&gt;          (each run: CAS pending-&gt;expired, then task.run)
 *                             lock; drain, discard      sees the flag, ends; stop joins until deadline,
 *                             pending                   never interrupts
 * </pre>
 * The wheel's {@link java.util.concurrent.locks.ReentrantLock} is taken only by the timer thread and by
 * {@code stop}, never by callers. Whether a task runs or a cancel wins is decided by one CAS on the timeout's
 * state, so {@code cancel()} returns {@code true} exactly when it prevented the run, even for a timer still in the
 * inbox or already detached into the running batch. A schedule that races a stop re-checks the stop after its
 * push and settles its own timer, so no timer is left neither run nor discarded. Tasks run on the timer thread and must be short: complete a future, enqueue
 * a message. A task that throws is logged and the thread goes on.
 */
package io.loomnet.internal.timer;
