/**
 * Reads the PTY master and buffers its bytes for the one consumer of `output` or `outputBytes`,
 * with flow control.
 *
 * - Bounded: when the buffered bytes reach `highWaterMark` the socket is paused
 *   (libuv stops reading, the kernel buffer fills, the child blocks in `write`). It is resumed
 *   when the consumer takes the buffer. At most `highWaterMark` plus one read (a few KiB) is held
 *   here; the batch the consumer is processing is the only other copy.
 * - End of output: once the channel has closed (EIO on Linux once no process holds the terminal
 *   open, EOF elsewhere) and everything buffered was taken. Normally that is when the child exits
 *   (a moment before its exit is reported, or after); a child that closed every descriptor of its
 *   terminal but runs on can write nothing more here, so its output ends then too.
 * - libuv's EOF is not trusted. Once the terminal's other side is closed, poll reports POLLHUP,
 *   and libuv then declares EOF after the first read shorter than its 64 KiB buffer (a heuristic
 *   for sockets). A terminal returns at most 4 KiB per read while more can still be queued in
 *   the kernel, so up to several KiB of the child's last output would be lost (node-pty's own
 *   UnixTerminal loses it: 24 of 40 runs of a 30 KB write on Linux 6.18). On that EOF the rest is
 *   read synchronously from the fd until EIO. This is bounded by the kernel's terminal buffers.
 * - Bytes are buffered as read, one `Buffer` per read, never decoded here: `output` decodes them
 *   on the consumer's side (`utf8` in ptyProcess.ts), `outputBytes` hands them out as they are.
 * - A consumer that is not waiting takes everything buffered at its next pull. A waiting consumer
 *   is woken once a turn of the event loop (one more poll phase) brought no read, or once
 *   `coalesceBytes` are buffered, not after every read: a terminal gives at most 4 KiB per read,
 *   and each wake-up is a pull through the consumer's stream, which costs several times the read.
 *   A fast consumer of a steady stream so pulls about 16 reads at a time (bench/transport.ts, 100k
 *   events: ~600 pulls instead of ~8000); output that stops reaches it one loop turn later.
 * - Reading ahead (`readAhead`, called by a consumer in the middle of long synchronous work): a
 *   terminal holds only ~16 KiB, and the socket reads only between two turns of the event loop,
 *   so a child that writes faster than the consumer works would wait for the end of each batch.
 *   `readAhead` reads what the kernel holds at once (non-blocking `readSync`s) and buffers it as
 *   the socket's reads are, in order: the socket is flowing (never read ahead while paused or
 *   while it holds unemitted reads), and both run on this thread.
 * - A process that inherited the terminal (a grandchild in the background) can keep it open after
 *   the child exited. Then the output ends anyway after the child has exited and the socket has
 *   been reading, unpaused, for `drainWindowMillis` (plus one more turn of the event loop, so a
 *   blocked event loop cannot make it skip data already waiting in the kernel). The time a slow
 *   consumer keeps the socket paused does not count, so nothing the child wrote is dropped.
 *
 * @internal
 */
import * as fs from "node:fs"
import * as tty from "node:tty"

/**
 * The stream that reads a terminal's master, whose fd only `closeFd` closes.
 *
 * Node closes a stream's fd as soon as its output is over (after EOF, or on EIO, which it takes
 * for a read error). Closing a terminal's master hangs the terminal up: the kernel sends SIGHUP to
 * the child's session. A child that closed every descriptor of its terminal but runs on would so
 * be hung up the moment its output ends, ahead of the shutdown's steps (a CLI would get SIGHUP at
 * once, not the grace period and then the interrupt signal that lets it save its work). So here
 * that destruction stops at reading: the stream is destroyed, the fd stays open (writes and
 * resizes are refused all the same, they check `destroyed`), and what ended it is emitted as
 * `stopped` (`null` at the end of the output, else the read's error) instead of `error` and
 * `close`. The terminal is hung up by `closeFd`, once the child is stopped.
 *
 * @internal
 */
