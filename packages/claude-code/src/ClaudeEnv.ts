/**
 * What the real `claude` CLI needs to run offline against a loopback {@link ModelServer}: an
 * environment that routes every model request to the server and turns off telemetry, error
 * reporting and auto-update, a throw-away `HOME`, and the path of the pinned CLI binary.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Fs from "node:fs"
import * as Module from "node:module"
import * as Os from "node:os"
import * as Path from "node:path"
import * as ModelServer from "./ModelServer.js"

/**
 * An environment for the CLI. `env` is complete (the inherited variables included) and names
 * every variable to remove with the value `undefined`: pass it as is to `child_process.spawn`
 * (which skips `undefined`) or to `Command.env` (which merges it over `process.env`).
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { ClaudeEnv, ModelServer } from "effect-claude-code/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const server = yield* ModelServer.make()
 *     const claude: ClaudeEnv.ClaudeEnv = yield* ClaudeEnv.make(server)
 *     // sessions land in `${claude.home}/.claude/projects/`
 *     return yield* ClaudeCode.run("hi", { executable: claude.executable, env: claude.env })
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ClaudeEnv {
  readonly env: Readonly<Record<string, string | undefined>>
  /** The throw-away `HOME`; sessions land in `<home>/.claude/projects/`. Removed when the scope closes. */
  readonly home: string
  /** Path of the `claude` binary to spawn. */
  readonly executable: string
}

/**
 * The service tag of a {@link ClaudeEnv}, provided by {@link layer}.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { ClaudeEnv, ModelServer } from "effect-claude-code/testing"
 * import { Effect, Layer } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const { env, executable } = yield* ClaudeEnv.ClaudeEnv
 *   return yield* ClaudeCode.run("hi", { executable, env })
 * }).pipe(Effect.provide(ClaudeEnv.layer().pipe(Layer.provide(ModelServer.layer()))))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const ClaudeEnv: Context.Tag<ClaudeEnv, ClaudeEnv> = Context.GenericTag<ClaudeEnv>(
  "effect-claude-code/testing/ClaudeEnv"
)

/**
 * Options of {@link make}.
 *
 * @example
 * ```ts
 * import { ClaudeEnv, ModelServer } from "effect-claude-code/testing"
 * import { Effect } from "effect"
 *
 * const options: ClaudeEnv.Options = { maxRetries: 2, sandbox: true, env: { TZ: "UTC" } }
 * const program = Effect.flatMap(ModelServer.make(), (server) => ClaudeEnv.make(server, options))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Sent as `x-api-key` (default a dummy key). */
  readonly apiKey?: string
  /** `CLAUDE_CODE_MAX_RETRIES` (default 0, so API errors end the turn at once). */
  readonly maxRetries?: number
  /** Start from `process.env` (default true; `PATH` is kept either way). */
  readonly inherit?: boolean
  /**
   * Extra variables, applied over the inherited ones. They cannot change where traffic goes, nor
   * turn telemetry back on: those variables are always set last.
   */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Set `IS_SANDBOX=1`, which bypassPermissions requires when running as root. */
  readonly sandbox?: boolean
  /** The binary to run (default {@link resolveExecutable}). */
  readonly executable?: string
}

/** Inherited variables starting with these are dropped: they configure another Claude Code or account. */
const droppedPrefixes = ["ANTHROPIC_", "CLAUDE_", "OTEL_"]

/**
 * Variables always removed: a parent Claude Code session, other credentials, providers and
 * proxies that would route requests elsewhere, telemetry exporters.
 */
const removed = [
  "CLAUDECODE",
  "CLAUDE_CODE_ENTRYPOINT",
  "CLAUDE_CONFIG_DIR",
  "CLAUDE_CODE_OAUTH_TOKEN",
  "ANTHROPIC_AUTH_TOKEN",
  "CLAUDE_CODE_ENABLE_TELEMETRY",
  "OTEL_EXPORTER_OTLP_ENDPOINT"
]

/** Variables removed after the user's own: they would send traffic somewhere else than the server. */
const routing = [
  "CLAUDE_CODE_USE_BEDROCK",
  "CLAUDE_CODE_USE_VERTEX",
  "CLAUDE_CODE_USE_FOUNDRY",
  "ANTHROPIC_BEDROCK_BASE_URL",
  "ANTHROPIC_VERTEX_BASE_URL",
  "ANTHROPIC_FOUNDRY_BASE_URL",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "ALL_PROXY",
  "http_proxy",
  "https_proxy",
  "all_proxy"
]

const keepWithoutInherit = ["PATH", "SystemRoot", "TMPDIR", "TEMP", "TMP", "LANG"]

