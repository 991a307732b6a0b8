// The command as a person sees it: run in a real terminal (a tmux pane), driving the real `claude`
// CLI against the loopback model server, with assertions on the screen.
import { assert, describe, it } from "@effect/vitest"
import { ClaudeEnv, ModelServer } from "effect-claude-code/testing"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { shellQuote } from "../src/internal/render.js"
import { FRAMES } from "../src/internal/terminal.js"
import { BIN, tempDir } from "./utils/bin.js"
import { tmux } from "./utils/tmux.js"

const uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
const spinner = new RegExp(`[${FRAMES.join("")}]`)

/** The model calls Bash `echo hello` (after `before`), then answers with what it printed. */
const toolScript = (before: Effect.Effect<void>): ModelServer.Script => (request) =>
  request.toolResults.length === 0
    ? Effect.as(before, ModelServer.toolUse("Bash", { command: "echo hello" }, { text: "I will run a command." }))
    : ModelServer.text(`The command printed ${request.toolResults[0]!.content}.`)

/** The real CLI against `server`, the command in a tmux pane; `redirect` is appended to the command line. */
const inTerminal = (
  server: ModelServer.ModelServer,
  options: { readonly env?: Record<string, string>; readonly args: ReadonlyArray<string>; readonly redirect?: string }
) =>
  Effect.gen(function*() {
    const claude = yield* ClaudeEnv.make(server)
    const cwd = yield* tempDir
    const args = ["--claude", claude.executable, "--cwd", cwd, ...options.args]
    // `exec`: the command itself is the pane's process (Ctrl-C reaches it alone, its exit status is the pane's).
    const line = [process.execPath, BIN, ...args].map(shellQuote).join(" ")
    const command = options.redirect === undefined ? `exec ${line}` : line + options.redirect
    const pane = yield* tmux({
      command,
      env: { ...claude.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env },
      columns: 100,
      rows: 30
    })
    return { pane, cwd }
  })

describe("in a terminal", () => {
  it.scopedLive("a status line while waiting, the tool call and its result, the answer, the summary; no spinner left", () =>
    Effect.gen(function*() {
      const release = yield* Deferred.make<void>()
      const server = yield* ModelServer.make({ script: toolScript(Deferred.await(release)) })
      const { cwd, pane } = yield* inTerminal(server, { args: ["--allowed-tools", "Bash", "run echo hello"] })

      // The model holds back its answer: the status line spins and counts.
      yield* server.awaitMessages(1)
      const waiting = /([⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]) Waiting for Claude… (\d+\.\d)s/
      const first = waiting.exec(yield* pane.waitFor((screen) => waiting.test(screen)))!
      // ... and it moves.
      yield* pane.waitFor((screen) => waiting.exec(screen)?.[1] !== first[1])
      yield* Deferred.succeed(release, undefined)

      assert.strictEqual(yield* pane.exitStatus(), 0)
      const screen = (yield* pane.capture()).trimEnd()
      assert.match(
        screen,
        new RegExp(
          "^I will run a command\\.\\n\\n● Bash: echo hello\\n  ⎿ hello\\n\\nThe command printed hello\\.\\n" +
            `✓ done in \\d+\\.\\ds · \\$\\d+\\.\\d{4} · tokens 200 in / \\d+ out / 0 cached\\n` +
            `  session (${uuid})\\n` +
            `  resume: effect-claude-code --resume \\1 --cwd ${cwd.replace(/[.]/g, "\\.")} "\\.\\.\\."$`
        ),
        screen
      )
      assert.notMatch(screen, spinner)
      assert.notInclude(screen, "Waiting")
      // Colour, as this is a terminal and NO_COLOR is not set.
      assert.include(yield* pane.capture({ escapes: true }), "\u001b[")
    }))

  it.scopedLive("NO_COLOR and stdout into a pipe: the pipe gets the answer alone, the screen the rest, uncoloured", () =>
    Effect.gen(function*() {
      const server = yield* ModelServer.make({ script: toolScript(Effect.void) })
      const dir = yield* tempDir
      const out = Path.join(dir, "out.txt")
      const { pane } = yield* inTerminal(server, {
        env: { NO_COLOR: "1" },
        args: ["--allowed-tools", "Bash", "run echo hello"],
        redirect: ` | cat > ${shellQuote(out)}; echo "[piped $?]"`
      })
      yield* pane.waitFor((screen) => screen.includes("[piped 0]"))
      assert.strictEqual(Fs.readFileSync(out, "utf8"), "I will run a command.\n\nThe command printed hello.\n")
      const screen = yield* pane.capture({ escapes: true })
      assert.notInclude(screen, "\u001b[")
      assert.match(screen, /^● Bash: echo hello\n {2}⎿ hello\n✓ done in /)
      assert.notMatch(screen, spinner)
    }))

  it.scopedLive("Ctrl-C while waiting: the spinner stops, the summary says cancelled and how to resume, exit 130", () =>
    Effect.gen(function*() {
      const server = yield* ModelServer.make({ replies: [ModelServer.hang] })
      const { pane } = yield* inTerminal(server, { args: ["wait for it"] })
      yield* server.awaitMessages(1)
      yield* pane.waitFor((screen) => /Waiting for Claude… \d+\.\ds/.test(screen))
      yield* pane.sendKeys("C-c")
      assert.strictEqual(yield* pane.exitStatus(), 130)
      const screen = yield* pane.capture()
      assert.match(
        screen,
        new RegExp(`■ cancelled after \\d+\\.\\ds · [^\\n]*\\n  session (${uuid})\\n  resume: [^\\n]*--resume \\1`)
      )
      assert.notMatch(screen, spinner)
      assert.notInclude(screen, "Waiting")
    }))
})
