import { assert, describe, it } from "@effect/vitest"
import { errorLine, shellQuote, splitTools } from "../src/internal/render.js"

describe("render", () => {
  it("splits tool lists on commas outside parentheses", () => {
    assert.deepStrictEqual(
      splitTools(["Read, Grep", "Bash(git log:*,git diff:*),Edit", " ", "mcp__srv__tool"]),
      ["Read", "Grep", "Bash(git log:*,git diff:*)", "Edit", "mcp__srv__tool"]
    )
  })

  it("folds a multi-line message into one line", () => {
    assert.strictEqual(
      errorLine("Claude Code exited with code 3. Its output ended with:\nerror: one\nerror: two\n"),
      "effect-claude-code: Claude Code exited with code 3. Its output ended with: error: one | error: two\n"
    )
  })

  it("quotes for a POSIX shell only when needed", () => {
    assert.strictEqual(shellQuote("/tmp/project-1"), "/tmp/project-1")
    assert.strictEqual(shellQuote("/tmp/my project's"), `'/tmp/my project'\\''s'`)
  })
})
