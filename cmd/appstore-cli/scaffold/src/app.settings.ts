// The app's settings, evaluated by `appstore-cli build` into
// dist/settings.schema.json. Organization settings are set by an
// organization's admins; user settings by each user.
import { boolean, defineSettings, number, select, string } from "@appstore/sdk/settings";

export default defineSettings({
  organization: {
    greeting: string().label("Greeting").minLength(1).maxLength(60).default("Hello"),
    dailyLimit: number().integer().min(1).max(10000).default(100).label("Greetings per day"),
  },
  user: {
    theme: select(["light", "dark", "system"]).default("system").label("Theme").optional(),
    notifications: boolean().default(true).label("Notify me").optional(),
  },
});
