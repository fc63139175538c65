export function largeProject(workflows: number, roles: number): Record<string, string>;
