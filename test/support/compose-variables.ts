/**
 * Docker Compose's interpolation of `${NAME}`, `${NAME:-default}`, `${NAME-default}`,
 * `${NAME:?error}`, `${NAME?error}` and `$$` in a compose file's text, as `docker compose` does it
 * with the variables `env` (the shell's and .env's), so that tests can read the file as a given
 * environment would run it. `:` forms treat an empty variable as unset. Throws what compose prints
 * for a required variable that is missing.
 */
export function interpolateCompose(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])((?:[^}])*))?\}/g, (whole, name: string | undefined, colon: string, kind: string, operand: string) => {
    if (!name) return '$';
    const value = env[name];
    const unset = value === undefined || (colon === ':' && value === '');
    if (!kind) return value ?? '';
    if (!unset) return value!;
    if (kind === '-') return operand;
    throw new Error(`required variable ${name} is missing a value: ${operand}`);
  });
}