/**
 * Builds the environment for a server at `url` with `home` as `HOME`; no I/O.
 *
 * @example
 * ```ts
 * import { ClaudeEnv } from "effect-claude-code/testing"
 *
 * const env = ClaudeEnv.makeEnv("http://127.0.0.1:4000", "/tmp/claude-home", { inherit: false })
 * assert.strictEqual(env.ANTHROPIC_BASE_URL, "http://127.0.0.1:4000")
 * assert.strictEqual(env.HOME, "/tmp/claude-home")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeEnv = (
  url: string,
  home: string,
  options?: Omit<Options, "executable">,
  parent: Readonly<Record<string, string | undefined>> = process.env
): Record<string, string | undefined> => {
  const env: Record<string, string | undefined> = {}
  const inherit = options?.inherit ?? true
  for (const [name, value] of Object.entries(parent)) {
    if (inherit || keepWithoutInherit.includes(name)) {
      env[name] = droppedPrefixes.some((prefix) => name.startsWith(prefix)) ? undefined : value
    }
  }
  for (const name of [...removed, ...routing]) env[name] = undefined
  Object.assign(env, {
    CLAUDE_CODE_MAX_RETRIES: String(options?.maxRetries ?? 0),
    NO_COLOR: "1",
    ...(options?.sandbox === true ? { IS_SANDBOX: "1" } : {}),
    ...options?.env
  })
  for (const name of routing) env[name] = undefined
  Object.assign(env, {
    ANTHROPIC_BASE_URL: url,
    ANTHROPIC_API_KEY: options?.apiKey ?? "sk-ant-loopback-0000",
    HOME: home,
    ...(process.platform === "win32" ? { USERPROFILE: home } : {}),
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1"
  })
  return env
}

/**
 * The path of the `claude` binary of the installed `@anthropic-ai/claude-code` package
 * (`bin/claude.exe`), else `node_modules/.bin/claude` under the working directory, else `claude`
 * (looked up in `PATH` when spawned).
 *
 * @example
 * ```ts
 * import { ClaudeEnv } from "effect-claude-code/testing"
 * import { Effect } from "effect"
 *
 * const executable = Effect.runSync(ClaudeEnv.resolveExecutable)
 * assert.ok(executable.includes("claude"))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolveExecutable: Effect.Effect<string> = Effect.sync(() => {
  try {
    const binary = Module.createRequire(import.meta.url).resolve("@anthropic-ai/claude-code/bin/claude.exe")
    if (Fs.existsSync(binary)) return binary
  } catch {
    // not installed where this module can see it: try the working directory
  }
  const local = Path.join(process.cwd(), "node_modules", ".bin", "claude")
  return Fs.existsSync(local) ? local : "claude"
})

/**
 * A new empty directory under the system temp directory (its real path, as the CLI reports its
 * `cwd`), removed with its content when the scope closes. Use it as the CLI's working directory.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { ClaudeEnv, ModelServer } from "effect-claude-code/testing"
 * import { Effect } from "effect"
 *
 * // run the CLI in an empty project directory
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const cwd = yield* ClaudeEnv.tempDirectory()
 *     const claude = yield* ClaudeEnv.make(yield* ModelServer.make())
 *     return yield* ClaudeCode.run("hi", { cwd, executable: claude.executable, env: claude.env })
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const tempDirectory = (prefix = "claude-project-"): Effect.Effect<string, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(async () => Fs.promises.realpath(await Fs.promises.mkdtemp(Path.join(Os.tmpdir(), prefix)))),
    (directory) => Effect.promise(() => Fs.promises.rm(directory, { recursive: true, force: true }))
  )

/**
 * Creates a throw-away `HOME` (removed when the scope closes) and the environment that points the
 * CLI at `server`.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { ClaudeEnv, ModelServer } from "effect-claude-code/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const server = yield* ModelServer.make({ replies: [ModelServer.text("hello")] })
 *     const claude = yield* ClaudeEnv.make(server)
 *     return yield* ClaudeCode.run("hi", { executable: claude.executable, env: claude.env })
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  server: { readonly url: string },
  options?: Options
) => Effect.Effect<ClaudeEnv, never, Scope.Scope> = Effect.fn("ClaudeEnv.make")(function*(
  server: { readonly url: string },
  options?: Options
) {
  const home = yield* tempDirectory("claude-home-")
  const executable = options?.executable ?? (yield* resolveExecutable)
  return { env: makeEnv(server.url, home, options), home, executable }
})

/**
 * A layer building a {@link ClaudeEnv} for the {@link ModelServer.ModelServer} in context.
 *
 * @example
 * ```ts
 * import { ClaudeEnv, ModelServer } from "effect-claude-code/testing"
 * import { Layer } from "effect"
 *
 * // both services for a test suite, e.g. with @effect/vitest's `layer(TestEnv)`
 * const TestEnv = ClaudeEnv.layer({ sandbox: true }).pipe(Layer.provideMerge(ModelServer.layer()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<ClaudeEnv, never, ModelServer.ModelServer> =>
  Layer.scoped(ClaudeEnv, Effect.flatMap(ModelServer.ModelServer, (server) => make(server, options)))
