/**
 * A child process on a pseudo-terminal, as a scoped Effect resource.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as internal from "./internal/ptyProcess.js"

/**
 * How the process is stopped when its scope closes (or `shutdown` runs): wait `gracePeriod` for
 * it to exit on its own, then send `interruptSignal` to its process group and wait
 * `interruptTimeout`, then SIGTERM and wait `terminateTimeout`, then SIGKILL and wait
 * `killTimeout`. Each step is skipped as soon as the process has exited. Whatever is left of its
 * process group after it exited gets SIGKILL.
 *
 * @example
 * ```ts
 * import { PtyProcess } from "effect-pty"
 *
 * // a child that saves its work on SIGTERM: skip SIGINT, give it longer
 * const shutdown: PtyProcess.ShutdownOptions = {
 *   ...PtyProcess.defaultShutdown,
 *   interruptSignal: "SIGTERM",
 *   interruptTimeout: "5 seconds"
 * }
 * const program = PtyProcess.spawn({ command: "my-server", shutdown })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ShutdownOptions {
  readonly gracePeriod: Duration.DurationInput
  readonly interruptSignal: NodeJS.Signals
  readonly interruptTimeout: Duration.DurationInput
  readonly terminateTimeout: Duration.DurationInput
  readonly killTimeout: Duration.DurationInput
}

/**
 * The escalation used unless `SpawnOptions.shutdown` overrides a step: 1 s grace, SIGINT + 1 s,
 * SIGTERM + 500 ms, SIGKILL + 500 ms (at most 3 s in all).
 *
 * @example
 * ```ts
 * import { PtyProcess } from "effect-pty"
 *
 * assert.strictEqual(PtyProcess.defaultShutdown.interruptSignal, "SIGINT")
 * // override one step, keep the others
 * const program = PtyProcess.spawn({ command: "vim", shutdown: { gracePeriod: "0 millis" } })
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultShutdown: ShutdownOptions = {
  gracePeriod: "1 second",
  interruptSignal: "SIGINT",
  interruptTimeout: "1 second",
  terminateTimeout: "500 millis",
  killTimeout: "500 millis"
}

/**
 * Terminal width used unless `SpawnOptions.cols` is given.
 *
 * @example
 * ```ts
 * import { PtyProcess } from "effect-pty"
 *
 * assert.strictEqual(PtyProcess.defaultCols, 200)
 * const program = PtyProcess.spawn({ command: "htop", cols: 80, rows: 24 })
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultCols = 200

/**
 * Terminal height used unless `SpawnOptions.rows` is given.
 *
 * @example
 * ```ts
 * import { PtyProcess } from "effect-pty"
 *
 * assert.strictEqual(PtyProcess.defaultRows, 50)
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultRows = 50

/**
 * Bytes of output buffered (not yet taken by the consumer of `output` or `outputBytes`) before
 * reading from the terminal pauses: 1 MiB.
 *
 * @example
 * ```ts
 * import { PtyProcess } from "effect-pty"
 *
 * assert.strictEqual(PtyProcess.defaultHighWaterMark, 1024 * 1024)
 * // a chatty child and a slow consumer: hold at most about 2 x 64 KiB
 * const program = PtyProcess.spawn({ command: "yes", highWaterMark: 64 * 1024 })
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultHighWaterMark = 1024 * 1024

/**
 * What to start and how: the command and its arguments, working directory, environment, terminal
 * size, shutdown escalation, an optional file for stdin and the output buffer bound.
 *
 * @example
 * ```ts
 * import { PtyProcess } from "effect-pty"
 *
 * const options: PtyProcess.SpawnOptions = {
 *   command: "git",
 *   args: ["log", "--oneline", "-5"],
 *   cwd: "/my/repo",
 *   env: { GIT_PAGER: "cat", LESS: undefined }, // LESS removed
 *   cols: 120
 * }
 * const program = PtyProcess.spawn(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface SpawnOptions {
  /** A name looked up on the child's PATH, or a path (relative to `cwd`). */
  readonly command: string
  readonly args?: ReadonlyArray<string> | undefined
  /** Working directory of the child; defaults to `process.cwd()`. */
  readonly cwd?: string | undefined
  /**
   * Variables set for the child, over `process.env` (unless `inheritEnv` is false). A key set to
   * `undefined` removes that variable. `TERM` (inherited, or "xterm") and `PWD` (the cwd) are
   * added unless mentioned here; variables describing the parent's own terminal (`COLUMNS`,
   * `LINES`, `TMUX`, ...) are not inherited.
   */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  /** Start from `process.env` (the default) or from an empty environment. */
  readonly inheritEnv?: boolean | undefined
  readonly cols?: number | undefined
  readonly rows?: number | undefined
  /** Overrides steps of {@link defaultShutdown}. */
  readonly shutdown?: Partial<ShutdownOptions> | undefined
  /**
   * A file or FIFO the child's stdin is redirected from, for programs that do not read a TTY
   * stdin. stdout and stderr stay on the terminal. The child is started as
   * `/bin/sh -c 'exec "$@" < "$file"'` with the path passed as an argument, never as shell text;
   * `exec` keeps `pid` the pid of the program itself. Opening a FIFO blocks the child (not the
   * caller) until a writer opens it.
   */
  readonly stdin?: string | undefined
  /**
   * Bytes buffered before reading pauses; see {@link defaultHighWaterMark}. With a consumer
   * slower than the child, the output held in memory stays within about twice this (the batch
   * being consumed and the next one), plus the kernel's own terminal buffers.
   */
  readonly highWaterMark?: number | undefined
  /**
   * A promise of the consumer of `outputBytes`: it is done with the Buffers of a pull once it pulls
   * again (it copies or decodes what it keeps). Their memory may then be reused for later reads
   * (those of `unsafeReadAhead`), instead of new memory being taken for every read and left to
   * the garbage collector: a lower peak of memory for a long output. Buffers kept beyond the next
   * pull may then change under the consumer. `output` does this always (it decodes each pull at
   * once). Default `false`.
   *
   * @since 0.3.0
   */
  readonly reuseOutputBuffers?: boolean | undefined
}

