import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Cli from "../src/Cli.js"
import { FAKE, runBin, tempDir, TTY_PROBE } from "./utils/bin.js"

const readJson = (file: string) => JSON.parse(Fs.readFileSync(file, "utf8"))

describe("the prompt", () => {
  it.live("`-` reads all of stdin: 1 MB of multi-byte UTF-8 arrives intact", () =>
    Effect.gen(function*() {
      // 2- and 4-byte characters across every chunk boundary; well above the argv limit, so the
      // library sends it on the CLI's stdin, and the echo fake answers with exactly what it got.
      const prompt = "héllo wörld 🎉 ".repeat(70_000)
      assert.isAbove(Buffer.byteLength(prompt), 1_000_000)
      const run = yield* runBin(["--claude", FAKE, "--output", "json", "-"], { stdin: prompt })
      assert.strictEqual(run.code, 0)
      const result = JSON.parse(run.stdout)
      assert.strictEqual(result.text.length, prompt.length)
      assert.isTrue(result.text === prompt)
    }))

  it.live("a prompt that starts with `--` goes after the `--` separator, and reaches the CLI as the prompt", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const argvFile = Path.join(dir, "argv.json")
      const run = yield* runBin(["--claude", FAKE, "--model", "m1", "--", "--help me"], {
        env: { FAKE_CLAUDE_ARGV_FILE: argvFile }
      })
      assert.strictEqual(run.code, 0)
      assert.strictEqual(run.stdout, "--help me\n")
      const argv: Array<string> = readJson(argvFile)
      assert.deepStrictEqual(argv.slice(-2), ["--", "--help me"])
    }).pipe(Effect.scoped))
})

describe("--transport", () => {
  it.live("pipe runs the CLI over pipes, pty (the default) in a terminal", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const probe = Path.join(dir, "probe.json")
      const pipe = yield* runBin(["--claude", TTY_PROBE, "--transport", "pipe", "over pipes"], {
        env: { PROBE_FILE: probe }
      })
      assert.strictEqual(pipe.code, 0)
      assert.strictEqual(pipe.stdout, "over pipes\n")
      assert.deepStrictEqual(readJson(probe), { stdin: false, stdout: false })

      const pty = yield* runBin(["--claude", TTY_PROBE, "in a terminal"], { env: { PROBE_FILE: probe } })
      assert.strictEqual(pty.code, 0)
      assert.strictEqual(pty.stdout, "in a terminal\n")
      assert.deepStrictEqual(readJson(probe), { stdin: true, stdout: true })
    }).pipe(Effect.scoped))
})

describe("flags", () => {
  it.live("each flag becomes the CLI's own flag", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const argvFile = Path.join(dir, "argv.json")
      const env = { FAKE_CLAUDE_ARGV_FILE: argvFile }
      const first = yield* runBin([
        "--claude",
        FAKE,
        "--cwd",
        dir,
        "--model",
        "claude-x",
        "--resume",
        "11111111-2222-4333-8444-555555555555",
        "--fork-session",
        "--partial",
        "--max-turns",
        "3",
        "--permission-mode",
        "acceptEdits",
        "--allowed-tools",
        "Read,Bash(git log:*,git diff:*)",
        "--allowed-tools",
        "Edit",
        "--disallowed-tools",
        "WebFetch",
        "--system-prompt",
        "be brief",
        "--append-system-prompt",
        "and kind",
        "--idle-timeout",
        "30",
        "the prompt"
      ], { env })
      assert.strictEqual(first.code, 0, first.stderr)
      assert.deepStrictEqual(readJson(argvFile), [
        "-p",
        "--output-format",
        "stream-json",
        "--verbose",
        "--include-partial-messages",
        "--model",
        "claude-x",
        "--resume",
        "11111111-2222-4333-8444-555555555555",
        "--fork-session",
        "--max-turns",
        "3",
        "--permission-mode",
        "acceptEdits",
        "--allowedTools",
        "Read",
        "Bash(git log:*,git diff:*)",
        "Edit",
        "--disallowedTools",
        "WebFetch",
        "--system-prompt",
        "be brief",
        "--append-system-prompt",
        "and kind",
        "--",
        "the prompt"
      ])
      // --cwd: the CLI ran there, and the resume hint says so.
      assert.strictEqual(first.stdout, "the prompt\n")
      assert.include(
        first.stderr,
        `resume with: effect-claude-code --resume 11111111-2222-4333-8444-555555555555 --cwd ${dir} PROMPT`
      )

      const second = yield* runBin([
        "--claude",
        FAKE,
        "--continue",
        "--session-id",
        "99999999-2222-4333-8444-555555555555",
        "again"
      ], { env })
      assert.strictEqual(second.code, 0, second.stderr)
      assert.deepStrictEqual(readJson(argvFile), [
        "-p",
        "--output-format",
        "stream-json",
        "--verbose",
        "--continue",
        "--session-id",
        "99999999-2222-4333-8444-555555555555",
        "--",
        "again"
      ])
    }).pipe(Effect.scoped))

  it.live("--help: every flag on one line with what it does, examples and the exit codes; no styling when piped", () =>
    Effect.gen(function*() {
      const run = yield* runBin(["--help"])
      assert.strictEqual(run.code, 0)
      assert.strictEqual(run.stderr, "")
      assert.notInclude(run.stdout, "\u001b[")
      const section = (name: string) => {
        const from = run.stdout.indexOf(`\n${name}\n`)
        assert.isAbove(from, 0, name)
        const rest = run.stdout.slice(from + name.length + 2)
        return rest.slice(0, rest.indexOf("\n\n") < 0 ? undefined : rest.indexOf("\n\n")).split("\n")
      }
      // Every option the command parses (as @effect/cli lists them in its own help) has a line of
      // its own: the flag, then a description, and no continuation line (piped: 100 columns).
      const generated = HelpDoc.toAnsiText(Command.getHelp(Cli.command, CliConfig.defaultConfig))
        .replace(/\u001b\[[0-9;]*m/g, "")
      const names = [...generated.matchAll(/^(--[\w-]+)/gm)].map((match) => match[1]!)
      assert.includeMembers(names, ["--claude", "--record", "--output", "--permission-mode", "--allowed-tools"])
      const options = section("OPTIONS")
      for (const name of [...names, "--help", "--version"]) {
        const line = options.find((line) => new RegExp(`^  (-h, )?${name}\\b`).test(line))
        assert.isDefined(line, name)
        assert.match(line!, /^ {2}\S.*\S {2,}\w.{10,}$/, name)
      }
      assert.isTrue(options.every((line) => line.startsWith("  -") && line.length <= 100), options.join("\n"))
      assert.include(section("EXAMPLES").join("\n"), `  effect-claude-code "What does this project do?"`)
      const codes = section("EXIT CODES")
      for (const code of [0, 1, 2, 3, 4, 70, 130, 141]) {
        assert.isTrue(codes.some((line) => line.startsWith(`  ${code} `)), String(code))
      }
      // -h is the same; FORCE_COLOR styles it even when piped.
      assert.strictEqual((yield* runBin(["-h"])).stdout, run.stdout)
      const coloured = yield* runBin(["--help"], { env: { NO_COLOR: undefined, FORCE_COLOR: "1" } })
      assert.include(coloured.stdout, "\u001b[1m--claude PATH\u001b[22m")
    }))
})
