import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const here = Path.dirname(fileURLToPath(import.meta.url))

/** The command under test, run exactly as a user runs it. */
export const BIN = Path.resolve(here, "../../bin/effect-claude-code.mjs")

/** The project's fake `claude` (see its header for the modes). */
export const FAKE = Path.resolve(here, "../../../claude-code/test/fake-claude/fake-claude.mjs")

/**
 * The fake with a SIGINT listener from its first instant (see the file): for the signal tests,
 * which must not race the fake's own late `process.on("SIGINT")`.
 */
export const SIGINT_SAFE_FAKE = Path.resolve(here, "../fixtures/sigint-safe-fake.mjs")

/** Records whether its stdin / stdout are terminals (to `PROBE_FILE`), then runs the fake. */
export const TTY_PROBE = Path.resolve(here, "../fixtures/tty-probe.mjs")

/** Recorded output of the real CLI 2.1.330. */
export const FIXTURES = "/work/shared/fixtures/claude-code-2.1.330"

/** Hand-written output for cases the recordings do not cover. */
export const LOCAL_FIXTURES = Path.resolve(here, "../fixtures")

/** The session id the fake reports unless told otherwise. */
export const FAKE_SESSION = "00000000-0000-4000-8000-000000000001"

/** How one run of the command ended. */
export interface BinRun {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Options of a run. */
export interface BinOptions {
  /** Variables merged over this process's environment (`undefined` removes one). */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Written to the command's stdin, which is then closed (closed at once when absent). */
  readonly stdin?: string
  readonly cwd?: string
}

/** A running command. */
export interface BinProcess {
  readonly pid: number
  /** Waits until stdout has carried text for which `predicate` holds; returns stdout so far. */
  readonly stdoutUntil: (predicate: (stdout: string) => boolean) => Effect.Effect<string>
  readonly kill: (signal: NodeJS.Signals) => Effect.Effect<void>
  /** Closes the reading end of the command's stdout, as `| head` does when it has enough. */
  readonly closeStdout: Effect.Effect<void>
  /** Waits for the process to exit. */
  readonly exit: Effect.Effect<BinRun>
}

const mergeEnv = (extra: BinOptions["env"]): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries({ ...process.env, NO_COLOR: "1", ...extra })) {
    if (value !== undefined) env[key] = value
  }
  // A parent Claude Code session would leak into the runs.
  delete env.CLAUDECODE
  return env
}

/** Starts the command; it is killed (SIGKILL) when the scope closes if still running. */
export const startBin = (
  args: ReadonlyArray<string>,
  options: BinOptions = {}
): Effect.Effect<BinProcess, never, Scope.Scope> =>
  Effect.gen(function*() {
    const exited = yield* Deferred.make<BinRun>()
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, [BIN, ...args], {
          cwd: options.cwd,
          env: mergeEnv(options.env),
          stdio: ["pipe", "pipe", "pipe"]
        })
      ),
      (child) =>
        Effect.gen(function*() {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGKILL")
            yield* Deferred.await(exited)
          }
        })
    )
    let stdout = ""
    let stderr = ""
    const waiters = new Set<() => void>()
    child.stdout.setEncoding("utf8")
    child.stderr.setEncoding("utf8")
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk
      for (const wake of waiters) wake()
    })
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk
    })
    child.on("close", (code, signal) => {
      Deferred.unsafeDone(exited, Effect.succeed({ code, signal, stdout, stderr }))
      for (const wake of waiters) wake()
    })
    child.stdin.on("error", () => {})
    if (options.stdin !== undefined) child.stdin.end(options.stdin)
    else child.stdin.end()

    const stdoutUntil = (predicate: (stdout: string) => boolean) =>
      Effect.async<string>((resume) => {
        const check = () => {
          if (predicate(stdout)) {
            waiters.delete(check)
            resume(Effect.succeed(stdout))
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.delete(check)
            resume(
              Effect.dieMessage(`the command exited before its stdout matched; stdout: ${stdout} stderr: ${stderr}`)
            )
          }
        }
        waiters.add(check)
        check()
        return Effect.sync(() => waiters.delete(check))
      })

    return {
      pid: child.pid!,
      stdoutUntil,
      kill: (signal) => Effect.sync(() => child.kill(signal)),
      closeStdout: Effect.sync(() => child.stdout.destroy()),
      exit: Deferred.await(exited)
    }
  })

/** Runs the command to its end. */
export const runBin = (args: ReadonlyArray<string>, options: BinOptions = {}): Effect.Effect<BinRun> =>
  Effect.scoped(Effect.flatMap(startBin(args, options), (bin) => bin.exit))

/** A fresh temporary directory, removed when the scope closes. */
export const tempDir: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-claude-code-cli-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

/** Whether a process with this pid exists (`kill(pid, 0)` fails with ESRCH once it is gone). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false
    throw error
  }
}

/** The lines of a fixture file. */
export const fixtureLines = (name: string): Array<string> =>
  Fs.readFileSync(Path.join(FIXTURES, `${name}.ndjson`), "utf8").split("\n").filter((line) => line.length > 0)

/** The environment that makes the fake replay a fixture, exiting as the real CLI did. */
export const fixtureEnv = (name: string, dir: string = FIXTURES): Record<string, string> => ({
  FAKE_CLAUDE_MODE: "fixture",
  FAKE_CLAUDE_FIXTURE: Path.join(dir, `${name}.ndjson`),
  FAKE_CLAUDE_EXIT: Fs.readFileSync(Path.join(dir, `${name}.rc`), "utf8").trim()
})

/** The summary line the text output ends with on stderr, its elapsed time left open. */
export const summaryPattern = (status: string, cost: string, tokens: string, sessionId: string): RegExp =>
  new RegExp(
    `^${status} · \\$${cost.replace(".", "\\.")} · tokens ${tokens} · \\d+\\.\\ds · session ${sessionId} · ` +
      `resume with: effect-claude-code --resume ${sessionId} PROMPT\\n$`
  )
