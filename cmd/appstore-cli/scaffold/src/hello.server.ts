// Server functions: every export of a *.server.ts module runs on the
// platform, never in the browser. The client imports them as usual; the
// build replaces the import with a proxy. Arguments and results must
// survive JSON.

export async function hello(name: string): Promise<string> {
  return `Hello from the server, ${name}!`;
}

/** The "Say hello" workflow block: input and output match its schemas. */
export async function helloBlock(input: { name: string }): Promise<{ greeting: string }> {
  return { greeting: await hello(input.name) };
}
