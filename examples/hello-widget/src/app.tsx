// Hello widget: asks a server function for a greeting and shows it.
// Only the platform's components render; React comes from the host.
import { useState } from "react";
import {
  Alert,
  Button,
  Card,
  CardContent,
  CardDescription,
  CardFooter,
  CardHeader,
  CardTitle,
  Input,
  Stack,
  TextBlock,
} from "@appstore/sdk";
import { greet, greetingCount } from "./greet.server";

export default function HelloWidget() {
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
          <Input label="Your name" value={name} onChange={(v: string) => setName(v)} />
          {greeting && <TextBlock text={greeting} />}
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
