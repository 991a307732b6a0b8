import { assert, describe, it } from "@effect/vitest"
import { PtyProcess } from "effect-pty"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as internal from "../src/internal/ptyProcess.js"
import { allOutput, reader, sh } from "./helpers.js"

const tempDir = () => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "effect-pty-")))

describe("PtyProcess", () => {
  it.scopedLive("echoes output on a terminal and exits with code 0", () =>
    Effect.gen(function*() {
      const proc = yield* PtyProcess.spawn(sh("echo hello; tty; [ -t 1 ] && echo stdout-is-a-tty"))
      const text = yield* allOutput(proc)
      const lines = text.split("\r\n")
      assert.strictEqual(lines[0], "hello")
      assert.match(lines[1]!, /^\/dev\/pts\/\d+$/)
      assert.strictEqual(lines[2], "stdout-is-a-tty")
      assert.deepStrictEqual(yield* proc.exitStatus, new PtyProcess.ExitStatus({ exitCode: 0, signal: null }))
      assert.isFalse(yield* proc.isRunning)
    }))

  it.scopedLive("merges stderr into the output", () =>
    Effect.gen(function*() {
      const proc = yield* PtyProcess.spawn(sh("echo out; echo err >&2; echo out2"))
      assert.strictEqual(yield* allOutput(proc), "out\r\nerr\r\nout2\r\n")
    }))

  it.scopedLive("reports an exit code, and a signal death as the signal with a null exit code", () =>
    Effect.gen(function*() {
      const exit7 = yield* PtyProcess.spawn(sh("exit 7"))
      const killed = yield* PtyProcess.spawn(sh("kill -KILL $$"))
      const terminated = yield* PtyProcess.spawn(sh("kill -TERM $$"))
      const status7 = yield* exit7.exitStatus
      assert.deepStrictEqual(status7, new PtyProcess.ExitStatus({ exitCode: 7, signal: null }))
      assert.isFalse(status7.isSuccess)
      assert.deepStrictEqual(yield* killed.exitStatus, new PtyProcess.ExitStatus({ exitCode: null, signal: "SIGKILL" }))
      assert.deepStrictEqual(
        yield* terminated.exitStatus,
        new PtyProcess.ExitStatus({ exitCode: null, signal: "SIGTERM" })
      )
    }))

  it("maps node-pty's numeric exit report", () => {
    assert.deepStrictEqual(
      internal.toExitStatus(0, 9),
      new PtyProcess.ExitStatus({ exitCode: null, signal: "SIGKILL" })
    )
    assert.deepStrictEqual(
      internal.toExitStatus(0, 6),
      new PtyProcess.ExitStatus({ exitCode: null, signal: "SIGABRT" })
    )
    assert.deepStrictEqual(internal.toExitStatus(3, 0), new PtyProcess.ExitStatus({ exitCode: 3, signal: null }))
  })

  it.scopedLive("merges env over process.env and removes keys set to undefined", () =>
    Effect.gen(function*() {
      process.env.EFFECT_PTY_INHERITED = "from-parent"
      process.env.EFFECT_PTY_REMOVED = "should-not-be-seen"
      process.env.COLUMNS = "17"
      const proc = yield* PtyProcess.spawn(
        sh(
          "echo \"A=$EFFECT_PTY_ADDED I=$EFFECT_PTY_INHERITED R=${EFFECT_PTY_REMOVED-unset} C=${COLUMNS-unset}\"; " +
            "echo \"TERM=$TERM PWD=$PWD\"",
          { env: { EFFECT_PTY_ADDED: "added", EFFECT_PTY_REMOVED: undefined }, cwd: "/" }
        )
      )
      const text = yield* allOutput(proc)
      delete process.env.EFFECT_PTY_INHERITED
      delete process.env.EFFECT_PTY_REMOVED
      delete process.env.COLUMNS
      const [vars, term] = text.split("\r\n")
      assert.strictEqual(vars, "A=added I=from-parent R=unset C=unset")
      assert.strictEqual(term, `TERM=${process.env.TERM ?? "xterm"} PWD=/`)
    }))

  it.scopedLive("starts from an empty environment with inheritEnv: false", () =>
    Effect.gen(function*() {
      const proc = yield* PtyProcess.spawn({
        command: "env",
        inheritEnv: false,
        env: { ONLY: "this", TERM: "dumb" },
        cwd: "/tmp"
      })
      const vars = (yield* allOutput(proc)).split("\r\n").filter((line) => line !== "").sort()
      assert.deepStrictEqual(vars, ["ONLY=this", "PWD=/tmp", "TERM=dumb"])
    }))

  it.scopedLive("runs in cwd", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const proc = yield* PtyProcess.spawn({ command: "pwd", cwd: dir, env: { PWD: undefined } })
      assert.strictEqual(yield* allOutput(proc), `${dir}\r\n`)
      fs.rmSync(dir, { recursive: true })
    }))

  it.scopedLive("write reaches the child's terminal input", () =>
    Effect.gen(function*() {
      const proc = yield* PtyProcess.spawn(sh("stty -echo; echo ready; head -n1"))
      const out = yield* reader(proc)
      yield* out.until("ready\r\n")
      yield* proc.write("ping\n")
      assert.strictEqual(yield* out.rest, "ready\r\nping\r\n")
      assert.strictEqual((yield* proc.exitStatus).exitCode, 0)
    }))

  it.scopedLive("write waits while the child does not read, and completes when it does", () =>
    Effect.gen(function*() {
      // More than a terminal's input buffer (4 KiB in canonical mode): the first writes fill it
      // and the rest is only accepted as the child reads.
      const proc = yield* PtyProcess.spawn(sh("stty -echo -icanon; echo ready; head -c 100000 | wc -c"))
      const out = yield* reader(proc)
      yield* out.until("ready\r\n")
      yield* proc.write("x".repeat(100_000))
      const text = yield* out.rest
      assert.strictEqual(text.replace("ready\r\n", "").trim(), "100000")
    }))

  it.scopedLive("write fails with PtyWriteError once the scope has closed", () =>
    Effect.gen(function*() {
      const proc = yield* Effect.scoped(PtyProcess.spawn(sh("exit 0")))
      const error = yield* Effect.flip(proc.write("late\n"))
      assert.strictEqual(error._tag, "PtyWriteError")
      assert.strictEqual(error.operation, "write")
      assert.match(error.message, /after its scope closed/)
      const resizeError = yield* Effect.flip(proc.resize(10, 10))
      assert.strictEqual(resizeError.operation, "resize")
    }))

  it.scopedLive("resize changes the terminal size the child sees", () =>
    Effect.gen(function*() {
      const proc = yield* PtyProcess.spawn(sh("stty -echo; stty size; read line; stty size", { cols: 120, rows: 40 }))
      const out = yield* reader(proc)
      yield* out.until("40 120\r\n")
      yield* proc.resize(100, 30)
      yield* proc.write("\n")
      assert.strictEqual(yield* out.rest, "40 120\r\n30 100\r\n")
      const invalid = yield* Effect.flip(proc.resize(0, 10))
      assert.strictEqual(invalid._tag, "PtyWriteError")
    }))

  it.scopedLive("uses 200x50 unless told otherwise", () =>
    Effect.gen(function*() {
      const proc = yield* PtyProcess.spawn(sh("stty size"))
      assert.strictEqual(yield* allOutput(proc), "50 200\r\n")
    }))

  it.scopedLive("redirects stdin from a file, keeping the program's pid and the terminal for output", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const input = path.join(dir, "it's \"quoted\" $(not run) `either`.txt")
      fs.writeFileSync(input, "line one\nline two\n")
      const proc = yield* PtyProcess.spawn({
        command: "sh",
        args: ["-c", "echo \"pid=$$\"; [ -t 0 ] || echo stdin-not-a-tty; [ -t 1 ] && echo stdout-a-tty; cat"],
        stdin: input
      })
      const text = yield* allOutput(proc)
      assert.strictEqual(text, `pid=${proc.pid}\r\nstdin-not-a-tty\r\nstdout-a-tty\r\nline one\r\nline two\r\n`)
      fs.rmSync(dir, { recursive: true })
    }))

  it.scopedLive("redirects stdin from a FIFO", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const fifo = path.join(dir, "in.fifo")
      const mkfifo = yield* PtyProcess.spawn({ command: "mkfifo", args: [fifo] })
      assert.strictEqual((yield* mkfifo.exitStatus).exitCode, 0)
      const proc = yield* PtyProcess.spawn({ command: "cat", stdin: fifo })
      // Opening a FIFO for writing waits for its reader: the child.
      yield* Effect.promise(() => fs.promises.writeFile(fifo, "through the fifo\n"))
      assert.strictEqual(yield* allOutput(proc), "through the fifo\r\n")
      fs.rmSync(dir, { recursive: true })
    }))

  it.scopedLive("output can be run once; a second run dies", () =>
    Effect.gen(function*() {
      const proc = yield* PtyProcess.spawn(sh("echo once"))
      assert.strictEqual(yield* allOutput(proc), "once\r\n")
      const second = yield* Effect.exit(Stream.runDrain(proc.output))
      assert.isTrue(Exit.isFailure(second) && Cause.isDie(second.cause))
      assert.match(Cause.pretty((second as Exit.Failure<never, never>).cause), /can be run once/)
    }))

  it.scopedLive("signal reaches the child", () =>
    Effect.gen(function*() {
      const proc = yield* PtyProcess.spawn(sh("echo ready; exec sleep 60"))
      yield* (yield* reader(proc)).until("ready")
      yield* proc.signal("SIGUSR1")
      assert.deepStrictEqual(yield* proc.exitStatus, new PtyProcess.ExitStatus({ exitCode: null, signal: "SIGUSR1" }))
      yield* proc.signal("SIGTERM") // gone: ESRCH is ignored
    }))

  it.scopedLive("a signal sent right after spawn is not lost (before the child has its own group)", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 30; i++) {
        const status = yield* Effect.scoped(Effect.gen(function*() {
          const proc = yield* PtyProcess.spawn({ command: "sleep", args: ["60"] })
          yield* proc.signal("SIGTERM")
          return yield* proc.exitStatus.pipe(Effect.timeoutFail({
            duration: "10 seconds",
            onTimeout: () => "the signal was lost"
          }))
        }))
        assert.deepStrictEqual(status, new PtyProcess.ExitStatus({ exitCode: null, signal: "SIGTERM" }))
      }
    }))

  it.scopedLive("shutdown runs the escalation on demand", () =>
    Effect.gen(function*() {
      const proc = yield* PtyProcess.spawn(
        sh("echo ready; exec sleep 60", { shutdown: { gracePeriod: "10 millis" } })
      )
      yield* (yield* reader(proc)).until("ready")
      assert.deepStrictEqual(yield* proc.shutdown, new PtyProcess.ExitStatus({ exitCode: null, signal: "SIGINT" }))
      assert.isFalse(yield* proc.isRunning)
    }))

  it.effect("escalate stops any Stoppable, step by step", () =>
    Effect.gen(function*() {
      const sent: Array<string> = []
      const exited = yield* Deferred.make<string>()
      const target: PtyProcess.Stoppable<string> = {
        signal: (signal) =>
          Effect.sync(() => sent.push(signal)).pipe(
            Effect.zipRight(signal === "SIGTERM" ? Deferred.succeed(exited, "terminated") : Effect.void)
          ),
        exitStatus: Deferred.await(exited),
        isRunning: Effect.map(Deferred.isDone(exited), (done) => !done)
      }
      const fiber = yield* Effect.fork(
        PtyProcess.escalate(target, {
          gracePeriod: "1 second",
          interruptSignal: "SIGHUP",
          interruptTimeout: "2 seconds"
        })
      )
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(sent, ["SIGHUP"])
      yield* TestClock.adjust("2 seconds")
      assert.strictEqual(yield* fiber.await.pipe(Effect.flatten), "terminated")
      assert.deepStrictEqual(sent, ["SIGHUP", "SIGTERM"])
    }))

  it.effect("escalate can be interrupted when run from an interruptible region", () =>
    Effect.gen(function*() {
      const sent: Array<string> = []
      const target: PtyProcess.Stoppable<string> = {
        signal: (signal) => Effect.sync(() => sent.push(signal)),
        exitStatus: Effect.never,
        isRunning: Effect.succeed(true)
      }
      const fiber = yield* Effect.fork(PtyProcess.escalate(target))
      yield* TestClock.adjust("500 millis")
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("10 seconds")
      assert.deepStrictEqual(sent, [])
    }))

  it.effect("escalate in a finalizer runs to the end even if interrupted again", () =>
    Effect.gen(function*() {
      const sent: Array<string> = []
      const killed = yield* Deferred.make<string>()
      const target: PtyProcess.Stoppable<string> = {
        signal: (signal) =>
          Effect.sync(() => sent.push(signal)).pipe(
            Effect.zipRight(signal === "SIGKILL" ? Deferred.succeed(killed, "killed") : Effect.void)
          ),
        exitStatus: Deferred.await(killed),
        isRunning: Effect.map(Deferred.isDone(killed), (done) => !done)
      }
      const fiber = yield* Effect.fork(
        Effect.scoped(Effect.zipRight(Effect.addFinalizer(() => PtyProcess.escalate(target)), Effect.never))
      )
      yield* TestClock.adjust("1 millis")
      const first = yield* Effect.fork(Fiber.interrupt(fiber))
      yield* TestClock.adjust("500 millis")
      yield* Effect.fork(Fiber.interrupt(fiber))
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(first)
      assert.deepStrictEqual(sent, ["SIGINT", "SIGTERM", "SIGKILL"])
    }))
})