/**
 * How the process ended: `exitCode` when it exited, `signal` (and `exitCode: null`) when a signal
 * killed it.
 *
 * @example
 * ```ts
 * import { PtyProcess } from "effect-pty"
 *
 * const done = new PtyProcess.ExitStatus({ exitCode: 0, signal: null })
 * assert.strictEqual(done.isSuccess, true)
 * const killed = new PtyProcess.ExitStatus({ exitCode: null, signal: "SIGKILL" })
 * assert.strictEqual(killed.isSuccess, false)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class ExitStatus extends Data.Class<{
  readonly exitCode: number | null
  readonly signal: NodeJS.Signals | null
}> {
  /**
   * Exited with code 0.
   *
   * @since 0.1.0
   */
  get isSuccess(): boolean {
    return this.exitCode === 0
  }
}

/**
 * A spawned process. Obtained from {@link spawn}; valid while the scope it was spawned in is open.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { PtyProcess } from "effect-pty"
 *
 * // answer a prompt the child writes to its terminal (output can be run once: answer from inside)
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const proc = yield* PtyProcess.spawn({ command: "sh", args: ["-c", "read -p 'name? ' n; echo hi $n"] })
 *     const text = yield* proc.output.pipe(
 *       Stream.tap((chunk) => chunk.includes("name?") ? proc.write("Ada\r") : Effect.void),
 *       Stream.mkString
 *     )
 *     const status = yield* proc.exitStatus
 *     return { text, ok: status.isSuccess } // text: "name? Ada\r\nhi Ada\r\n"
 *   })
 * )
 * ```
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { PtyProcess } from "effect-pty"
 *
 * // the bytes as written, not decoded: count them
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const proc = yield* PtyProcess.spawn({ command: "printf", args: ["caf\\303\\251"] })
 *     return yield* Stream.runFold(proc.outputBytes, 0, (total, read) => total + read.length) // 5
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface PtyProcess {
  /** The pid of the program (with `stdin`, too: the shell `exec`s it). */
  readonly pid: number
  /**
   * Everything the child writes to the terminal (stdout and stderr merged, `\n` arriving as
   * `\r\n`, plus the terminal's echo of what is written to it), decoded as UTF-8, in chunks as
   * read.
   *
   * Nothing is lost, whenever the stream is run: reading starts at spawn and is buffered up to
   * `highWaterMark` bytes; beyond that reading pauses and the child blocks on its writes
   * until the stream is consumed. The stream ends once the child has exited and everything it
   * wrote has been read (it may end a moment before `exitStatus` is known; a child that closes
   * every descriptor of its terminal but runs on ends it then). If a background process it
   * started still holds the terminal open, the
   * stream ends anyway after 200 ms of (unpaused) reading following the exit, and what that
   * process writes later is dropped. Once the scope starts closing, reading never pauses again
   * (so a child blocked on a full terminal can exit during the grace period); beyond
   * `highWaterMark`, that late output is dropped.
   *
   * The reads are decoded by one streaming decoder for the whole output: a character split
   * between reads is decoded whole, invalid bytes become U+FFFD, and so does an incomplete
   * character at the very end (it is not lost).
   *
   * It can be run once, and not together with `outputBytes` (both draw from the one reader):
   * running either a second time, or both, dies with a defect. Use `Stream.share` or
   * `Stream.broadcast` for several consumers.
   */
  readonly output: Stream.Stream<string, PtyReadError>
  /**
   * The same output as `output`, as the bytes read from the terminal: not decoded, one element
   * per read (a Node.js `Buffer`, so `toString("utf8", start, end)` works on it), each pull
   * taking every read since the last one. A multi-byte character may be split between two
   * elements; invalid UTF-8 arrives as written. Buffering, pausing at `highWaterMark` bytes and
   * the end are exactly those of `output`.
   *
   * `output` and `outputBytes` draw from the one reader: only one of them can be run, once;
   * running either a second time, or both, dies with a defect.
   *
   * @example
   * ```ts
   * // every byte the child wrote, in one Buffer
   * const all = Effect.map(Stream.runCollect(proc.outputBytes), (reads) => Buffer.concat(Chunk.toArray(reads)))
   * ```
   *
   * @since 0.2.0
   */
  readonly outputBytes: Stream.Stream<Uint8Array, PtyReadError>
  /**
   * Writes to the terminal, as typed keys: completes once every byte has been handed to the
   * kernel (which waits while the child is not reading and the terminal's input buffer is full).
   */
  readonly write: (data: string) => Effect.Effect<void, PtyWriteError>
  /** Changes the terminal size (the child gets SIGWINCH). */
  readonly resize: (cols: number, rows: number) => Effect.Effect<void, PtyWriteError>
  /** Sends a signal to the child's process group; a no-op once the group is gone or released. */
  readonly signal: (signal: NodeJS.Signals) => Effect.Effect<void>
  /** Waits for the child to exit. */
  readonly exitStatus: Effect.Effect<ExitStatus>
  /** Whether the child has not exited yet. */
  readonly isRunning: Effect.Effect<boolean>
  /**
   * Reads what the terminal holds now, without waiting, into the buffer that the next pull of
   * `output` or `outputBytes` takes (up to `highWaterMark` bytes); synchronous, for a consumer
   * that does long synchronous work on each chunk.
   *
   * A terminal holds only about 16 KiB, and its reads run between turns of the event loop: a
   * child that writes faster than this process consumes is blocked whenever this process is busy,
   * however much room the buffer here has. Calling this every few KiB of work lets the child write
   * on meanwhile (`effect-claude-code` calls it after decoding each read; its README has the
   * figures). Reads at most 8 KiB (two terminal reads) per call. Does nothing while reading is
   * paused, after the end, or once the scope is closing. What it reads is handed out by
   * `outputBytes` as views of shared 64 KiB slabs: a view kept for long keeps its whole slab
   * alive, so copy (`Buffer.from`) a small piece you keep. With `reuseOutputBuffers`, the slabs are
   * reused from the pull after the one that handed out their last views.
   *
   * @example
   * ```ts
   * import { PtyProcess } from "effect-pty"
   * import { Effect, Stream } from "effect"
   *
   * // counts the lines of a child's output, read by read, letting the child write on meanwhile
   * const lines = Effect.scoped(
   *   Effect.gen(function*() {
   *     const proc = yield* PtyProcess.spawn({ command: "seq", args: ["1000000"] })
   *     return yield* Stream.runFold(proc.outputBytes, 0, (count, read) => {
   *       for (const byte of read) if (byte === 10) count++
   *       proc.unsafeReadAhead()
   *       return count
   *     })
   *   })
   * )
   * ```
   *
   * @since 0.3.0
   */
  readonly unsafeReadAhead: () => void
  /**
   * Runs the shutdown escalation now (see {@link ShutdownOptions}) and returns how the child
   * ended. The terminal stays open until the scope closes, so `output` can still be drained.
   */
  readonly shutdown: Effect.Effect<ExitStatus>
}

