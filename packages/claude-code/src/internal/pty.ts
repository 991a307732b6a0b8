import { PtyProcess } from "effect-pty"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as ClaudeError from "../ClaudeError.js"
import { promptFile } from "./promptFile.js"
import type { Spawn } from "./transport.js"

/**
 * The CLI in a pseudo-terminal, as an interactive user would run it. The CLI does not read a
 * TTY stdin, so a prompt that travels on stdin is redirected from a private file instead.
 *
 * @internal
 */
export const spawnPty: Spawn = (spec) =>
  Effect.gen(function*() {
    if (spec.stdin !== undefined && typeof spec.stdin !== "string") {
      return yield* new ClaudeError.InvalidOptions({
        option: "transport",
        problem: "streaming input needs the \"pipe\" transport (the CLI does not read a terminal's stdin)"
      })
    }
    const stdin = spec.stdin === undefined ? undefined : yield* promptFile(spec.stdin)
    const pty = yield* PtyProcess.spawn({
      command: spec.command,
      args: spec.args,
      env: spec.env,
      // the runner copies what it keeps of a read (lines.ts) before it pulls the next reads
      reuseOutputBuffers: true,
      ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
      ...(stdin !== undefined ? { stdin } : {}),
      ...(spec.shutdown !== undefined ? { shutdown: spec.shutdown } : {})
    }).pipe(
      Effect.mapError((error) =>
        new ClaudeError.SpawnError({
          executable: spec.command,
          cwd: spec.cwd,
          reason: error.reason,
          cause: error
        })
      )
    )
    return {
      pid: pty.pid,
      output: Stream.mapError(pty.outputBytes, (cause) => new ClaudeError.ReadError({ cause })),
      readAhead: pty.unsafeReadAhead,
      stderrTail: Effect.succeed([]),
      signal: pty.signal,
      exitStatus: pty.exitStatus,
      isRunning: pty.isRunning,
      shutdown: pty.shutdown
    }
  })
