/**
 * Shared pieces of the ClaudeCode integration tests: the real CLI against a fresh loopback model
 * server, the project's fake CLI, and narrowing a typed error by its tag.
 */
import { assert } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Path from "node:path"
import type * as ClaudeCode from "../../src/ClaudeCode.js"
import * as ClaudeEnv from "../../src/ClaudeEnv.js"
import type * as ClaudeError from "../../src/ClaudeError.js"
import type * as ClaudeEvent from "../../src/ClaudeEvent.js"
import * as ModelServer from "../../src/ModelServer.js"

/** Both ways of attaching the CLI; every scenario that applies runs on each. */
export const transports = ["pty", "pipe"] as const

/** Small shutdown bounds for runs whose process is expected to need them (fault tests). */
export const quickShutdown = {
  gracePeriod: "100 millis",
  interruptTimeout: "200 millis",
  terminateTimeout: "200 millis",
  killTimeout: "500 millis"
} as const

/**
 * A grace period far longer than any test: a run that ends at its `result` waits for the CLI to
 * exit on its own (and finish writing the session, which a later `resume` needs) however busy the
 * machine is, and a run stopped early must not wait for it at all (it sends SIGINT at once).
 */
export const patientShutdown = { gracePeriod: "10 minutes" } as const

/** A real CLI wired to its own server, HOME and working directory. */
export interface RealCli {
  readonly server: ModelServer.ModelServer
  readonly claude: ClaudeEnv.ClaudeEnv
  readonly cwd: string
  /** executable, env, cwd, transport and {@link patientShutdown}: spread into every run's options. */
  readonly options: ClaudeCode.Options
}

/** Starts a model server with `serverOptions`, a throw-away HOME and an empty project directory. */
export const realCli = (
  transport: ClaudeCode.Transport,
  serverOptions?: ModelServer.Options
): Effect.Effect<RealCli, ModelServer.ModelServerError, Scope.Scope> =>
  Effect.gen(function*() {
    const server = yield* ModelServer.make(serverOptions)
    const claude = yield* ClaudeEnv.make(server)
    const cwd = yield* ClaudeEnv.tempDirectory()
    return {
      server,
      claude,
      cwd,
      options: { executable: claude.executable, env: claude.env, cwd, transport, shutdown: patientShutdown }
    }
  })

/** The fake CLI script (executable, `#!/usr/bin/env node`). */
export const fakeClaude = Path.resolve(import.meta.dirname, "../fake-claude/fake-claude.mjs")

/**
 * A fresh working directory (`claude-<name>-…`) and options that run the fake CLI in `mode` over
 * `transport`, writing its pid (and a grandchild's, in the modes that start one) into that directory.
 */
export const fakeRun = (
  name: string,
  transport: ClaudeCode.Transport,
  mode: string,
  env: Record<string, string> = {}
) =>
  Effect.map(ClaudeEnv.tempDirectory(`claude-${name}-`), (cwd) => ({
    cwd,
    file: (file: string) => Path.join(cwd, file),
    options: {
      executable: fakeClaude,
      cwd,
      transport,
      env: {
        FAKE_CLAUDE_MODE: mode,
        FAKE_CLAUDE_PID_FILE: Path.join(cwd, "pid"),
        FAKE_CLAUDE_GRANDCHILD_PID_FILE: Path.join(cwd, "grandchild"),
        ...env
      },
      shutdown: quickShutdown
    } satisfies ClaudeCode.Options
  }))

/** Asserts the error's tag and narrows it; the message goes into the assertion text. */
export const assertTag = <E extends { readonly _tag: string }, T extends E["_tag"]>(
  error: E,
  tag: T
): Extract<E, { readonly _tag: T }> => {
  assert.strictEqual(error._tag, tag, `expected ${tag}, got ${error._tag}: ${(error as { message?: string }).message}`)
  return error as Extract<E, { readonly _tag: T }>
}

/**
 * Consumes `stream` in a forked fiber, keeping every event, and completes `first` with the first
 * event matching `until`: the way to wait for "the CLI is running now" without sleeping.
 */
export const forkUntil = <A extends ClaudeEvent.ClaudeEvent>(
  stream: Stream.Stream<ClaudeEvent.ClaudeEvent, ClaudeError.ClaudeCodeError>,
  until: (event: ClaudeEvent.ClaudeEvent) => event is A
) =>
  Effect.gen(function*() {
    const first = yield* Deferred.make<A>()
    const seen: Array<ClaudeEvent.ClaudeEvent> = []
    const fiber = yield* stream.pipe(
      Stream.runForEach((event) => {
        seen.push(event)
        return until(event) ? Deferred.succeed(first, event) : Effect.void
      }),
      Effect.fork
    )
    return { first, seen, fiber } as const
  })

/** `event._tag === tag` as a type guard. */
export const isTag =
  <T extends ClaudeEvent.Tag>(tag: T) =>
  (event: ClaudeEvent.ClaudeEvent): event is Extract<ClaudeEvent.ClaudeEvent, { readonly _tag: T }> =>
    event._tag === tag
