import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/**
 * Writes a prompt too large for argv into a file only this user can read, inside a fresh
 * private directory that is removed when the scope closes (after the process is gone, since
 * the process is acquired later in the same scope).
 *
 * @internal
 */
export const promptFile = (text: string) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "effect-claude-code-"))
      const file = path.join(dir, "prompt")
      await fs.promises.writeFile(file, text, { mode: 0o600 })
      return { dir, file }
    }),
    ({ dir }) => Effect.promise(() => fs.promises.rm(dir, { recursive: true, force: true }))
  ).pipe(Effect.map(({ file }) => file))