export class MasterStream extends tty.ReadStream {
  private closing = false
  private deferredClose: (() => void) | undefined

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.closing) return super._destroy(error, callback)
    // the error is reported now, as `stopped`; the close that comes later ends without one
    this.deferredClose = () => super._destroy(null, callback)
    this.emit("stopped", error)
  }

  /** Closes the fd, hanging the terminal up. Idempotent. */
  closeFd(): void {
    if (this.closing) return
    this.closing = true
    const deferredClose = this.deferredClose
    this.deferredClose = undefined
    if (deferredClose !== undefined) deferredClose()
    else this.destroy()
  }
}

/** @internal */
export type Taken =
  | { readonly _tag: "Chunks"; readonly chunks: Array<Buffer> }
  | { readonly _tag: "End" }
  | { readonly _tag: "Fail"; readonly cause: unknown }

/**
 * Test hooks: observe flow control without timing guesses.
 *
 * @internal
 */
export interface Probe {
  /** Reading paused at the high-water mark, with `buffered` bytes in `chunks` reads. */
  readonly onPause?: (buffered: number, chunks: number) => void
  readonly onResume?: () => void
  readonly onDrainWindowExpired?: () => void
  /** A call of `readAhead` read `bytes` (0: it found nothing, or was not to read). */
  readonly onReadAhead?: (bytes: number) => void
}

/** While reads keep coming, a waiting consumer is woken once this many bytes are buffered. */
const coalesceBytes = 65536

/**
 * `readAhead` reads at most this much per call: two terminal reads. Once the kernel's 4 KiB line
 * buffer is read, the next read waits for a kernel worker to refill it from the rest of the
 * terminal's ~16 KiB; reading on while the child refills would only delay the consumer (on the
 * 100k-event benchmark, 16 KiB per call and a call every two reads of the consumer: 20-30 ms
 * slower, within the noise of one run).
 */
const readAheadBytes = 8192

/**
 * `readAhead` reads into slabs of this size, each read into the room left in the current one, and
 * hands out views of them. A slab is reused only when the consumer does not keep what it takes
 * (`reuse`: `output`, which decodes each take at once, or `outputBytes` with
 * `reuseOutputBuffers`); otherwise it lives as long as a view of it.
 */
const slabBytes = 65536
/** A new slab is taken once less than a terminal's largest read is left in the current one. */
const minSlabRoom = 4096
const emptySlab = Buffer.alloc(0)

/** @internal */
export class Reader {
  private chunks: Array<Buffer> = []
  private buffered = 0
  private paused = false
  private exited = false
  private channelClosed = false
  private drainExpired = false
  private discarding = false
  private released = false
  private failure: { readonly cause: unknown } | undefined
  private finished = false
  private waiter: (() => void) | undefined
  private drainTimer: ReturnType<typeof setTimeout> | undefined
  private drainCheck: ReturnType<typeof setImmediate> | undefined
  /** A wake-up deferred to the check phase while reads keep coming; see `onData`. */
  private wakeCheck: ReturnType<typeof setImmediate> | undefined
  private readSinceCheck = false
  /** Where `readAhead` reads to: a slab shared by its reads, each handed out as a view of it. */
  private slab: Buffer = emptySlab
  private slabUsed = 0
  /**
   * With `reuseSlabs` (see `reuse`): slabs filled up whose last views are still buffered, slabs
   * whose last views the latest take handed out (reusable from the take after it), and reusable
   * slabs.
   */
  private filledSlabs: Array<Buffer> = []
  private takenSlabs: Array<Buffer> = []
  private spareSlabs: Array<Buffer> = []
  private reuseSlabs = false

  /** `socket` reads `fd` and must not have an encoding set: its reads are kept as `Buffer`s. */
  constructor(
    private readonly socket: MasterStream,
    private readonly fd: number,
    private readonly highWaterMark: number,
    private readonly drainWindowMillis: number,
    private readonly probe: Probe | undefined
  ) {
    // Each read is a Buffer of its own (libuv reads into a fresh allocation): kept, not copied.
    socket.on("data", (bytes: Buffer) => this.onData(bytes))
    // MasterStream reports a read's error as `stopped`, and emits `close` only once released;
    // an `error` it did emit anyway is taken as such, never thrown
    socket.on("error", (error: NodeJS.ErrnoException) => this.onError(error))
    socket.on("end", () => {
      this.drainAfterEof()
      this.onChannelClosed()
    })
    socket.on(
      "stopped",
      (error: NodeJS.ErrnoException | null) => error === null ? this.onChannelClosed() : this.onError(error)
    )
  }