describe("spawn errors", () => {
  const spawnError = (options: PtyProcess.SpawnOptions) => Effect.flip(Effect.scoped(PtyProcess.spawn(options)))

  it.scopedLive("NotFound: not on PATH, or a missing path", () =>
    Effect.gen(function*() {
      const error = yield* spawnError({ command: "effect-pty-no-such-command" })
      assert.strictEqual(error._tag, "PtySpawnError")
      assert.strictEqual(error.reason, "NotFound")
      assert.strictEqual(error.command, "effect-pty-no-such-command")
      assert.strictEqual(error.cwd, process.cwd())
      assert.match(error.message, /not found on PATH/)
      assert.strictEqual((yield* spawnError({ command: "./no/such/file" })).reason, "NotFound")
      // PATH is the child's: removing it leaves execvp's default, without /usr/local/bin etc.
      const noPath = yield* spawnError({ command: "effect-pty-no-such-command", env: { PATH: "/nonexistent" } })
      assert.strictEqual(noPath.reason, "NotFound")
    }))

  it.scopedLive("NotExecutable: a file without x permission, or a directory", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const file = path.join(dir, "script.sh")
      fs.writeFileSync(file, "#!/bin/sh\necho hi\n", { mode: 0o644 })
      const error = yield* spawnError({ command: file })
      assert.strictEqual(error.reason, "NotExecutable")
      assert.match(error.message, /chmod \+x/)
      assert.strictEqual((yield* spawnError({ command: dir })).reason, "NotExecutable")
      // the same file, made executable, runs
      fs.chmodSync(file, 0o755)
      const proc = yield* PtyProcess.spawn({ command: file })
      assert.strictEqual(yield* allOutput(proc), "hi\r\n")
      fs.rmSync(dir, { recursive: true })
    }))

  it.scopedLive("CwdMissing: no such directory, or not a directory", () =>
    Effect.gen(function*() {
      const error = yield* spawnError({ command: "true", cwd: "/nonexistent/effect-pty" })
      assert.strictEqual(error.reason, "CwdMissing")
      assert.strictEqual(error.cwd, "/nonexistent/effect-pty")
      assert.strictEqual((yield* spawnError({ command: "true", cwd: "/etc/hostname" })).reason, "CwdMissing")
    }))

  it.scopedLive("ArgumentsTooLong: one argument over 128 KiB, or all of them over the exec limit", () =>
    Effect.gen(function*() {
      const one = yield* spawnError({ command: "true", args: ["ok", "x".repeat(131072)] })
      assert.strictEqual(one.reason, "ArgumentsTooLong")
      assert.match(one.detail, /argv\[2\] is 131072 bytes/)
      const many = yield* spawnError({ command: "true", args: Array.from({ length: 100 }, () => "y".repeat(100_000)) })
      assert.strictEqual(many.reason, "ArgumentsTooLong")
      const env = yield* spawnError({ command: "true", env: { BIG: "z".repeat(200_000) } })
      assert.strictEqual(env.reason, "ArgumentsTooLong")
      assert.match(env.detail, /environment variable BIG/)
      // just under the limit runs
      const proc = yield* PtyProcess.spawn({ command: "sh", args: ["-c", "echo ${#0}", "x".repeat(131071)] })
      assert.strictEqual(yield* allOutput(proc), "131071\r\n")
    }))

  it.scopedLive("Unknown: a failing fork, an unreadable stdin file, invalid options", () =>
    Effect.gen(function*() {
      const forkFailure = yield* Effect.flip(Effect.scoped(internal.make({ command: "true" }, {
        fork: () => {
          throw new Error("forkpty(3) failed.")
        }
      })))
      assert.strictEqual(forkFailure.reason, "Unknown")
      assert.match(forkFailure.message, /forkpty\(3\) failed/)
      const stdin = yield* spawnError({ command: "cat", stdin: "/nonexistent/input" })
      assert.strictEqual(stdin.reason, "Unknown")
      assert.match(stdin.detail, /stdin file/)
      assert.strictEqual((yield* spawnError({ command: "true", cols: 0 })).reason, "Unknown")
      assert.strictEqual((yield* spawnError({ command: "true", args: ["a\0b"] })).reason, "Unknown")
    }))

  it.scopedLive("options of the wrong type (from untyped callers) are a typed error naming the option", () =>
    Effect.gen(function*() {
      // what JavaScript callers or parsed configuration can pass: each used to throw a TypeError
      // from inside the checks (a defect), or reach node-pty's own usage error
      const cases: ReadonlyArray<readonly [unknown, RegExp]> = [
        [{ command: undefined }, /command must be a string, got undefined/],
        [{ command: 42 }, /command must be a string, got number/],
        [{ command: "true", cwd: 5 }, /cwd must be a string, got number/],
        [{ command: "true", args: "-c" }, /args must be an array of strings, got a string/],
        [{ command: "true", env: ["A=1"] }, /env must be an object of strings, got an array/],
        [{ command: "true", env: { A: 1 } }, /environment variable A must be a string or undefined, got number/],
        [{ command: "cat", stdin: 3 }, /stdin must be a path \(a string\), got number/],
        [null, /the options must be an object, got null/]
      ]
      for (const [options, detail] of cases) {
        const error = yield* spawnError(options as PtyProcess.SpawnOptions)
        assert.strictEqual(error._tag, "PtySpawnError")
        assert.strictEqual(error.reason, "Unknown")
        assert.match(error.detail, detail)
        const checked = yield* Effect.flip(PtyProcess.preflight(options as PtyProcess.SpawnOptions))
        assert.strictEqual(checked.detail, error.detail)
      }
    }))

  it.effect("preflight makes the same checks without spawning", () =>
    Effect.gen(function*() {
      const sh = yield* PtyProcess.preflight({ command: "sh" })
      assert.isTrue(path.isAbsolute(sh) && path.basename(sh) === "sh")
      fs.accessSync(sh, fs.constants.X_OK)
      const error = yield* Effect.flip(PtyProcess.preflight({ command: "true", cwd: "/nonexistent" }))
      assert.strictEqual(error.reason, "CwdMissing")
    }))
})
