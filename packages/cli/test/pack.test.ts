/**
 * The packages as a stranger gets them: `npm pack` each workspace package, install the three
 * tarballs into a fresh project outside the repository (no workspace links, third-party
 * dependencies from the registry, node-pty built by its install script), type-check a small
 * program against the installed `.d.ts`, run it with plain Node, and run the installed
 * `effect-claude-code` bin.
 *
 * Slow (about a minute: a build, three packs, an install), so it is a file of its own and runs
 * beside the other test files.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { FAKE, FAKE_SESSION, tempDir } from "./utils/bin.js"

const root = Path.resolve(import.meta.dirname, "../../..")
const tsc = Path.join(root, "node_modules/typescript/bin/tsc")
/** The real CLI, pinned as the repository's dev dependency; the program runs it against its own model server. */
const claude = Fs.realpathSync(Path.join(root, "node_modules/.bin/claude"))

interface Done {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * The environment of a stranger's shell: without what `npm test` puts there (`npm_*` variables,
 * the source condition in NODE_OPTIONS), which would make the nested npm and node behave as
 * inside this repository.
 */
const strangerEnv = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.toLowerCase().startsWith("npm_") || key === "INIT_CWD") continue
    if (key === "NODE_OPTIONS" || key === "CLAUDECODE") continue
    env[key] = value
  }
  return env
}

