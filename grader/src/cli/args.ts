/** Arguments shared by the commands that act on one lab's workspace and overwrite files in it. */
export const workspaceChangeArgs = {
  lab: { type: 'positional', description: 'Lab id.', required: true },
  dir: { type: 'string', description: 'Workspace folder.' },
  yes: { type: 'boolean', description: 'Do not ask for confirmation.' },
} as const;
