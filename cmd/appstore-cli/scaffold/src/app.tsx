// The app's client: a widget the platform renders in its iframe host.
// Only the platform's components render (see @appstore/sdk); React comes
// from the host.
import { useState } from "react";
import { Button, Card, CardContent, CardFooter, CardHeader, CardTitle, TextBlock } from "@appstore/sdk";
import { hello } from "./hello.server";

export default function App() {
  const [greeting, setGreeting] = useState("");
  const [error, setError] = useState("");

  async function ask() {
    setError("");
    try {
      setGreeting(await hello("{{.Name}}"));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>{{.Name}}</CardTitle>
      </CardHeader>
      <CardContent>
        <TextBlock text={error || greeting || "Ask the server for a greeting."} />
      </CardContent>
      <CardFooter>
        <Button onClick={ask}>Say hello</Button>
      </CardFooter>
    </Card>
  );
}