/** Runs a command to its end, collecting its output; a failure to start dies (a broken test setup). */
const exec = (file: string, args: ReadonlyArray<string>, cwd: string, env = strangerEnv()): Effect.Effect<Done> =>
  Effect.async<Done>((resume) => {
    const child = spawn(file, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", (error) => resume(Effect.die(error)))
    child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

/** Like {@link exec}, but a non-zero exit dies with the command's output. */
const execOk = (file: string, args: ReadonlyArray<string>, cwd: string, env?: Record<string, string>) =>
  Effect.flatMap(exec(file, args, cwd, env), (done) =>
    done.code === 0
      ? Effect.succeed(done)
      : Effect.dieMessage(`${file} ${args.join(" ")} exited with ${done.code}\n${done.stdout}\n${done.stderr}`))

/** One entry of `npm pack --json`. */
interface Packed {
  readonly name: string
  readonly filename: string
  readonly files: ReadonlyArray<{ readonly path: string }>
}

const program = `
import { ClaudeCode, ClaudeError } from "effect-claude-code"
import { ClaudeEnv, ModelServer } from "effect-claude-code/testing"
import { ExitCode } from "effect-claude-code-cli"
import { PtyProcess } from "effect-pty"
import { Effect, Stream } from "effect"

const main = Effect.gen(function*() {
  // the real CLI against a loopback model server, through a pseudo-terminal (node-pty)
  const server = yield* ModelServer.make({ script: (request) => ModelServer.text(\`echo: \${request.text}\`) })
  const claude = yield* ClaudeEnv.make(server, { executable: process.argv[2]! })
  const result = yield* ClaudeCode.run("hello from a tarball", { executable: claude.executable, env: claude.env })
  // effect-pty on its own
  const pty = yield* PtyProcess.spawn({ command: "/bin/sh", args: ["-c", "echo pty says hi"] })
  const output = yield* Stream.mkString(pty.output)
  // a typed error
  const error = yield* Effect.flip(ClaudeCode.run("", {}))
  // internal modules are not exported
  const internal = yield* Effect.promise(() =>
    import("effect-claude-code/internal/runner.js" as string).then(() => "open", (e: NodeJS.ErrnoException) => e.code)
  )
  const tagged: ClaudeError.ClaudeCodeError = error
  console.log(JSON.stringify({
    text: result.text,
    modelRequests: (yield* server.messages).length > 0,
    pty: output.trim(),
    error: tagged._tag,
    internal,
    cancelledCode: ExitCode.Cancelled
  }))
})

Effect.runPromise(Effect.scoped(main))
`

const tsconfig = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: true,
    outDir: "out",
    typeRoots: [Path.join(root, "node_modules/@types")],
    types: ["node"]
  },
  files: ["main.ts"]
}

describe("the packed packages", () => {
  it.scopedLive("install into a fresh project and run there, the library and the bin", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const packs = Path.join(dir, "packs")
      const project = Path.join(dir, "project")
      Fs.mkdirSync(packs)
      Fs.mkdirSync(project)

      // npm pack (its prepack script builds dist/ first)
      const packed = yield* execOk(
        "npm",
        [
          "pack",
          "--json",
          "--pack-destination",
          packs,
          ...["pty", "claude-code", "cli"].flatMap((name) => ["--workspace", `packages/${name}`])
        ],
        root,
        { ...strangerEnv(), npm_config_loglevel: "error" }
      )
      const entries: ReadonlyArray<Packed> = JSON.parse(packed.stdout)
      assert.deepStrictEqual(entries.map((entry) => entry.name), [
        "effect-pty",
        "effect-claude-code",
        "effect-claude-code-cli"
      ])
      for (const entry of entries) {
        const files = entry.files.map((file) => file.path)
        for (
          const file of ["package.json", "dist/index.js", "dist/index.d.ts", "dist/index.js.map", "dist/index.d.ts.map"]
        ) {
          assert.include(files, file, `${entry.name} ships ${file}`)
        }
        assert.isTrue(files.some((file) => file.startsWith("dist/internal/")), `${entry.name} ships dist/internal`)
        assert.isFalse(
          files.some((file) => /^test\/|tsbuildinfo|^tsconfig|vitest/.test(file)),
          `${entry.name}: ${files}`
        )
      }
      assert.include(entries[2]!.files.map((file) => file.path), "bin/effect-claude-code.mjs")

      // a stranger's project: the tarballs and nothing else
      Fs.writeFileSync(
        Path.join(project, "package.json"),
        JSON.stringify({
          name: "stranger",
          private: true,
          type: "module",
          // npm 11 runs a dependency's install script only when allowed: node-pty compiles its addon
          allowScripts: { "node-pty": true },
          dependencies: Object.fromEntries(
            entries.map((entry) => [entry.name, `file:${Path.join(packs, entry.filename)}`])
          )
        })
      )
      const install = yield* execOk("npm", ["install", "--no-audit", "--no-fund"], project)
      assert.notMatch(install.stderr, /ERESOLVE|peer dep|conflicting|deprecated/i)
      for (const name of ["effect-pty", "effect-claude-code", "effect-claude-code-cli"]) {
        const installed = Path.join(project, "node_modules", name)
        assert.isFalse(Fs.lstatSync(installed).isSymbolicLink(), `${name} is a copy, not a link`)
      }
      assert.isFalse(Fs.existsSync(Path.join(project, "node_modules/tsx")), "no TypeScript loader at run time")

      // the program type-checks against the installed .d.ts and runs as plain JavaScript
      Fs.writeFileSync(Path.join(project, "main.ts"), program)
      Fs.writeFileSync(Path.join(project, "tsconfig.json"), JSON.stringify(tsconfig))
      yield* execOk(process.execPath, [tsc, "-p", "."], project)
      const run = yield* execOk(process.execPath, ["out/main.js", claude], project)
      assert.deepStrictEqual(JSON.parse(run.stdout), {
        text: "echo: hello from a tarball",
        modelRequests: true,
        pty: "pty says hi",
        error: "InvalidOptions",
        internal: "ERR_PACKAGE_PATH_NOT_EXPORTED",
        cancelledCode: 130
      })

      // the bin, as npm linked it
      const bin = Path.join(project, "node_modules/.bin/effect-claude-code")
      const help = yield* execOk(bin, ["--help"], project)
      assert.include(help.stdout, "effect-claude-code 0.1.0")
      const answer = yield* execOk(bin, ["--claude", FAKE, "hello from the bin"], project)
      assert.strictEqual(answer.stdout, "hello from the bin\n")
      assert.include(answer.stderr, `session ${FAKE_SESSION}`)
      const usage = yield* exec(bin, ["--max-turns", "zero", "hi"], project)
      assert.strictEqual(usage.code, 2, usage.stderr)
    }), { timeout: 600_000 })
})
