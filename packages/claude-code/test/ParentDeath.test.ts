/**
 * Parent death: when the Node.js process running the library dies, however it dies (SIGKILL
 * included, so no finalizer runs), the CLI processes it started must not live on. A small parent
 * process (test/fixtures/parent.ts) starts a run, the test SIGKILLs it mid-run, and then waits,
 * with a bounded deadline, for the CLI and everything in its process group to be gone.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import type * as ClaudeCode from "../src/ClaudeCode.js"
import * as ClaudeEnv from "../src/ClaudeEnv.js"
import * as ModelServer from "../src/ModelServer.js"
import { fakeClaude, transports } from "./utils/claudeTest.js"
import { childrenOf, isDead, liveGroupMembers } from "./utils/processes.js"

const repositoryRoot = Path.resolve(import.meta.dirname, "../../..")
const parentScript = Path.resolve(import.meta.dirname, "fixtures/parent.ts")

/** How long the CLI may outlive its parent: detection plus the watchdog's SIGINT-then-SIGKILL steps. */
const deadline = "10 seconds"

interface Parent {
  readonly pid: number
  /** Completes once the parent printed `init` (the CLI is running); fails if it exits first. */
  readonly started: Effect.Effect<void, string>
  readonly exited: Effect.Effect<void>
}

/** Starts the parent process (one process: node with tsx's loader), SIGKILLed at the latest when the scope closes. */
const startParent = (options: ClaudeCode.Options) =>
  Effect.acquireRelease(
    Effect.sync((): Parent => {
      const child = spawn(process.execPath, ["--import", "tsx", parentScript], {
        cwd: repositoryRoot,
        env: { ...process.env, PARENT_OPTIONS: JSON.stringify(options) },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let stdout = ""
      let stderr = ""
      child.stdout.setEncoding("utf8").on("data", (text: string) => stdout += text)
      child.stderr.setEncoding("utf8").on("data", (text: string) => stderr += text)
      const exitedPromise = new Promise<void>((resolve) => child.once("exit", () => resolve()))
      return {
        pid: child.pid!,
        started: Effect.async<void, string>((resume) => {
          const check = () => {
            if (stdout.includes("init\n")) resume(Effect.void)
          }
          child.stdout.on("data", check)
          child.once("exit", (code, signal) =>
            resume(Effect.fail(`the parent exited (${code ?? signal}) before the CLI started: ${stdout}${stderr}`)))
          check()
          return Effect.sync(() =>
            child.stdout.off("data", check)
          )
        }),
        exited: Effect.promise(() =>
          child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : exitedPromise
        )
      }
    }),
    (parent) =>
      Effect.sync(() => {
        try {
          process.kill(parent.pid, "SIGKILL")
        } catch {
          // already gone
        }
      })
  )

/** Polls, with a bounded deadline, until `pid` and every member of its process group are dead. */
const awaitOrphansGone = (pid: number) =>
  Effect.suspend(() => {
    const alive = [...new Set([...(isDead(pid) ? [] : [pid]), ...liveGroupMembers(pid)])]
    return alive.length === 0 ? Effect.void : Effect.fail(alive)
  }).pipe(
    Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.upTo(deadline))),
    Effect.catchAll((alive) =>
      Effect.sync(() => {
        // Do not leave them running for the rest of the suite.
        for (const p of alive) {
          try {
            process.kill(p, "SIGKILL")
          } catch {
            // gone meanwhile
          }
        }
        assert.fail(`still running ${deadline} after the parent was SIGKILLed: ${JSON.stringify(alive)}`)
      })
    )
  )

/** Runs a parent with `options`, SIGKILLs it once the CLI runs, and checks that the CLI is gone. */
const killParentMidRun = (options: ClaudeCode.Options, cliPid: (parent: number) => number, ready = Effect.void) =>
  Effect.gen(function*() {
    const parent = yield* startParent(options)
    yield* parent.started
    yield* ready
    const pid = cliPid(parent.pid)
    assert.isFalse(isDead(pid), "the CLI should be running")
    const watchdogs = childrenOf(parent.pid).filter((child) => child.argv.includes("effect-pty-watchdog"))
    assert.strictEqual(watchdogs.length, 1, JSON.stringify(childrenOf(parent.pid)))

    process.kill(parent.pid, "SIGKILL")
    yield* parent.exited
    yield* awaitOrphansGone(pid)
    // Its work done, the watchdog exits too.
    yield* awaitOrphansGone(watchdogs[0]!.pid)
    return pid
  })

describe.concurrent.each(transports)("parent death over %s", (transport) => {
  for (const mode of ["init-then-silent", "ignore-signals"]) {
    it.scopedLive(`the fake CLI (${mode}) does not outlive a SIGKILLed parent`, () =>
      Effect.gen(function*() {
        const cwd = yield* ClaudeEnv.tempDirectory("claude-parent-")
        const pidFile = Path.join(cwd, "pid")
        yield* killParentMidRun(
          {
            executable: fakeClaude,
            cwd,
            transport,
            env: { FAKE_CLAUDE_MODE: mode, FAKE_CLAUDE_PID_FILE: pidFile }
          },
          () => Number(Fs.readFileSync(pidFile, "utf8"))
        )
      }))
  }

  if (transport === "pipe") {
    // On a terminal the kernel's hangup (SIGHUP) gets there first.
    it.scopedLive("the watchdog interrupts first (SIGINT: the CLI can save its session), then kills", () =>
      Effect.gen(function*() {
        const cwd = yield* ClaudeEnv.tempDirectory("claude-parent-")
        const pidFile = Path.join(cwd, "pid")
        const report = Path.join(cwd, "report")
        yield* killParentMidRun(
          {
            executable: fakeClaude,
            cwd,
            transport,
            env: { FAKE_CLAUDE_MODE: "sigint-report", FAKE_CLAUDE_PID_FILE: pidFile, FAKE_CLAUDE_REPORT_FILE: report }
          },
          () => Number(Fs.readFileSync(pidFile, "utf8"))
        )
        // It got SIGINT and tried to write its last lines, into a pipe nobody reads any more.
        assert.strictEqual(Fs.readFileSync(report, "utf8"), "EPIPE")
      }))
  }

  it.scopedLive("the real CLI, waiting for a model reply, does not outlive a SIGKILLed parent", () =>
    Effect.gen(function*() {
      const server = yield* ModelServer.make({ script: () => ModelServer.hang })
      const claude = yield* ClaudeEnv.make(server)
      const cwd = yield* ClaudeEnv.tempDirectory("claude-parent-")
      // In the middle of a turn: the CLI has sent its request and waits for the answer.
      const requested = server.requests.pipe(
        Effect.flatMap((requests) => requests.length > 0 ? Effect.void : Effect.fail("no request yet")),
        Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.upTo("30 seconds"))),
        Effect.orDie
      )
      yield* killParentMidRun(
        { executable: claude.executable, env: claude.env, cwd, transport },
        (parent) => {
          const found = childrenOf(parent).filter((child) => child.argv[0] === claude.executable)
          assert.strictEqual(found.length, 1, JSON.stringify(childrenOf(parent)))
          return found[0]!.pid
        },
        requested
      )
    }))
})
