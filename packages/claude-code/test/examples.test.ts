/**
 * The runnable examples (top-level `examples/`) run as a newcomer runs them: `tsx examples/X.ts`
 * as a child process, with no ANTHROPIC_API_KEY, so against the loopback model server and the
 * real pinned CLI. Each test asserts on what the example prints and on its exit code; the chat is
 * driven through its stdin and with SIGINT, synchronised on its output, never on sleeps.
 */
import { assert, describe, it } from "@effect/vitest"
import type { Scope } from "effect"
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "../../..")
const tsx = Path.join(root, "node_modules", ".bin", "tsx")

/** The test's environment without anything that would select the real Claude. */
const env = (): NodeJS.ProcessEnv => {
  const copy: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" }
  delete copy.ANTHROPIC_API_KEY
  delete copy.EXAMPLE_BACKEND
  delete copy.CLAUDECODE
  return copy
}

/** Pids of the direct children of `parent`, from /proc. */
const childrenOf = (parent: number): Array<number> =>
  Fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry)).flatMap((entry) => {
    try {
      const stat = Fs.readFileSync(`/proc/${entry}/stat`, "utf8")
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === parent ? [Number(entry)] : []
    } catch {
      return [] // gone meanwhile
    }
  })

interface Example {
  readonly child: ChildProcess
  /** Everything written to stdout so far. */
  readonly stdout: () => string
  readonly stderr: () => string
  /** Completes once stdout contains `marker` after position `from`; fails if the example exits first. */
  readonly waitFor: (marker: string, from?: number) => Effect.Effect<number, Error>
  readonly writeLine: (line: string) => Effect.Effect<void>
  /**
   * Sends SIGINT to the process running the example's code: tsx's child, not tsx itself (tsx
   * relays a signal it gets, and sends it a second time when its child is slow to acknowledge).
   */
  readonly interrupt: Effect.Effect<void>
  readonly exitCode: Effect.Effect<number | null>
}

/** Starts `examples/NAME.ts` in its own process group; the group is killed when the scope closes. */
const start = (name: string, args: ReadonlyArray<string> = []): Effect.Effect<Example, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = spawn(tsx, [`examples/${name}.ts`, ...args], {
        cwd: root,
        env: env(),
        stdio: ["pipe", "pipe", "pipe"],
        detached: true
      })
      let out = ""
      let err = ""
      let exit: number | null | undefined
      child.stdout.setEncoding("utf8").on("data", (text: string) => (out += text))
      child.stderr.setEncoding("utf8").on("data", (text: string) => (err += text))
      const exited = new Promise<number | null>((resolve) =>
        child.on("close", (code) => {
          exit = code
          resolve(code)
        })
      )
      const describe = () => `stdout:\n${out}\nstderr:\n${err}`
      const example: Example = {
        child,
        stdout: () => out,
        stderr: () => err,
        waitFor: (marker, from = 0) =>
          Effect.async<number, Error>((resume) => {
            const check = () => {
              const at = out.indexOf(marker, from)
              if (at >= 0) resume(Effect.succeed(at + marker.length))
              else if (exit !== undefined) {
                resume(Effect.fail(new Error(`exited (${exit}) before "${marker}"\n${describe()}`)))
              } else return false
              return true
            }
            if (check()) return
            const onData = () => {
              if (check()) cleanup()
            }
            const cleanup = () => {
              child.stdout.off("data", onData)
              child.off("close", onData)
            }
            child.stdout.on("data", onData)
            child.on("close", onData)
            return Effect.sync(cleanup)
          }),
        writeLine: (line) => Effect.sync(() => child.stdin.write(line + "\n")),
        interrupt: Effect.sync(() => {
          const script = childrenOf(child.pid!)
          assert.strictEqual(script.length, 1, `tsx (${child.pid}) should have one child: ${script}`)
          process.kill(script[0]!, "SIGINT")
        }),
        exitCode: Effect.promise(() => exited)
      }
      return example
    }),
    (example) =>
      Effect.sync(() => {
        try {
          process.kill(-example.child.pid!, "SIGKILL")
        } catch {
          // already gone
        }
      })
  )

/** Runs a non-interactive example to its end. */
const run = (name: string) =>
  Effect.gen(function*() {
    const example = yield* start(name)
    example.child.stdin!.end()
    const code = yield* example.exitCode
    const stdout = example.stdout()
    const context = `stdout:\n${stdout}\nstderr:\n${example.stderr()}`
    assert.strictEqual(code, 0, `examples/${name}.ts exited with ${code}\n${context}`)
    assert.include(example.stderr(), "[backend] loopback model server at http://127.0.0.1:")
    return stdout
  }).pipe(Effect.scoped)

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/
const story = "Once upon a time, a tiny program asked a terminal to say hello."

