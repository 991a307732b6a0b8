import type { PtyProcess } from "effect-pty"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as ClaudeError from "../ClaudeError.js"
import { warmUp } from "../ClaudeEvent.js"

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

const loaded: { pty?: Spawn; pipe?: Spawn } = {}

/**
 * Once the child is started, the line decoders are compiled while the CLI starts up, in time this
 * process would spend waiting for its first line (`ClaudeEvent.warmUp`).
 */
const warmingUp = (spawn: Spawn): Spawn => (spec) => Effect.tap(spawn(spec), () => Effect.sync(warmUp))

/**
 * A transport's spawn function, loaded on first use: a program that runs on one transport never
 * loads the other (the pipe side brings `@effect/platform-node`'s command executor, the terminal
 * side `node-pty`'s native binding), which keeps importing the library cheap.
 *
 * @internal
 */
export const loadSpawn = (transport: "pty" | "pipe"): Effect.Effect<Spawn> => {
  const spawn = loaded[transport]
  if (spawn !== undefined) return Effect.succeed(spawn)
  return Effect.promise(() =>
    transport === "pty"
      ? import("./pty.js").then((m) => (loaded.pty = warmingUp(m.spawnPty)))
      : import("./pipe.js").then((m) => (loaded.pipe = warmingUp(m.spawnPipe)))
  )
}
