// The hello widget's settings: organization-wide ones set by admins, and
// per-user preferences. `appstore-cli build` turns them into
// dist/settings.schema.json.
import { boolean, defineSettings, number, select, string, struct } from "@appstore/sdk/settings";

const language = select([
  { value: "en", label: "English" },
  { value: "de", label: "Deutsch" },
  { value: "fr", label: "Français" },
]);

export default defineSettings({
  organization: {
    greeting: string()
      .label("Greeting")
      .description("The word the widget greets with.")
      .minLength(2)
      .maxLength(40)
      .default("Hello"),
    dailyLimit: number().integer().min(1).max(1000).default(100).label("Greetings per day"),
    enabled: boolean().default(true).label("Enabled"),
    language: language.default("en").label("Language"),
    support: struct({
      email: string().label("Email").pattern("^[^@\\s]+@[^@\\s]+$"),
      phone: string().label("Phone").maxLength(20).optional(),
    })
      .label("Support contact")
      .description("Shown when a greeting fails."),
  },
  user: {
    nickname: string().label("Nickname").maxLength(30).optional(),
    theme: select(["light", "dark", "system"]).default("system").label("Theme"),
    fontScale: number().min(0.5).max(2).default(1).label("Font scale").optional(),
    language: language.label("Language").optional(),
  },
});
