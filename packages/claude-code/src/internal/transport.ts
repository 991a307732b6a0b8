import type { PtyProcess } from "effect-pty"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as ClaudeError from "../ClaudeError.js"
import { warmUp } from "../ClaudeEvent.js"
import { spawnPipe } from "./pipe.js"
import { spawnPty } from "./pty.js"

/** How a child ended. @internal */
export interface ExitInfo {
  readonly exitCode: number | null
  readonly signal: string | null
}

/** What the runner needs from a started CLI process, whatever carries its bytes. @internal */
export interface Child {
  readonly pid: number
  /**
   * stdout (and, on a PTY, stderr) as the bytes read; ends when the process is gone and drained.
   * Bytes, not text: the runner splits lines on the byte `\n` and decodes each line on its own.
   * A chunk's buffers are valid until the next pull (on a PTY their memory is then reused).
   */
  readonly output: Stream.Stream<Uint8Array, ClaudeError.ReadError>
  /**
   * Reads what the kernel holds now into the buffer `output` draws from, without waiting: the
   * runner calls it while it decodes a large chunk, so that a CLI writing to a terminal (which
   * holds only ~16 KiB) is not blocked until the decoding is over. A no-op on pipes.
   */
  readonly readAhead: () => void
  /** The last lines the process wrote to a separate stderr (pipes only; empty on a PTY). */
  readonly stderrTail: Effect.Effect<ReadonlyArray<string>>
  /** Send a signal to the process group; a no-op once it is gone. */
  readonly signal: (signal: NodeJS.Signals) => Effect.Effect<void>
  readonly exitStatus: Effect.Effect<ExitInfo>
  readonly isRunning: Effect.Effect<boolean>
  /** Run the graceful escalation now (the scope's finalizer runs it anyway). */
  readonly shutdown: Effect.Effect<ExitInfo>
}

/** What to start. @internal */
export interface SpawnSpec {
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly cwd: string | undefined
  readonly env: Readonly<Record<string, string | undefined>>
  /**
   * Text to feed on stdin, then close it; a stream of bytes to feed as it comes (closed when it
   * ends; pipes only); `undefined`: stdin is closed/empty from the start.
   */
  readonly stdin: string | Stream.Stream<Uint8Array> | undefined
  readonly shutdown: Partial<PtyProcess.ShutdownOptions> | undefined
}

/** A way of starting the CLI. @internal */
export type Spawn = (
  spec: SpawnSpec
) => Effect.Effect<Child, ClaudeError.SpawnError | ClaudeError.InvalidOptions, Scope.Scope>

/**
 * Once the child is started, the line decoders are compiled while the CLI starts up, in time this
 * process would spend waiting for its first line (`ClaudeEvent.warmUp`).
 */
const warmingUp = (spawn: Spawn): Spawn => (spec) => Effect.tap(spawn(spec), () => Effect.sync(warmUp))

const spawns: Readonly<Record<"pty" | "pipe", Spawn>> = {
  pty: warmingUp(spawnPty),
  pipe: warmingUp(spawnPipe)
}

/**
 * A transport's spawn function.
 *
 * Both transports are imported statically. They were once loaded with a dynamic `import()` on
 * first use, so that a program on one transport never loaded the other, but a bundler cannot
 * leave a dynamically imported module as plain module code: esbuild wrapped it, and everything it
 * reaches (most of Effect), in lazy initialisers, which kept them from being tree-shaken. Bundled,
 * that cost 150 KB of code and 6 ms of a one-event run's start-up. Loaded from `dist/` with Effect
 * from node_modules, a PTY run now pays ~4 ms for loading the executor it does not use, and a pipe
 * run gains ~14 ms, its modules loading with the rest (bench/README.md, "What was fixed").
 *
 * @internal
 */
export const spawnFor = (transport: "pty" | "pipe"): Spawn => spawns[transport]
