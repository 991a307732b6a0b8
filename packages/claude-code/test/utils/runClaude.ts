import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"
import type * as ClaudeEnv from "../../src/ClaudeEnv.js"

/** What one run of the real CLI printed, and how it ended. */
export interface ClaudeRun {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** stdout parsed line by line. */
  readonly lines: ReadonlyArray<Record<string, any>>
}

/**
 * Runs `claude -p --output-format stream-json --verbose ...flags -- prompt` with stdin closed,
 * in `cwd`, with the environment of `claude`; waits for the process to exit (on interruption it is
 * killed and awaited).
 */
export const runClaude = (
  claude: ClaudeEnv.ClaudeEnv,
  options: { readonly cwd: string; readonly prompt: string; readonly flags?: ReadonlyArray<string> }
): Effect.Effect<ClaudeRun> =>
  Effect.async<ClaudeRun>((resume) => {
    const child = spawn(
      claude.executable,
      ["-p", "--output-format", "stream-json", "--verbose", ...(options.flags ?? []), "--", options.prompt],
      { cwd: options.cwd, env: claude.env, stdio: ["ignore", "pipe", "pipe"] }
    )
    const stdout: Array<Buffer> = []
    const stderr: Array<Buffer> = []
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk))
    child.on("error", (error) => resume(Effect.die(error)))
    child.on("close", (code, signal) => {
      const text = Buffer.concat(stdout).toString("utf8")
      resume(Effect.sync(() => ({
        code,
        signal,
        stdout: text,
        stderr: Buffer.concat(stderr).toString("utf8"),
        lines: text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line))
      })))
    })
    return Effect.async<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done(Effect.void)
      child.once("close", () => done(Effect.void))
      child.kill("SIGKILL")
    })
  })

/** The `result` line of a run, if it printed one. */
export const resultLine = (run: ClaudeRun): Record<string, any> | undefined =>
  run.lines.find((line) => line.type === "result")
