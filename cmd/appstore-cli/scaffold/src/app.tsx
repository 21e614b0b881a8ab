// The app's definition: every surface the platform offers, one of each.
// Only the platform's components render (see @appstore/sdk); React and
// the SDK come from the runtime page. `appstore-cli build` reads this
// default export into dist/app.manifest.json.
import { useState } from "react";
import type { RecordContext } from "@appstore/sdk";
import { Button, Card, CardContent, CardFooter, CardHeader, CardTitle, defineApp, Input, openDialog, Stack, TextBlock } from "@appstore/sdk";
import { hello, helloBlock } from "./hello.server";

/** A widget on contacts: the button updates one text, the input its name. */
function HelloWidget({ context }: { context: RecordContext }) {
  const [name, setName] = useState("");
  const [greeting, setGreeting] = useState("");
  const [error, setError] = useState("");

  async function ask() {
    setError("");
    try {
      setGreeting(await hello(name || "{{.Name}}"));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Hello widget</CardTitle>
      </CardHeader>
      <CardContent>
        <Stack gap="sm">
          <TextBlock tone="muted" text={`Contact ${context.record_id}`} />
          <Input label="Your name" value={name} onChange={(v: string) => setName(v)} />
          <TextBlock text={error || greeting || "Ask the server for a greeting."} />
        </Stack>
      </CardContent>
      <CardFooter>
        <Button onClick={ask}>Say hello</Button>
      </CardFooter>
    </Card>
  );
}

export default defineApp({
  record: {
    widgets: [{ id: "hello", title: "Hello widget", recordTypes: ["contact"], component: HelloWidget }],
    actions: [
      {
        id: "show-record",
        title: "Show record",
        recordTypes: ["contact"],
        onTrigger: (ctx) => {
          openDialog({ title: "Record details", content: <TextBlock text={`${ctx.record_type} ${ctx.record_id}`} /> });
        },
      },
    ],
    bulkActions: [
      {
        id: "list-selected",
        title: "List selected",
        recordTypes: ["contact"],
        onTrigger: (ctx) => {
          openDialog({
            title: "Selected records",
            content: (
              <Stack gap="xs">
                {ctx.record_ids.map((id) => (
                  <TextBlock key={id} text={id} />
                ))}
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
        openDialog({ title: "Hi there", content: <TextBlock text="Hello from {{.Name}}." /> });
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
        id: "say-hello",
        title: "Say hello",
        input: { type: "object", required: ["name"], properties: { name: { type: "string" } } },
        output: { type: "object", required: ["greeting"], properties: { greeting: { type: "string" } } },
        retry: { maxAttempts: 3 },
        run: helloBlock,
      },
    ],
    triggers: [
      {
        id: "greeted",
        title: "Someone was greeted",
        output: { type: "object", properties: { name: { type: "string" } } },
      },
    ],
  },
});
