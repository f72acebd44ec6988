import { stringify } from 'yaml';

/** Objects as one multi-document YAML stream, as `kubectl ... --dry-run=client -o yaml` would print them for `kubectl apply -f -`. */
export function toYaml(objects: readonly unknown[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })}`).join('');
}
