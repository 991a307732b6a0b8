import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

/** A command running in a real terminal: a tmux pane of a fixed size on a private tmux server. */
export interface Pane {
  /** The screen as text, one line per row (`escapes`: with the escape sequences of colours). */
  readonly capture: (options?: { readonly escapes?: boolean }) => Effect.Effect<string>
  /** Polls the screen until `predicate` holds (fails with the last screen after `timeoutMillis`). */
  readonly waitFor: (predicate: (screen: string) => boolean, timeoutMillis?: number) => Effect.Effect<string>
  /** Types keys, in tmux's notation (`C-c`). */
  readonly sendKeys: (...keys: ReadonlyArray<string>) => Effect.Effect<void>
  /** Waits until the command has exited (polling the pane) and returns its exit status. */
  readonly exitStatus: (timeoutMillis?: number) => Effect.Effect<number>
}

let sessions = 0

const POLL_MILLIS = 50

/**
 * Runs `command` (a shell command line, run by `sh -c`) in a `columns` x `rows` terminal. The tmux server is
 * private (its own socket, no configuration file but ours, environment `env`: the command's), the
 * pane stays on screen after the command exits, and the server is killed when the scope closes.
 */
export const tmux = (options: {
  readonly command: string
  readonly env: Readonly<Record<string, string | undefined>>
  readonly columns?: number
  readonly rows?: number
}): Effect.Effect<Pane, never, Scope.Scope> =>
  Effect.gen(function*() {
    const socket = `ecc-cli-test-${process.pid}-${++sessions}`
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-claude-code-tmux-"))),
      (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
    )
    const conf = Path.join(dir, "tmux.conf")
    // The pane stays after the command exits, without the "Pane is dead" line (which would scroll
    // the screen up by a line).
    Fs.writeFileSync(
      conf,
      "set -g remain-on-exit on\nset -g remain-on-exit-format \"\"\nset -g status off\nset -g history-limit 0\n"
    )
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(options.env)) if (value !== undefined) env[key] = value
    delete env.TMUX
    const run = (args: ReadonlyArray<string>): string =>
      execFileSync("tmux", ["-L", socket, "-f", conf, ...args], { env, encoding: "utf8" })
    yield* Effect.acquireRelease(
      Effect.sync(() =>
        run([
          "new-session",
          "-d",
          "-s",
          "test",
          "-x",
          String(options.columns ?? 100),
          "-y",
          String(options.rows ?? 30),
          options.command
        ])
      ),
      () =>
        Effect.sync(() => {
          try {
            run(["kill-server"])
          } catch {
            // already gone
          }
        })
    )
    const panePid = Number(run(["display-message", "-p", "-t", "test", "#{pane_pid}"]).trim())
    // Wrapped lines joined, trailing blanks dropped.
    const screenOf = (escapes: boolean) =>
      run(["capture-pane", "-p", "-J", ...(escapes ? ["-e"] : []), "-t", "test"]).replace(/ +$/gm, "")
    const capture = (captureOptions?: { readonly escapes?: boolean }) =>
      Effect.sync(() => screenOf(captureOptions?.escapes === true))
    const poll = <A>(what: string, check: () => A | undefined, timeoutMillis: number): Effect.Effect<A> =>
      Effect.gen(function*() {
        const deadline = Date.now() + timeoutMillis
        while (true) {
          const value = check()
          if (value !== undefined) return value
          if (Date.now() > deadline) {
            return yield* Effect.dieMessage(`timed out waiting for ${what}; the screen:\n${screenOf(false)}`)
          }
          yield* Effect.sleep(POLL_MILLIS)
        }
      })
    return {
      capture,
      waitFor: (predicate, timeoutMillis = 30_000) =>
        poll("the screen", () => {
          const screen = screenOf(false)
          return predicate(screen) ? screen : undefined
        }, timeoutMillis),
      sendKeys: (...keys) => Effect.sync(() => void run(["send-keys", "-t", "test", ...keys])),
      exitStatus: (timeoutMillis = 30_000) =>
        poll("the command to exit", () => {
          const [dead, status, signal] = run([
            "display-message",
            "-p",
            "-t",
            "test",
            "#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}"
          ]).trim().split("|")
          // tmux may see the terminal closed before it has reaped the process.
          if (dead === "1" && (status !== "" || signal !== "")) {
            // A death by signal reads as the shell's 128 + N.
            return status !== "" ? Number(status) : 128 + Number(signal)
          }
          // tmux 3.3a sometimes never reaps the pane's process (seen in about 1 run in 3 on a busy
          // machine): the pane then never turns dead, but the exited process is a zombie whose
          // wait status Linux shows in /proc.
          return zombieStatus(panePid)
        }, timeoutMillis)
    }
  })

/**
 * The exit status of `pid` if it has exited but was not reaped yet (a zombie), as a shell reports
 * it (the code, or 128 + the signal); `undefined` while it runs (or on a system without /proc).
 */
const zombieStatus = (pid: number): number | undefined => {
  let stat: string
  try {
    stat = Fs.readFileSync(`/proc/${pid}/stat`, "utf8")
  } catch {
    return undefined
  }
  // pid (comm) state ...: comm may hold spaces and parentheses, so fields count from the last ")"
  const fields = stat.slice(stat.lastIndexOf(")") + 2).trim().split(" ")
  if (fields[0] !== "Z") return undefined
  const waitStatus = Number(fields[fields.length - 1]) // field 52, exit_code: the waitpid(2) status
  const signal = waitStatus & 0x7f
  return signal === 0 ? (waitStatus >> 8) & 0xff : 128 + signal
}
