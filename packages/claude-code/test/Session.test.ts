import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Option, Stream } from "effect"
import { ClaudeCode, Session } from "effect-claude-code"
import { ClaudeEnv, ModelServer } from "effect-claude-code/testing"
import { awaitDead, cliChildren, isDead } from "./utils/processes.js"

/** Replies "re: <prompt>" at once; a prompt containing "SLOW" streams slowly so it can be cancelled. */
const script: ModelServer.Script = (request) =>
  request.text.endsWith("FAIL")
    ? ModelServer.httpError(500, { type: "api_error", message: "scripted failure" })
    : request.text.endsWith("SLOW")
    ? ModelServer.slow(
      ModelServer.text("one two three four five six seven eight nine ten", { chunkSize: 4 }),
      "250 millis"
    )
    : ModelServer.text(`re: ${request.text}`)

/** What the model saw in a request: the texts of its user and assistant messages, in order. */
const transcript = (request: ModelServer.MessagesRequest): Array<string> =>
  request.messages.flatMap((message) => {
    if (message.role !== "user" && message.role !== "assistant") return []
    const content = message.content
    const texts = typeof content === "string"
      ? [content]
      : (content as ReadonlyArray<{ type: string; text?: string }>)
        .filter((block) =>
          block.type === "text" && block.text !== undefined && !block.text.startsWith("<system-reminder>")
        )
        .map((block) => block.text!)
    return texts.map((text) => `${message.role}: ${text}`)
  })

const setup = Effect.gen(function*() {
  const server = yield* ModelServer.make({ script })
  const claude = yield* ClaudeEnv.make(server)
  const cwd = yield* ClaudeEnv.tempDirectory()
  const layer = ClaudeCode.layer({ executable: claude.executable, env: claude.env, cwd })
  return { server, layer, executable: claude.executable, cwd }
})

const modes = [
  { name: "a process per turn", make: Session.make },
  { name: "one streaming-input process", make: Session.makeStreaming }
] as const

