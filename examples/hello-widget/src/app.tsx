// Hello widget: one app that uses every surface the platform offers.
// Only the platform's components render; React and the SDK come from the
// runtime page. The texts ("Hello widget", "Say hello", "Selected
// records", "Selected text") are what the browser tests look for.
import { useState } from "react";
import type { RecordContext } from "@appstore/sdk";
import { Alert, Badge, Button, Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle, defineApp, Input, openDialog, Stack, TextBlock } from "@appstore/sdk";
import { greet, greetBlock, greetingCount } from "./greet.server";

/** The contact widget: a name, a button, and the server's greeting. */
function HelloWidget({ context }: { context: RecordContext }) {
  const [name, setName] = useState("");
  const [greeting, setGreeting] = useState("");
  const [count, setCount] = useState<number | null>(null);
  const [error, setError] = useState("");

  async function sayHello() {
    setError("");
    try {
      setGreeting(await greet(name || "world", { excited: true }));
      setCount(await greetingCount());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Hello widget</CardTitle>
        <CardDescription>Greetings computed on the server.</CardDescription>
      </CardHeader>
      <CardContent>
        <Stack gap="sm">
          <TextBlock tone="muted" text={`Contact ${context.record_id}`} />
          <Input label="Your name" value={name} onChange={(v: string) => setName(v)} />
          <TextBlock text={greeting || "Nobody greeted yet."} />
          {count !== null && <TextBlock text={`Greetings so far: ${count}`} />}
          {error && <Alert variant="destructive" title="The server said no" description={error} />}
        </Stack>
      </CardContent>
      <CardFooter>
        <Button onClick={sayHello}>Say hello</Button>
      </CardFooter>
    </Card>
  );
}

/** A dialog body listing values, one line each. */
function Lines({ items }: { items: string[] }) {
  return (
    <Stack gap="xs">
      {items.map((item) => (
        <TextBlock key={item} text={item} />
      ))}
    </Stack>
  );
}

export default defineApp({
  record: {
    widgets: [{ id: "hello", title: "Hello widget", recordTypes: ["contact"], component: HelloWidget }],
    actions: [
      {
        id: "show-record",
        title: "Show record",
        recordTypes: ["contact", "ticket"],
        onTrigger: (ctx) => {
          openDialog({ title: "Record details", content: <Lines items={[`${ctx.record_type} ${ctx.record_id}`]} /> });
        },
      },
    ],
    bulkActions: [
      {
        id: "list-selected",
        title: "List selected",
        recordTypes: ["contact", "ticket"],
        onTrigger: (ctx) => {
          const dialog = openDialog({
            title: "Selected records",
            content: (
              <Stack gap="sm">
                <Badge text={`${ctx.record_ids.length} selected`} />
                <Lines items={ctx.record_ids} />
                <Button variant="outline" onClick={() => dialog.close()}>
                  Close
                </Button>
              </Stack>
            ),
          });
        },
      },
    ],
  },
  quickActions: [
    {
      id: "say-hi",
      title: "Say hi",
      onTrigger: () => {
        openDialog({ title: "Hi there", content: <TextBlock text="Hello from the quick actions." /> });
      },
    },
  ],
  callRecording: {
    transcript: {
      textActions: [
        {
          id: "show-text",
          title: "Show selected text",
          onTrigger: (ctx) => {
            openDialog({ title: "Selected text", content: <TextBlock text={ctx.text} /> });
          },
        },
      ],
    },
  },
  workflow: {
    blocks: [
      {
        id: "greet",
        title: "Greet",
        description: "Greets a name on the server.",
        input: { type: "object", required: ["name"], properties: { name: { type: "string", minLength: 1 } } },
        output: { type: "object", required: ["greeting"], properties: { greeting: { type: "string" } } },
        retry: { maxAttempts: 3, initialIntervalMs: 1000, backoffCoefficient: 2 },
        run: greetBlock,
      },
    ],
    triggers: [
      {
        id: "greeted",
        title: "Someone was greeted",
        output: { type: "object", required: ["name"], properties: { name: { type: "string" } } },
      },
    ],
  },
});