  /**
   * Whether writes and resizes are taken: not once the output is over (the fd itself stays open
   * until `release`, see `MasterStream`).
   */
  get isOpen(): boolean {
    return !this.socket.destroyed
  }

  /** Called by the exit callback, once the child has been reaped. */
  onExit(): void {
    this.exited = true
    this.armDrainWindow()
    this.wake()
  }

  /**
   * Scope is closing: never pause again, so that a child blocked on a full terminal can go on
   * and exit during the shutdown grace period. What the child writes from now on is still
   * buffered for a consumer that may still be reading, up to `highWaterMark`; beyond that it is
   * dropped.
   */
  discard(): void {
    if (this.discarding) return
    this.discarding = true
    if (this.paused) {
      this.paused = false
      this.probe?.onResume?.()
    }
    if (!this.socket.destroyed) this.socket.resume()
    this.armDrainWindow()
  }

  /** Closes the master fd, hanging the terminal up. Idempotent. */
  release(): void {
    if (this.released) return
    this.released = true
    this.clearDrainWindow()
    this.socket.closeFd()
    this.wake()
  }

  /**
   * The consumer is done with the reads of a take once it takes again: from then on the slabs of
   * `readAhead` are reused, instead of a new one being allocated for every 64 KiB read ahead (and
   * collected only when V8 gets round to it).
   */
  reuse(): void {
    this.reuseSlabs = true
  }

  /** Takes everything buffered, or the end; `undefined` when there is nothing yet. */
  take(): Taken | undefined {
    if (this.chunks.length > 0) {
      if (this.reuseSlabs) this.recycleSlabs()
      const chunks = this.chunks
      this.chunks = []
      this.buffered = 0
      if (this.paused) this.resumeSocket()
      return { _tag: "Chunks", chunks }
    }
    if (this.failure !== undefined) {
      this.finish()
      return { _tag: "Fail", cause: this.failure.cause }
    }
    if (this.released || this.drainExpired || this.channelClosed) {
      this.finish()
      return { _tag: "End" }
    }
    return undefined
  }

  /**
   * Registers the single waiter, called once when `take` may return something. Returns a function
   * that cancels the registration.
   */
  await(onReady: () => void): () => void {
    this.waiter = onReady
    return () => {
      if (this.waiter === onReady) this.waiter = undefined
    }
  }

  /**
   * Reads what the kernel holds now, without waiting, into the buffer (`PtyProcess.unsafeReadAhead`):
   * until a read would block (EAGAIN), `readAheadBytes` were read, or the buffer holds
   * `highWaterMark` bytes. Nothing while reading is paused, once it is over or the scope is
   * closing, or while the socket holds reads it has not emitted yet (they come first). A read that
   * fails otherwise (EIO at the end) stops it quietly: the socket's own next read meets the same
   * condition and reports it.
   */
  readAhead(): void {
    const total = this.readAheadNow()
    this.probe?.onReadAhead?.(total)
  }

  private readAheadNow(): number {
    let total = 0
    if (this.paused || this.discarding || this.finished || this.channelClosed || this.socket.destroyed) return total
    if (this.socket.readableLength > 0) return total
    while (total < readAheadBytes && this.buffered < this.highWaterMark) {
      let slab = this.slab
      if (slab.length - this.slabUsed < minSlabRoom) {
        if (this.reuseSlabs && slab !== emptySlab) this.filledSlabs.push(slab)
        slab = this.slab = this.spareSlabs.pop() ?? Buffer.allocUnsafeSlow(slabBytes)
        this.slabUsed = 0
      }
      let read: number
      try {
        read = fs.readSync(this.fd, slab, this.slabUsed, slab.length - this.slabUsed, null)
      } catch {
        return total
      }
      if (read === 0) return total
      const start = this.slabUsed
      total += read
      this.slabUsed += read
      this.onData(slab.subarray(start, start + read))
    }
    return total
  }