describe.each(modes)("Session: $name", ({ make }) => {
  it.scopedLive("a three-turn conversation carries the earlier turns to the model", () =>
    Effect.gen(function*() {
      const { layer, server } = yield* setup
      const session = yield* make().pipe(Effect.provide(layer))
      assert.isTrue(Option.isNone(yield* session.sessionId))
      const first = yield* session.run("my name is Ada")
      const second = yield* session.run("I like tea")
      const third = yield* session.run("what do you know?")
      assert.strictEqual(third.text, "re: what do you know?")
      assert.isDefined(first.sessionId)
      assert.strictEqual(second.sessionId, first.sessionId)
      assert.strictEqual(third.sessionId, first.sessionId)
      assert.deepStrictEqual(yield* session.sessionId, Option.some(first.sessionId!))
      const requests = yield* server.messages
      assert.strictEqual(requests.length, 3)
      assert.deepStrictEqual(transcript(requests[2]!), [
        "user: my name is Ada",
        "assistant: re: my name is Ada",
        "user: I like tea",
        "assistant: re: I like tea",
        "user: what do you know?"
      ])
    }))

  it.scopedLive("fork branches off with the history and a new id; the original goes on without the branch", () =>
    Effect.gen(function*() {
      const { layer, server } = yield* setup
      const session = yield* make().pipe(Effect.provide(layer))
      const failedFork = yield* Effect.flip(session.fork)
      assert.strictEqual(failedFork._tag, "InvalidOptions")
      const first = yield* session.run("trunk")
      const branch = yield* session.fork
      const branched = yield* branch.run("branch")
      const again = yield* session.run("trunk again")
      assert.notStrictEqual(branched.sessionId, first.sessionId)
      assert.deepStrictEqual(yield* branch.sessionId, Option.some(branched.sessionId!))
      assert.strictEqual(again.sessionId, first.sessionId)
      const requests = yield* server.messages
      assert.deepStrictEqual(transcript(requests[1]!), ["user: trunk", "assistant: re: trunk", "user: branch"])
      assert.deepStrictEqual(transcript(requests[2]!), ["user: trunk", "assistant: re: trunk", "user: trunk again"])
    }))

  it.scopedLive("resumes an existing session by id", () =>
    Effect.gen(function*() {
      const { layer, server } = yield* setup
      const earlier = yield* ClaudeCode.run("remember 42").pipe(Effect.provide(layer))
      const session = yield* make({ resume: earlier.sessionId! }).pipe(Effect.provide(layer))
      assert.deepStrictEqual(yield* session.sessionId, Option.some(earlier.sessionId!))
      const next = yield* session.run("what number?")
      assert.strictEqual(next.sessionId, earlier.sessionId)
      const requests = yield* server.messages
      assert.deepStrictEqual(transcript(requests[1]!), [
        "user: remember 42",
        "assistant: re: remember 42",
        "user: what number?"
      ])
    }))

  it.scopedLive("a chosen session id is used, and a second session cannot take it", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup
      const id = "7a3c5a10-9d8e-4f1b-8c2d-3e4f5a6b7c8d"
      const session = yield* make({ sessionId: id }).pipe(Effect.provide(layer))
      const first = yield* session.run("hello")
      assert.strictEqual(first.sessionId, id)
      const second = yield* session.run("again")
      assert.strictEqual(second.sessionId, id)
      const other = yield* make({ sessionId: id }).pipe(Effect.provide(layer))
      const error = yield* Effect.flip(other.run("steal it"))
      assert.strictEqual(error._tag, "ProcessError")
      if (error._tag === "ProcessError") {
        assert.isTrue(error.diagnostics.some((line) => line.includes("already in use")), error.diagnostics.join("\n"))
      }
    }))

  it.scopedLive("a cancelled turn leaves the session usable", () =>
    Effect.gen(function*() {
      const { layer, server } = yield* setup
      const session = yield* make().pipe(Effect.provide(layer))
      yield* session.run("first")
      const started = yield* Deferred.make<void>()
      const turn = yield* session.send("please be SLOW").pipe(
        Stream.tap((event) =>
          event._tag === "StreamEvent" || event._tag === "SystemInit" ? Deferred.succeed(started, void 0) : Effect.void
        ),
        Stream.runDrain,
        Effect.fork
      )
      yield* Deferred.await(started)
      yield* Fiber.interrupt(turn)
      const after = yield* session.run("after the cancel")
      // The per-process mode sends the new prompt on its own; in streaming-input mode the CLI
      // itself folds the interrupted prompt and its interruption note into the next user message.
      assert.isTrue(after.text.startsWith("re: ") && after.text.endsWith("after the cancel"), after.text)
      assert.strictEqual(after.sessionId, (yield* session.sessionId).pipe(Option.getOrThrow))
      const requests = yield* server.messages
      const last = transcript(requests[requests.length - 1]!)
      assert.strictEqual(last[0], "user: first")
      assert.isTrue(last.some((text) => text.includes("please be SLOW")), last.join("\n"))
    }))

  it.scopedLive("a CLI killed mid-turn: the turn fails with ProcessError, the next turn resumes the session", () =>
    Effect.gen(function*() {
      const { cwd, executable, layer, server } = yield* setup
      const session = yield* make().pipe(Effect.provide(layer))
      const first = yield* session.run("first")
      const started = yield* Deferred.make<void>()
      const seen: Array<string> = []
      const turn = yield* session.send("please be SLOW").pipe(
        Stream.tap((event) => {
          seen.push(event._tag)
          return event._tag === "SystemInit" ? Deferred.succeed(started, void 0) : Effect.void
        }),
        Stream.runDrain,
        Effect.fork
      )
      yield* Deferred.await(started)
      const pids = cliChildren(executable, cwd)
      assert.strictEqual(pids.length, 1)
      process.kill(pids[0]!, "SIGKILL")
      const error = yield* Effect.flip(Fiber.join(turn))
      assert.strictEqual(error._tag, "ProcessError")
      if (error._tag === "ProcessError") {
        assert.strictEqual(error.signal, "SIGKILL")
        assert.strictEqual(error.exitCode, null)
      }
      // the events before the crash were delivered
      assert.include(seen, "SystemInit")
      yield* awaitDead(pids[0]!, "the killed CLI")
      const after = yield* session.run("after the crash")
      assert.isTrue(after.text.startsWith("re: ") && after.text.endsWith("after the crash"), after.text)
      assert.strictEqual(after.sessionId, first.sessionId)
      const requests = yield* server.messages
      assert.strictEqual(transcript(requests[requests.length - 1]!)[0], "user: first")
    }))

  it.scopedLive("a failed turn leaves the session usable", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup
      const session = yield* make().pipe(Effect.provide(layer))
      const first = yield* session.run("first")
      const error = yield* Effect.flip(session.run("now FAIL"))
      assert.strictEqual(error._tag, "ClaudeFailure")
      if (error._tag === "ClaudeFailure") assert.strictEqual(error.apiErrorStatus, 500)
      const after = yield* session.run("and recover")
      assert.isTrue(after.text.startsWith("re: ") && after.text.endsWith("and recover"), after.text)
      assert.strictEqual(after.sessionId, first.sessionId)
    }))

  it.scopedLive("concurrent sends are serialised, each turn seeing the one before", () =>
    Effect.gen(function*() {
      const { layer, server } = yield* setup
      const session = yield* make().pipe(Effect.provide(layer))
      const [a, b] = yield* Effect.all([session.run("alpha"), session.run("beta")], { concurrency: "unbounded" })
      assert.strictEqual(a.sessionId, b.sessionId)
      const requests = yield* server.messages
      assert.strictEqual(requests.length, 2)
      const second = transcript(requests[1]!)
      assert.strictEqual(second.length, 3)
      assert.deepStrictEqual([second[0], second[2]].sort(), ["user: alpha", "user: beta"])
    }))
})

