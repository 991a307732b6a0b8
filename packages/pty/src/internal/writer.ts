/**
 * Writes to the PTY master: in order, completely, without blocking the event loop.
 *
 * The master fd is non-blocking (node-pty sets it). `fs.writeSync` on the main thread either
 * writes some bytes at once or fails with EAGAIN when the terminal's input buffer is full (the
 * child is not reading); then the rest is retried later with a short backoff. Writing on the main
 * thread, after checking that the fd is still open, means a write can never land on a closed fd
 * whose number was reused (a threadpool `fs.write` racing the reader's close could).
 *
 * @internal
 */
import * as fs from "node:fs"

interface Pending {
  readonly buffer: Buffer
  offset: number
  readonly done: (error: unknown) => void
}

/** @internal */
export class ClosedError extends Error {
  constructor() {
    super("the terminal has been released (its scope closed)")
    this.name = "ClosedError"
  }
}

/** @internal */
export class Writer {
  private readonly queue: Array<Pending> = []
  private retry: { readonly cancel: () => void } | undefined
  private attempts = 0

  constructor(
    private readonly fd: number,
    private readonly isOpen: () => boolean
  ) {}

  /**
   * Queues `data`; `done` is called with `undefined` once every byte has been handed to the
   * kernel, or with the error. Returns a function that withdraws the write (bytes already written
   * stay written).
   */
  write(data: string, done: (error: unknown) => void): () => void {
    const buffer = Buffer.from(data, "utf8")
    if (buffer.byteLength === 0) {
      done(this.isOpen() ? undefined : new ClosedError())
      return () => {}
    }
    const pending: Pending = { buffer, offset: 0, done }
    this.queue.push(pending)
    if (this.queue.length === 1) this.flush()
    return () => {
      const index = this.queue.indexOf(pending)
      if (index < 0) return
      this.queue.splice(index, 1)
      if (index === 0) {
        this.cancelRetry()
        this.attempts = 0
        if (this.queue.length > 0) this.flush()
      }
    }
  }

  /** Fails everything still queued. */
  close(): void {
    this.cancelRetry()
    const queued = this.queue.splice(0)
    for (const pending of queued) pending.done(new ClosedError())
  }

  private flush(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!
      if (!this.isOpen()) return this.close()
      let written: number
      try {
        written = fs.writeSync(this.fd, head.buffer, head.offset)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EAGAIN") return this.scheduleRetry()
        this.queue.shift()
        this.attempts = 0
        head.done(error)
        continue
      }
      this.attempts = 0
      head.offset += written
      if (head.offset >= head.buffer.byteLength) {
        this.queue.shift()
        head.done(undefined)
      }
    }
  }

  private scheduleRetry(): void {
    const attempt = ++this.attempts
    const run = () => {
      this.retry = undefined
      this.flush()
    }
    if (attempt <= 2) {
      const immediate = setImmediate(run)
      this.retry = { cancel: () => clearImmediate(immediate) }
    } else {
      const timer = setTimeout(run, Math.min(2 ** (attempt - 3), 20))
      this.retry = { cancel: () => clearTimeout(timer) }
    }
  }

  private cancelRetry(): void {
    this.retry?.cancel()
    this.retry = undefined
  }
}