  /**
   * Called by a take, before it hands out the buffered reads: the slabs whose last views the
   * previous take handed out are reusable now; those whose last views this take hands out, from
   * the next. (The slab being filled is not among them: its views handed out so far lie before
   * where it is read on.)
   */
  private recycleSlabs(): void {
    // as many as the buffer can hold: the memory the high-water mark allows anyway
    const maxSpare = Math.ceil(this.highWaterMark / slabBytes) + 1
    for (const slab of this.takenSlabs) {
      if (this.spareSlabs.length < maxSpare) this.spareSlabs.push(slab)
    }
    this.takenSlabs = this.filledSlabs
    this.filledSlabs = []
  }

  /**
   * Called on libuv's EOF, which is emitted before the socket closes the fd: reads what the
   * kernel still holds, until EIO (everything read, the other side is closed) or EAGAIN.
   */
  private drainAfterEof(): void {
    if (this.socket.destroyed) return
    const buffer = Buffer.allocUnsafe(65536)
    for (;;) {
      let read: number
      try {
        read = fs.readSync(this.fd, buffer, 0, buffer.length, null)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code !== "EIO" && code !== "EAGAIN") this.failure ??= { cause: error }
        return
      }
      if (read === 0) return
      // The buffer is reused for the next read: keep a copy of what was read.
      this.onData(Buffer.from(buffer.subarray(0, read)))
    }
  }

  private onData(data: Buffer): void {
    if (this.finished) return
    if (this.discarding && this.buffered >= this.highWaterMark) return
    this.chunks.push(data)
    this.buffered += data.length
    if (!this.paused && !this.discarding && this.buffered >= this.highWaterMark) {
      this.paused = true
      this.socket.pause()
      this.clearDrainWindow()
      this.probe?.onPause?.(this.buffered, this.chunks.length)
    }
    if (this.paused || this.buffered >= coalesceBytes) return this.wake()
    this.readSinceCheck = true
    if (this.waiter !== undefined && this.wakeCheck === undefined) this.wakeCheck = setImmediate(this.onWakeCheck)
  }

  /** Check phase: wakes the waiter unless the poll phase before it read more. */
  private readonly onWakeCheck = (): void => {
    this.wakeCheck = undefined
    if (this.readSinceCheck) {
      this.readSinceCheck = false
      this.wakeCheck = setImmediate(this.onWakeCheck)
    } else {
      this.wake()
    }
  }

  private onError(error: NodeJS.ErrnoException): void {
    // EIO: every process holding the terminal has closed it, the normal end on Linux.
    // EAGAIN: spurious wake-up (node-pty ignores it too).
    if (error.code === "EIO") return this.onChannelClosed()
    if (error.code === "EAGAIN") return
    this.failure ??= { cause: error }
    this.onChannelClosed()
  }

  private onChannelClosed(): void {
    if (this.channelClosed) return
    this.channelClosed = true
    this.clearDrainWindow()
    this.wake()
  }

  private resumeSocket(): void {
    this.paused = false
    if (!this.finished || this.discarding) this.socket.resume()
    this.probe?.onResume?.()
    this.armDrainWindow()
  }

  private armDrainWindow(): void {
    if (!this.exited || this.channelClosed || this.paused || this.drainExpired || this.released) return
    if (this.drainTimer !== undefined || this.drainCheck !== undefined) return
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined
      // One more poll phase first: data already in the kernel is read before the check runs.
      this.drainCheck = setImmediate(() => {
        this.drainCheck = undefined
        if (this.channelClosed || this.paused || this.released) return
        this.drainExpired = true
        this.socket.pause()
        this.probe?.onDrainWindowExpired?.()
        this.wake()
      })
    }, this.drainWindowMillis)
  }

  private clearDrainWindow(): void {
    if (this.drainTimer !== undefined) clearTimeout(this.drainTimer)
    if (this.drainCheck !== undefined) clearImmediate(this.drainCheck)
    this.drainTimer = undefined
    this.drainCheck = undefined
  }

  private finish(): void {
    if (this.finished) return
    this.finished = true
    this.clearDrainWindow()
    // Nobody will read any more: stop pulling data into memory.
    if (!this.discarding) this.socket.pause()
  }

  private wake(): void {
    if (this.wakeCheck !== undefined) {
      clearImmediate(this.wakeCheck)
      this.wakeCheck = undefined
    }
    this.readSinceCheck = false
    const waiter = this.waiter
    if (waiter !== undefined) {
      this.waiter = undefined
      waiter()
    }
  }
}
