// Server functions of the hello widget. This module runs on the platform
// only: the client bundle gets a proxy that sends run-server-function.

export interface GreetOptions {
  excited?: boolean;
}

let greetings = 0;

/** A greeting for name, made on the server. */
export async function greet(name: string, options: GreetOptions = {}): Promise<string> {
  greetings += 1;
  const clean = name.trim().slice(0, 60) || "world";
  const punctuation = options.excited ? "!" : ".";
  return `Hello, ${clean}${punctuation} (greeted on the server, greeting number ${greetings})`;
}

/** How many greetings this server instance has made. */
export async function greetingCount(): Promise<number> {
  return greetings;
}

/** The "Greet" workflow block: its input and output match the block's schemas. */
export async function greetBlock(input: { name: string }): Promise<{ greeting: string }> {
  return { greeting: await greet(input.name) };
}