// Concurrent: each test mostly waits on child processes. The generous timeout is for a machine
// busy with other work; on an idle 2-core machine the whole file takes about 40 s.
describe.concurrent("examples", { timeout: 120_000 }, () => {
  it.live("main: streams the tokens, then prints the folded result with the Bash call", () =>
    Effect.gen(function*() {
      const out = yield* run("main")
      assert.include(out, "I'll run that for you.\n[Bash] {\"command\":\"echo hello\"")
      const streamed = out.slice(0, out.indexOf("--- result ---"))
      assert.include(streamed, "The command printed \"hello\". Here is a very short story about it")
      assert.match(out, new RegExp(`session id: ${uuid.source}`))
      assert.include(out, "model:      claude-opus-5-5")
      assert.match(out, /cost: {7}\$0\.\d{6}\n/)
      assert.match(out, /tokens: {5}200 in, \d+ out/)
      assert.match(out, /duration: {3}\d+ ms \(2 model turns\)/)
      assert.include(out, "tool calls: Bash {\"command\":\"echo hello\",\"description\":\"Print hello\"} -> \"hello\"")
    }))

  it.live("stream-tokens: the init event, the streamed story, the result", () =>
    Effect.gen(function*() {
      const out = yield* run("stream-tokens")
      assert.match(out, new RegExp(`^\\[init\\] session ${uuid.source}, model claude-opus-5-5, \\d+ tools\n${story}`))
      assert.match(out, /\[result\] success in \d+ ms, \$0\.\d{6}, 100 input \/ 82 output tokens\n/)
      assert.match(out, /55 text deltas, the first after \d+ ms/)
    }))

  it.live("run-and-fold: run, fold, scan and a typed error", () =>
    Effect.gen(function*() {
      const out = yield* run("run-and-fold")
      assert.include(out, "1. ClaudeCode.run\n  text:        The command printed \"hello\".")
      assert.include(out, "ended:       success (stop reason end_turn, success true)")
      assert.include(out, "tool call:   Bash {\"command\":\"echo hello\",\"description\":\"Print hello\"} -> \"hello\"")
      assert.include(out, "\"SystemInit\":1,\"Assistant\":3,\"User\":1,\"Result\":1")
      assert.match(out, /3\. ClaudeResult\.scan\n {2}0 characters after 1 events\n {2}1\d\d characters/)
      assert.include(out, "done: 327 characters")
      assert.include(out, "4. A typed error: SpawnError (NotFound): Claude Code executable \"/no/such/claude\" was not")
    }))

  it.live("otel: the runs' spans with their figures and tool events, the metrics, and no prompt text", () =>
    Effect.gen(function*() {
      const out = yield* run("otel")
      assert.include(out, "answer: The command printed \"hello\".")
      const span = /name: 'ClaudeCode\.run',[\s\S]*?\n\}/.exec(out)?.[0] ?? ""
      assert.match(span, new RegExp(`'claude_code\\.session_id': '${uuid.source}'`))
      assert.include(span, "'claude_code.model': 'claude-opus-5-5'")
      assert.include(span, "'claude_code.usage.input_tokens': 200")
      assert.include(span, "'claude_code.num_turns': 2")
      assert.match(span, /name: 'claude_code\.tool_use',\s+attributes: \{ 'tool\.id': '[^']+', 'tool\.name': 'Bash' \}/)
      assert.include(span, "'tool.is_error': false")
      assert.include(out, "'claude_code.error': 'SpawnError'")
      assert.include(out, "DEBUG (#1): Claude Code run starting")
      assert.include(out, "failed run: SpawnError\n--- the spans were printed as they ended; the metrics follow ---")
      const metrics = out.slice(out.indexOf("the metrics follow"))
      for (
        const name of [
          "runs_started",
          "runs_finished",
          "runs_failed",
          "tokens",
          "cost_usd",
          "run_duration",
          "runs_active"
        ]
      ) {
        assert.include(metrics, `name: 'effect_claude_code_${name}'`)
      }
      // The prompt's length is recorded, never its text.
      assert.include(out, "promptLength: 64")
      assert.notInclude(out, "with the Bash tool and tell me")
    }))

  it.live("conversation-resume: the resumed turn knows the first, a new session does not", () =>
    Effect.gen(function*() {
      const out = yield* run("conversation-resume")
      const first = new RegExp(`turn 1 \\(session (${uuid.source})\\): Got it: your favourite colour is green`)
        .exec(out)
      assert.isNotNull(first, out)
      assert.include(out, `turn 2 (session ${first![1]}): Your favourite colour is green.`)
      const fresh = new RegExp(`new session \\((${uuid.source})\\): I don't know your favourite colour yet`).exec(out)
      assert.isNotNull(fresh, out)
      assert.notStrictEqual(fresh![1], first![1])
    }))

  it.live("parallel: every answer, and the failed resume as a typed error", () =>
    Effect.gen(function*() {
      const out = yield* run("parallel")
      assert.include(out, "6 * 7 = 42.")
      assert.include(out, "1234 + 4321 = 5555.")
      assert.include(out, "100 / 8 = 12.500.")
      assert.include(out, "Streams flow, fibers wait;")
      assert.include(out, "failed with ClaudeFailure: The session to resume was not found")
      assert.match(out, /5 runs in \d+\.\d\d s; the successful ones alone took \d+\.\d\d s in all/)
    }))

  it.live("cancel: interrupt, timeout, Cancelled with the partial result, resume, AbortSignal", () =>
    Effect.gen(function*() {
      const out = yield* run("cancel")
      assert.include(out, "1. Interrupting the fiber\nOnce upon a time")
      assert.include(out, "-> interrupted; the CLI was stopped\n2. Effect.timeout")
      assert.include(out, "-> timed out after 2 seconds; the CLI was stopped\n3.")
      const cancelled = new RegExp(
        `-> Cancelled: The Claude Code run was cancelled \\(cancel requested\\)\\. ` +
          `Resume session (${uuid.source}) to continue\\.\n` +
          ` +streamed text: (\\d+) characters, session (${uuid.source})`
      ).exec(out)
      assert.isNotNull(cancelled, out)
      assert.strictEqual(cancelled![3], cancelled![1])
      assert.isAtLeast(Number(cancelled![2]), 60)
      assert.include(out, `resumed session ${cancelled![1]}: Picking up where we left off`)
      const aborted = /4\. The cancel option with an AbortSignal\nOnce upon.*\n {3}-> Cancelled \((\d+) characters/
        .exec(out)
      assert.isNotNull(aborted, out)
      assert.isAtLeast(Number(aborted![1]), 20)
      // The stories were cut short every time.
      assert.notInclude(out, "went to sleep, content. Once upon")
    }))

  const modes = [
    { mode: "a process per turn", args: [] },
    { mode: "one streaming process", args: ["--streaming"] }
  ] as const
  it.live.each(modes)(
    "conversation ($mode): piped lines, two turns with their costs, then exit",
    ({ args }) =>
      Effect.gen(function*() {
        const chat = yield* start("conversation", args)
        yield* chat.writeLine("my name is Ada")
        yield* chat.writeLine("what is my name?")
        yield* chat.writeLine("exit")
        const code = yield* chat.exitCode
        const out = chat.stdout()
        assert.strictEqual(code, 0, out + chat.stderr())
        assert.include(out, args.length === 0 ? "(a CLI process per turn)" : "(one streaming CLI process)")
        assert.include(out, "you> my name is Ada\nclaude> Got it: your name is Ada. I'll remember that.\n")
        assert.include(out, "you> what is my name?\nclaude> Your name is Ada.\n")
        const costLine = / {2}\[turn: \$(0\.\d{6}), 100 input \/ \d+ output tokens, \d+\.\d s; session: \$(0\.\d{6})\]/g
        const costs = [...out.matchAll(costLine)]
        assert.strictEqual(costs.length, 2, out)
        assert.isAbove(Number(costs[0]![1]), 0)
        assert.isAbove(Number(costs[1]![1]), 0)
        assert.closeTo(Number(costs[1]![2]), Number(costs[0]![2]) + Number(costs[1]![1]), 1e-6)
        assert.isTrue(out.endsWith("you> exit\nbye\n"), out)
      }).pipe(Effect.scoped)
  )

  it.live("conversation: SIGINT during an answer cancels that turn only; the chat goes on", () =>
    Effect.gen(function*() {
      const chat = yield* start("conversation")
      yield* chat.waitFor("you> ")
      yield* chat.writeLine("my name is Ada")
      const afterFirst = yield* chat.waitFor("  [turn: $")
      yield* chat.writeLine("tell me a story slowly")
      const streaming = yield* chat.waitFor("claude> Once upon", afterFirst)
      yield* chat.interrupt
      const cancelled = yield* chat.waitFor("\n[turn cancelled]\nyou> ", streaming)
      // The slow story (two stories long) was cut short.
      assert.notInclude(chat.stdout().slice(streaming, cancelled), "went to sleep, content.")
      yield* chat.writeLine("what is my name?")
      const answered = yield* chat.waitFor("claude> Your name is Ada.\n  [turn: $", cancelled)
      yield* chat.waitFor("you> ", answered)
      yield* chat.writeLine("exit")
      assert.strictEqual(yield* chat.exitCode, 0, chat.stdout() + chat.stderr())
      assert.isTrue(chat.stdout().endsWith("you> exit\nbye\n"), chat.stdout())
    }).pipe(Effect.scoped))

  it.live("conversation: SIGINT at the prompt ends the chat", () =>
    Effect.gen(function*() {
      const chat = yield* start("conversation")
      yield* chat.waitFor("you> ")
      yield* chat.interrupt
      assert.strictEqual(yield* chat.exitCode, 0, chat.stdout() + chat.stderr())
      assert.isTrue(chat.stdout().endsWith("you> \nbye\n"), chat.stdout())
    }).pipe(Effect.scoped))
})