/**
 * Why a spawn failed. "Unknown" covers everything without a reason of its own (fork failure, an
 * unreadable `stdin` file, invalid options); `PtySpawnError.detail` says what exactly.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { PtyProcess } from "effect-pty"
 *
 * assert.strictEqual(Schema.is(PtyProcess.SpawnErrorReason)("NotFound"), true)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const SpawnErrorReason = Schema.Literal(
  "NotFound",
  "NotExecutable",
  "CwdMissing",
  "ArgumentsTooLong",
  "Unknown"
)

/**
 * The reasons of {@link SpawnErrorReason}, as a type.
 *
 * @example
 * ```ts
 * import { PtyProcess } from "effect-pty"
 *
 * const advice = (reason: PtyProcess.SpawnErrorReason): string =>
 *   reason === "NotFound" ? "install it" : reason === "CwdMissing" ? "create the directory" : "see the detail"
 * assert.strictEqual(advice("NotFound"), "install it")
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type SpawnErrorReason = typeof SpawnErrorReason.Type

const advice: Record<SpawnErrorReason, string> = {
  NotFound: "Install it, fix PATH (the child's, from the env option), or pass an absolute path.",
  NotExecutable: "Make it executable (chmod +x) or point to the right file.",
  CwdMissing: "Create the directory first or pass an existing cwd.",
  ArgumentsTooLong: "Pass large data through a file or the stdin option instead of arguments or environment.",
  Unknown: "Fix the options if the detail names one; otherwise the system may be out of processes, " +
    "file descriptors or terminals."
}

/**
 * The child could not be started. Checked before forking where possible (a missing command would
 * otherwise surface only as exit code 1), so `reason` says what to fix.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { PtyProcess } from "effect-pty"
 *
 * const program = PtyProcess.spawn({ command: "no-such-program" }).pipe(
 *   Effect.catchTag("PtySpawnError", (error) =>
 *     error.reason === "NotFound" ? Effect.logWarning(error.message) : Effect.fail(error))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class PtySpawnError extends Schema.TaggedError<PtySpawnError>("effect-pty/PtySpawnError")(
  "PtySpawnError",
  {
    command: Schema.String,
    cwd: Schema.String,
    reason: SpawnErrorReason,
    detail: Schema.String,
    cause: Schema.Defect
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Cannot spawn ${JSON.stringify(this.command)} in ${this.cwd} (${this.reason}): ${this.detail}. ${
      advice[this.reason]
    }`
  }
}

const describe = (cause: unknown): string =>
  Predicate.hasProperty(cause, "message") && typeof cause.message === "string" ? cause.message : String(cause)

const errorCode = (cause: unknown): unknown => Predicate.hasProperty(cause, "code") ? cause.code : undefined

/**
 * Reading the terminal failed with something other than its normal end (EIO once the child and
 * everything holding the terminal have gone, which just ends `output`).
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { PtyProcess } from "effect-pty"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const proc = yield* PtyProcess.spawn({ command: "ls" })
 *     return yield* Stream.mkString(proc.output)
 *   })
 * ).pipe(Effect.catchTag("PtyReadError", (error) => Effect.succeed(`(output cut: ${error.message})`)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class PtyReadError extends Schema.TaggedError<PtyReadError>("effect-pty/PtyReadError")("PtyReadError", {
  pid: Schema.Number,
  cause: Schema.Defect
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Reading the terminal of process ${this.pid} failed: ${describe(this.cause)}. ` +
      "The output ends here; the process itself is stopped when its scope closes."
  }
}

/**
 * Writing to or resizing the terminal failed.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { PtyProcess } from "effect-pty"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const proc = yield* PtyProcess.spawn({ command: "cat" })
 *     yield* proc.write("hello\r").pipe(
 *       Effect.catchTag("PtyWriteError", (error) => Effect.logWarning(error.operation, error.message))
 *     )
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class PtyWriteError extends Schema.TaggedError<PtyWriteError>("effect-pty/PtyWriteError")("PtyWriteError", {
  pid: Schema.Number,
  operation: Schema.Literal("write", "resize"),
  cause: Schema.Defect
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const what = this.operation === "write" ? "write to" : "resize"
    const code = errorCode(this.cause)
    const hint = code === "EIO"
      ? " The child has exited or closed its terminal: check isRunning or exitStatus first."
      : Predicate.hasProperty(this.cause, "name") && this.cause.name === "ClosedError"
      ? " The PtyProcess was used after its scope closed: keep the scope open while using it."
      : ""
    return `Could not ${what} the terminal of process ${this.pid}: ${describe(this.cause)}.${hint}`
  }
}

/**
 * Starts `command` on a new pseudo-terminal. The process belongs to the scope: when the scope
 * closes it is stopped (see {@link ShutdownOptions}), reaped, and its terminal is closed.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { PtyProcess } from "effect-pty"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const proc = yield* PtyProcess.spawn({ command: "sh", args: ["-c", "echo hi; tty"] })
 *     const text = yield* proc.output.pipe(Stream.mkString)
 *     const status = yield* proc.exitStatus
 *     return { text, status }
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const spawn: (options: SpawnOptions) => Effect.Effect<PtyProcess, PtySpawnError, Scope.Scope> = Effect.fn(
  "PtyProcess.spawn"
)(function*(options: SpawnOptions) {
  const proc = yield* internal.make(options)
  yield* Effect.annotateCurrentSpan({ command: options.command, pid: proc.pid })
  return proc
})

/**
 * The checks `spawn` makes before forking (cwd, command on the child's PATH, argument and
 * environment size, `stdin` file, options), without spawning: the resolved path of the program,
 * or the `PtySpawnError` that `spawn` would fail with. For callers that start processes by other
 * means and want the same typed reasons.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { PtyProcess } from "effect-pty"
 *
 * const missing = Effect.runSync(Effect.flip(PtyProcess.preflight({ command: "surely-not-installed-anywhere" })))
 * assert.strictEqual(missing.reason, "NotFound")
 * const sh = Effect.runSync(PtyProcess.preflight({ command: "sh" }))
 * assert.ok(sh.endsWith("/sh"))
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const preflight = (options: SpawnOptions): Effect.Effect<string, PtySpawnError> => internal.preflight(options)

/**
 * Something the shutdown escalation can stop.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { PtyProcess } from "effect-pty"
 * import { spawn } from "node:child_process"
 *
 * // a child on pipes, stopped with the same escalation as a terminal's
 * const stoppable = (child: ReturnType<typeof spawn>): PtyProcess.Stoppable<number | null> => ({
 *   signal: (signal) => Effect.sync(() => void child.kill(signal)),
 *   exitStatus: Effect.async<number | null>((resume) => {
 *     if (child.exitCode !== null) return resume(Effect.succeed(child.exitCode))
 *     child.once("exit", (code) => resume(Effect.succeed(code)))
 *   }),
 *   isRunning: Effect.sync(() => child.exitCode === null && child.signalCode === null)
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Stoppable<A> {
  readonly signal: (signal: NodeJS.Signals) => Effect.Effect<void>
  readonly exitStatus: Effect.Effect<A>
  readonly isRunning: Effect.Effect<boolean>
}

/**
 * Runs the shutdown escalation (see {@link ShutdownOptions}; {@link defaultShutdown} fills the
 * steps not given) against any process, e.g. one started over pipes, and returns its exit status.
 * Every wait is bounded and interruptible, so it works inside a finalizer. Only if the process
 * is still running `killTimeout` after SIGKILL does it keep waiting for `exitStatus`. It does not
 * kill the process group's remnants: `signal` decides what a signal reaches.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { PtyProcess } from "effect-pty"
 *
 * // `server`: a process on pipes, see Stoppable
 * const stop = (server: PtyProcess.Stoppable<number | null>) =>
 *   PtyProcess.escalate(server, { gracePeriod: "0 millis", interruptSignal: "SIGTERM" }).pipe(
 *     Effect.tap((exitCode) => Effect.log(`stopped with ${exitCode}`))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const escalate = <A>(target: Stoppable<A>, options?: Partial<ShutdownOptions>): Effect.Effect<A> =>
  internal.escalate(target, options)

/**
 * Guards a child started in a session of its own (its pid is its process group), e.g. one
 * started over pipes with `detached: true`, against the death of this Node.js process: a small
 * watchdog process waits, blocked on a pipe from this process, and when this process dies
 * (however: SIGKILL and crashes included, when no finalizer runs) it stops the child's process
 * group with `interruptSignal`, then SIGTERM, then SIGKILL, waiting `interruptTimeout` and
 * `terminateTimeout` in between (see {@link ShutdownOptions}). Closing the scope disarms it.
 * {@link spawn} guards every child this way by itself.
 *
 * Cost: the watchdog is one `/bin/sh` per process, shared by every child it guards and started
 * with the first (a fork, ~1.6 ms); arming and disarming a guard are two short writes to its pipe.
 * If the watchdog cannot be started, a warning is logged and the child is left unguarded.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { PtyProcess } from "effect-pty"
 * import { spawn } from "node:child_process"
 *
 * // a child on pipes in its own session, stopped even if this process is SIGKILLed
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const child = spawn("sleep", ["60"], { detached: true, stdio: "ignore" })
 *     yield* PtyProcess.watchdog(child.pid!)
 *     // ... use the child; closing the scope disarms the watchdog
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const watchdog = (pid: number, options?: Partial<ShutdownOptions>): Effect.Effect<void, never, Scope.Scope> =>
  internal.watchdog(pid, options)