describe("Session: streaming input", () => {
  it.scopedLive("runs every turn in one process, which is gone when the scope closes", () =>
    Effect.gen(function*() {
      const { cwd, executable, layer } = yield* setup
      let pids: ReadonlyArray<number> = []
      yield* Effect.scoped(Effect.gen(function*() {
        const session = yield* Session.makeStreaming().pipe(Effect.provide(layer))
        yield* session.run("one")
        const afterOne = cliChildren(executable, cwd)
        yield* session.run("two")
        yield* session.run("three")
        assert.strictEqual(afterOne.length, 1)
        assert.deepStrictEqual(cliChildren(executable, cwd), afterOne)
        pids = afterOne
      }))
      assert.strictEqual(pids.length, 1)
      assert.isTrue(isDead(pids[0]!))
    }))

  it.scopedLive("options of the wrong type fail the first turn with InvalidOptions, and start nothing", () =>
    Effect.gen(function*() {
      const { cwd, executable, layer } = yield* setup
      const session = yield* Session.makeStreaming({ executable: 42 as unknown as string }).pipe(Effect.provide(layer))
      const error = yield* Effect.flip(session.run("hi"))
      assert.strictEqual(error._tag, "InvalidOptions")
      assert.deepStrictEqual(error._tag === "InvalidOptions" && [error.option, error.problem], [
        "executable",
        "must be a string, got number 42"
      ])
      assert.deepStrictEqual(cliChildren(executable, cwd), [])
    }))

  it.scopedLive("per-turn options are refused with a typed error", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup
      const session = yield* Session.makeStreaming().pipe(Effect.provide(layer))
      const error = yield* Effect.flip(session.run("hi", { model: "other" }))
      assert.strictEqual(error._tag, "InvalidOptions")
    }))
})

describe("Session with a test implementation of ClaudeCode", () => {
  it.scopedLive("uses the provided service, so users can test conversations without the CLI", () =>
    Effect.gen(function*() {
      const seen: Array<ClaudeCode.Options | undefined> = []
      const real = ClaudeCode.make()
      const fake = Layer.succeed(ClaudeCode.ClaudeCode, {
        defaults: {},
        stream: (prompt, options) => {
          seen.push(options)
          return real.stream(prompt, {
            ...options,
            executable: new URL("fake-claude/fake-claude.mjs", import.meta.url).pathname
          })
        },
        run: () => Effect.die("unused")
      })
      const session = yield* Session.make().pipe(Effect.provide(fake))
      const first = yield* session.run("hi")
      yield* session.run("again")
      assert.strictEqual(first.text, "hi")
      assert.strictEqual(seen[0]?.resume, undefined)
      assert.strictEqual(seen[1]?.resume, first.sessionId)
    }))
})
